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
) -> sqlx::Result<Vec<Published>> {
    let published: Vec<Published> = sqlx::query!(
        "UPDATE comments SET published = true, updated_at = now()
         WHERE integration_id = $1 AND NOT published AND author_id = $2
         RETURNING id, parent_id, endpoint_id, item, body",
        integration,
        author
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| Published {
        thread: row.parent_id.unwrap_or(row.id),
        anchor: Anchor {
            endpoint: row.endpoint_id,
            item: row.item,
        },
        body: row.body,
    })
    .collect();
    for comment in &published {
        let detail = format!("on {}: {}", comment.anchor.label(), excerpt(&comment.body));
        crate::audit::record(conn, Some(author), Some(integration), "commented", detail).await?;
    }
    Ok(published)
}

/// Threads the partner answered (marked addressed, or replied to and not resolved), for the
/// reviewer's e-mail on a resubmission.
pub async fn answered(conn: &mut PgConnection, integration: Uuid) -> sqlx::Result<Vec<Published>> {
    Ok(sqlx::query!(
        r#"SELECT c.id, c.endpoint_id, c.item, c.body FROM comments c
           WHERE c.integration_id = $1 AND c.parent_id IS NULL AND c.published
             AND (c.state = 'addressed' OR (c.state = 'open' AND EXISTS (
                  SELECT 1 FROM comments r JOIN users u ON u.id = r.author_id
                  WHERE r.parent_id = c.id AND u.role = 'partner')))
           ORDER BY c.created_at"#,
        integration
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|row| Published {
        thread: row.id,
        anchor: Anchor {
            endpoint: row.endpoint_id,
            item: row.item,
        },
        body: row.body,
    })
    .collect())
}

impl Published {
    /// Its line in an e-mail: where it is, its first words, and the link to it.
    pub fn mail_line(
        &self,
        snapshot: Option<&crate::domain::revision::Snapshot>,
        link: &str,
    ) -> String {
        format!(
            "- {}: {}\n  {link}\n",
            self.anchor.place(snapshot),
            crate::domain::text::shorten(&self.body, 140)
        )
    }
}

/// A comment or reply a decision sent, for the partner's e-mail.
#[derive(Debug, Clone)]
pub struct Published {
    pub thread: Uuid,
    pub anchor: Anchor,
    pub body: String,
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
