//! Review of submitted integrations. The state machine lives in `workflow`, and only there.

pub mod assign;
pub mod comments;
pub mod compare_page;
pub mod decision_mail;
pub mod decisions;
pub mod diff;
pub mod evidence;
pub mod marks;
pub mod queue;
pub mod review_nav;
pub mod revision_page;
pub mod signoffs;
pub mod viewed;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/review", get(queue::show))
        .route("/review/{id}", get(revision_page::show))
        .route("/integrations/{id}/compare", get(compare_page::show))
        .route("/review/{id}/claim", post(decisions::claim))
        .route("/review/{id}/release", post(decisions::release))
        .route("/review/{id}/assign", post(assign::assign))
        .route("/review/{id}/decision", post(decisions::decide))
        .route("/review/{id}/comments", post(comments::create))
        .route("/review/{id}/signoffs", post(signoffs::toggle))
        .route("/review/{id}/viewed", post(viewed::toggle))
        .route("/comments/{id}/replies", post(comments::reply))
        .route("/comments/{id}/state", post(comments::set_state))
        .route("/comments/{id}/delete", post(comments::delete_draft))
        .route("/comments/{id}/edit", post(comments::edit_draft))
        .route("/integrations/{id}/withdraw", post(decisions::withdraw))
        .route("/integrations/{id}/reopen", post(decisions::reopen))
}
