//! An integration as stored: loaded with three queries whatever its size, for every area that
//! shows or checks one. Writes are intake's (`intake::store`).

use std::collections::BTreeMap;

use serde_json::Value;
use sqlx::PgConnection;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{EndpointSpec, SectionId, Sections};
use super::workflow::Status;

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
    /// Since when it is whose move it is now (`Status::whose_move`).
    pub move_since: OffsetDateTime,
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
                move_since: OffsetDateTime::now_utc(),
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
    let integration = sqlx::query_as!(
        IntegrationRow,
        r#"SELECT i.id, i.company_id, c.name AS company_name, i.name, i.purpose,
                  i.status AS "status: Status", i.version, i.updated_at, i.move_since
           FROM integrations i JOIN companies c ON c.id = i.company_id
           WHERE i.id = $1 AND ($2::uuid IS NULL OR i.company_id = $2)"#,
        id,
        company
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(integration) = integration else {
        return Ok(None);
    };
    Ok(assemble(conn, vec![integration]).await?.pop())
}

/// Every integration of a company, newest change first.
pub async fn list_for_company(conn: &mut PgConnection, company: Uuid) -> sqlx::Result<Vec<Loaded>> {
    let integrations = sqlx::query_as!(
        IntegrationRow,
        r#"SELECT i.id, i.company_id, c.name AS company_name, i.name, i.purpose,
                  i.status AS "status: Status", i.version, i.updated_at, i.move_since
           FROM integrations i JOIN companies c ON c.id = i.company_id
           WHERE i.company_id = $1 ORDER BY i.updated_at DESC"#,
        company
    )
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
    let sections = sqlx::query_as!(
        SectionRow,
        r#"SELECT s.integration_id, s.section, s.data, s.version, s.updated_at,
                  u.display_name AS "updated_by?"
           FROM integration_sections s LEFT JOIN users u ON u.id = s.updated_by
           WHERE s.integration_id = ANY($1)"#,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let endpoints = sqlx::query_as!(
        EndpointRow,
        r#"SELECT id, integration_id, position, version, spec AS "spec: Json<EndpointSpec>", updated_at
           FROM endpoints WHERE integration_id = ANY($1) ORDER BY position, created_at"#,
        &ids
    )
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
    for mut row in endpoints {
        if let Some(&i) = index.get(&row.integration_id) {
            // Every reader sees the headers a request carries, defaults included.
            row.spec.0.inherit(&loaded[i].sections.defaults);
            loaded[i].endpoints.push(row);
        }
    }
    Ok(loaded)
}
