//! The JSON API at `/api/v1`: read access to integrations, endpoints, revisions, comments and
//! decisions with personal access tokens, under the same rules as the pages (a partner sees its
//! own company's; reviewers see what was submitted). Its OpenAPI document is generated from
//! these handlers (utoipa) and served at `/api/v1/openapi.json`.

pub mod doc;
pub mod import;
pub mod review;
pub mod routes;
pub mod staging;
pub mod tokens;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::accounts::User;
use crate::web::AppError;

/// Token-authenticated routes: no cookies, so no session and no CSRF check.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(doc::serve))
        .route("/api/v1/integrations", get(routes::list_integrations))
        .route("/api/v1/integrations/{id}", get(routes::get_integration))
        .route(
            "/api/v1/integrations/{id}/endpoints",
            get(routes::list_endpoints),
        )
        .route(
            "/api/v1/integrations/{id}/endpoints/{endpoint}",
            get(routes::get_endpoint),
        )
        .route(
            "/api/v1/integrations/{id}/revisions",
            get(routes::list_revisions),
        )
        .route(
            "/api/v1/integrations/{id}/revisions/{number}",
            get(routes::get_revision),
        )
        .route(
            "/api/v1/integrations/{id}/comments",
            get(routes::list_comments).post(review::comment),
        )
        .route(
            "/api/v1/integrations/{id}/decisions",
            get(routes::list_decisions).post(review::decide),
        )
        .route(
            "/api/v1/integrations/{id}/staging-checks",
            get(staging::list_staging_checks),
        )
        .route("/api/v1/integrations/{id}/claim", post(review::claim))
        .route("/api/v1/integrations/{id}/signoffs", post(review::sign_off))
        .route(
            "/api/v1/integrations/{id}/comments/{comment}/replies",
            post(review::reply),
        )
        .route(
            "/api/v1/integrations/{id}/comments/{comment}/state",
            post(review::set_state),
        )
}

/// Routes that take a whole file, with the larger limit the caller layers on.
pub fn upload_router(max_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/api/v1/integrations/{id}/import", post(import::import))
        .layer(axum::extract::DefaultBodyLimit::max(max_bytes))
}

/// The pages where a signed-in user manages their tokens (cookie session, CSRF as usual).
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/account/tokens", get(tokens::show).post(tokens::create))
        .route("/account/tokens/{id}/revoke", post(tokens::revoke))
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for a person to read.
    pub error: String,
}

#[derive(Debug)]
pub enum ApiError {
    Unauthorized,
    Forbidden,
    NotFound,
    BadRequest(String),
    Conflict(String),
    Unprocessable(String),
    Internal,
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "API database error");
        ApiError::Internal
    }
}

/// The pages' errors, from the functions the API shares with them.
impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::NotFound => ApiError::NotFound,
            AppError::Forbidden => ApiError::Forbidden,
            AppError::BadRequest(message) => ApiError::Unprocessable(message),
            AppError::Conflict(message) => ApiError::Conflict(message),
            other => {
                tracing::error!(error = %other, "API action failed");
                ApiError::Internal
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Send a personal access token: Authorization: Bearer ppat_… (create one at /account/tokens).".to_string(),
            ),
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Your role cannot do that.".to_string(),
            ),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "Not found.".to_string()),
            ApiError::BadRequest(message) => (StatusCode::BAD_REQUEST, message),
            ApiError::Conflict(message) => (StatusCode::CONFLICT, message),
            ApiError::Unprocessable(message) => (StatusCode::UNPROCESSABLE_ENTITY, message),
            ApiError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.".to_string(),
            ),
        };
        let mut response = (status, Json(ErrorBody { error: message })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                "Bearer".parse().expect("static header"),
            );
        }
        response
    }
}

/// The user a request's bearer token belongs to.
pub struct ApiUser(pub User);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError::Unauthorized)?;
        tokens::user_for(&state.db, presented)
            .await?
            .map(ApiUser)
            .ok_or(ApiError::Unauthorized)
    }
}
