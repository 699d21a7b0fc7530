//! Revisions: the immutable snapshot of everything a partner submitted.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use super::checklist;
use super::integration::Loaded;
use super::model::{EndpointSpec, Sections};

/// Everything the partner said, as it was when submitted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Snapshot {
    pub integration_id: Uuid,
    pub company: String,
    pub name: String,
    pub purpose: String,
    pub sections: Sections,
    pub endpoints: Vec<SnapshotEndpoint>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SnapshotEndpoint {
    pub id: Uuid,
    pub spec: EndpointSpec,
}

impl Snapshot {
    pub fn of(loaded: &Loaded) -> Snapshot {
        Snapshot {
            integration_id: loaded.integration.id,
            company: loaded.integration.company_name.clone(),
            name: loaded.integration.name.clone(),
            purpose: loaded.integration.purpose.clone(),
            sections: loaded.sections.clone(),
            endpoints: loaded
                .endpoints
                .iter()
                .map(|e| SnapshotEndpoint {
                    id: e.id,
                    spec: e.spec.0.clone(),
                })
                .collect(),
        }
    }
}

/// Stores the snapshot as the integration's next revision and returns its number.
pub async fn freeze(
    conn: &mut PgConnection,
    snapshot: &Snapshot,
    progress: checklist::Progress,
    user: Uuid,
) -> sqlx::Result<i32> {
    sqlx::query_scalar!(
        "INSERT INTO revisions (id, integration_id, number, snapshot, submitted_by, items_done, items_total)
         VALUES ($1, $2, (SELECT coalesce(max(number), 0) + 1 FROM revisions WHERE integration_id = $2), $3, $4, $5, $6)
         RETURNING number",
        Uuid::new_v4(),
        snapshot.integration_id,
        sqlx::types::Json(snapshot) as _,
        user,
        progress.done as i32,
        progress.total as i32
    )
    .fetch_one(conn)
    .await
}

/// Revision `number`'s snapshot, if the integration has one.
pub async fn snapshot(
    conn: &mut PgConnection,
    integration: Uuid,
    number: i32,
) -> sqlx::Result<Option<Snapshot>> {
    let found = sqlx::query_scalar!(
        r#"SELECT snapshot AS "snapshot: sqlx::types::Json<Snapshot>" FROM revisions
           WHERE integration_id = $1 AND number = $2"#,
        integration,
        number
    )
    .fetch_optional(conn)
    .await?;
    Ok(found.map(|sqlx::types::Json(snapshot)| snapshot))
}

/// The latest revision's number and snapshot, if it was ever submitted.
pub async fn latest(
    conn: &mut PgConnection,
    integration: Uuid,
) -> sqlx::Result<Option<(i32, Snapshot)>> {
    let found = sqlx::query!(
        r#"SELECT number, snapshot AS "snapshot: sqlx::types::Json<Snapshot>" FROM revisions
           WHERE integration_id = $1 ORDER BY number DESC LIMIT 1"#,
        integration
    )
    .fetch_optional(conn)
    .await?;
    Ok(found.map(|row| (row.number, row.snapshot.0)))
}

/// The latest revision's number; None before the first submission.
pub async fn latest_number(
    conn: &mut PgConnection,
    integration: Uuid,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "SELECT max(number) FROM revisions WHERE integration_id = $1",
        integration
    )
    .fetch_one(conn)
    .await
}

/// Every revision's number, oldest first.
pub async fn numbers(conn: &mut PgConnection, integration: Uuid) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar!(
        "SELECT number FROM revisions WHERE integration_id = $1 ORDER BY number",
        integration
    )
    .fetch_all(conn)
    .await
}
