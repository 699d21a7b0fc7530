//! An integration as an OpenAPI 3.1 document. Staging and production become `servers`, the SPOC
//! `info.contact`; what OpenAPI has no place for (partner code, status codes, test data,
//! reachability, credential names, not-applicable reasons) goes to `x-` extensions, and each
//! operation carries its endpoint exactly as entered (`x-haptik-endpoint`) so an import of the
//! export gives back the same integration.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::examples::{schema_of, typed_example};
use crate::domain::example::parse as parse_example;
use crate::domain::model::{AuthScheme, BodyFormat, EndpointSpec, Location};
use crate::domain::revision::Snapshot;

/// Headers OpenAPI describes elsewhere (security, media types) and tells tools to ignore as
/// parameters.
const RESERVED_HEADERS: [&str; 3] = ["authorization", "content-type", "accept"];

pub fn document(snapshot: &Snapshot, version: &str) -> Value {
    let sections = &snapshot.sections;
    let mut info = json!({
        "title": snapshot.name,
        "version": version,
    });
    if !snapshot.purpose.is_empty() {
        info["description"] = json!(snapshot.purpose);
    }
    let spoc = &sections.contacts.primary;
    if !spoc.is_empty() {
        let mut contact = json!({ "name": spoc.name });
        if !spoc.email.is_empty() {
            contact["email"] = json!(spoc.email);
        }
        info["contact"] = contact;
    }

    let mut doc = json!({
        "openapi": "3.1.0",
        "info": info,
        "paths": {},
        "x-company": snapshot.company,
        "x-partner-code": sections.partner_code.code,
        "x-reachability": sections.reachability,
        "x-authentication": sections.authentication,
        "x-credentials": sections.credentials.items,
        "x-status-codes": sections.status_codes.items,
        "x-test-data": sections.test_data.items,
        "x-contacts": sections.contacts,
        "x-not-applicable": sections.not_applicable,
    });
    let servers: Vec<Value> = [
        (&sections.environments.staging_url, "Staging"),
        (&sections.environments.production_url, "Production"),
    ]
    .into_iter()
    .filter(|(url, _)| !url.is_empty())
    .map(|(url, label)| json!({ "url": url, "description": label }))
    .collect();
    if !servers.is_empty() {
        doc["servers"] = Value::Array(servers);
    }
    if let Some((name, scheme)) = security_scheme(snapshot) {
        doc["components"] = json!({ "securitySchemes": { name: scheme } });
        doc["security"] = json!([{ name: [] }]);
    }

    let mut paths = Map::new();
    let mut operation_ids = BTreeSet::new();
    let mut unexported = Vec::new();
    for endpoint in &snapshot.endpoints {
        let spec = &endpoint.spec;
        let (Some(method), Some(path)) = (spec.method, clean_path(&spec.path)) else {
            unexported.push(json!({ "endpoint": spec.title(), "reason": "no method or path" }));
            continue;
        };
        let item = paths
            .entry(path.clone())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("path items are objects");
        let key = method.as_str().to_lowercase();
        if item.contains_key(&key) {
            unexported.push(json!({
                "endpoint": spec.title(),
                "reason": format!("another endpoint already uses {} {path}", method.as_str()),
            }));
            continue;
        }
        let mut operation = operation(spec, &path, &mut operation_ids);
        operation["x-haptik-endpoint"] = json!({ "id": endpoint.id, "spec": spec });
        item.insert(key, operation);
    }
    doc["paths"] = Value::Object(paths);
    if !unexported.is_empty() {
        doc["x-unexported"] = Value::Array(unexported);
    }
    doc
}

