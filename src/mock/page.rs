//! `/integrations/{id}/mock`: the mock base URL, the keys to call it with (created, shown once,
//! revoked), what it answers, and its latest calls; for Haptik staff and the partner's team.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::MockRuntime;
use super::access::KEY_PREFIX;
use super::cache::Source;
use super::calls::{self, CallRow};
use crate::AppState;
use crate::accounts::viewer::CurrentUser;
use crate::accounts::{Role, User, tokens};
use crate::web::extract::{Form, Path};
use crate::web::forms::FieldErrors;
use crate::web::page::Page;
use crate::web::{AppError, Result};

const MAX_KEYS: i64 = 20;

pub struct KeyRow {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
}

impl KeyRow {
    pub fn created(&self) -> String {
        crate::web::dates::date_time(self.created_at)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "mock/mock.html")]
pub struct MockPage {
    pub page: Page,
    pub id: Uuid,
    pub name: String,
    pub base_url: String,
    pub keys: Vec<KeyRow>,
    /// The key just created: shown this once.
    pub created: Option<String>,
    pub key_name: String,
    pub errors: FieldErrors,
    /// What the default source answers ("revision 3") and its operations; None before a submission.
    pub serves: Option<String>,
    pub operations: Vec<(String, String)>,
    pub triggers: Vec<(String, String)>,
    pub calls: Vec<CallRow>,
    pub partner: bool,
}

/// The integration's name, if the viewer may see it.
async fn visible(db: &sqlx::PgPool, viewer: &User, id: Uuid) -> Result<String> {
    let company = match viewer.role {
        Role::Partner => Some(viewer.company_id.ok_or(AppError::NotFound)?),
        Role::Reviewer | Role::Admin => None,
    };
    sqlx::query_scalar!(
        "SELECT name FROM integrations WHERE id = $1 AND ($2::uuid IS NULL OR company_id = $2)",
        id,
        company
    )
    .fetch_optional(db)
    .await?
    .ok_or(AppError::NotFound)
}

async fn keys(db: &sqlx::PgPool, id: Uuid) -> sqlx::Result<Vec<KeyRow>> {
    sqlx::query_as!(
        KeyRow,
        "SELECT k.id, k.name, k.prefix, u.display_name AS created_by, k.created_at
         FROM mock_keys k JOIN users u ON u.id = k.created_by
         WHERE k.integration_id = $1 AND k.revoked_at IS NULL ORDER BY k.created_at DESC",
        id
    )
    .fetch_all(db)
    .await
}

async fn build(
    state: &AppState,
    runtime: &MockRuntime,
    viewer: &User,
    page: Page,
    id: Uuid,
) -> Result<MockPage> {
    let name = visible(&state.db, viewer, id).await?;
    let current = super::serve::compiled(state, runtime, id, Source::Current).await?;
    Ok(MockPage {
        page,
        id,
        name,
        base_url: state.config.mock_base_url(id),
        keys: keys(&state.db, id).await?,
        created: None,
        key_name: String::new(),
        errors: FieldErrors::default(),
        serves: current.as_ref().map(|c| c.label.clone()),
        operations: current
            .as_ref()
            .map(|c| c.set.operations())
            .unwrap_or_default(),
        triggers: current
            .as_ref()
            .map(|c| c.set.triggers())
            .unwrap_or_default(),
        calls: calls::recent(&state.db, id, viewer.id).await?,
        partner: viewer.role == Role::Partner,
    })
}

pub async fn show(
    State(state): State<AppState>,
    Extension(runtime): Extension<Arc<MockRuntime>>,
    CurrentUser(viewer): CurrentUser,
    page: Page,
    Path(id): Path<Uuid>,
) -> Result<MockPage> {
    build(&state, &runtime, &viewer, page, id).await
}

#[derive(Deserialize)]
pub struct NewKeyForm {
    #[serde(default)]
    name: String,
}

/// Creates a mock key, shown once; audited (calls are not, they are in the call log).
pub async fn create_key(
    State(state): State<AppState>,
    Extension(runtime): Extension<Arc<MockRuntime>>,
    CurrentUser(viewer): CurrentUser,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<NewKeyForm>,
) -> Result<Response> {
    let mut view = build(&state, &runtime, &viewer, page, id).await?;
    let name = form.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        view.errors.add(
            "key_name",
            "Name the key (up to 100 characters), e.g. after the bot or the person it is for.",
        );
    }
    if view.keys.len() as i64 >= MAX_KEYS {
        view.errors.add(
            "key_name",
            format!("This mock has {MAX_KEYS} keys, the most allowed. Revoke one first."),
        );
    }
    if !view.errors.is_empty() {
        view.key_name = name.chars().take(100).collect();
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
    }
    let token = tokens::generate();
    let plain = format!("{KEY_PREFIX}{}", token.plain);
    let prefix: String = plain.chars().take(KEY_PREFIX.len() + 6).collect();
    let mut tx = state.db.begin().await?;
    sqlx::query!(
        "INSERT INTO mock_keys (id, integration_id, name, prefix, key_hash, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
        Uuid::new_v4(),
        id,
        name,
        prefix,
        token.hash,
        viewer.id
    )
    .execute(&mut *tx)
    .await?;
    let detail = format!("“{name}” ({prefix}…)");
    crate::audit::record(
        &mut tx,
        Some(viewer.id),
        Some(id),
        "mock_key_created",
        detail,
    )
    .await?;
    tx.commit().await?;
    view.keys = keys(&state.db, id).await?;
    view.created = Some(plain);
    Ok(view.into_response())
}

pub async fn revoke_key(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    messages: Messages,
    Path((id, key)): Path<(Uuid, Uuid)>,
) -> Result<Response> {
    visible(&state.db, &viewer, id).await?;
    let mut tx = state.db.begin().await?;
    let revoked = sqlx::query_scalar!(
        "UPDATE mock_keys SET revoked_at = now() WHERE id = $1 AND integration_id = $2 AND revoked_at IS NULL RETURNING name",
        key,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let detail = format!("“{revoked}”");
    crate::audit::record(
        &mut tx,
        Some(viewer.id),
        Some(id),
        "mock_key_revoked",
        detail,
    )
    .await?;
    tx.commit().await?;
    messages.success(format!(
        "Key “{revoked}” revoked: calls with it are refused now."
    ));
    Ok(Redirect::to(&format!("/integrations/{id}/mock#keys")).into_response())
}
