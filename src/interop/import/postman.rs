//! Postman collections (v2.1, and v2.0 where it is the same) → a plan. Folders are flattened into
//! the endpoint's name ("Orders / Create order"); `{{variables}}` become `<<placeholders>>`.

use serde_json::{Value, json};

use super::partner_code::partner_code;
use super::schema::as_text;
use super::{Plan, example_text};
use crate::domain::model::*;
use auth::authentication;
use body::saved_format;

/// The collection, also when wrapped as `{"collection": {...}}` the way Postman's API exports it.
pub fn collection(value: &Value) -> Option<&Value> {
    let collection = value.get("collection").unwrap_or(value);
    let schema = collection
        .pointer("/info/schema")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let looks_like =
        schema.contains("getpostman.com") || collection.pointer("/info/_postman_id").is_some();
    (looks_like && collection.get("item").is_some_and(Value::is_array)).then_some(collection)
}

pub fn plan(collection: &Value) -> Plan {
    let version = collection
        .pointer("/info/schema")
        .and_then(Value::as_str)
        .and_then(|s| s.split("/v").nth(1))
        .map(|v| v.split('/').next().unwrap_or(v).to_string())
        .unwrap_or_else(|| "2.1".into());
    let mut plan = Plan {
        source: format!("Postman collection v{version}"),
        title: text(collection.pointer("/info/name")),
        purpose: description(collection.pointer("/info/description")),
        ..Plan::default()
    };
    let variables: Vec<(String, String)> = collection
        .get("variable")
        .and_then(Value::as_array)
        .map(|vars| {
            vars.iter()
                .map(|v| {
                    (
                        text(v.get("key")),
                        as_text(v.get("value").unwrap_or(&Value::Null)),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let collection_auth = collection.get("auth");
    if let Some(auth) = collection_auth {
        authentication(auth, &mut plan);
    }
    let mut context = Context {
        variables: &variables,
        plan: &mut plan,
        collection_auth,
    };
    if let Some(items) = collection.get("item").and_then(Value::as_array) {
        context.walk(items, "", 0);
    }
    plan
}

fn text(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Descriptions are text or `{"content": ..., "type": ...}`.
fn description(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => text.trim().to_string(),
        Some(other) => text(other.get("content")),
        None => String::new(),
    }
}

/// `{{name}}` → `<<name>>`: the portal's placeholder for a value the partner does not paste.
fn placeholders(text: &str) -> String {
    text.replace("{{", "<<").replace("}}", ">>")
}

/// Whether two base URLs name the same scheme and host (paths and trailing slashes aside).
fn same_host(a: &str, b: &str) -> bool {
    let host = |url: &str| {
        let url = url.trim().to_ascii_lowercase();
        let after = url
            .split_once("://")
            .map_or(url.as_str(), |(_, rest)| rest)
            .to_string();
        after.split('/').next().unwrap_or_default().to_string()
    };
    host(a) == host(b)
}

/// A query or form field the collection switches off, or describes as optional, is optional.
/// The portal's Postman export marks optional fields that are sent in the example this way.
const OPTIONAL_MARK: &str = "(optional)";

/// A field's description without the export's optional mark, which `optional` has read.
fn without_mark(description: &str) -> String {
    description
        .strip_prefix(OPTIONAL_MARK)
        .unwrap_or(description)
        .trim()
        .to_string()
}

/// Switched off, or described as optional: "optional", "(Optional)", "This field is optional."
/// but not "can optionally be used".
fn optional(field: &Value, description: &str) -> bool {
    let lower = description.to_lowercase();
    let said = lower.match_indices("optional").any(|(at, word)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    });
    field.get("disabled").and_then(Value::as_bool) == Some(true) || said
}

struct Context<'a> {
    variables: &'a [(String, String)],
    plan: &'a mut Plan,
    collection_auth: Option<&'a Value>,
}

impl Context<'_> {
    fn walk(&mut self, items: &[Value], folder: &str, depth: usize) {
        if depth > 16 {
            self.plan.notes.push(format!(
                "Folders under “{folder}” nest too deeply and were skipped."
            ));
            return;
        }
        for item in items {
            let name = text(item.get("name"));
            let path = if folder.is_empty() {
                name.clone()
            } else {
                format!("{folder} / {name}")
            };
            match (
                item.get("item").and_then(Value::as_array),
                item.get("request"),
            ) {
                (Some(children), _) => self.walk(children, &path, depth + 1),
                (None, Some(request)) => {
                    self.scripts(item, &path);
                    let mut spec = self.endpoint(&path, request, item.get("response"));
                    spec.source_id = self.source_id(item, &path);
                    self.plan.endpoints.push(spec);
                }
                (None, None) => self
                    .plan
                    .notes
                    .push(format!("“{path}” has no request and was skipped.")),
            }
        }
    }

    /// Pre-request and test scripts are code the portal does not run or keep: named, not
    /// dropped silently.
    fn scripts(&mut self, item: &Value, path: &str) {
        for event in item
            .get("event")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let lines = event
                .pointer("/script/exec")
                .and_then(Value::as_array)
                .map_or(0, |exec| {
                    exec.iter()
                        .filter(|l| l.as_str().is_some_and(|l| !l.trim().is_empty()))
                        .count()
                });
            if lines > 0 {
                self.plan.notes.push(format!(
                    "{path}: its {} script ({lines} line(s)) was not imported; say in the endpoint's purpose what it does.",
                    text(event.get("listen"))
                ));
            }
        }
    }

    /// The item's own id when the collection has one (v2.1 exports do), else its folder path and
    /// name; a repeated one is numbered, so two requests never share an identity.
    fn source_id(&mut self, item: &Value, path: &str) -> String {
        let own = text(item.get("id"));
        let base = if own.is_empty() {
            format!("postman:{path}")
        } else {
            format!("postman-id:{own}")
        };
        let mut id = base.clone();
        let mut n = 1;
        while self.plan.endpoints.iter().any(|e| e.source_id == id) {
            n += 1;
            id = format!("{base} #{n}");
        }
        id
    }

    fn endpoint(&mut self, name: &str, request: &Value, responses: Option<&Value>) -> EndpointSpec {
        // A request may be a bare URL string (v2.0 allows it).
        let request = match request {
            Value::String(url) => json!({ "method": "GET", "url": url }),
            other => other.clone(),
        };
        let method_text = text(request.get("method")).to_uppercase();
        let method = HttpMethod::parse(if method_text.is_empty() {
            "GET"
        } else {
            &method_text
        });
        if method.is_none() {
            self.plan.notes.push(format!(
                "{name}: method {method_text} is not one the portal describes."
            ));
        }
        let (path, query, base) = self.url(request.get("url"));
        if let Some(base) = base {
            let environments = &mut self.plan.sections.environments;
            if environments.staging_url.is_empty() && base.starts_with("http") {
                environments.staging_url = base;
            } else if !same_host(&base, &environments.staging_url) {
                // The portal has one base URL per environment: say so, never move it silently.
                self.plan.notes.push(format!(
                    "{name}: its host {base} is not the base URL the other requests use ({}); it was imported under that base URL. Check it, or describe that host's API in an integration of its own.",
                    environments.staging_url
                ));
            }
        }
        let (purpose, body_fields) =
            crate::interop::postman_fields::read_table(&description(request.get("description")));
        let mut spec = EndpointSpec {
            name: name.to_string(),
            purpose,
            method,
            path,
            ..EndpointSpec::default()
        };
        // `inherit` (v2.1) means the collection's; folders' own auth is not read.
        let auth = request
            .get("auth")
            .filter(|a| a.get("type").and_then(Value::as_str) != Some("inherit"))
            .or(self.collection_auth);
        if let Some(header) = auth.and_then(|a| authentication(a, self.plan)) {
            spec.headers.push(header);
        }
        let mut header_parameters = Vec::new();
        for header in request
            .get("header")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = text(header.get("key"));
            let value = placeholders(&as_text(header.get("value").unwrap_or(&Value::Null)));
            let about = description(header.get("description"));
            // A switched-off or described header is documented as a parameter; a switched-off
            // one is not sent.
            let disabled = header.get("disabled").and_then(Value::as_bool) == Some(true);
            if !key.is_empty() && (!about.is_empty() || disabled) {
                let example = if value == format!("<<{key}>>") {
                    String::new()
                } else {
                    value.clone()
                };
                let required = !optional(header, &about);
                header_parameters.push(self.parameter(
                    Location::Header,
                    &key,
                    &example,
                    required,
                    &about,
                ));
            }
            if disabled {
                continue;
            }
            if key.is_empty()
                || spec
                    .headers
                    .iter()
                    .any(|h| h.name.eq_ignore_ascii_case(&key))
            {
                continue;
            }
            spec.headers.push(Header { name: key, value });
        }
        spec.parameters.extend(query);
        spec.parameters.extend(header_parameters);
        spec.parameters.extend(body_fields);
        self.body(&mut spec, request.get("body"));

        let saved = responses
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for response in &saved {
            let code = response.get("code").and_then(Value::as_u64).unwrap_or(0);
            let saved_name = text(response.get("name"));
            let not_kept = match code {
                200..300 if !spec.success_status.is_empty() => Some(format!(
                    "the portal keeps one success example (“{}”, {})",
                    spec.name, spec.success_status
                )),
                400.. | 200..300 => None,
                0 => Some("it has no status code".to_string()),
                _ => Some(format!(
                    "a {code} response is neither a success nor an error"
                )),
            };
            if let Some(why) = not_kept {
                self.plan.notes.push(format!(
                    "{name} › saved response “{saved_name}” ({code}) was not imported: {why}."
                ));
                continue;
            }
            let body = text(response.get("body"));
            let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            // JSON is pretty-printed; a JSON string stays quoted, as the body has it.
            let body = if parsed.is_null() || parsed.is_string() {
                body
            } else {
                example_text(&parsed)
            };
            if (200..300).contains(&code) && spec.success_status.is_empty() {
                spec.success_status = code.to_string();
                if let Some(format) = saved_format(response, parsed.is_null()) {
                    spec.set_response_format(format);
                    if format != BodyFormat::Json {
                        let reason = format!("Responses are {}.", format.label());
                        spec.non_json_reason = format!("{} {reason}", spec.non_json_reason)
                            .trim()
                            .to_string();
                    }
                }
                spec.success_example = body;
            } else if code >= 400 {
                let code_read = partner_code(&parsed);
                if !code_read.is_empty() {
                    let index = spec.errors.len();
                    spec.unconfirmed.insert(row_key("error_code", index));
                }
                spec.errors.push(ErrorScenario {
                    http_status: code.to_string(),
                    partner_code: code_read,
                    description: text(response.get("name")),
                    example: body,
                });
            }
        }
        if spec.success_example.is_empty() {
            self.plan.notes.push(format!("{name}: no saved example response; its request was imported, add the success response."));
        }
        spec
    }

    /// The path (with `{var}` for `:var` and `{{var}}` segments), query parameters, and the base
    /// URL when the collection names it.
    fn url(&self, url: Option<&Value>) -> (String, Vec<Parameter>, Option<String>) {
        let raw = match url {
            Some(Value::String(raw)) => raw.clone(),
            Some(object) if object.get("raw").is_some() => text(object.get("raw")),
            // Some generators leave out "raw": rebuild it from host and path.
            Some(object) => {
                let join = |key: &str, by: &str| match object.get(key) {
                    Some(Value::Array(parts)) => {
                        parts.iter().map(as_text).collect::<Vec<_>>().join(by)
                    }
                    Some(other) => as_text(other),
                    None => String::new(),
                };
                let protocol = text(object.get("protocol"));
                let host = join("host", ".");
                let path = join("path", "/");
                let scheme = if protocol.is_empty() {
                    String::new()
                } else {
                    format!("{protocol}://")
                };
                format!("{scheme}{host}/{path}")
            }
            None => String::new(),
        };
        let (without_query, query_text) = raw.split_once('?').unwrap_or((&raw, ""));
        let mut query: Vec<Parameter> =
            match url.and_then(|u| u.get("query")).and_then(Value::as_array) {
                Some(items) => items
                    .iter()
                    .map(|q| {
                        let about = description(q.get("description"));
                        self.parameter(
                            Location::Query,
                            &text(q.get("key")),
                            &as_text(q.get("value").unwrap_or(&Value::Null)),
                            !optional(q, &about),
                            &about,
                        )
                    })
                    .collect(),
                None => url::form_urlencoded::parse(query_text.as_bytes())
                    .map(|(k, v)| self.parameter(Location::Query, &k, &v, true, ""))
                    .collect(),
            };
        query.retain(|p| !p.name.is_empty());
        // Path variables (`:id`) with what the collection says of them.
        for variable in url
            .and_then(|u| u.get("variable"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = text(variable.get("key"));
            if name.is_empty() {
                continue;
            }
            let value = as_text(variable.get("value").unwrap_or(&Value::Null));
            // `{{orderId}}` for `:orderId` says "set me", not an example.
            let value = if value == format!("{{{{{name}}}}}") {
                String::new()
            } else {
                value
            };
            let about = description(variable.get("description"));
            query.push(self.parameter(Location::Path, &name, &value, true, &about));
        }

        // Split "{{baseUrl}}/a/b" or "https://host/a/b" into base and path.
        let (base, rest) = if let Some(after) = without_query.strip_prefix("{{") {
            match after.find("}}") {
                Some(end) => {
                    let variable = &after[..end];
                    let value = self
                        .variables
                        .iter()
                        .find(|(k, _)| k == variable)
                        .map(|(_, v)| v.clone());
                    (value, after[end + 2..].to_string())
                }
                None => (None, without_query.to_string()),
            }
        } else if let Some((base, rest)) = self.variables.iter().find_map(|(_, value)| {
            let value = value.trim_end_matches('/');
            (value.starts_with("http") && without_query.starts_with(value))
                .then(|| (value.to_string(), without_query[value.len()..].to_string()))
        }) {
            (Some(base), rest)
        } else if let Some(scheme_end) = without_query.find("://") {
            let after = &without_query[scheme_end + 3..];
            let host_end = after.find('/').unwrap_or(after.len());
            (
                Some(without_query[..scheme_end + 3 + host_end].to_string()),
                after[host_end..].to_string(),
            )
        } else {
            (None, without_query.to_string())
        };
        let segments: Vec<String> = rest
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|segment| {
                let variable = segment.strip_prefix(':').or_else(|| {
                    segment
                        .strip_prefix("{{")
                        .and_then(|s| s.strip_suffix("}}"))
                });
                let Some(name) = variable.filter(|n| !n.is_empty()) else {
                    return segment.to_string();
                };
                // A path variable the collection does not describe (`:id`, or a whole
                // `{{profile_id}}` segment) is still a parameter.
                if !query
                    .iter()
                    .any(|p| p.location == Location::Path && p.name == name)
                {
                    query.push(self.parameter(Location::Path, name, "", true, ""));
                }
                format!("{{{name}}}")
            })
            .collect();
        (
            format!("/{}", segments.join("/")),
            query,
            base.map(|b| b.trim_end_matches('/').to_string()),
        )
    }

    fn parameter(
        &self,
        location: Location,
        name: &str,
        value: &str,
        required: bool,
        description: &str,
    ) -> Parameter {
        Parameter {
            name: name.to_string(),
            location,
            kind: ParamType::String,
            required,
            description: without_mark(description),
            example: placeholders(value),
        }
    }
}

#[path = "postman_auth.rs"]
mod auth;
#[path = "postman_body.rs"]
mod body;

#[cfg(test)]
#[path = "postman_tests.rs"]
mod tests;
