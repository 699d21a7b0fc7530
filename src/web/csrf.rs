//! Cross-site request forgery defence: a token on every state-changing request, plus an Origin /
//! Sec-Fetch-Site check.
//!
//! Signed in, the token is a synchronizer token in the server-side session, replaced at sign-in.
//! Before sign-in (the sign-in, reset and invitation forms) there is no session row to keep it
//! in, and none is made for a mere visit: the token is then an HMAC, under a key kept in the
//! database, of a random value in a cookie of its own (a signed double-submit token). Forms
//! send it as the `csrf_token` field; htmx sends it as the `X-CSRF-Token` header (set once on
//! <body> with hx-headers).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tower_sessions::Session;
use tower_sessions::cookie::Cookie;
use url::Url;

use crate::AppState;
use crate::web::error::{AppError, Result};

pub const FORM_FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";
const SESSION_KEY: &str = "csrf";
/// What the signing key in the database is kept under.
const KEY_PURPOSE: &str = "csrf";

/// The visitor's pre-session value (from its cookie, or new with this response).
#[derive(Clone, Debug)]
struct PreSession(String);

/// The token for this request's forms: the session's, or else the signed pre-session one.
pub async fn token(session: &Session, parts: &Parts, state: &AppState) -> Result<String> {
    if let Some(token) = session.get::<String>(SESSION_KEY).await? {
        return Ok(token);
    }
    let PreSession(value) = parts
        .extensions
        .get::<PreSession>()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("csrf::verify is not in the stack")))?;
    Ok(signed(&signing_key(state).await?, value))
}

pub async fn rotate(session: &Session) -> Result<String> {
    let token = random_value();
    session.insert(SESSION_KEY, &token).await?;
    Ok(token)
}

/// The key shared by every instance: the first to need it stores one, the rest read that.
async fn signing_key(state: &AppState) -> sqlx::Result<[u8; 32]> {
    let key = state
        .csrf_key
        .get_or_try_init(|| async {
            let mut fresh = [0u8; 32];
            rand::rng().fill_bytes(&mut fresh);
            sqlx::query!(
                "INSERT INTO signing_keys (purpose, key) VALUES ($1, $2) ON CONFLICT (purpose) DO NOTHING",
                KEY_PURPOSE,
                &fresh[..],
            )
            .execute(&state.db)
            .await?;
            let stored = sqlx::query_scalar!(
                "SELECT key FROM signing_keys WHERE purpose = $1",
                KEY_PURPOSE
            )
            .fetch_one(&state.db)
            .await?;
            <[u8; 32]>::try_from(stored.as_slice())
                .map_err(|_| sqlx::Error::Protocol("a signing key is not 32 bytes".into()))
        })
        .await?;
    Ok(*key)
}

fn random_value() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn signed(key: &[u8], value: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(b"portal csrf v1:");
    mac.update(value.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Under https the `__Host-` prefix keeps a sibling subdomain from planting its own value.
fn pre_session_cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-portal_csrf"
    } else {
        "portal_csrf"
    }
}

fn pre_session_from(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(std::result::Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_string())
        // Only values this module could have made: 32 random bytes.
        .filter(|value| {
            URL_SAFE_NO_PAD
                .decode(value)
                .is_ok_and(|bytes| bytes.len() == 32)
        })
}

pub async fn verify(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let cookie_name = pre_session_cookie_name(&state);
    let (pre_session, fresh) = match pre_session_from(request.headers(), cookie_name) {
        Some(value) => (value, false),
        None => (random_value(), true),
    };
    request
        .extensions_mut()
        .insert(PreSession(pre_session.clone()));
    let mut response = checked(&state, &session, request, next, &pre_session, fresh).await;
    if fresh {
        let mut cookie = Cookie::new(cookie_name, pre_session);
        cookie.set_path("/");
        cookie.set_http_only(true);
        cookie.set_same_site(tower_sessions::cookie::SameSite::Lax);
        cookie.set_secure(state.config.secure_cookies());
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

async fn checked(
    state: &AppState,
    session: &Session,
    request: Request,
    next: Next,
    pre_session: &str,
    fresh: bool,
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
        // A value made just now was never in a form this visitor saw.
        Ok(None) if fresh => return AppError::CsrfRejected.into_response(),
        Ok(None) => match signing_key(state).await {
            Ok(key) => signed(&key, pre_session),
            Err(err) => return AppError::from(err).into_response(),
        },
        Err(err) => return AppError::from(err).into_response(),
    };
    let limits = (state.config.max_body_bytes, state.config.max_upload_bytes);
    let (request, supplied) = match supplied_token(request, limits).await {
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
/// `limits` are (form, upload) bytes: read no more than the route could take anyway, before the
/// token is known to be right.
async fn supplied_token(
    request: Request,
    (form_limit, upload_limit): (usize, usize),
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
        return multipart_token(request, &content_type, upload_limit).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((request, None));
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, form_limit).await {
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
    limit: usize,
) -> std::result::Result<(Request, Option<String>), Response> {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
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