fn security_scheme(snapshot: &Snapshot) -> Option<(&'static str, Value)> {
    let auth = &snapshot.sections.authentication;
    let steps = auth.steps.trim();
    let described = |mut scheme: Value| {
        if !steps.is_empty() {
            scheme["description"] = json!(steps);
        }
        scheme
    };
    match auth.scheme? {
        AuthScheme::None => None,
        // What a client sends on each call after the client-credentials exchange is a bearer
        // token; the exchange itself is in the description (OpenAPI's oauth2 flow needs a token
        // URL the checklist does not ask for).
        AuthScheme::BearerToken | AuthScheme::Oauth2ClientCredentials => Some((
            "bearerAuth",
            described(json!({ "type": "http", "scheme": "bearer" })),
        )),
        AuthScheme::Basic => Some((
            "basicAuth",
            described(json!({ "type": "http", "scheme": "basic" })),
        )),
        AuthScheme::ApiKey | AuthScheme::HmacSignature | AuthScheme::Other => {
            let credential = snapshot
                .sections
                .credentials
                .items
                .iter()
                .find(|c| matches!(c.location, Location::Header | Location::Query));
            let (name, place) = credential.map_or(("Authorization", "header"), |c| {
                (c.name.as_str(), c.location.as_str())
            });
            Some((
                "apiKeyAuth",
                described(json!({ "type": "apiKey", "name": name, "in": place })),
            ))
        }
    }
}

/// The path as an OpenAPI path key: starting with "/", without a query string.
fn clean_path(path: &str) -> Option<String> {
    let path = path.trim().split(['?', '#']).next().unwrap_or_default();
    path.starts_with('/').then(|| path.to_string())
}

/// `{name}` templates in a path.
pub fn path_templates(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.is_empty() && !name.contains('/') {
            names.push(name.to_string());
        }
        rest = &after[close + 1..];
    }
    names
}

fn operation_id(spec: &EndpointSpec, taken: &mut BTreeSet<String>) -> String {
    let mut base: String = spec
        .title()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    base = base
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if base.is_empty() {
        base = "endpoint".into();
    }
    let mut id = base.clone();
    let mut n = 2;
    while !taken.insert(id.clone()) {
        id = format!("{base}_{n}");
        n += 1;
    }
    id
}

fn media_type(spec: &EndpointSpec) -> &'static str {
    match spec.body_format {
        BodyFormat::Json => "application/json",
        BodyFormat::Other => "text/plain",
    }
}

