//! The mock's answer to one request, from an integration's description alone: the operation its
//! method and path match, the request checked against the documented parameters, and the
//! response: the success example, or the error scenario that `Prefer` names or the request's
//! values pick (a test-data entry whose note names the scenario's partner code).
//! Knows nothing of HTTP types, so every case is a plain unit test.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::domain::example;
use crate::domain::model::{EndpointSpec, Location, ParamType, TestDatum};
use crate::domain::revision::Snapshot;

/// What the mock needs of one request.
pub struct MockRequest<'a> {
    pub method: &'a str,
    /// The path after the mock base URL, starting with `/`.
    pub path: &'a str,
    pub query: &'a str,
    /// Lower-case header names with their values.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl MockRequest<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MockAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
    /// "success", the scenario's partner code or status, or what went wrong ("no such operation").
    pub scenario: String,
    /// For a 405: the methods the path takes.
    pub allow: Option<String>,
}

impl MockAnswer {
    fn problem(status: u16, scenario: &str, body: Value) -> MockAnswer {
        MockAnswer {
            status,
            content_type: Some("application/json".into()),
            body: body.to_string(),
            scenario: scenario.into(),
            allow: None,
        }
    }
}

/// One documented response, ready to send.
#[derive(Debug, Clone)]
struct Response {
    status: u16,
    content_type: Option<String>,
    body: String,
    /// "success", or the scenario's partner code (or its status when it has none).
    name: String,
    /// The name the OpenAPI export gives its example when several share a status (the partner
    /// code, else the description), for `Prefer: example=`.
    alias: String,
}

#[derive(Debug, Clone)]
struct Operation {
    method: String,
    template: String,
    /// The export's name for this endpoint's examples when it shares its method and path with
    /// another (`openapi_operation::fold_in`): its title as an example key.
    key: String,
    segments: Vec<Segment>,
    params: Vec<crate::domain::model::Parameter>,
    body_is_json: bool,
    success: Response,
    errors: Vec<Response>,
}

/// An operation whose path matches, its path parameters' values, and how many literal segments
/// matched.
type Matched<'a> = (&'a Operation, Vec<(String, String)>, usize);

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Literal(String),
    Param(String),
}

/// An integration's description compiled for answering: built once per revision or draft and
/// kept in memory (`cache.rs`).
#[derive(Debug, Clone, Default)]
pub struct MockSet {
    operations: Vec<Operation>,
    /// Request values that pick a scenario: a test-data value → the scenario's name.
    triggers: HashMap<String, String>,
}

/// Statuses answered without a body.
fn bodiless(status: u16) -> bool {
    status < 200 || status == 204 || status == 304
}

/// A final status the mock can send (an informational 1xx would be no answer at all).
fn status_of(text: &str, fallback: u16) -> u16 {
    text.trim()
        .parse::<u16>()
        .ok()
        .filter(|s| (200..=599).contains(s))
        .unwrap_or(fallback)
}

fn response(spec: &EndpointSpec, status: u16, example_text: &str, name: String) -> Response {
    let format = spec.response_format();
    let alias = name.clone();
    if bodiless(status) {
        return Response {
            status,
            content_type: None,
            body: String::new(),
            name,
            alias,
        };
    }
    // JSON goes out as strict JSON, as OpenAPI tools serve the same example; anything else as
    // the partner wrote it.
    let body = if format.is_json() {
        example::parse_relaxed(example_text)
            .map(|value| value.to_string())
            .unwrap_or_else(|| example_text.trim().to_string())
    } else {
        example_text.trim().to_string()
    };
    Response {
        status,
        content_type: format.media_type().map(str::to_string),
        body,
        name,
        alias,
    }
}

/// The export's example key for a scenario (`openapi_operation::example_key` of its code or
/// description).
fn alias_of(code: &str, description: &str) -> String {
    let title = if code.trim().is_empty() {
        description.trim()
    } else {
        code.trim()
    };
    title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn segments(path: &str) -> Vec<Segment> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let name = s
                .strip_prefix('{')
                .and_then(|r| r.strip_suffix('}'))
                .or_else(|| s.strip_prefix(':'));
            match name {
                Some(name) if !name.is_empty() => Segment::Param(name.to_string()),
                _ => Segment::Literal(s.to_string()),
            }
        })
        .collect()
}

