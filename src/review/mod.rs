//! Review of submitted integrations. The state machine lives in `workflow`, and only there.

pub mod decisions;
pub mod revision_page;
pub mod workflow;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/review/{id}", get(revision_page::show))
        .route("/review/{id}/claim", post(decisions::claim))
        .route("/review/{id}/release", post(decisions::release))
        .route("/review/{id}/decision", post(decisions::decide))
        .route("/integrations/{id}/withdraw", post(decisions::withdraw))
        .route("/integrations/{id}/reopen", post(decisions::reopen))
}
