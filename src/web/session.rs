//! Typed session data every page shares: flash messages, and who is viewing (`Viewer`, filled in
//! by `accounts::viewer`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::AppState;
use crate::domain::account::User;
use crate::web::error::{AppError, Result};

const FLASH_KEY: &str = "flash";

pub(crate) async fn session_from(parts: &mut Parts, state: &AppState) -> Result<Session> {
    Session::from_request_parts(parts, state)
        .await
        .map_err(|(_, why)| AppError::Internal(anyhow::anyhow!("session unavailable: {why}")))
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashKind {
    Success,
    Info,
    Error,
}

/// A one-time message shown on the next page, e.g. after a redirect.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
}

impl Flash {
    pub fn css_class(&self) -> &'static str {
        match self.kind {
            FlashKind::Success => "flash flash-success",
            FlashKind::Info => "flash flash-info",
            FlashKind::Error => "flash flash-error",
        }
    }
}

pub async fn flash(session: &Session, kind: FlashKind, text: impl Into<String>) -> Result<()> {
    let mut pending: Vec<Flash> = session.get(FLASH_KEY).await?.unwrap_or_default();
    pending.push(Flash {
        kind,
        text: text.into(),
    });
    session.insert(FLASH_KEY, pending).await?;
    Ok(())
}

pub async fn take_flashes(session: &Session) -> Result<Vec<Flash>> {
    // `remove` marks the session changed even when nothing is there, which would cost a
    // session write on every page view.
    let pending: Option<Vec<Flash>> = session.get(FLASH_KEY).await?;
    if pending.is_some() {
        session.remove_value(FLASH_KEY).await?;
    }
    Ok(pending.unwrap_or_default())
}

/// The signed-in user, if any, after checking the account is still active and the session still
/// valid. Loaded once per request and cached in the request's extensions; `accounts::viewer`
/// does the loading (web/ knows no product area).
#[derive(Clone, Debug)]
pub struct Viewer(pub Option<User>);
