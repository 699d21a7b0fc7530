//! Writing to the audit log: an append-only record of who did what, in the same transaction as
//! the change it describes. Reading it is `crate::audit`'s.

use sqlx::PgConnection;
use uuid::Uuid;

pub async fn record(
    conn: &mut PgConnection,
    actor: Option<Uuid>,
    integration: Option<Uuid>,
    action: &str,
    detail: impl AsRef<str>,
) -> sqlx::Result<()> {
    let detail: String = detail.as_ref().chars().take(1000).collect();
    sqlx::query!(
        "INSERT INTO audit_events (actor_id, integration_id, action, detail) VALUES ($1, $2, $3, $4)",
        actor,
        integration,
        action,
        detail,
    )
    .execute(conn)
    .await?;
    Ok(())
}
