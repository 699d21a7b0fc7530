//! Reading and writing threads.

use sqlx::PgConnection;
use uuid::Uuid;

use super::service::excerpt;
use super::*;
use crate::accounts::{Role, User};
use crate::domain::workflow::{self, ReviewPart, Scope, Status};
use crate::web::{AppError, Result};

/// Open threads as `viewer` sees them (published ones and their own drafts): the count the
/// review page shows is the count a decision checks.
pub async fn open_count(
    conn: &mut PgConnection,
    integration: Uuid,
    viewer: Uuid,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "open!" FROM comments
           WHERE integration_id = $1 AND parent_id IS NULL AND state = 'open'
             AND (published OR author_id = $2)"#,
        integration,
        viewer
    )
    .fetch_one(conn)
    .await
}

/// Sends the deciding reviewer's drafts with the decision: one coherent message. Another
/// reviewer's leftover drafts (from a review they released) stay theirs. Each becomes an audit event.
pub async fn publish_drafts(
    conn: &mut PgConnection,
    integration: Uuid,
    author: Uuid,
) -> sqlx::Result<usize> {
    let published: Vec<(Option<Uuid>, String, String)> = sqlx::query!(
        "UPDATE comments SET published = true, updated_at = now()
         WHERE integration_id = $1 AND NOT published AND author_id = $2
         RETURNING endpoint_id, item, body",
        integration,
        author
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| (row.endpoint_id, row.item, row.body))
    .collect();
    for (endpoint, item, body) in &published {
        let anchor = Anchor {
            endpoint: *endpoint,
            item: item.clone(),
        };
        let detail = format!("on {}: {}", anchor.label(), excerpt(body));
        crate::audit::record(conn, Some(author), Some(integration), "commented", detail).await?;
    }
    Ok(published.len())
}

/// A thread the viewer may act on, read under the integration's lock (taken first, in the same
/// order as decisions, so a reply cannot slip in between publishing and the status change).
/// Partners act within their own company; staff only on a submission they are reviewing.
pub(super) struct FoundThread {
    pub(super) id: Uuid,
    pub(super) integration: Uuid,
    pub(super) endpoint: Option<Uuid>,
    pub(super) item: String,
    pub(super) state: ThreadState,
    pub(super) published: bool,
    pub(super) status: Status,
}

pub(super) async fn find_thread(
    conn: &mut PgConnection,
    comment: Uuid,
    viewer: &User,
) -> Result<FoundThread> {
    let company = viewer_company(viewer)?;
    let integration = sqlx::query_scalar!(
        "SELECT c.integration_id FROM comments c JOIN integrations i ON i.id = c.integration_id
         WHERE c.id = $1 AND c.parent_id IS NULL AND (c.published OR c.author_id = $3)
           AND ($2::uuid IS NULL OR i.company_id = $2)",
        comment,
        company,
        viewer.id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let integration = integration.ok_or(AppError::NotFound)?;
    let locked = workflow::lock(conn, integration, Scope::of(viewer)).await?;
    if company.is_none() {
        locked.reviewing(viewer, ReviewPart::Comments, None)?;
    }
    let row = sqlx::query!(
        r#"SELECT id, integration_id, endpoint_id, item, state AS "state: ThreadState", published
           FROM comments WHERE id = $1"#,
        comment
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(FoundThread {
        id: row.id,
        integration: row.integration_id,
        endpoint: row.endpoint_id,
        item: row.item,
        state: row.state,
        published: row.published,
        status: locked.status,
    })
}

/// Partners act only within their company (`Some`); staff anywhere (`None`).
pub(super) fn viewer_company(viewer: &User) -> Result<Option<Uuid>> {
    match viewer.role {
        Role::Partner => viewer.company_id.map(Some).ok_or(AppError::Forbidden),
        Role::Reviewer | Role::Admin => Ok(None),
    }
}
