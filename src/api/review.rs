//! Review actions through the API, under the same functions and rules as the pages: reviewers
//! claim, comment and decide; partners and the claiming reviewer reply and move threads.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ApiError, ApiJson, ApiPath, ApiUser, ErrorBody};
use crate::AppState;
use crate::accounts::User;
use crate::domain::workflow::{Decision, Outcome};
use crate::review::comments::{self, Anchor};
use crate::review::decisions;
use crate::review::signoffs;

fn staff(viewer: &User) -> Result<(), ApiError> {
    if viewer.role.is_staff() {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The comment, if it is one of this integration's.
async fn comment_of(state: &AppState, integration: Uuid, comment: Uuid) -> Result<Uuid, ApiError> {
    let found = sqlx::query_scalar!(
        "SELECT id FROM comments WHERE id = $1 AND integration_id = $2",
        comment,
        integration
    )
    .fetch_optional(&state.db)
    .await?;
    found.ok_or(ApiError::NotFound)
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    /// What happened, for a person to read.
    pub message: String,
}

#[utoipa::path(
    post, path = "/api/v1/integrations/{id}/claim",
    params(("id" = String, Path, description = "The integration's id")),
    responses(
        (status = 200, description = "Claimed: the token's reviewer is reviewing it", body = Done),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Only reviewers claim", body = ErrorBody),
        (status = 404, description = "No such integration", body = ErrorBody),
        (status = 409, description = "Not waiting for a reviewer now", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn claim(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Done>, ApiError> {
    staff(&viewer)?;
    decisions::claim_for(&state, &viewer, id).await?;
    Ok(Json(Done {
        message: "Claimed.".into(),
    }))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct NewComment {
    /// The revision being reviewed.
    #[serde(deserialize_with = "super::whole_number")]
    pub revision: i32,
    /// The endpoint it is about; leave out for the integration.
    pub endpoint_id: Option<Uuid>,
    /// A checklist item id (e.g. response-example); leave out for the whole endpoint/integration.
    #[serde(default)]
    #[schema(pattern = r"^[^\u0000]*$")]
    pub item: String,
    #[schema(pattern = r"^[^\u0000]*$")]
    pub body: String,
}

#[utoipa::path(
    post, path = "/api/v1/integrations/{id}/comments",
    params(("id" = String, Path, description = "The integration's id")),
    request_body = NewComment,
    responses(
        (status = 201, description = "Saved as a draft: the partner reads it with the decision", body = Done),
        (status = 400, description = "Not a comment", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Only reviewers start threads", body = ErrorBody),
        (status = 404, description = "No such integration or endpoint", body = ErrorBody),
        (status = 409, description = "Not being reviewed by the token's user, or another revision", body = ErrorBody),
        (status = 422, description = "Empty, too long, or an unknown item", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn comment(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<Done>), ApiError> {
    staff(&viewer)?;
    let endpoint = input.endpoint_id.map(|e| e.to_string()).unwrap_or_default();
    let anchor = Anchor::parse(&endpoint, &input.item).ok_or_else(|| {
        ApiError::Unprocessable("item is not a checklist item of that scope".into())
    })?;
    comments::start_thread(&state.db, &viewer, id, input.revision, &anchor, &input.body).await?;
    Ok((
        StatusCode::CREATED,
        Json(Done {
            message: "Saved as a draft until the decision.".into(),
        }),
    ))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct NewReply {
    #[schema(pattern = r"^[^\u0000]*$")]
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReplyPosted {
    /// A reviewer's reply during a review waits for the decision.
    pub draft: bool,
}

#[utoipa::path(
    post, path = "/api/v1/integrations/{id}/comments/{comment}/replies",
    params(
        ("id" = String, Path, description = "The integration's id"),
        ("comment" = String, Path, description = "The thread's id"),
    ),
    request_body = NewReply,
    responses(
        (status = 201, description = "Posted", body = ReplyPosted),
        (status = 400, description = "Not a reply", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such thread for this token", body = ErrorBody),
        (status = 409, description = "Reviewers reply while reviewing; or the thread is full", body = ErrorBody),
        (status = 422, description = "Empty or too long", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn reply(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath((id, comment)): ApiPath<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<NewReply>,
) -> Result<(StatusCode, Json<ReplyPosted>), ApiError> {
    let comment = comment_of(&state, id, comment).await?;
    let posted = comments::post_reply(&state.db, &viewer, comment, &input.body).await?;
    Ok((
        StatusCode::CREATED,
        Json(ReplyPosted {
            draft: posted.draft,
        }),
    ))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct NewState {
    /// addressed (partners, from open), resolved or open (reviewers).
    #[schema(pattern = r"^[^\u0000]*$")]
    pub state: String,
}

#[utoipa::path(
    post, path = "/api/v1/integrations/{id}/comments/{comment}/state",
    params(
        ("id" = String, Path, description = "The integration's id"),
        ("comment" = String, Path, description = "The thread's id"),
    ),
    request_body = NewState,
    responses(
        (status = 200, description = "Changed", body = Done),
        (status = 400, description = "Not a state change", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Partners only mark threads addressed", body = ErrorBody),
        (status = 404, description = "No such thread for this token", body = ErrorBody),
        (status = 409, description = "Not now (not reviewing it, or already addressed)", body = ErrorBody),
        (status = 422, description = "Unknown state", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn set_state(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath((id, comment)): ApiPath<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<NewState>,
) -> Result<Json<Done>, ApiError> {
    let comment = comment_of(&state, id, comment).await?;
    let (next, _) = comments::change_state(&state.db, &viewer, comment, &input.state).await?;
    Ok(Json(Done {
        message: format!("Marked {}.", next.as_str()),
    }))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct NewSignOff {
    /// The revision being reviewed.
    #[serde(deserialize_with = "super::whole_number")]
    pub revision: i32,
    /// "integration" for the integration-level sections, or an endpoint's id.
    #[schema(pattern = r"^[^\u0000]*$")]
    pub target: String,
    /// false takes the sign-off back.
    #[serde(default = "yes")]
    pub signed: bool,
}

fn yes() -> bool {
    true
}

#[utoipa::path(
    post, path = "/api/v1/integrations/{id}/signoffs",
    params(("id" = String, Path, description = "The integration's id")),
    request_body = NewSignOff,
    responses(
        (status = 200, description = "Signed off (or taken back)", body = Done),
        (status = 400, description = "Not a sign-off", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Only reviewers sign off", body = ErrorBody),
        (status = 404, description = "No such integration or target", body = ErrorBody),
        (status = 409, description = "Not being reviewed by the token's user, or another revision", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn sign_off(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewSignOff>,
) -> Result<Json<Done>, ApiError> {
    staff(&viewer)?;
    let title = signoffs::set(
        &state.db,
        &viewer,
        id,
        input.revision,
        &input.target,
        input.signed,
    )
    .await?;
    Ok(Json(Done {
        message: format!(
            "{title}: {}.",
            if input.signed {
                "checked"
            } else {
                "sign-off taken back"
            }
        ),
    }))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct NewDecision {
    /// The revision the reviewer read; a decision never applies to another one.
    #[serde(deserialize_with = "super::whole_number")]
    pub revision: i32,
    /// approve or send_back.
    #[schema(pattern = r"^[^\u0000]*$")]
    pub outcome: String,
    #[serde(default)]
    #[schema(pattern = r"^[^\u0000]*$")]
    pub summary: String,
    /// Approve although comments are still open.
    #[serde(default)]
    pub confirm_open: bool,
}

#[utoipa::path(
    post, path = "/api/v1/integrations/{id}/decisions",
    params(("id" = String, Path, description = "The integration's id")),
    request_body = NewDecision,
    responses(
        (status = 200, description = "Decided; the partner has been told", body = Done),
        (status = 400, description = "Not a decision", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Only reviewers decide", body = ErrorBody),
        (status = 404, description = "No such integration", body = ErrorBody),
        (status = 409, description = "Refused: the message says why (stale revision, parts not signed off, open comments, …)", body = ErrorBody),
        (status = 422, description = "Unknown outcome", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewDecision>,
) -> Result<Json<Done>, ApiError> {
    staff(&viewer)?;
    let outcome = Outcome::parse(&input.outcome)
        .ok_or_else(|| ApiError::Unprocessable("outcome is approve or send_back".into()))?;
    let decision = Decision::new(input.revision, outcome, &input.summary, input.confirm_open);
    decisions::decide_on(&state, &viewer, id, &decision).await?;
    Ok(Json(Done {
        message: "Decided; the partner has been told.".into(),
    }))
}
