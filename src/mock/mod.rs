//! A mock of every integration, so bot builders start before the partner's staging environment
//! is ready: `dispatch` decides an answer from the description alone, `cache` keeps compiled
//! mocks in memory across instances, `access` says who may call, `serve` is the endpoint,
//! `calls` the call log and `page` the mock's page with its keys.

pub mod access;
pub mod cache;
pub mod calls;
pub mod dispatch;
pub mod page;
pub mod serve;

use axum::Router;
use axum::http::{HeaderName, Method};
use axum::routing::{any, get, post};
use tower_http::cors::{Any, CorsLayer};

use crate::AppState;

/// The mock itself: no session and no CSRF (callers are bots and scripts with a key), CORS open
/// to any origin so browser-based bot builders can call it.
pub fn router() -> Router<AppState> {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers(Any)
        .expose_headers([
            HeaderName::from_static("x-mock-scenario"),
            HeaderName::from_static("x-mock-source"),
        ]);
    Router::new()
        .route("/mock/{id}", any(serve::serve))
        .route("/mock/{id}/", any(serve::serve))
        .route("/mock/{id}/{*path}", any(serve::serve))
        .layer(cors)
}

/// The mock's page, among the other pages.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/integrations/{id}/mock", get(page::show))
        .route("/integrations/{id}/mock/keys", post(page::create_key))
        .route(
            "/integrations/{id}/mock/keys/{key}/revoke",
            post(page::revoke_key),
        )
}
