//! "Forgot your password?": a single-use link by e-mail, valid for an hour.

use crate::web::extract::Form;
use crate::web::extract::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use uuid::Uuid;

use super::{EmailAddress, throttle, tokens, users};
use crate::AppState;
use crate::domain::password;
use crate::mail::{self, Email};
use crate::web::Result;
use crate::web::forms::FieldErrors;
use crate::web::page::Page;

const RESETS_PER_HOUR: i64 = 3;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/forgot.html")]
pub struct ForgotPage {
    page: Page,
    email: String,
    errors: FieldErrors,
}

pub async fn show_forgot(page: Page) -> ForgotPage {
    ForgotPage {
        page,
        email: String::new(),
        errors: FieldErrors::default(),
    }
}

#[derive(Deserialize)]
pub struct ForgotForm {
    email: String,
}

/// Answers the same whether or not the address has an account.
pub async fn request_reset(
    State(state): State<AppState>,
    page: Page,
    messages: Messages,
    Form(form): Form<ForgotForm>,
) -> Result<Response> {
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email,
        Err(message) => {
            let mut errors = FieldErrors::default();
            errors.add("email", message);
            let email = form.email.chars().take(254).collect();
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                ForgotPage {
                    page,
                    email,
                    errors,
                },
            )
                .into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let user = users::find_active_id_by_email(&mut tx, &email).await?;
    let recent = sqlx::query_scalar!(
        r#"SELECT count(*) AS "recent!" FROM password_resets
           WHERE user_id = $1 AND created_at > now() - interval '1 hour'"#,
        user
    )
    .fetch_one(&mut *tx)
    .await?;
    // More requests within the hour get the same answer but no more mail: an inbox cannot be flooded.
    if let Some(user_id) = user.filter(|_| recent < RESETS_PER_HOUR) {
        let token = tokens::generate();
        sqlx::query!(
            "INSERT INTO password_resets (id, user_id, token_hash, expires_at)
             VALUES ($1, $2, $3, now() + interval '1 hour')",
            Uuid::new_v4(),
            user_id,
            token.hash.as_slice()
        )
        .execute(&mut *tx)
        .await?;
        let link = state
            .config
            .link(&format!("/password/reset/{}", token.plain));
        mail::enqueue(
            &mut tx,
            &Email {
                to: email.to_string(),
                subject: "Reset your Partner Portal password".into(),
                body: format!(
                    "Someone asked to reset the password of your Partner Portal account.\n\n\
                     Choose a new password here (the link works once, within one hour):\n{link}\n\n\
                     If it was not you, ignore this message; your password stays as it is."
                ),
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    messages.info(format!(
            "If {email} belongs to an active account, a link to choose a new password is on its way. It works once, within one hour."
        ));
    Ok(Redirect::to("/login").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/reset.html")]
pub struct ResetPage {
    page: Page,
    email: String,
    errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/link_invalid.html")]
pub struct LinkInvalidPage {
    pub page: Page,
    pub what: &'static str,
}

#[derive(sqlx::FromRow)]
struct OpenReset {
    id: Uuid,
    user_id: Uuid,
    email: String,
    display_name: String,
}

/// The open reset a link's token digest names, with its user.
async fn open_reset(db: &sqlx::PgPool, digest: &[u8]) -> sqlx::Result<Option<OpenReset>> {
    sqlx::query_as!(
        OpenReset,
        r#"SELECT r.id, r.user_id, u.email::text AS "email!", u.display_name
           FROM password_resets r JOIN users u ON u.id = r.user_id
           WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.active"#,
        digest
    )
    .fetch_optional(db)
    .await
}

fn invalid(page: Page) -> Response {
    (
        StatusCode::NOT_FOUND,
        LinkInvalidPage {
            page,
            what: "This password reset link has been used or has expired. Ask for a new one from the sign-in page.",
        },
    )
        .into_response()
}

pub async fn show_reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    page: Page,
) -> Result<Response> {
    let open = open_reset(&state.db, &tokens::digest(&token)).await?;
    Ok(match open {
        Some(reset) => ResetPage {
            page,
            email: reset.email,
            errors: FieldErrors::default(),
        }
        .into_response(),
        None => invalid(page),
    })
}

#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
    confirm: String,
}

pub async fn complete_reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    page: Page,
    messages: Messages,
    Form(form): Form<ResetForm>,
) -> Result<Response> {
    let digest = tokens::digest(&token);
    let Some(reset) = open_reset(&state.db, &digest).await? else {
        return Ok(invalid(page));
    };
    let mut errors = FieldErrors::default();
    errors.check(
        "password",
        password::check_policy(&form.password, &[&reset.email, &reset.display_name]),
    );
    if form.password != form.confirm {
        errors.add("confirm", "The two passwords differ.");
    }
    if !errors.is_empty() {
        let email = reset.email;
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            ResetPage {
                page,
                email,
                errors,
            },
        )
            .into_response());
    }
    let hash = state.passwords.hash(form.password).await?;

    let mut tx = state.db.begin().await?;
    // Claim the link: a second submission of the same link finds it used.
    let claimed = sqlx::query!(
        "UPDATE password_resets SET used_at = now() WHERE id = $1 AND used_at IS NULL AND expires_at > now()",
        reset.id
    )
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 {
        return Ok(invalid(page));
    }
    sqlx::query!(
        "UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
        reset.user_id
    )
    .execute(&mut *tx)
    .await?;
    users::set_password(&mut tx, reset.user_id, &hash).await?;
    users::revoke_api_tokens(
        &mut tx,
        Some(reset.user_id),
        reset.user_id,
        "the password was reset",
    )
    .await?;
    crate::audit::record(
        &mut tx,
        Some(reset.user_id),
        None,
        "reset their password",
        "",
    )
    .await?;
    tx.commit().await?;
    throttle::clear_account(&state.db, &reset.email).await?;

    messages.success("Your password has been changed, and any other signed-in sessions were ended. Sign in with the new password.");
    Ok(Redirect::to("/login").into_response())
}
