//! Answers for htmx requests: a page's `content` block alone, without the layout around it (the
//! pattern of kanidm's views). A page template lists `blocks = ["content"]`, and its `respond`
//! sends `as_content()` to htmx and the whole page otherwise. The form's `hx-select` picks its
//! part out of either, so a page works the same with and without htmx; only the bytes differ.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::web::error::{AppError, Result};

/// A block sub-template (askama's `as_<block>()`) as an htmx answer.
pub fn partial(status: StatusCode, block: &impl Template) -> Result<Response> {
    let html = block
        .render()
        .map_err(|err| AppError::Internal(err.into()))?;
    Ok((status, Html(html)).into_response())
}
