//! Interoperability: the integration in the formats other tools read (OpenAPI, Postman, the
//! spreadsheet, Markdown and a printable page).

pub mod examples;
pub mod export;
pub mod markdown;
pub mod openapi_export;
pub mod postman_export;
pub mod xlsx_export;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/integrations/{id}/export/{format}", get(export::download))
}
