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

use std::sync::Arc;

use axum::http::{HeaderName, Method};
use axum::routing::{any, get, post};
use axum::{Extension, Router};
use tower_http::cors::{Any, CorsLayer};

use crate::AppState;

/// What the mock keeps in this instance: compiled mocks and keys, the call log's writer, the rate
/// limiter. Made once per app (`crate::app`) and handed to the mock's routes.
pub struct MockRuntime {
    pub cache: Arc<cache::MockCache>,
    pub calls: calls::CallLog,
    pub limiter: access::Limiter,
}

impl MockRuntime {
    pub fn new(config: &crate::config::Config) -> Arc<MockRuntime> {
        Arc::new(MockRuntime {
            cache: Arc::default(),
            calls: calls::CallLog::default(),
            limiter: access::Limiter::new(config.mock_calls_per_second),
        })
    }
}

/// The mock itself: no session and no CSRF (callers are bots and scripts with a key), CORS open
/// to any origin so browser-based bot builders can call it.
pub fn router(runtime: Arc<MockRuntime>) -> Router<AppState> {
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
        .layer(Extension(runtime))
        .layer(cors)
}

/// The mock's page, among the other pages.
pub fn pages(runtime: Arc<MockRuntime>) -> Router<AppState> {
    Router::new()
        .route("/integrations/{id}/mock", get(page::show))
        .route("/integrations/{id}/mock/keys", post(page::create_key))
        .route(
            "/integrations/{id}/mock/keys/{key}/revoke",
            post(page::revoke_key),
        )
        .layer(Extension(runtime))
}
