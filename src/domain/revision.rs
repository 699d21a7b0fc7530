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
