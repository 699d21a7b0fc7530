//! Cross-site request forgery defence: a per-session synchronizer token on every state-changing
//! request, plus an Origin / Sec-Fetch-Site check.
//!
//! The token lives in the server-side session (no second cookie to sign or keep in sync), and is
//! replaced at sign-in. Forms send it as the `csrf_token` field; htmx sends it as the
//! `X-CSRF-Token` header (set once on <body> with hx-headers).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use subtle::ConstantTimeEq;
use tower_sessions::Session;
use url::Url;

use crate::AppState;
use crate::web::error::{AppError, Result};

pub const FORM_FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";
const SESSION_KEY: &str = "csrf";

/// The session's token, created on first use.
pub async fn token(session: &Session) -> Result<String> {
    match session.get::<String>(SESSION_KEY).await? {
        Some(token) => Ok(token),
        None => rotate(session).await,
    }
}

pub async fn rotate(session: &Session) -> Result<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    session.insert(SESSION_KEY, &token).await?;
    Ok(token)
}

pub async fn verify(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return next.run(request).await;
    }
    if !same_origin(request.headers(), &state.config.public_url) {
        tracing::warn!("cross-origin state-changing request refused");
        return AppError::CsrfRejected.into_response();
    }
    let expected = match session.get::<String>(SESSION_KEY).await {
        Ok(Some(token)) => token,
        Ok(None) => return AppError::CsrfRejected.into_response(),
        Err(err) => return AppError::from(err).into_response(),
    };
    let (request, supplied) = match supplied_token(request).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let matches = supplied.is_some_and(|s| bool::from(s.as_bytes().ct_eq(expected.as_bytes())));
    if !matches {
        return AppError::CsrfRejected.into_response();
    }
    next.run(request).await
}

/// Finds the token in the header or, for an urlencoded form, in its body (which is then put back).
async fn supplied_token(
    request: Request,
) -> std::result::Result<(Request, Option<String>), Response> {
    if let Some(value) = request.headers().get(HEADER) {
        let token = value.to_str().ok().map(str::to_owned);
        return Ok((request, token));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type.starts_with("multipart/form-data") {
        return multipart_token(request, &content_type).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((request, None));
    }
    let (parts, body) = request.into_parts();
    // The body-limit layer outside bounds this read.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response());
        }
    };
    let token = url::form_urlencoded::parse(&bytes)
        .find(|(name, _)| name == FORM_FIELD)
        .map(|(_, value)| value.into_owned());
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

/// File uploads: the token is a field of the multipart body (our forms put it first). The body,
/// already bounded by the limit layer outside, is read once and put back.
async fn multipart_token(
    request: Request,
    content_type: &str,
) -> std::result::Result<(Request, Option<String>), Response> {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "The upload is too large.").into_response());
        }
    };
    let mut token = None;
    if let Ok(boundary) = multer::parse_boundary(content_type) {
        let chunks = futures_util::stream::once(std::future::ready(Ok::<
            _,
            std::convert::Infallible,
        >(bytes.clone())));
        let mut form = multer::Multipart::new(chunks, boundary);
        while let Ok(Some(field)) = form.next_field().await {
            if field.name() == Some(FORM_FIELD) {
                token = field.text().await.ok();
                break;
            }
        }
    }
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

/// A browser names the page a request came from; it must be this portal. Requests without
/// Origin (curl, old browsers) fall back to Sec-Fetch-Site and then rely on the token alone.
fn same_origin(headers: &HeaderMap, public_url: &Url) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Some(origin) = origin.to_str().ok().and_then(|o| Url::parse(o).ok()) else {
            return false;
        };
        if origin.origin() == public_url.origin() {
            return true;
        }
        let authority = match (origin.host_str(), origin.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            _ => return false,
        };
        return headers
            .get(header::HOST)
            .and_then(|host| host.to_str().ok())
            .is_some_and(|host| host.eq_ignore_ascii_case(&authority));
    }
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|site| site != "cross-site")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn origin_must_match_the_host_or_the_public_url() {
        let public = Url::parse("https://portal.example").unwrap();
        assert!(same_origin(
            &headers(&[
                ("origin", "https://portal.example"),
                ("host", "10.0.0.5:8080")
            ]),
            &public
        ));
        assert!(same_origin(
            &headers(&[
                ("origin", "http://localhost:8080"),
                ("host", "localhost:8080")
            ]),
            &public
        ));
        assert!(!same_origin(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "localhost:8080")
            ]),
            &public
        ));
        assert!(!same_origin(
            &headers(&[("origin", "null"), ("host", "localhost:8080")]),
            &public
        ));
        assert!(!same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            &public
        ));
        assert!(same_origin(&headers(&[]), &public));
    }
}
