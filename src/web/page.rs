//! What the base layout needs on every page: the viewer (for role-based navigation),
//! the CSRF token for its forms, and pending flash messages.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_messages::Messages;

use crate::AppState;
use crate::domain::account::{Role, User};
use crate::web::csrf;
use crate::web::error::{AppError, Result};
use crate::web::session::{Flash, Viewer, session_from};

pub struct Page {
    pub user: Option<User>,
    pub csrf_token: String,
    pub flashes: Vec<Flash>,
    /// Where users reach the portal, without a trailing slash: for addresses a page shows whole
    /// (the mock base URL).
    pub public_url: String,
}

impl Page {
    pub fn is_admin(&self) -> bool {
        self.role() == Some(Role::Admin)
    }

    pub fn is_staff(&self) -> bool {
        matches!(self.role(), Some(Role::Admin | Role::Reviewer))
    }

    pub fn is_partner(&self) -> bool {
        self.role() == Some(Role::Partner)
    }

    fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|user| user.role)
    }
}

impl FromRequestParts<AppState> for Page {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let Viewer(user) = Viewer::from_request_parts(parts, state).await?;
        let session = session_from(parts, state).await?;
        // Reading the messages marks them shown; `axum-messages` writes the session only then.
        let messages = Messages::from_request_parts(parts, state)
            .await
            .map_err(|(_, why)| AppError::Internal(anyhow::anyhow!(why)))?;
        Ok(Page {
            user,
            csrf_token: csrf::token(&session, parts, state).await?,
            flashes: messages.map(Flash::from).collect(),
            public_url: state.config.link(""),
        })
    }
}
