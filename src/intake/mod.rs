//! Partner intake: the requirements checklist as forms, per integration and per endpoint.

pub mod conflict;
pub mod curl;
pub mod endpoint_page;
pub mod forms;
pub mod integration_page;
pub mod json_example;
pub mod list;
pub mod model;
pub mod secrets;
pub mod store;
pub mod submit;
pub mod validate;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/integrations", post(list::create))
        .route("/integrations/new", get(list::new))
        .route("/integrations/{id}", get(integration_page::show))
        .route(
            "/integrations/{id}/overview",
            post(integration_page::save_overview),
        )
        .route(
            "/integrations/{id}/sections/{section}",
            post(integration_page::save_section),
        )
        .route(
            "/integrations/{id}/not-applicable",
            post(integration_page::mark_not_applicable),
        )
        .route("/integrations/{id}/submit", post(submit::submit))
        .route("/integrations/{id}/endpoints", post(endpoint_page::add))
        .route(
            "/integrations/{id}/endpoints/{endpoint}",
            get(endpoint_page::show).post(endpoint_page::save),
        )
        .route(
            "/integrations/{id}/endpoints/{endpoint}/delete",
            get(endpoint_page::confirm_delete).post(endpoint_page::delete),
        )
        .route(
            "/integrations/{id}/endpoints/{endpoint}/move",
            post(endpoint_page::reorder),
        )
}
