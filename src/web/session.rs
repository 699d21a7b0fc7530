//! Typed session data every page shares: flash messages (kept by `axum-messages`), and who is viewing (`Viewer`, filled in
//! by `accounts::viewer`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_messages::{Level, Message};
use tower_sessions::Session;

use crate::AppState;
use crate::domain::account::User;
use crate::web::error::{AppError, Result};

pub(crate) async fn session_from(parts: &mut Parts, state: &AppState) -> Result<Session> {
    Session::from_request_parts(parts, state)
        .await
        .map_err(|(_, why)| AppError::Internal(anyhow::anyhow!("session unavailable: {why}")))
}

/// A one-time message shown on the next page, e.g. after a redirect: an `axum_messages`
/// message as the layout shows it.
#[derive(Clone, Debug)]
pub struct Flash {
    pub level: Level,
    pub text: String,
}

impl Flash {
    pub fn css_class(&self) -> &'static str {
        match self.level {
            Level::Success => "flash flash-success",
            Level::Error | Level::Warning => "flash flash-error",
            Level::Info | Level::Debug => "flash flash-info",
        }
    }
}

impl From<Message> for Flash {
    fn from(message: Message) -> Self {
        Flash {
            level: message.level,
            text: message.message,
        }
    }
}

/// The signed-in user, if any, after checking the account is still active and the session still
/// valid. Loaded once per request and cached in the request's extensions; `accounts::viewer`
/// does the loading (web/ knows no product area).
#[derive(Clone, Debug)]
pub struct Viewer(pub Option<User>);
