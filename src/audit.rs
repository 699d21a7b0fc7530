//! The audit log: an append-only record of who did what, written in the same transaction as the
//! change it describes.

use sqlx::PgPool;
use time::OffsetDateTime;

pub use crate::domain::audit::record;

/// Read from a statement, or as JSON from `integration_timeline(id)` (see its migration; it
/// leaves `integration` out, which its pages do not show).
#[derive(sqlx::FromRow, serde::Deserialize, Clone, Debug)]
pub struct Event {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: Option<String>,
    pub action: String,
    pub detail: String,
    #[serde(default)]
    pub integration: Option<String>,
}

/// An integration's timeline as `integration_timeline` gives it, newest first (the order is
/// made sure of here, not inside the aggregate).
pub fn timeline(mut events: Vec<Event>) -> Vec<Event> {
    events.sort_by_key(|event| std::cmp::Reverse(event.at));
    events
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

/// The latest events across the portal, newest first. (One integration's timeline is read inside
/// its page's own statement: `integration_timeline`.)
pub async fn latest(db: &PgPool, limit: i64) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as!(
        Event,
        r#"SELECT e.at, u.display_name AS "actor?", e.action, e.detail, i.name AS "integration?"
           FROM audit_events e
           LEFT JOIN users u ON u.id = e.actor_id
           LEFT JOIN integrations i ON i.id = e.integration_id
           ORDER BY e.at DESC, e.id DESC LIMIT $1"#,
        limit
    )
    .fetch_all(db)
    .await
}
