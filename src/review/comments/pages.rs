//! The comment forms' handlers.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use uuid::Uuid;

use super::*;
use crate::AppState;
use crate::accounts::viewer::CurrentUser;
use crate::accounts::{Role, User};
use crate::web::extract::{Form, Path};

use crate::web::{AppError, Result};

use super::service::{change_state, post_reply, start_thread};

#[derive(Deserialize)]
pub struct NewComment {
    revision: i32,
    #[serde(default)]
    endpoint: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    body: String,
}

/// The anchor's fragment on the review and intake pages.
fn fragment(endpoint: Option<Uuid>, item: &str) -> String {
    match endpoint {
        Some(id) => format!("endpoint-{id}"),
        None if item.is_empty() => "comments".into(),
        None => format!("item-{item}"),
    }
}

/// A reviewer comments on an item of the submission they are reviewing; it stays a draft until
/// the decision.
pub async fn create(
    State(state): State<AppState>,
    crate::accounts::viewer::Staff(reviewer): crate::accounts::viewer::Staff,
    messages: Messages,
    Path(id): Path<Uuid>,
    Form(form): Form<NewComment>,
) -> Result<Response> {
    let anchor = Anchor::parse(&form.endpoint, &form.item)
        .ok_or_else(|| AppError::BadRequest("unknown item".into()))?;
    let back = format!("/review/{id}#{}", fragment(anchor.endpoint, &anchor.item));
    match start_thread(&state.db, &reviewer, id, form.revision, &anchor, &form.body).await {
        Ok(()) => {}
        Err(AppError::BadRequest(message)) => {
            messages.error(message);
            return Ok(Redirect::to(&back).into_response());
        }
        Err(other) => return Err(other),
    }
    messages.info("Comment saved as a draft: the partner reads it when you send your decision.");
    Ok(Redirect::to(&back).into_response())
}

pub(super) fn page_of(
    viewer: &User,
    integration: Uuid,
    endpoint: Option<Uuid>,
    item: &str,
) -> String {
    let place = fragment(endpoint, item);
    match (viewer.role, endpoint) {
        (Role::Partner, Some(e)) => format!("/integrations/{integration}/endpoints/{e}#comments"),
        (Role::Partner, None) => format!("/integrations/{integration}#{place}"),
        _ => format!("/review/{integration}#{place}"),
    }
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
}

/// A reply in a thread. A reviewer's reply during a review waits for the decision like any comment.
pub async fn reply(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    messages: Messages,
    headers: axum::http::HeaderMap,
    Path(comment): Path<Uuid>,
    Form(form): Form<ReplyForm>,
) -> Result<Response> {
    match post_reply(&state.db, &viewer, comment, &form.body).await {
        Ok(posted) => {
            let done = if posted.draft {
                "Reply saved as a draft until you send your decision."
            } else {
                "Reply posted."
            };
            messages.success(done);
            Ok(Redirect::to(&posted.page).into_response())
        }
        Err(AppError::BadRequest(message)) => {
            messages.error(message);
            Ok(Redirect::to(&back_to(&headers)).into_response())
        }
        Err(other) => Err(other),
    }
}

/// Where the form was, for sending the user back with a message (same-origin pages only).
fn back_to(headers: &axum::http::HeaderMap) -> String {
    let referer = headers
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok())
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        });
    crate::web::forms::local_path(referer.as_deref())
}

#[derive(Deserialize)]
pub struct StateForm {
    state: String,
}

/// Partners mark a thread addressed; reviewers resolve it or open it again.
pub async fn set_state(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    messages: Messages,
    Path(comment): Path<Uuid>,
    Form(form): Form<StateForm>,
) -> Result<Response> {
    let (next, page) = change_state(&state.db, &viewer, comment, &form.state).await?;
    messages.success(format!("Comment marked {}.", next.as_str()));
    Ok(Redirect::to(&page).into_response())
}

/// A reviewer takes back a draft before the partner has seen it.
pub async fn delete_draft(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    messages: Messages,
    Path(comment): Path<Uuid>,
) -> Result<Response> {
    let deleted = sqlx::query!(
        "DELETE FROM comments WHERE id = $1 AND author_id = $2 AND NOT published
           AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = $1)
         RETURNING integration_id, endpoint_id, item",
        comment,
        viewer.id
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    let (integration, endpoint, item) = (deleted.integration_id, deleted.endpoint_id, deleted.item);
    messages.info("Draft comment deleted.");
    Ok(Redirect::to(&page_of(&viewer, integration, endpoint, &item)).into_response())
}

#[derive(Deserialize)]
pub struct EditForm {
    body: String,
}

/// A reviewer's own draft comment, rewritten before the decision sends it; a sent one stays as
/// the partner read it.
pub async fn edit_draft(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    messages: Messages,
    Path(comment): Path<Uuid>,
    Form(form): Form<EditForm>,
) -> Result<Response> {
    let body = form.body.trim();
    if body.is_empty() || body.chars().count() > MAX_BODY {
        return Err(AppError::BadRequest(format!(
            "a comment is 1 to {MAX_BODY} characters"
        )));
    }
    let edited = sqlx::query!(
        "UPDATE comments SET body = $3, updated_at = now()
         WHERE id = $1 AND author_id = $2 AND NOT published
         RETURNING integration_id, endpoint_id, item",
        comment,
        viewer.id,
        body
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    messages.info("Draft comment changed.");
    let to = page_of(
        &viewer,
        edited.integration_id,
        edited.endpoint_id,
        &edited.item,
    );
    Ok(Redirect::to(&to).into_response())
}
