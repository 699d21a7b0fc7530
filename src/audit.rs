//! The audit log: an append-only record of who did what, written in the same transaction as the
//! change it describes.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

pub use crate::domain::audit::record;

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Event {
    pub at: OffsetDateTime,
    pub actor: Option<String>,
    pub action: String,
    pub detail: String,
    pub integration: Option<String>,
}

impl Event {
    pub fn when(&self) -> String {
        crate::web::dates::date_time(self.at)
    }

    pub fn who(&self) -> &str {
        self.actor.as_deref().unwrap_or("the portal")
    }

    /// The action as a phrase: "sent_back" reads "sent back".
    pub fn what(&self) -> String {
        self.action.replace('_', " ")
    }
}

/// The latest events across the portal, or one integration's timeline, newest first.
pub async fn latest(db: &PgPool, limit: i64) -> sqlx::Result<Vec<Event>> {
    events(db, None, limit).await
}

/// One integration's timeline, newest first.
pub async fn timeline(db: &PgPool, integration: Uuid) -> sqlx::Result<Vec<Event>> {
    events(db, Some(integration), 100).await
}

async fn events(db: &PgPool, integration: Option<Uuid>, limit: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as!(
        Event,
        r#"SELECT e.at, u.display_name AS "actor?", e.action, e.detail, i.name AS "integration?"
           FROM audit_events e
           LEFT JOIN users u ON u.id = e.actor_id
           LEFT JOIN integrations i ON i.id = e.integration_id
           WHERE $1::uuid IS NULL OR e.integration_id = $1
           ORDER BY e.at DESC, e.id DESC LIMIT $2"#,
        integration,
        limit
    )
    .fetch_all(db)
    .await
}
