//! Post/redirect/get for forms that saved nothing. After a plain (no-JavaScript) post that was
//! refused or only edited a table, the form is kept here and the browser is sent to the page's own
//! address, which shows it again from here: a reload then shows the same form instead of posting
//! it a second time. One form is kept at a time, for one address, until that page takes it.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_htmx::HxRequest;
use axum_messages::Messages;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::page::Page;
use super::session::session_from;
use super::{AppError, Result};
use crate::AppState;

/// Everything answering a form post needs besides the form: the layout, flash messages, the
/// session (for post/redirect/get) and how to answer.
pub struct Posting {
    pub page: Page,
    pub messages: Messages,
    pub session: Session,
    pub answer: Answer,
}

impl FromRequestParts<AppState> for Posting {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let page = Page::from_request_parts(parts, state).await?;
        let messages = Messages::from_request_parts(parts, state)
            .await
            .map_err(|(_, why)| AppError::Internal(anyhow::anyhow!(why)))?;
        let HxRequest(htmx) = HxRequest::from_request_parts(parts, state)
            .await
            .unwrap_or(HxRequest(false));
        Ok(Posting {
            page,
            messages,
            session: session_from(parts, state).await?,
            answer: Answer::of_post(htmx),
        })
    }
}

const KEY: &str = "unsaved-form";

/// How a post that saves nothing is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// htmx: the form in place.
    Htmx,
    /// A plain post: the form kept here, the browser sent to the page.
    Redirect,
    /// The page after that redirect, showing the kept form.
    Replay,
}

impl Answer {
    pub fn of_post(htmx: bool) -> Answer {
        if htmx { Answer::Htmx } else { Answer::Redirect }
    }

    /// The answer to a post that saved nothing: htmx gets the form in place (`show(status, true)`);
    /// a plain post keeps `posted` for `page` and is redirected there, to `anchor`; the page
    /// after that redirect shows the form in full.
    pub async fn unsaved<T: Serialize>(
        self,
        status: StatusCode,
        show: impl FnOnce(StatusCode, bool) -> Result<Response>,
        session: &Session,
        (page, anchor): (&str, &str),
        posted: &T,
    ) -> Result<Response> {
        match self {
            Answer::Htmx => show(status, true),
            Answer::Replay => show(StatusCode::OK, false),
            Answer::Redirect => {
                keep(session, page, posted).await?;
                Ok(Redirect::to(&format!("{page}#{anchor}")).into_response())
            }
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Kept {
    path: String,
    form: serde_json::Value,
}

pub async fn keep<T: Serialize>(session: &Session, path: &str, form: &T) -> Result<()> {
    let form = serde_json::to_value(form).map_err(|e| AppError::Internal(e.into()))?;
    let kept = Kept {
        path: path.to_string(),
        form,
    };
    session.insert(KEY, kept).await?;
    Ok(())
}

/// The form kept for `path`, taken out so a second visit shows the saved page.
pub async fn take<T: DeserializeOwned>(session: &Session, path: &str) -> Result<Option<T>> {
    let Some(kept) = session.get::<Kept>(KEY).await? else {
        return Ok(None);
    };
    if kept.path != path {
        return Ok(None);
    }
    session.remove::<Kept>(KEY).await?;
    Ok(serde_json::from_value(kept.form).ok())
}
