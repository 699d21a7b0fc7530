//! Live checks of partners' staging endpoints: does the documented request get the documented
//! answer over valid TLS, in time, as JSON of the promised shape? The portal sends requests to
//! addresses users typed, so `policy` decides where a check may go and `probe` goes only there.

pub mod check;
pub mod pages;
pub mod plan;
pub mod ports;
pub mod probe;
pub mod report;
pub mod results;
pub mod shape;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/integrations/{id}/staging",
            get(pages::show_integration).post(pages::check_all),
        )
        .route(
            "/integrations/{id}/endpoints/{endpoint}/staging",
            get(pages::show_endpoint).post(pages::check_endpoint),
        )
        .route("/admin/staging-ports", get(ports::show).post(ports::add))
        .route("/admin/staging-ports/{id}/delete", post(ports::remove))
}