fn operation(spec: &EndpointSpec, path: &str, taken: &mut BTreeSet<String>) -> Value {
    let mut operation = json!({
        "operationId": operation_id(spec, taken),
        "summary": spec.title(),
        "responses": {},
    });
    if !spec.purpose.is_empty() {
        operation["description"] = json!(spec.purpose);
    }

    let templates = path_templates(path);
    let mut parameters = Vec::new();
    let mut seen = BTreeSet::new();
    for p in &spec.parameters {
        let place = match p.location {
            Location::Query => "query",
            Location::Header if !is_reserved(&p.name) => "header",
            Location::Path if templates.contains(&p.name) => "path",
            _ => continue,
        };
        if p.name.is_empty() || !seen.insert((place, p.name.clone())) {
            continue;
        }
        let mut parameter = json!({
            "name": p.name,
            "in": place,
            "required": p.required || place == "path",
            "schema": { "type": p.kind.as_str() },
        });
        if !p.description.is_empty() {
            parameter["description"] = json!(p.description);
        }
        if !p.example.is_empty() {
            parameter["example"] = typed_example(&p.example, p.kind);
        }
        parameters.push(parameter);
    }
    for h in &spec.headers {
        if h.name.is_empty() || is_reserved(&h.name) || !seen.insert(("header", h.name.clone())) {
            continue;
        }
        parameters.push(json!({
            "name": h.name,
            "in": "header",
            "required": true,
            "schema": { "type": "string" },
            "example": h.value,
        }));
    }
    for name in templates {
        if seen.insert(("path", name.clone())) {
            parameters.push(json!({
                "name": name, "in": "path", "required": true, "schema": { "type": "string" },
            }));
        }
    }
    if !parameters.is_empty() {
        operation["parameters"] = Value::Array(parameters);
    }

    let takes_body = spec.method.is_some_and(|m| m.has_request_body());
    let body_params: Vec<_> = spec
        .parameters
        .iter()
        .filter(|p| p.location == Location::Body && !p.name.is_empty())
        .collect();
    if takes_body && (!spec.request_example.trim().is_empty() || !body_params.is_empty()) {
        let example = parse_example(&spec.request_example);
        let mut schema = example.as_ref().map_or_else(|| json!({}), schema_of);
        if !body_params.is_empty() {
            if schema.get("type").is_none() {
                schema = json!({ "type": "object" });
            }
            if schema["type"] == "object" {
                let mut required = Vec::new();
                for p in &body_params {
                    let property = schema["properties"][&p.name].take();
                    let mut property = if property.is_null() {
                        json!({ "type": p.kind.as_str() })
                    } else {
                        property
                    };
                    if !p.description.is_empty() {
                        property["description"] = json!(p.description);
                    }
                    schema["properties"][&p.name] = property;
                    if p.required {
                        required.push(json!(p.name));
                    }
                }
                if !required.is_empty() {
                    schema["required"] = Value::Array(required);
                }
            }
        }
        let mut content = json!({ "schema": schema });
        match example {
            Some(value) => content["example"] = value,
            None if !spec.request_example.trim().is_empty() => {
                content["example"] = json!(spec.request_example)
            }
            None => {}
        }
        operation["requestBody"] = json!({
            "required": true,
            "content": { media_type(spec): content },
        });
    }

    let mut responses = Map::new();
    let success = if spec.success_status.trim().is_empty() {
        "200".to_string()
    } else {
        spec.success_status.trim().to_string()
    };
    responses.insert(
        success,
        response("Success", &spec.success_example, media_type(spec)),
    );
    for error in &spec.errors {
        let status = error.http_status.trim();
        if status.len() != 3 || !status.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let what = [error.partner_code.trim(), error.description.trim()]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(": ");
        let what = if what.is_empty() {
            "Error".to_string()
        } else {
            what
        };
        match responses.get_mut(status) {
            // Several scenarios share an HTTP status: one response, its examples named by code.
            Some(existing) => {
                let description =
                    format!("{}; {what}", existing["description"].as_str().unwrap_or(""));
                existing["description"] = json!(description);
                if let Some(value) = parse_example(&error.example) {
                    let key = if error.partner_code.is_empty() {
                        format!("example{}", status)
                    } else {
                        error.partner_code.clone()
                    };
                    let media = existing["content"]
                        .as_object_mut()
                        .and_then(|c| c.values_mut().next());
                    if let Some(media) = media {
                        if let Some(first) = media.as_object_mut().and_then(|m| m.remove("example"))
                        {
                            media["examples"] = json!({ "first": { "value": first } });
                        }
                        if media.get("examples").is_none() {
                            media["examples"] = json!({});
                        }
                        media["examples"][key] = json!({ "summary": what, "value": value });
                    }
                }
            }
            None => {
                responses.insert(
                    status.to_string(),
                    response(&what, &error.example, media_type(spec)),
                );
            }
        }
    }
    operation["responses"] = Value::Object(responses);
    operation
}

fn is_reserved(header: &str) -> bool {
    RESERVED_HEADERS.contains(&header.trim().to_ascii_lowercase().as_str())
}

fn response(description: &str, example: &str, media: &str) -> Value {
    let mut response = json!({ "description": description });
    if example.trim().is_empty() {
        return response;
    }
    let content = match parse_example(example) {
        Some(value) => json!({ "schema": schema_of(&value), "example": value }),
        None => json!({ "schema": { "type": "string" }, "example": example }),
    };
    response["content"] = json!({ media: content });
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_templates_are_found() {
        assert_eq!(
            path_templates("/orders/{orderId}/items/{item}"),
            ["orderId", "item"]
        );
        assert!(path_templates("/otp/v1/generateOTP").is_empty());
        assert!(path_templates("/broken/{open").is_empty());
    }

    #[test]
    fn paths_lose_their_query_and_must_be_rooted() {
        assert_eq!(clean_path(" /a/b?x=1").as_deref(), Some("/a/b"));
        assert_eq!(clean_path("a/b"), None);
    }
}
