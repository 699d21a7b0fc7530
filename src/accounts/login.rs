use std::time::Duration;

use crate::web::extract::Form;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use tower_sessions::Session;

use super::{throttle, users};
use crate::AppState;
use crate::domain::password;
use crate::web::Result;
use crate::web::client_ip::ClientIp;
use crate::web::forms::local_path;
use crate::web::page::Page;
use crate::web::session::Viewer;

/// The same words whether the e-mail is unknown, inactive or the password wrong.
pub const FAILED: &str = "That e-mail address and password do not match an active account.";

#[derive(Template, WebTemplate)]
#[template(path = "accounts/login.html")]
pub struct LoginPage {
    page: Page,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn show(page: Page, Viewer(viewer): Viewer, Query(query): Query<NextQuery>) -> Response {
    let next = local_path(query.next.as_deref());
    if viewer.is_some() {
        return Redirect::to(&next).into_response();
    }
    LoginPage {
        page,
        email: String::new(),
        next,
        error: None,
    }
    .into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

#[tracing::instrument(name = "sign_in", skip_all)]
pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    ClientIp(address): ClientIp,
    page: Page,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let next = local_path(Some(&form.next));
    let refuse = |page: Page, status: StatusCode, error: String| {
        let email: String = form.email.chars().take(254).collect();
        (
            status,
            LoginPage {
                page,
                email,
                next: next.clone(),
                error: Some(error),
            },
        )
            .into_response()
    };

    let throttle = &state.config.throttle;
    match throttle::begin_attempt(&state.db, throttle, &form.email, &address).await? {
        throttle::Attempt::Wait(wait) => {
            return Ok(refuse(
                page,
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many failed sign-ins for this e-mail address or from your network. Wait {} and try again, or reset your password.",
                    human_wait(wait)
                ),
            ));
        }
        throttle::Attempt::Allowed { delay } => tokio::time::sleep(delay).await,
    }

    let account = if form.email.len() <= 254 && form.password.len() <= password::MAX_LENGTH {
        users::find_for_login(&state.db, &form.email).await?
    } else {
        None
    };
    let (user_id, hash) = account.unzip();
    let matched = state.passwords.verify(form.password.clone(), hash).await?;
    match user_id {
        Some(user_id) if matched => {
            throttle::record_success(&state.db, &form.email, &address).await?;
            crate::accounts::viewer::sign_in(&session, user_id).await?;
            crate::audit::record(
                &mut *state.db.acquire().await?,
                Some(user_id),
                None,
                "signed in",
                "",
            )
            .await?;
            Ok(Redirect::to(&next).into_response())
        }
        _ => Ok(refuse(page, StatusCode::UNAUTHORIZED, FAILED.to_string())),
    }
}

pub async fn logout(session: Session, messages: Messages) -> Result<Response> {
    crate::accounts::viewer::sign_out(&session).await?;
    messages.info("You have signed out.");
    Ok(Redirect::to("/login").into_response())
}

fn human_wait(wait: Duration) -> String {
    let seconds = wait.as_secs().max(1);
    if seconds < 90 {
        format!("{seconds} seconds")
    } else {
        format!("{} minutes", seconds.div_ceil(60))
    }
}