impl MockSet {
    pub fn build(snapshot: &Snapshot) -> MockSet {
        let mut operations = Vec::new();
        let mut codes = Vec::new();
        for endpoint in &snapshot.endpoints {
            let spec = &endpoint.spec;
            let Some(method) = spec.method else { continue };
            let success_status = status_of(&spec.success_status, 200);
            let errors: Vec<Response> = spec
                .errors
                .iter()
                .filter(|e| status_of(&e.http_status, 0) != 0)
                .map(|e| {
                    let status = status_of(&e.http_status, 0);
                    let name = match e.partner_code.trim() {
                        "" => status.to_string(),
                        code => code.to_string(),
                    };
                    codes.push(name.clone());
                    let mut answer = response(spec, status, &e.example, name);
                    answer.alias = alias_of(&e.partner_code, &e.description);
                    answer
                })
                .collect();
            operations.push(Operation {
                method: method.as_str().to_string(),
                key: alias_of("", &spec.title()),
                template: spec
                    .path
                    .split(['?', '#'])
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                segments: segments(&spec.path),
                params: spec.parameters.clone(),
                body_is_json: spec.body_format.is_json(),
                success: response(
                    spec,
                    success_status,
                    &spec.success_example,
                    "success".into(),
                ),
                errors,
            });
        }
        let triggers = triggers(&snapshot.sections.test_data.items, &codes);
        MockSet {
            operations,
            triggers,
        }
    }

    pub fn answer(&self, request: &MockRequest) -> MockAnswer {
        let matching: Vec<Matched> = self
            .operations
            .iter()
            .filter_map(|op| {
                matches(&op.segments, request.path).map(|(params, literal)| (op, params, literal))
            })
            .collect();
        if matching.is_empty() {
            return self.no_such_operation(request);
        }
        // The most literal match wins: /orders/search before /orders/{id}.
        let mut with_method: Vec<&Matched> = matching
            .iter()
            .filter(|(op, _, _)| op.method.eq_ignore_ascii_case(request.method))
            .collect();
        // Most literal first; among equals, the order the partner gave.
        with_method.sort_by_key(|(_, _, literal)| std::cmp::Reverse(*literal));
        let with_method = with_method.first().copied();
        let Some((operation, path_values, _)) = with_method else {
            let mut allow: Vec<&str> = matching
                .iter()
                .map(|(op, _, _)| op.method.as_str())
                .collect();
            allow.sort_unstable();
            allow.dedup();
            let allow = allow.join(", ");
            let mut answer = MockAnswer::problem(
                405,
                "method not allowed",
                json!({ "error": "method not allowed", "method": request.method, "allowed": allow }),
            );
            answer.allow = Some(allow);
            return answer;
        };
        // Endpoints sharing this method and path: one operation in the export, whose examples
        // `Prefer: example=` may name.
        let sharing: Vec<&Operation> = matching
            .iter()
            .map(|(op, _, _)| *op)
            .filter(|op| op.method == operation.method && op.template == operation.template)
            .collect();
        if let Some(preferred) = request.header("prefer")
            && let Some(answer) = prefer(&sharing, preferred)
        {
            return answer;
        }
        let (values, problems) = check(operation, path_values, request);
        if !problems.is_empty() {
            return MockAnswer::problem(
                422,
                "invalid request",
                json!({ "error": "invalid request", "problems": problems }),
            );
        }
        let picked = values
            .iter()
            .find_map(|value| self.triggers.get(value))
            .and_then(|name| operation.errors.iter().find(|e| &e.name == name));
        send(picked.unwrap_or(&operation.success))
    }

    fn no_such_operation(&self, request: &MockRequest) -> MockAnswer {
        // Edit distance is quadratic: a long path gets no suggestions rather than a busy thread.
        if request.path.len() > 256 {
            return MockAnswer::problem(
                404,
                "no such operation",
                json!({ "error": "no such operation", "method": request.method }),
            );
        }
        let mut known: Vec<(usize, String)> = self
            .operations
            .iter()
            .map(|op| {
                let distance = strsim::levenshtein(&op.template, request.path);
                (distance, format!("{} {}", op.method, op.template))
            })
            .collect();
        known.sort();
        let closest: Vec<String> = known.into_iter().take(3).map(|(_, p)| p).collect();
        MockAnswer::problem(
            404,
            "no such operation",
            json!({ "error": "no such operation", "method": request.method, "path": request.path, "closest": closest }),
        )
    }

