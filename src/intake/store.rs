//! Intake queries. Pages load an integration with three queries whatever its size; changes go
//! through `lock_for_edit` first, inside the handler's transaction.

use std::collections::BTreeMap;

use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{EndpointSpec, SectionId, Sections};
use crate::review::workflow::Status;

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct IntegrationRow {
    pub id: Uuid,
    pub company_id: Uuid,
    pub company_name: String,
    pub name: String,
    pub purpose: String,
    pub status: Status,
    pub version: i32,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct EndpointRow {
    pub id: Uuid,
    pub integration_id: Uuid,
    pub position: i32,
    pub version: i32,
    pub spec: Json<EndpointSpec>,
    pub updated_at: OffsetDateTime,
}

/// Who saved a section last, and its version (0 when never saved).
#[derive(Debug, Clone, Default)]
pub struct SectionMeta {
    pub version: i32,
    pub updated_by: Option<String>,
    pub updated_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct Loaded {
    pub integration: IntegrationRow,
    pub sections: Sections,
    pub section_meta: BTreeMap<SectionId, SectionMeta>,
    pub endpoints: Vec<EndpointRow>,
}

impl Loaded {
    /// An integration with nothing in it yet: what an import into a new one is compared with.
    pub fn empty(name: &str) -> Loaded {
        Loaded {
            integration: IntegrationRow {
                id: Uuid::nil(),
                company_id: Uuid::nil(),
                company_name: String::new(),
                name: name.to_string(),
                purpose: String::new(),
                status: Status::Draft,
                version: 0,
                updated_at: OffsetDateTime::now_utc(),
            },
            sections: Sections::default(),
            section_meta: BTreeMap::new(),
            endpoints: Vec::new(),
        }
    }

    pub fn section_version(&self, id: SectionId) -> i32 {
        self.section_meta.get(&id).map_or(0, |m| m.version)
    }

    pub fn specs(&self) -> Vec<(Uuid, &EndpointSpec)> {
        self.endpoints.iter().map(|e| (e.id, &e.spec.0)).collect()
    }
}

const INTEGRATION_COLUMNS: &str = "i.id, i.company_id, c.name AS company_name, i.name, i.purpose, i.status, i.version, i.updated_at";

#[derive(sqlx::FromRow)]
struct SectionRow {
    integration_id: Uuid,
    section: String,
    data: Value,
    version: i32,
    updated_at: OffsetDateTime,
    updated_by: Option<String>,
}

/// One integration, if `company` (when given) owns it. `None` for `company` is Haptik staff.
pub async fn load(
    conn: &mut PgConnection,
    id: Uuid,
    company: Option<Uuid>,
) -> sqlx::Result<Option<Loaded>> {
    let integration: Option<IntegrationRow> = sqlx::query_as(&format!(
        "SELECT {INTEGRATION_COLUMNS} FROM integrations i JOIN companies c ON c.id = i.company_id
         WHERE i.id = $1 AND ($2::uuid IS NULL OR i.company_id = $2)"
    ))
    .bind(id)
    .bind(company)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(integration) = integration else {
        return Ok(None);
    };
    Ok(assemble(conn, vec![integration]).await?.pop())
}

/// Every integration of a company, newest change first.
pub async fn list_for_company(conn: &mut PgConnection, company: Uuid) -> sqlx::Result<Vec<Loaded>> {
    let integrations: Vec<IntegrationRow> = sqlx::query_as(&format!(
        "SELECT {INTEGRATION_COLUMNS} FROM integrations i JOIN companies c ON c.id = i.company_id
         WHERE i.company_id = $1 ORDER BY i.updated_at DESC"
    ))
    .bind(company)
    .fetch_all(&mut *conn)
    .await?;
    assemble(conn, integrations).await
}

/// Fetches the sections and endpoints of all `integrations` in two queries, not two per integration.
async fn assemble(
    conn: &mut PgConnection,
    integrations: Vec<IntegrationRow>,
) -> sqlx::Result<Vec<Loaded>> {
    let ids: Vec<Uuid> = integrations.iter().map(|i| i.id).collect();
    let sections: Vec<SectionRow> = sqlx::query_as(
        "SELECT s.integration_id, s.section, s.data, s.version, s.updated_at, u.display_name AS updated_by
         FROM integration_sections s LEFT JOIN users u ON u.id = s.updated_by
         WHERE s.integration_id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let endpoints: Vec<EndpointRow> = sqlx::query_as(
        "SELECT id, integration_id, position, version, spec, updated_at FROM endpoints
         WHERE integration_id = ANY($1) ORDER BY position, created_at",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;

    let mut loaded: Vec<Loaded> = integrations
        .into_iter()
        .map(|integration| Loaded {
            integration,
            sections: Sections::default(),
            section_meta: BTreeMap::new(),
            endpoints: Vec::new(),
        })
        .collect();
    let mut index: BTreeMap<Uuid, usize> = BTreeMap::new();
    for (i, l) in loaded.iter().enumerate() {
        index.insert(l.integration.id, i);
    }
    for row in sections {
        let (Some(&i), Some(id)) = (
            index.get(&row.integration_id),
            SectionId::parse(&row.section),
        ) else {
            continue;
        };
        loaded[i].sections.set(id, row.data);
        loaded[i].section_meta.insert(
            id,
            SectionMeta {
                version: row.version,
                updated_by: row.updated_by,
                updated_at: Some(row.updated_at),
            },
        );
    }
    for row in endpoints {
        if let Some(&i) = index.get(&row.integration_id) {
            loaded[i].endpoints.push(row);
        }
    }
    Ok(loaded)
}

pub async fn create(
    conn: &mut PgConnection,
    company: Uuid,
    user: Uuid,
    name: &str,
    purpose: &str,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar(
        "INSERT INTO integrations (id, company_id, name, purpose, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(company)
    .bind(name)
    .bind(purpose)
    .bind(user)
    .fetch_one(conn)
    .await
}

/// Locks a company's integration against concurrent changes and submission for the rest of the
/// transaction. `None` when there is no such integration in that company.
pub async fn lock_for_edit(
    conn: &mut PgConnection,
    id: Uuid,
    company: Uuid,
) -> sqlx::Result<Option<Status>> {
    sqlx::query_scalar(
        "SELECT status FROM integrations WHERE id = $1 AND company_id = $2 FOR UPDATE",
    )
    .bind(id)
    .bind(company)
    .fetch_optional(conn)
    .await
}

/// The outcome of a save that names the version it started from.
#[derive(Debug)]
pub enum Saved {
    Saved {
        version: i32,
    },
    /// Someone saved in between; nothing was written. Their data, for the user to compare.
    Stale {
        version: i32,
        current: Value,
        by: Option<String>,
        at: Option<OffsetDateTime>,
    },
}

pub async fn save_section(
    conn: &mut PgConnection,
    integration: Uuid,
    section: SectionId,
    data: &Value,
    expected_version: i32,
    user: Uuid,
) -> sqlx::Result<Saved> {
    let current: Option<(Value, i32, OffsetDateTime, Option<String>)> = sqlx::query_as(
        "SELECT s.data, s.version, s.updated_at, u.display_name FROM integration_sections s
         LEFT JOIN users u ON u.id = s.updated_by WHERE s.integration_id = $1 AND s.section = $2",
    )
    .bind(integration)
    .bind(section.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let current_version = current.as_ref().map_or(0, |c| c.1);
    if current_version != expected_version {
        let (data, version, at, by) =
            current.unwrap_or((Value::Null, 0, OffsetDateTime::now_utc(), None));
        return Ok(Saved::Stale {
            version,
            current: data,
            by,
            at: Some(at),
        });
    }
    let version = sqlx::query_scalar(
        "INSERT INTO integration_sections (integration_id, section, data, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (integration_id, section) DO UPDATE
           SET data = EXCLUDED.data, version = integration_sections.version + 1,
               updated_by = EXCLUDED.updated_by, updated_at = now()
         RETURNING version",
    )
    .bind(integration)
    .bind(section.as_str())
    .bind(data)
    .bind(user)
    .fetch_one(&mut *conn)
    .await?;
    touch(conn, integration).await?;
    Ok(Saved::Saved { version })
}

pub async fn save_overview(
    conn: &mut PgConnection,
    integration: Uuid,
    name: &str,
    purpose: &str,
    expected_version: i32,
) -> sqlx::Result<Saved> {
    let current: (String, String, i32, OffsetDateTime) =
        sqlx::query_as("SELECT name, purpose, version, updated_at FROM integrations WHERE id = $1")
            .bind(integration)
            .fetch_one(&mut *conn)
            .await?;
    if current.2 != expected_version {
        let data = serde_json::json!({ "name": current.0, "purpose": current.1 });
        return Ok(Saved::Stale {
            version: current.2,
            current: data,
            by: None,
            at: Some(current.3),
        });
    }
    let version = sqlx::query_scalar(
        "UPDATE integrations SET name = $2, purpose = $3, version = version + 1, updated_at = now()
         WHERE id = $1 RETURNING version",
    )
    .bind(integration)
    .bind(name)
    .bind(purpose)
    .fetch_one(conn)
    .await?;
    Ok(Saved::Saved { version })
}

async fn touch(conn: &mut PgConnection, integration: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE integrations SET updated_at = now() WHERE id = $1")
        .bind(integration)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn add_endpoint(
    conn: &mut PgConnection,
    integration: Uuid,
    spec: &EndpointSpec,
    user: Uuid,
) -> sqlx::Result<Uuid> {
    let id = sqlx::query_scalar(
        "INSERT INTO endpoints (id, integration_id, position, spec, updated_by)
         VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM endpoints WHERE integration_id = $2), $3, $4)
         RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(integration)
    .bind(Json(spec))
    .bind(user)
    .fetch_one(&mut *conn)
    .await?;
    touch(conn, integration).await?;
    Ok(id)
}

/// `None` when the endpoint is not part of `integration`.
pub async fn save_endpoint(
    conn: &mut PgConnection,
    integration: Uuid,
    endpoint: Uuid,
    spec: &EndpointSpec,
    expected_version: i32,
    user: Uuid,
) -> sqlx::Result<Option<Saved>> {
    let current: Option<(Json<EndpointSpec>, i32, OffsetDateTime, Option<String>)> =
        sqlx::query_as(
            "SELECT e.spec, e.version, e.updated_at, u.display_name FROM endpoints e
         LEFT JOIN users u ON u.id = e.updated_by WHERE e.id = $1 AND e.integration_id = $2",
        )
        .bind(endpoint)
        .bind(integration)
        .fetch_optional(&mut *conn)
        .await?;
    let Some((current, version, at, by)) = current else {
        return Ok(None);
    };
    if version != expected_version {
        let data = serde_json::to_value(&current.0).unwrap_or(Value::Null);
        return Ok(Some(Saved::Stale {
            version,
            current: data,
            by,
            at: Some(at),
        }));
    }
    let version = sqlx::query_scalar(
        "UPDATE endpoints SET spec = $2, version = version + 1, updated_by = $3, updated_at = now()
         WHERE id = $1 RETURNING version",
    )
    .bind(endpoint)
    .bind(Json(spec))
    .bind(user)
    .fetch_one(&mut *conn)
    .await?;
    touch(conn, integration).await?;
    Ok(Some(Saved::Saved { version }))
}

pub async fn delete_endpoint(
    conn: &mut PgConnection,
    integration: Uuid,
    endpoint: Uuid,
) -> sqlx::Result<bool> {
    let deleted = sqlx::query("DELETE FROM endpoints WHERE id = $1 AND integration_id = $2")
        .bind(endpoint)
        .bind(integration)
        .execute(&mut *conn)
        .await?;
    touch(conn, integration).await?;
    Ok(deleted.rows_affected() == 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

/// Swaps an endpoint with its neighbour; `false` when it is not in `integration`.
pub async fn move_endpoint(
    conn: &mut PgConnection,
    integration: Uuid,
    endpoint: Uuid,
    direction: Direction,
) -> sqlx::Result<bool> {
    let order: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM endpoints WHERE integration_id = $1 ORDER BY position, created_at",
    )
    .bind(integration)
    .fetch_all(&mut *conn)
    .await?;
    let Some(at) = order.iter().position(|id| *id == endpoint) else {
        return Ok(false);
    };
    let mut order = order;
    match direction {
        Direction::Up if at > 0 => order.swap(at, at - 1),
        Direction::Down if at + 1 < order.len() => order.swap(at, at + 1),
        _ => return Ok(true),
    }
    let positions: Vec<i32> = (1..=order.len() as i32).collect();
    sqlx::query(
        "UPDATE endpoints e SET position = p.position
         FROM unnest($1::uuid[], $2::int[]) AS p(id, position) WHERE e.id = p.id",
    )
    .bind(&order)
    .bind(&positions)
    .execute(&mut *conn)
    .await?;
    touch(conn, integration).await?;
    Ok(true)
}

/// Records that `user` insisted on saving something that looked like a live secret.
pub async fn record_secret_override(
    conn: &mut PgConnection,
    integration: Uuid,
    endpoint: Option<Uuid>,
    field: &str,
    kind: &str,
    user: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO secret_overrides (id, integration_id, endpoint_id, field, kind, user_id) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4())
    .bind(integration)
    .bind(endpoint)
    .bind(field)
    .bind(kind)
    .bind(user)
    .execute(&mut *conn)
    .await?;
    let detail = format!("{field} looked like {kind}; saved as typed at the user's insistence");
    crate::audit::record(
        conn,
        Some(user),
        Some(integration),
        "kept a possible secret",
        detail,
    )
    .await?;
    Ok(())
}

pub async fn egress_ips(db: &PgPool) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as("SELECT host(address) || CASE WHEN masklen(address) IN (32, 128) THEN '' ELSE '/' || masklen(address) END, note FROM egress_ips ORDER BY address")
        .fetch_all(db)
        .await
}
