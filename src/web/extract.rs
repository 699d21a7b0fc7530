//! axum's `Path` and `Form`, with rejections answered by the portal's own pages:
//! an id that does not parse is simply not found; a form missing its fields is a bad request.

use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts};

use crate::web::error::AppError;

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

#[derive(FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct Form<T>(pub T);

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::NotFound
    }
}

impl From<FormRejection> for AppError {
    fn from(rejection: FormRejection) -> Self {
        AppError::BadRequest(rejection.body_text())
    }
}
