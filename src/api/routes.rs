//! The API's handlers: thin reads under the pages' rules, documented for the OpenAPI document.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{ApiError, ApiPath, ApiQuery, ApiUser, ErrorBody};
use crate::AppState;
use crate::accounts::{Role, User};
use crate::domain::checklist::{self, Settings};
use crate::domain::integration;
use crate::review::comments::Threads;

const PAGE_SIZE: i64 = 50;

pub(super) fn when(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// Partners are scoped to their company; staff see integrations submitted at least once.
fn company_of(viewer: &User) -> Result<Option<Uuid>, ApiError> {
    match viewer.role {
        Role::Partner => viewer.company_id.map(Some).ok_or(ApiError::NotFound),
        Role::Reviewer | Role::Admin => Ok(None),
    }
}

/// The integration id, if this viewer may read it; anything else is simply not found.
pub(super) async fn visible(state: &AppState, viewer: &User, id: Uuid) -> Result<Uuid, ApiError> {
    let company = company_of(viewer)?;
    let found = sqlx::query_scalar!(
        "SELECT id FROM integrations WHERE id = $1
           AND (($2::uuid IS NOT NULL AND company_id = $2) OR ($2::uuid IS NULL AND waiting_since IS NOT NULL))",
        id,
        company
    )
    .fetch_optional(&state.db)
    .await?;
    found.ok_or(ApiError::NotFound)
}

#[derive(Serialize, ToSchema)]
pub struct IntegrationSummary {
    pub id: Uuid,
    pub name: String,
    pub company: String,
    /// draft, submitted, in_review, changes_requested or approved.
    pub status: String,
    pub updated_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct IntegrationList {
    pub items: Vec<IntegrationSummary>,
    pub page: i64,
    pub total: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 1-based page of 50.
    #[param(minimum = 1, maximum = 100000, value_type = Option<i64>)]
    pub page: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/integrations", params(ListQuery),
    responses(
        (status = 200, description = "The integrations the token may read, newest change first", body = IntegrationList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn list_integrations(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<IntegrationList>, ApiError> {
    // Read as text so that anything but a whole number in range (an empty value too) is refused.
    let page = match query.page.as_deref() {
        None => 1,
        Some(text) => text.trim().parse::<i64>().unwrap_or(0),
    };
    if !(1..=100_000).contains(&page) {
        return Err(ApiError::BadRequest(
            "page counts from 1 (at most 100000).".into(),
        ));
    }
    let company = company_of(&viewer)?;
    // A partner sees its company's integrations; staff see every one ever submitted.
    let rows: Vec<(Uuid, String, String, String, OffsetDateTime)> = sqlx::query!(
        r#"SELECT i.id, i.name, c.name AS company, i.status, i.updated_at
           FROM integrations i JOIN companies c ON c.id = i.company_id
           WHERE (($1::uuid IS NOT NULL AND i.company_id = $1) OR ($1::uuid IS NULL AND i.waiting_since IS NOT NULL))
           ORDER BY i.updated_at DESC, i.id LIMIT $2 OFFSET $3"#,
        company,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(&state.db)
    .await?
    .into_iter()
    .map(|row| (row.id, row.name, row.company, row.status, row.updated_at))
    .collect();
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "total!" FROM integrations i
           WHERE (($1::uuid IS NOT NULL AND i.company_id = $1) OR ($1::uuid IS NULL AND i.waiting_since IS NOT NULL))"#,
        company
    )
    .fetch_one(&state.db)
    .await?;
    Ok(Json(IntegrationList {
        items: rows
            .into_iter()
            .map(|(id, name, company, status, updated)| IntegrationSummary {
                id,
                name,
                company,
                status,
                updated_at: when(updated),
            })
            .collect(),
        page,
        total,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Completeness {
    pub done: usize,
    pub total: usize,
}

#[derive(Serialize, ToSchema)]
pub struct Endpoint {
    pub id: Uuid,
    pub position: i32,
    pub version: i32,
    pub title: String,
    pub completeness: Completeness,
    /// The endpoint as entered: method, path, headers, parameters, examples, error scenarios.
    #[schema(value_type = Object)]
    pub spec: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct Integration {
    pub id: Uuid,
    pub name: String,
    pub purpose: String,
    pub company: String,
    pub status: String,
    pub approved_revision: Option<i32>,
    /// The portal's mock of this integration: call it with a mock key in `X-Mock-Key`.
    pub mock_base_url: String,
    /// Whose move it waits for: "partner" (a draft, or sent back) or "haptik" (submitted, in
    /// review); null once approved.
    pub whose_move: Option<String>,
    /// Since when it is that side's move (RFC 3339).
    pub move_since: String,
    pub completeness: Completeness,
    /// Environments, reachability, authentication, credential names, partner code, status codes,
    /// test data, contacts, and what was marked not applicable.
    #[schema(value_type = Object)]
    pub sections: serde_json::Value,
    pub endpoints: Vec<Endpoint>,
}

#[utoipa::path(
    get, path = "/api/v1/integrations/{id}",
    params(("id" = String, Path, description = "The integration's id")),
    responses(
        (status = 200, description = "The integration as it is now, with its completeness", body = Integration),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such integration for this token", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn get_integration(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Integration>, ApiError> {
    let id = visible(&state, &viewer, id).await?;
    let loaded = integration::load(&mut *state.db.acquire().await?, id, None)
        .await?
        .ok_or(ApiError::NotFound)?;
    let approved = sqlx::query_scalar!(
        "SELECT approved_revision FROM integrations WHERE id = $1",
        id
    )
    .fetch_one(&state.db)
    .await?;
    let settings = Settings::load(&state.db).await?;
    let assessment = checklist::assess(&loaded.sections, &loaded.specs(), &settings);
    let endpoints = endpoints_from(&loaded, &assessment);
    Ok(Json(Integration {
        id,
        name: loaded.integration.name.clone(),
        purpose: loaded.integration.purpose.clone(),
        company: loaded.integration.company_name.clone(),
        status: loaded.integration.status.as_str().to_string(),
        approved_revision: approved,
        mock_base_url: state.config.mock_base_url(id),
        whose_move: loaded
            .integration
            .status
            .whose_move()
            .map(|party| party.as_str().to_string()),
        move_since: loaded
            .integration
            .move_since
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        completeness: Completeness {
            done: assessment.progress.done,
            total: assessment.progress.total,
        },
        sections: serde_json::to_value(&loaded.sections).unwrap_or_default(),
        endpoints,
    }))
}

/// The endpoints of an integration as they are now, with their completeness.
async fn endpoints_of(state: &AppState, id: Uuid) -> Result<Vec<Endpoint>, ApiError> {
    let loaded = integration::load(&mut *state.db.acquire().await?, id, None)
        .await?
        .ok_or(ApiError::NotFound)?;
    let settings = Settings::load(&state.db).await?;
    let assessment = checklist::assess(&loaded.sections, &loaded.specs(), &settings);
    Ok(endpoints_from(&loaded, &assessment))
}

fn endpoints_from(
    loaded: &integration::Loaded,
    assessment: &checklist::Assessment,
) -> Vec<Endpoint> {
    loaded
        .endpoints
        .iter()
        .map(|e| {
            let progress = assessment
                .endpoint(e.id)
                .map(|a| a.progress)
                .unwrap_or_default();
            Endpoint {
                id: e.id,
                position: e.position,
                version: e.version,
                title: e.spec.title(),
                completeness: Completeness {
                    done: progress.done,
                    total: progress.total,
                },
                spec: serde_json::to_value(&e.spec.0).unwrap_or_default(),
            }
        })
        .collect()
}

#[utoipa::path(
    get, path = "/api/v1/integrations/{id}/endpoints",
    params(("id" = String, Path, description = "The integration's id")),
    responses(
        (status = 200, description = "The endpoints in their order", body = [Endpoint]),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such integration for this token", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn list_endpoints(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<Endpoint>>, ApiError> {
    let id = visible(&state, &viewer, id).await?;
    Ok(Json(endpoints_of(&state, id).await?))
}

#[utoipa::path(
    get, path = "/api/v1/integrations/{id}/endpoints/{endpoint}",
    params(
        ("id" = String, Path, description = "The integration's id"),
        ("endpoint" = String, Path, description = "The endpoint's id"),
    ),
    responses(
        (status = 200, description = "One endpoint", body = Endpoint),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such integration or endpoint for this token", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn get_endpoint(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath((id, endpoint)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Endpoint>, ApiError> {
    let id = visible(&state, &viewer, id).await?;
    endpoints_of(&state, id)
        .await?
        .into_iter()
        .find(|e| e.id == endpoint)
        .map(Json)
        .ok_or(ApiError::NotFound)
}

#[derive(Serialize, ToSchema)]
pub struct RevisionSummary {
    pub number: i32,
    pub submitted_at: String,
    pub submitted_by: String,
    pub items_done: Option<i32>,
    pub items_total: Option<i32>,
}

#[utoipa::path(
    get, path = "/api/v1/integrations/{id}/revisions",
    params(("id" = String, Path, description = "The integration's id")),
    responses(
        (status = 200, description = "Every submitted revision, oldest first", body = [RevisionSummary]),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such integration for this token", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn list_revisions(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<RevisionSummary>>, ApiError> {
    let id = visible(&state, &viewer, id).await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        number: i32,
        submitted_at: OffsetDateTime,
        submitted_by: String,
        items_done: Option<i32>,
        items_total: Option<i32>,
    }
    let rows = sqlx::query_as!(
        Row,
        "SELECT r.number, r.submitted_at, u.display_name AS submitted_by, r.items_done, r.items_total
         FROM revisions r JOIN users u ON u.id = r.submitted_by WHERE r.integration_id = $1 ORDER BY r.number",
        id
    )
    .fetch_all(&state.db)
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| RevisionSummary {
                number: r.number,
                submitted_at: when(r.submitted_at),
                submitted_by: r.submitted_by,
                items_done: r.items_done,
                items_total: r.items_total,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Revision {
    pub number: i32,
    pub submitted_at: String,
    /// Everything the partner said, frozen at submission.
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
}

#[utoipa::path(
    get, path = "/api/v1/integrations/{id}/revisions/{number}",
    params(
        ("id" = String, Path, description = "The integration's id"),
        ("number" = String, Path, description = "The revision number, from 1"),
    ),
    responses(
        (status = 200, description = "The frozen revision", body = Revision),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such integration or revision for this token", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn get_revision(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath((id, number)): ApiPath<(Uuid, i32)>,
) -> Result<Json<Revision>, ApiError> {
    let id = visible(&state, &viewer, id).await?;
    let row = sqlx::query!(
        "SELECT submitted_at, snapshot FROM revisions WHERE integration_id = $1 AND number = $2",
        id,
        number
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or(ApiError::NotFound)?;
    let (at, snapshot) = (row.submitted_at, row.snapshot);
    Ok(Json(Revision {
        number,
        submitted_at: when(at),
        snapshot,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Reply {
    pub author: String,
    pub body: String,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct CommentThread {
    pub id: Uuid,
    /// The revision the thread was started on; it shows on the same item in later revisions.
    pub revision: i32,
    /// The endpoint it is about, or none for the integration.
    pub endpoint_id: Option<Uuid>,
    /// The checklist item id (e.g. response-example), or empty for the whole endpoint/integration.
    pub item: String,
    /// open, addressed or resolved.
    pub state: String,
    pub author: String,
    pub body: String,
    pub created_at: String,
    pub replies: Vec<Reply>,
}

#[utoipa::path(
    get, path = "/api/v1/integrations/{id}/comments",
    params(("id" = String, Path, description = "The integration's id")),
    responses(
        (status = 200, description = "Review comment threads the token's user can read", body = [CommentThread]),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such integration for this token", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn list_comments(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<CommentThread>>, ApiError> {
    let id = visible(&state, &viewer, id).await?;
    let threads = Threads::load(&mut *state.db.acquire().await?, id, &viewer).await?;
    Ok(Json(
        threads
            .0
            .into_iter()
            .map(|t| CommentThread {
                id: t.first.id,
                revision: t.revision,
                endpoint_id: t.anchor.endpoint,
                item: t.anchor.item.clone(),
                state: t.state_label().to_string(),
                author: t.first.author.clone(),
                body: t.first.body.clone(),
                created_at: when(t.first.at),
                replies: t
                    .replies
                    .iter()
                    .map(|r| Reply {
                        author: r.author.clone(),
                        body: r.body.clone(),
                        created_at: when(r.at),
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Decision {
    pub revision: i32,
    /// approved or sent_back.
    pub outcome: String,
    pub summary: String,
    pub reviewer: String,
    pub decided_at: String,
}

#[utoipa::path(
    get, path = "/api/v1/integrations/{id}/decisions",
    params(("id" = String, Path, description = "The integration's id")),
    responses(
        (status = 200, description = "Every review decision, newest first", body = [Decision]),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such integration for this token", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn list_decisions(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<Decision>>, ApiError> {
    let id = visible(&state, &viewer, id).await?;
    let rows: Vec<(i32, String, String, String, OffsetDateTime)> = sqlx::query!(
        "SELECT d.revision, d.outcome, d.summary, u.display_name, d.decided_at
         FROM decisions d JOIN users u ON u.id = d.reviewer_id WHERE d.integration_id = $1 ORDER BY d.decided_at DESC",
        id
    )
    .fetch_all(&state.db)
    .await?
    .into_iter()
    .map(|row| (row.revision, row.outcome, row.summary, row.display_name, row.decided_at))
    .collect();
    Ok(Json(
        rows.into_iter()
            .map(|(revision, outcome, summary, reviewer, at)| Decision {
                revision,
                outcome,
                summary,
                reviewer,
                decided_at: when(at),
            })
            .collect(),
    ))
}
