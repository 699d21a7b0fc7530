//! The actions on threads that the pages and the API share, under the same rules.

use uuid::Uuid;

use super::*;
use crate::accounts::{Role, User};
use crate::domain::revision;
use crate::domain::workflow::{self, ReviewPart, Scope, Status};
use crate::web::{AppError, Result};

use super::pages::page_of;
use super::store::find_thread;

pub(super) fn excerpt(body: &str) -> String {
    let mut text: String = body.chars().take(200).collect();
    if body.chars().count() > 200 {
        text.push('…');
    }
    text
}

pub(super) fn clean_body(body: &str) -> Result<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::BadRequest("Write the comment first.".into()));
    }
    if body.chars().count() > MAX_BODY {
        return Err(AppError::BadRequest(format!(
            "A comment can be at most {MAX_BODY} characters."
        )));
    }
    Ok(body.to_string())
}

/// A reviewer starts a thread on an item of the revision they are reviewing: a draft until the
/// decision. For the page and the API.
pub async fn start_thread(
    db: &sqlx::PgPool,
    reviewer: &User,
    id: Uuid,
    revision: i32,
    anchor: &Anchor,
    body: &str,
) -> Result<()> {
    let body = clean_body(body)?;
    let mut tx = db.begin().await?;
    let locked = workflow::lock(&mut tx, id, Scope::Staff).await?;
    locked.reviewing(reviewer, ReviewPart::Comments, Some(revision))?;
    if let Some(endpoint) = anchor.endpoint {
        // The endpoint must be one of this revision's: an anchor nobody can see is a lost comment.
        let snapshot = revision::snapshot(&mut tx, id, revision).await?;
        let present = snapshot.is_some_and(|s| s.endpoints.iter().any(|e| e.id == endpoint));
        if !present {
            return Err(AppError::NotFound);
        }
    }
    let threads = sqlx::query_scalar!(
        r#"SELECT count(*) AS "threads!" FROM comments WHERE integration_id = $1 AND parent_id IS NULL"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if threads >= MAX_THREADS {
        return Err(AppError::Conflict(format!(
            "This integration has {MAX_THREADS} comment threads, the most it takes."
        )));
    }
    sqlx::query!(
        "INSERT INTO comments (id, integration_id, revision, endpoint_id, item, author_id, body, published)
         VALUES ($1, $2, $3, $4, $5, $6, $7, false)",
        Uuid::new_v4(),
        id,
        revision,
        anchor.endpoint,
        anchor.item,
        reviewer.id,
        body
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub struct Posted {
    pub draft: bool,
    /// The page that shows the thread, for this viewer.
    pub page: String,
}

/// Adds a reply to a thread the viewer may act on; for the pages and the API.
pub async fn post_reply(
    db: &sqlx::PgPool,
    viewer: &User,
    comment: Uuid,
    body: &str,
) -> Result<Posted> {
    let body = clean_body(body)?;
    let mut tx = db.begin().await?;
    let found = find_thread(&mut tx, comment, viewer).await?;
    let (thread, integration, endpoint, item, status) = (
        found.id,
        found.integration,
        found.endpoint,
        found.item,
        found.status,
    );
    let replies = sqlx::query_scalar!(
        r#"SELECT count(*) AS "replies!" FROM comments WHERE parent_id = $1"#,
        thread
    )
    .fetch_one(&mut *tx)
    .await?;
    if replies >= MAX_REPLIES {
        return Err(AppError::Conflict(format!(
            "This thread has {MAX_REPLIES} replies, the most it takes. Start a new comment instead."
        )));
    }
    // Staff only get here while reviewing (find_thread), so their replies wait for the decision.
    let draft = viewer.role != Role::Partner && status == Status::InReview;
    let revision = revision::latest_number(&mut tx, integration)
        .await?
        .unwrap_or(0);
    sqlx::query!(
        "INSERT INTO comments (id, integration_id, revision, endpoint_id, item, parent_id, author_id, body, published)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        Uuid::new_v4(),
        integration,
        revision,
        endpoint,
        item,
        thread,
        viewer.id,
        body,
        !draft
    )
    .execute(&mut *tx)
    .await?;
    let page = page_of(viewer, integration, endpoint, &item);
    if !draft {
        let anchor = Anchor { endpoint, item };
        let detail = format!("on {}: {}", anchor.label(), excerpt(&body));
        crate::audit::record(
            &mut tx,
            Some(viewer.id),
            Some(integration),
            "replied",
            detail,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Posted { draft, page })
}

/// Moves a thread to `state` (open, addressed, resolved) if the viewer may; for the pages and
/// the API. Returns the new state and the page that shows the thread.
pub async fn change_state(
    db: &sqlx::PgPool,
    viewer: &User,
    comment: Uuid,
    state: &str,
) -> Result<(ThreadState, String)> {
    let next = ThreadState::parse(state)
        .ok_or_else(|| AppError::BadRequest("unknown comment state".into()))?;
    if !next.may_set(viewer.role) {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let found = find_thread(&mut tx, comment, viewer).await?;
    if viewer.role == Role::Partner && found.state != ThreadState::Open {
        return Err(AppError::Conflict(format!(
            "This comment is already {}.",
            found.state.as_str()
        )));
    }
    sqlx::query!(
        "UPDATE comments SET state = $2, updated_at = now() WHERE id = $1",
        found.id,
        next as ThreadState
    )
    .execute(&mut *tx)
    .await?;
    // A draft's state is the reviewer's business until the decision publishes it.
    if found.published {
        let anchor = Anchor {
            endpoint: found.endpoint,
            item: found.item.clone(),
        };
        crate::audit::record(
            &mut tx,
            Some(viewer.id),
            Some(found.integration),
            "comment_state",
            format!("comment on {} marked {}", anchor.label(), next.as_str()),
        )
        .await?;
    }
    tx.commit().await?;
    Ok((
        next,
        page_of(viewer, found.integration, found.endpoint, &found.item),
    ))
}
