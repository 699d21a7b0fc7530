//! `ANY /mock/{integration}/{path}`: answers as the partner's API would, from its description.
//! Which description: the approved revision (the latest submitted one before any approval), a
//! revision named by `X-Mock-Revision: 3` or `?mock_revision=3`, or `draft` for the partner's own
//! team. Answers are computed from a compiled mock kept in memory (`cache.rs`).

use std::sync::Arc;

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uuid::Uuid;

use super::MockRuntime;
use super::access::{self, Caller, Refused};
use super::cache::{Compiled, Source};
use super::calls::CallRecord;
use super::dispatch::{MockAnswer, MockRequest, MockSet};
use crate::AppState;
use crate::domain::example::MAX_EXAMPLE_BYTES;
use crate::domain::integration;
use crate::domain::revision::{self, Snapshot};

const REVISION_PARAM: &str = "mock_revision";

fn problem(status: StatusCode, message: &str) -> Response {
    let body = json!({ "error": message }).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The integration and the path after it, from `/mock/{id}/rest`.
fn split(path: &str) -> Option<(Uuid, String)> {
    let rest = path.strip_prefix("/mock/")?;
    let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
    Some((id.parse().ok()?, format!("/{tail}")))
}

/// Which description the caller asked for, and the query without the mock's own parameter.
fn source_of(headers: &HeaderMap, query: &str) -> Result<(Source, String), &'static str> {
    let mut asked = headers
        .get("x-mock-revision")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some((REVISION_PARAM, value)) => asked = Some(value.to_string()),
            _ => kept.push(pair),
        }
    }
    let source = match asked.as_deref().map(str::trim) {
        None | Some("") | Some("approved") | Some("current") => Source::Current,
        Some("draft") => Source::Draft,
        Some(number) => match number.parse::<i32>() {
            Ok(n) if n > 0 => Source::Revision(n),
            _ => {
                return Err("X-Mock-Revision takes a revision number, \"approved\" or \"draft\"");
            }
        },
    };
    Ok((source, kept.join("&")))
}

pub async fn serve(
    State(state): State<AppState>,
    Extension(runtime): Extension<Arc<MockRuntime>>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let Some((id, path)) = split(parts.uri.path()) else {
        return problem(StatusCode::NOT_FOUND, "no such mock");
    };
    let (source, query) = match source_of(&parts.headers, parts.uri.query().unwrap_or("")) {
        Ok(found) => found,
        Err(message) => return problem(StatusCode::BAD_REQUEST, message),
    };
    runtime.cache.listen(&state.db).await;
    let presented = parts
        .headers
        .get(access::HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let caller = match identify(&state, &runtime, id, &presented).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    if !runtime.limiter.allows(caller.id) {
        let mut response = problem(
            StatusCode::TOO_MANY_REQUESTS,
            "too many mock calls with this key; slow down",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    }
    if source == Source::Draft && !caller.partner_team {
        return problem(
            StatusCode::FORBIDDEN,
            "the draft is served only to the partner's own team, with a personal access token",
        );
    }
    let compiled = match compiled(&state, &runtime, id, source).await {
        Ok(Some(compiled)) => compiled,
        Ok(None) => {
            return problem(
                StatusCode::NOT_FOUND,
                "nothing to mock: no such revision, or nothing submitted yet",
            );
        }
        Err(_) => return problem(StatusCode::SERVICE_UNAVAILABLE, "the mock is unavailable"),
    };
    let body: Bytes = match axum::body::to_bytes(body, MAX_EXAMPLE_BYTES).await {
        Ok(body) => body,
        Err(_) => {
            return problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request body is over 64 KiB",
            );
        }
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let answer = compiled.set.answer(&MockRequest {
        method: parts.method.as_str(),
        path: &path,
        query: &query,
        headers: &headers,
        body: &body,
    });
    let call = CallRecord {
        integration: id,
        method: parts.method.to_string(),
        path: if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        },
        source: compiled.label.clone(),
        scenario: answer.scenario.clone(),
        status: answer.status,
        caller: caller.user,
        caller_label: caller.label,
        body: String::from_utf8_lossy(&body[..body.len().min(8 * 1024)]).into_owned(),
    };
    runtime.calls.record(&state.db, call).await;
    respond(answer, &compiled.label)
}

fn respond(answer: MockAnswer, label: &str) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Some(value) = answer
        .content_type
        .and_then(|t| HeaderValue::from_str(&t).ok())
    {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&answer.scenario) {
        headers.insert("x-mock-scenario", value);
    }
    if let Ok(value) = HeaderValue::from_str(label) {
        headers.insert("x-mock-source", value);
    }
    if let Some(value) = answer.allow.and_then(|a| HeaderValue::from_str(&a).ok()) {
        headers.insert(header::ALLOW, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn identify(
    state: &AppState,
    runtime: &MockRuntime,
    id: Uuid,
    presented: &str,
) -> Result<Caller, Response> {
    let refused = || {
        problem(
            StatusCode::UNAUTHORIZED,
            "give this integration's mock key (or your personal access token) in X-Mock-Key",
        )
    };
    if presented.trim().is_empty() {
        return Err(refused());
    }
    match access::caller(&state.db, &runtime.cache, id, presented).await {
        Ok(caller) => Ok(caller),
        Err(Refused::Unknown) => Err(refused()),
        Err(Refused::NotYours) => Err(problem(StatusCode::NOT_FOUND, "no such mock")),
    }
}

/// The compiled mock for a source, from memory or built now; None when there is nothing to mock.
pub async fn compiled(
    state: &AppState,
    runtime: &MockRuntime,
    id: Uuid,
    source: Source,
) -> sqlx::Result<Option<Arc<Compiled>>> {
    if let Some(found) = runtime.cache.set(id, source) {
        return Ok(Some(found));
    }
    let epoch = runtime.cache.epoch();
    let mut conn = state.db.acquire().await?;
    let found: Option<(Snapshot, String)> = match source {
        Source::Current => {
            let approved = sqlx::query_scalar!(
                "SELECT approved_revision FROM integrations WHERE id = $1",
                id
            )
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
            let number = match approved {
                Some(n) => Some(n),
                None => revision::latest_number(&mut conn, id).await?,
            };
            match number {
                Some(n) => revision::snapshot(&mut conn, id, n)
                    .await?
                    .map(|s| (s, format!("revision {n}"))),
                None => None,
            }
        }
        Source::Revision(n) => revision::snapshot(&mut conn, id, n)
            .await?
            .map(|s| (s, format!("revision {n}"))),
        Source::Draft => integration::load(&mut conn, id, None)
            .await?
            .map(|loaded| (Snapshot::of(&loaded), "draft".to_string())),
    };
    let Some((snapshot, label)) = found else {
        return Ok(None);
    };
    let compiled = Arc::new(Compiled {
        set: MockSet::build(&snapshot),
        label,
    });
    runtime.cache.keep_set(id, source, compiled.clone(), epoch);
    Ok(Some(compiled))
}
