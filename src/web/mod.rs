//! What every page shares: the middleware stack, errors, sessions, CSRF, layout and forms. It
//! knows no product area; `crate::app` puts the areas' routes inside these layers.

pub mod client_ip;
pub mod csrf;
pub mod dates;
pub mod error;
pub mod extract;
pub mod forms;
pub mod health;
pub mod htmx;
pub mod json_view;
pub mod page;
pub mod replay;
pub mod section_nav;
pub mod session;
pub mod session_store;
pub mod sized_html;
pub mod whose_move;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware;
use axum_messages::MessagesManagerLayer;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::AppState;

pub use error::{AppError, Result};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// No inline script or style anywhere: htmx is told not to inject its indicator style (see base.html).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The pages' own layers around their routes: sessions, CSRF, the not-found page, and no caching
/// of one person's data.
pub fn pages(routes: Router<AppState>, state: &AppState) -> Router<AppState> {
    let config = &state.config;
    let sessions = SessionManagerLayer::new(session_store::PageSessions::new(
        state.db.clone(),
        state.shared.clone(),
    ))
    .with_name(session_cookie_name(config))
    .with_http_only(true)
    .with_same_site(SameSite::Lax)
    .with_secure(config.secure_cookies())
    .with_expiry(Expiry::OnInactivity(
        time::Duration::try_from(config.session_idle).unwrap_or(time::Duration::hours(2)),
    ));
    routes
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn_with_state(state.clone(), csrf::verify))
        .layer(MessagesManagerLayer)
        .layer(sessions)
        // Pages show one person's data; no shared cache or back-button cache may keep them.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// What every answer goes through, pages and API alike, with the static files and health
/// probes beside them: request ids, tracing, the panic page, compression, the largest body limit,
/// the request timeout and the security headers.
pub fn around_everything(routes: Router<AppState>, state: &AppState) -> Router<AppState> {
    let config = &state.config;
    let static_files = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=86400"),
        ))
        .service(ServeDir::new(&config.static_dir));

    let mut security_headers = vec![
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    if config.secure_cookies() {
        security_headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        ));
    }
    let mut router = routes
        .nest_service("/static", static_files)
        .merge(health::router())
        .layer(middleware::from_fn(error::log_server_errors))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(error::panic_response))
                .layer(CompressionLayer::new())
                // The largest any route takes; each group of routes has its own, smaller, limit.
                .layer(RequestBodyLimitLayer::new(
                    config.max_body_bytes.max(config.max_upload_bytes),
                ))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    config.request_timeout,
                )),
        );
    // Outermost, so that every answer carries them: 413, 408 and the panic page too.
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}

/// Under https the cookie takes the `__Host-` prefix: browsers then refuse it unless it is Secure,
/// host-only and for the whole site, so a sibling subdomain cannot plant one.
pub fn session_cookie_name(config: &crate::config::Config) -> &'static str {
    if config.secure_cookies() {
        "__Host-portal_session"
    } else {
        "portal_session"
    }
}

/// The span names the route pattern, not the URI: invitation and reset links carry tokens.
fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "<unmatched>".into());
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", method = %request.method(), route, request_id)
}
