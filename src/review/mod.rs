//! Review of submitted integrations. The state machine lives in `workflow`, and only there.

pub mod revision_page;
pub mod workflow;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/review/{id}", get(revision_page::show))
}
