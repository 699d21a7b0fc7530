//! The JSON API at `/api/v1`: read access to integrations, endpoints, revisions, comments and
//! decisions with personal access tokens, under the same rules as the pages (a partner sees its
//! own company's; reviewers see what was submitted). Its OpenAPI document is generated from
//! these handlers (utoipa) and served at `/api/v1/openapi.json`.

pub mod doc;
pub mod import;
pub mod insights;
pub mod review;
pub mod routes;
pub mod staging;
pub mod tokens;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::accounts::User;
use crate::domain::error::DomainError;
use crate::web::AppError;

/// Token-authenticated routes: no cookies, so no session and no CSRF check. Answers are one
/// person's data, so no cache may keep them.
pub fn router() -> Router<AppState> {
    api_routes().layer(no_store())
}

fn no_store() -> tower_http::set_header::SetResponseHeaderLayer<axum::http::HeaderValue> {
    tower_http::set_header::SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    )
}

fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(doc::serve))
        .route("/api/v1/integrations", get(routes::list_integrations))
        .route("/api/v1/insights", get(insights::insights))
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
        .layer(no_store())
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

#[cfg(test)]
mod tests {
    use super::has_nul_escape;

    #[test]
    fn only_a_real_nul_escape_counts() {
        assert!(has_nul_escape(br#"{"body": "a\u0000b"}"#));
        assert!(has_nul_escape(br#"{"\u0000": 1}"#));
        assert!(
            has_nul_escape(br#"["\\\u0000"]"#),
            "an escaped backslash, then the escape"
        );
        assert!(
            !has_nul_escape(br#"{"body": "a\\u0000b"}"#),
            "the text \\u0000"
        );
        assert!(!has_nul_escape(br#"{"body": "u0000"}"#));
        assert!(!has_nul_escape(br#"{"body": "\u0001"}"#));
    }
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

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::NotFound => ApiError::NotFound,
            DomainError::Database(err) => err.into(),
            refused => ApiError::Conflict(refused.to_string()),
        }
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

/// A JSON request body, refused with a 400 that says why when it is not JSON of the documented
/// shape, or when a field the portal reads holds a NUL character (`\u0000`): PostgreSQL cannot
/// store one, and no text a person writes needs it. Unknown extra fields are ignored, NUL or not.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + Serialize, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<T>::from_request(request, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        // Cheap before the walk: the fields read, written back out, hold a NUL only as \u0000.
        let read = serde_json::to_vec(&value).map_err(|_| ApiError::Internal)?;
        if has_nul_escape(&read) {
            return Err(ApiError::BadRequest(NUL_REFUSED.into()));
        }
        Ok(ApiJson(value))
    }
}

/// Path parameters; one that does not parse (not a UUID, not a number) names nothing, so it is
/// a 404 like an id that names nobody's integration.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::NotFound
    }
}

/// A query string of the documented shape, or a 400 that says what is wrong with it.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

/// A whole number where the API documents an integer: JSON Schema counts `2.0` as one, so a
/// client that writes it so is not refused.
pub fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i32, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    let whole = number.as_i64().or_else(|| {
        number
            .as_f64()
            .filter(|n| n.fract() == 0.0)
            .map(|n| n as i64)
    });
    whole
        .and_then(|n| i32::try_from(n).ok())
        .ok_or_else(|| serde::de::Error::custom(format!("expected a whole number, not {number}")))
}

pub const NUL_REFUSED: &str =
    "Text may not contain NUL characters (\\u0000); remove them and send again.";

/// Whether JSON text escapes a NUL (`\u0000`, the only way JSON can hold one): a `u0000` after an
/// odd run of backslashes. After an even run the backslashes are themselves escaped text.
pub fn has_nul_escape(json: &[u8]) -> bool {
    json.windows(5).enumerate().any(|(at, window)| {
        window == b"u0000" && json[..at].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
    })
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
