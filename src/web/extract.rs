//! Extractors whose rejections are answered by the portal's own pages: an id that does not parse
//! is simply not found; a form that cannot be read is a bad request.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

use crate::web::error::AppError;

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::NotFound
    }
}

/// An urlencoded form body. Read with `serde_html_form`, which, unlike axum's own `Form`,
/// collects repeated fields (the rows of a table: `header_name=…&header_name=…`) into a `Vec`.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(AppError::BadRequest("expected a form".into()));
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
        // PostgreSQL cannot store NUL in text; say so rather than fail on insert.
        let has_nul = body.contains(&0) || body.windows(3).any(|w| w.eq_ignore_ascii_case(b"%00"));
        if has_nul {
            return Err(AppError::BadRequest(
                "the form contains a NUL character".into(),
            ));
        }
        serde_html_form::from_bytes(&body)
            .map(Form)
            .map_err(|err| AppError::BadRequest(err.to_string()))
    }
}
