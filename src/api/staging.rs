//! Staging check results through the API: the latest check of every endpoint and scenario, as the
//! pages show them.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::routes::{visible, when};
use super::{ApiError, ApiPath, ApiUser, ErrorBody};
use crate::AppState;
use crate::staging::results;

#[derive(Serialize, ToSchema)]
pub struct StagingCheck {
    pub endpoint_id: Uuid,
    /// Empty for the success example, else the error scenario's "<HTTP status> <partner code>".
    pub scenario: String,
    /// pass, warn, fail or refused (the address policy did not let the request go).
    pub verdict: String,
    pub checked_at: String,
    pub checked_by: Option<String>,
    /// The revision checked; null when the partner checked their draft.
    pub revision: Option<i32>,
    /// The request sent, with <<placeholders>> where one-time values went.
    pub target: String,
    pub status: Option<u16>,
    pub total_ms: Option<u64>,
    pub lines: Vec<StagingLine>,
}

#[derive(Serialize, ToSchema)]
pub struct StagingLine {
    /// pass, warn, fail or refused.
    pub verdict: String,
    /// What the line is about: DNS, TLS, Certificate, HTTP status, Timing, Content-Type, JSON, Shape, …
    pub topic: String,
    pub text: String,
    /// For a shape mismatch: each difference, by JSON path.
    pub details: Vec<String>,
}

#[utoipa::path(
    get, path = "/api/v1/integrations/{id}/staging-checks",
    params(("id" = String, Path, description = "The integration's id")),
    responses(
        (status = 200, description = "The latest staging check of each endpoint and scenario", body = [StagingCheck]),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such integration for this token", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn list_staging_checks(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<StagingCheck>>, ApiError> {
    let id = visible(&state, &viewer, id).await?;
    let rows = results::latest(&state.db, id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| {
                let report = row.report.0;
                StagingCheck {
                    endpoint_id: row.endpoint_id,
                    scenario: row.scenario,
                    verdict: row.verdict,
                    checked_at: when(row.checked_at),
                    checked_by: row.checked_by,
                    revision: row.revision,
                    target: row.target,
                    status: report.status,
                    total_ms: report.total_ms,
                    lines: report
                        .lines
                        .into_iter()
                        .map(|line| StagingLine {
                            verdict: line.verdict.as_str().to_string(),
                            topic: line.topic,
                            text: line.text,
                            details: line.details,
                        })
                        .collect(),
                }
            })
            .collect(),
    ))
}
