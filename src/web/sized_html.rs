//! The heavy pages rendered into a buffer as large as their last rendering. askama starts from
//! its template's size hint, a few kilobytes, and a 200 KB page then grows and copies itself
//! five times; `perf` put that copying at 2% of the review page's CPU.

use std::sync::atomic::{AtomicUsize, Ordering};

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::web::AppError;

/// How long one page's last rendering was.
pub struct LastSize(AtomicUsize);

impl LastSize {
    pub const fn new() -> Self {
        Self(AtomicUsize::new(0))
    }
}

impl Default for LastSize {
    fn default() -> Self {
        Self::new()
    }
}

/// `page` as an HTML response, or the error page when it does not render.
pub fn response<T: Template>(page: &T, last: &LastSize) -> Response {
    let size = last.0.load(Ordering::Relaxed).max(T::SIZE_HINT);
    // Room for a page a little longer than the last one (another comment, another event).
    let mut html = String::with_capacity(size + size / 8);
    match page.render_into(&mut html) {
        Ok(()) => {
            last.0.store(html.len(), Ordering::Relaxed);
            Html(html).into_response()
        }
        Err(error) => AppError::Internal(error.into()).into_response(),
    }
}