    /// The paths this mock answers, for its page.
    pub fn operations(&self) -> Vec<(String, String)> {
        self.operations
            .iter()
            .map(|op| (op.method.clone(), op.template.clone()))
            .collect()
    }

    /// Test-data values that pick a scenario, for the mock's page.
    pub fn triggers(&self) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self
            .triggers
            .iter()
            .map(|(v, n)| (v.clone(), n.clone()))
            .collect();
        all.sort();
        all
    }
}

fn send(response: &Response) -> MockAnswer {
    MockAnswer {
        status: response.status,
        content_type: response.content_type.clone(),
        body: response.body.clone(),
        scenario: response.name.clone(),
        allow: None,
    }
}

/// `Prefer: code=404` or `Prefer: example=ERR002` (as Prism reads them); None when the header
/// asks for neither, so the request is answered as usual.
fn prefer(sharing: &[&Operation], header: &str) -> Option<MockAnswer> {
    let operation = sharing.first()?;
    let mut code = None;
    let mut example = None;
    for part in header.split([',', ';']) {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        match key.trim().to_ascii_lowercase().as_str() {
            "code" => code = Some(value.to_string()),
            "example" => example = Some(value.to_string()),
            _ => {}
        }
    }
    if code.is_none() && example.is_none() {
        return None;
    }
    let all = sharing.iter().flat_map(|op| {
        std::iter::once(&op.success)
            .chain(&op.errors)
            .map(move |r| (op.key.as_str(), r))
    });
    let with_code: Vec<(&str, &Response)> = all
        .filter(|(_, r)| code.as_ref().is_none_or(|c| r.status.to_string() == *c))
        .collect();
    // "first" is the export's name for the first of several examples under one status.
    let candidates: Vec<&Response> = match example.as_deref() {
        // As the export folds them: the first example given, not an endpoint that gave none.
        None | Some("first") => {
            let mut all: Vec<&Response> = with_code.into_iter().map(|(_, r)| r).collect();
            all.sort_by_key(|r| r.body.is_empty() && r.content_type.is_some());
            all
        }
        Some(e) => with_code
            .into_iter()
            .filter(|(key, r)| r.name.eq_ignore_ascii_case(e) || r.alias == e || *key == e)
            .map(|(_, r)| r)
            .collect(),
    };
    Some(match candidates.first() {
        Some(response) => send(response),
        None => {
            let documented: Vec<String> = std::iter::once(&operation.success)
                .chain(&operation.errors)
                .map(|r| format!("{} {}", r.status, r.name))
                .collect();
            MockAnswer::problem(
                400,
                "no such scenario",
                json!({ "error": "Prefer names no documented response", "prefer": header, "documented": documented }),
            )
        }
    })
}

/// The path's parameter values and how literal the match is, if the template matches.
fn matches(template: &[Segment], path: &str) -> Option<(Vec<(String, String)>, usize)> {
    let given: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if given.len() != template.len() {
        return None;
    }
    let mut values = Vec::new();
    let mut literal = 0;
    for (segment, value) in template.iter().zip(given) {
        let value = decode(value);
        match segment {
            Segment::Literal(text) if *text == value => literal += 1,
            Segment::Literal(_) => return None,
            Segment::Param(name) => values.push((name.clone(), value)),
        }
    }
    Some((values, literal))
}

/// A path segment as meant: percent escapes decoded (a `+` stays a plus, as in paths it is).
fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

