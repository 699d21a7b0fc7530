//! One error type for every handler, each kind answered with a friendly page.

use std::any::Any;

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::domain::error::DomainError;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The request makes sense but not now (e.g. editing a submitted integration); says why.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Sends the browser to the sign-in page, then back to `return_to`.
    #[error("sign-in required")]
    SignInRequired { return_to: Option<String> },
    #[error("the form's CSRF token or origin was not accepted")]
    CsrfRejected,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Session(#[from] tower_sessions::session::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A domain command's refusal, shown as it is; its database errors stay server errors.
impl From<DomainError> for AppError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::NotFound => AppError::NotFound,
            DomainError::Database(err) => AppError::Database(err),
            refused => AppError::Conflict(refused.to_string()),
        }
    }
}

/// The cause of a 500, carried to `log_server_errors` so it is logged once, with the request's span.
#[derive(Clone)]
struct ServerErrorCause(String);

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

impl ErrorPage<'_> {
    fn respond(status: StatusCode, title: &'static str, message: &'static str) -> Response {
        let body = ErrorPage { title, message }
            .render()
            .unwrap_or_else(|_| title.to_string());
        (status, Html(body)).into_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound => ErrorPage::respond(
                StatusCode::NOT_FOUND,
                "Page not found",
                "There is nothing here, or it is not yours to see. Check the address, or go back to your dashboard.",
            ),
            AppError::Forbidden => ErrorPage::respond(
                StatusCode::FORBIDDEN,
                "Not allowed",
                "Your account does not have access to this page. If you think it should, ask a Haptik admin.",
            ),
            AppError::BadRequest(_) => ErrorPage::respond(
                StatusCode::BAD_REQUEST,
                "This request could not be understood",
                "Some of what the form should send was missing or malformed. Go back, reload the page and try again.",
            ),
            AppError::Conflict(message) => {
                let body = ErrorPage {
                    title: "Not possible right now",
                    message: &message,
                }
                .render()
                .unwrap_or(message.clone());
                (StatusCode::CONFLICT, Html(body)).into_response()
            }
            AppError::CsrfRejected => ErrorPage::respond(
                StatusCode::FORBIDDEN,
                "This form could not be accepted",
                "The form was stale or did not come from this portal. Go back, reload the page and send it again; nothing else was changed.",
            ),
            AppError::SignInRequired { return_to } => {
                let target = match return_to {
                    Some(path) => format!(
                        "/login?next={}",
                        url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
                    ),
                    None => "/login".to_string(),
                };
                Redirect::to(&target).into_response()
            }
            AppError::Database(_) | AppError::Session(_) | AppError::Internal(_) => {
                let mut response = server_error_page();
                response
                    .extensions_mut()
                    .insert(ServerErrorCause(format!("{self:#}")));
                response
            }
        }
    }
}

fn server_error_page() -> Response {
    ErrorPage::respond(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side",
        "The error has been logged. Nothing you typed was saved by this request; go back and try again in a moment.",
    )
}

pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "handler panicked");
    let mut response = server_error_page();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub async fn log_server_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if let Some(ServerErrorCause(cause)) = response.extensions().get::<ServerErrorCause>() {
        tracing::error!(cause, "request failed");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_the_friendly_500_page() {
        let response = panic_response(Box::new("boom"));
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(html.contains("Something went wrong on our side"));
        assert!(!html.contains("boom"), "the panic message stays in the log");
    }
}
