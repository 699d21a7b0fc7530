//! Personal access tokens: created and revoked on `/account/tokens`, shown once, stored as a
//! digest. A token acts as its user, with that user's role and company.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::AppState;
use crate::accounts::tokens;
use crate::accounts::viewer::CurrentUser;
use crate::web::extract::{Form, Path};
use crate::web::forms::FieldErrors;
use crate::web::page::Page;

use crate::web::{AppError, Result};

pub use crate::accounts::access_tokens::{PREFIX, user_for};
const MAX_TOKENS: i64 = 20;

#[derive(sqlx::FromRow, Debug)]
pub struct TokenRow {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

impl TokenRow {
    pub fn created(&self) -> String {
        crate::web::dates::date_time(self.created_at)
    }

    pub fn last_used(&self) -> String {
        self.last_used_at
            .map_or_else(|| "never".into(), crate::web::dates::date_time)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "api/tokens.html")]
pub struct TokensPage {
    pub page: Page,
    pub tokens: Vec<TokenRow>,
    /// The token just created: shown this once.
    pub created: Option<String>,
    pub name: String,
    pub errors: FieldErrors,
}

async fn list(db: &sqlx::PgPool, user: Uuid) -> sqlx::Result<Vec<TokenRow>> {
    sqlx::query_as!(
        TokenRow,
        "SELECT id, name, prefix, created_at, last_used_at FROM api_tokens
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC",
        user
    )
    .fetch_all(db)
    .await
}

pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
) -> Result<TokensPage> {
    Ok(TokensPage {
        page,
        tokens: list(&state.db, user.id).await?,
        created: None,
        name: String::new(),
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
pub struct NewTokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Form(form): Form<NewTokenForm>,
) -> Result<Response> {
    let name = form.name.trim().to_string();
    let mut errors = FieldErrors::default();
    if name.is_empty() || name.chars().count() > 100 {
        errors.add(
            "name",
            "Name the token (up to 100 characters), e.g. after the script that uses it.",
        );
    }
    let existing = list(&state.db, user.id).await?;
    if existing.len() as i64 >= MAX_TOKENS {
        errors.add(
            "name",
            format!("You have {MAX_TOKENS} tokens, the most allowed. Revoke one first."),
        );
    }
    if !errors.is_empty() {
        let view = TokensPage {
            page,
            tokens: existing,
            created: None,
            name: name.chars().take(100).collect(),
            errors,
        };
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
    }
    let token = tokens::generate();
    let plain = format!("{PREFIX}{}", token.plain);
    let mut tx = state.db.begin().await?;
    sqlx::query!(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix) VALUES ($1, $2, $3, $4, $5)",
        Uuid::new_v4(),
        user.id,
        name,
        token.hash.as_slice(),
        plain.chars().take(PREFIX.len() + 4).collect::<String>()
    )
    .execute(&mut *tx)
    .await?;
    crate::audit::record(&mut tx, Some(user.id), None, "api_token_created", &name).await?;
    tx.commit().await?;
    Ok(TokensPage {
        page,
        tokens: list(&state.db, user.id).await?,
        created: Some(plain),
        name: String::new(),
        errors: FieldErrors::default(),
    }
    .into_response())
}

pub async fn revoke(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    messages: Messages,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    let mut tx = state.db.begin().await?;
    let name = sqlx::query_scalar!(
        "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING name",
        id,
        user.id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let name = name.ok_or(AppError::NotFound)?;
    crate::audit::record(&mut tx, Some(user.id), None, "api_token_revoked", &name).await?;
    tx.commit().await?;
    messages.success(format!("Token “{name}” revoked; it no longer works."));
    Ok(Redirect::to("/account/tokens").into_response())
}
