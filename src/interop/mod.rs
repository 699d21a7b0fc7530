//! Interoperability: the integration in the formats other tools read (OpenAPI, Postman, the
//! spreadsheet, Markdown and a printable page).

pub mod auth_export;
pub mod examples;
pub mod export;
pub mod import;
pub mod import_page;
pub mod markdown;
pub mod openapi_export;
pub mod openapi_operation;
pub mod postman_export;
pub mod postman_fields;
pub mod xlsx_export;
pub mod yaml;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/integrations/{id}/export/{format}", get(export::download))
}

/// Routes that take a whole file: a larger body limit than the forms (see `web::router`).
pub fn upload_router(max_bytes: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/integrations/import",
            get(import_page::show_new).post(import_page::submit_new),
        )
        .route(
            "/integrations/{id}/import",
            get(import_page::show).post(import_page::submit),
        )
        // The multipart extractor has its own default limit (2 MB); the route's layer decides.
        .layer(axum::extract::DefaultBodyLimit::max(max_bytes))
}
