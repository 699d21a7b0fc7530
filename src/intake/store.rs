//! Intake's writes: every change goes through `lock_for_edit` first, inside the handler's
//! transaction. Reading an integration is `domain::integration`'s.

use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::model::{EndpointSpec, SectionId};
use crate::domain::workflow::Status;

pub async fn create(
    conn: &mut PgConnection,
    company: Uuid,
    user: Uuid,
    name: &str,
    purpose: &str,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO integrations (id, company_id, name, purpose, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        Uuid::new_v4(),
        company,
        name,
        purpose,
        user
    )
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
    sqlx::query_scalar!(
        r#"SELECT status AS "status: Status" FROM integrations WHERE id = $1 AND company_id = $2 FOR UPDATE"#,
        id,
        company
    )
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
    let current = sqlx::query!(
        r#"SELECT s.data, s.version, s.updated_at, u.display_name AS "updated_by?"
           FROM integration_sections s LEFT JOIN users u ON u.id = s.updated_by
           WHERE s.integration_id = $1 AND s.section = $2"#,
        integration,
        section.as_str()
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|row| (row.data, row.version, row.updated_at, row.updated_by));
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
    let version = sqlx::query_scalar!(
        "INSERT INTO integration_sections (integration_id, section, data, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (integration_id, section) DO UPDATE
           SET data = EXCLUDED.data, version = integration_sections.version + 1,
               updated_by = EXCLUDED.updated_by, updated_at = now()
         RETURNING version",
        integration,
        section.as_str(),
        data,
        user
    )
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
    let current = sqlx::query!(
        "SELECT name, purpose, version, updated_at FROM integrations WHERE id = $1",
        integration
    )
    .fetch_one(&mut *conn)
    .await
    .map(|row| (row.name, row.purpose, row.version, row.updated_at))?;
    if current.2 != expected_version {
        let data = serde_json::json!({ "name": current.0, "purpose": current.1 });
        return Ok(Saved::Stale {
            version: current.2,
            current: data,
            by: None,
            at: Some(current.3),
        });
    }
    let version = sqlx::query_scalar!(
        "UPDATE integrations SET name = $2, purpose = $3, version = version + 1, updated_at = now()
         WHERE id = $1 RETURNING version",
        integration,
        name,
        purpose
    )
    .fetch_one(conn)
    .await?;
    Ok(Saved::Saved { version })
}

async fn touch(conn: &mut PgConnection, integration: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE integrations SET updated_at = now() WHERE id = $1",
        integration
    )
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
    let id = sqlx::query_scalar!(
        "INSERT INTO endpoints (id, integration_id, position, spec, updated_by)
         VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM endpoints WHERE integration_id = $2), $3, $4)
         RETURNING id",
        Uuid::new_v4(),
        integration,
        Json(&spec.without_inherited()) as _,
        user
    )
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
    let current = sqlx::query!(
        r#"SELECT e.spec AS "spec: Json<EndpointSpec>", e.version, e.updated_at,
                  u.display_name AS "updated_by?"
           FROM endpoints e LEFT JOIN users u ON u.id = e.updated_by
           WHERE e.id = $1 AND e.integration_id = $2"#,
        endpoint,
        integration
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|row| (row.spec, row.version, row.updated_at, row.updated_by));
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
    // An endpoint stores its own headers; the integration's defaults stay the integration's.
    let own = spec.without_inherited();
    let version = sqlx::query_scalar!(
        "UPDATE endpoints SET spec = $2, version = version + 1, updated_by = $3, updated_at = now()
         WHERE id = $1 RETURNING version",
        endpoint,
        Json(&own) as _,
        user
    )
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
    let deleted = sqlx::query!(
        "DELETE FROM endpoints WHERE id = $1 AND integration_id = $2",
        endpoint,
        integration
    )
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
    let order = sqlx::query_scalar!(
        "SELECT id FROM endpoints WHERE integration_id = $1 ORDER BY position, created_at",
        integration
    )
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
    sqlx::query!(
        "UPDATE endpoints e SET position = p.position
         FROM unnest($1::uuid[], $2::int[]) AS p(id, position) WHERE e.id = p.id",
        &order,
        &positions
    )
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
    sqlx::query!(
        "INSERT INTO secret_overrides (id, integration_id, endpoint_id, field, kind, user_id) VALUES ($1, $2, $3, $4, $5, $6)",
        Uuid::new_v4(),
        integration,
        endpoint,
        field,
        kind,
        user
    )
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
    crate::shared_cache::egress_ips(db).await
}