fn type_fits(kind: ParamType, value: &Value) -> bool {
    match (kind, value) {
        (ParamType::String, Value::String(_)) => true,
        (ParamType::Integer, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (ParamType::Number, Value::Number(_)) => true,
        (ParamType::Boolean, Value::Bool(_)) => true,
        (ParamType::Object, Value::Object(_)) => true,
        (ParamType::Array, Value::Array(_)) => true,
        // Text from a path, query, header or form field: what it must parse as.
        (ParamType::Integer, Value::String(s)) => s.trim().parse::<i64>().is_ok(),
        (ParamType::Number, Value::String(s)) => s.trim().parse::<f64>().is_ok(),
        (ParamType::Boolean, Value::String(s)) => matches!(s.trim(), "true" | "false"),
        (ParamType::String, Value::Number(_) | Value::Bool(_)) => false,
        (_, Value::Null) => false,
        _ => false,
    }
}

/// Every value the request carries (for scenario triggers) and what is wrong with it against the
/// documented parameters: each missing mandatory one and each of the wrong type, by name.
fn check(
    operation: &Operation,
    path_values: &[(String, String)],
    request: &MockRequest,
) -> (Vec<String>, Vec<Value>) {
    let query: Vec<(String, String)> = url::form_urlencoded::parse(request.query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let body_json = if operation.body_is_json {
        std::str::from_utf8(request.body)
            .ok()
            .and_then(example::parse)
    } else {
        None
    };
    let form: Vec<(String, String)> = if operation.body_is_json {
        Vec::new()
    } else {
        url::form_urlencoded::parse(request.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    };
    let mut values: Vec<String> = path_values.iter().map(|(_, v)| v.clone()).collect();
    values.extend(query.iter().map(|(_, v)| v.clone()));
    values.extend(form.iter().map(|(_, v)| v.clone()));
    if let Some(Value::Object(fields)) = &body_json {
        for value in fields.values() {
            match value {
                Value::String(s) => values.push(s.clone()),
                Value::Number(n) => values.push(n.to_string()),
                _ => {}
            }
        }
    }
    let text = |s: &str| Value::String(s.to_string());
    let mut problems = Vec::new();
    if operation.body_is_json
        && body_json.is_none()
        && !request.body.iter().all(u8::is_ascii_whitespace)
    {
        problems.push(json!({ "in": "body", "problem": "not JSON (or over 64 KiB, or nested deeper than 64 levels)" }));
    }
    for param in &operation.params {
        let name = param.name.trim();
        if name.is_empty() {
            continue;
        }
        let found: Option<Value> = match param.location {
            Location::Path => path_values
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| text(v)),
            Location::Query => query.iter().find(|(n, _)| n == name).map(|(_, v)| text(v)),
            Location::Header => request.header(name).map(text),
            Location::Body if operation.body_is_json => match &body_json {
                Some(body) => lookup(body, name).cloned(),
                None => None,
            },
            Location::Body => form.iter().find(|(n, _)| n == name).map(|(_, v)| text(v)),
            Location::Other => continue,
        };
        let place = param.location.as_str();
        match found {
            None if param.required => problems.push(json!({
                "parameter": name, "in": place, "problem": "missing: it is mandatory"
            })),
            None => {}
            Some(value) if !type_fits(param.kind, &value) => problems.push(json!({
                "parameter": name, "in": place,
                "problem": format!("should be {}", param.kind.as_str())
            })),
            Some(_) => {}
        }
    }
    (values, problems)
}

/// A body field by name, or by a dotted path (`customer.mobile`) into nested objects.
fn lookup<'a>(body: &'a Value, name: &str) -> Option<&'a Value> {
    if let Some(value) = body.get(name) {
        return Some(value);
    }
    name.split('.').try_fold(body, |at, key| at.get(key))
}

/// Test-data values whose note names a scenario's partner code ("returns ERR002").
fn triggers(items: &[TestDatum], codes: &[String]) -> HashMap<String, String> {
    let mut found = HashMap::new();
    for item in items {
        let value = item.value.trim();
        if value.is_empty() {
            continue;
        }
        let note = item.note.to_ascii_uppercase();
        let label = item.label.to_ascii_uppercase();
        if let Some(code) = codes.iter().find(|code| {
            let code = code.to_ascii_uppercase();
            code.len() > 3 && (words(&note).any(|w| w == code) || words(&label).any(|w| w == code))
        }) {
            found.insert(value.to_string(), code.clone());
        }
    }
    found
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-')
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
#[path = "dispatch_tests.rs"]
mod tests;
