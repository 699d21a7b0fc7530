//! An integration as a Postman collection (v2.1): one request per endpoint against `{{baseUrl}}`,
//! the partner's `<<placeholders>>` as collection variables, and the success and error examples
//! as saved responses.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use uuid::Uuid;

use super::auth_export::{endpoint_auth, integration_auth, postman_auth, usual_header};
use super::openapi_operation::path_templates;
use super::postman_fields::{self, EXAMPLE_ONLY};
use crate::domain::media::{BodyFormat, form_fields};
use crate::domain::model::{EndpointSpec, Location, Sections};
use crate::domain::revision::Snapshot;

pub const SCHEMA: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

pub fn collection(snapshot: &Snapshot) -> Value {
    let sections = &snapshot.sections;
    let mut placeholders = BTreeSet::new();
    let items: Vec<Value> = snapshot
        .endpoints
        .iter()
        .filter(|e| e.spec.method.is_some())
        .map(|e| item(&e.spec, sections, &mut placeholders))
        .collect();

    let collection_auth = integration_auth(sections).map_or(Value::Null, |auth| {
        postman_auth(auth, sections, true, &mut placeholders)
    });
    let mut variables = vec![
        json!({ "key": "baseUrl", "value": sections.environments.staging_url, "type": "string",
                "description": "Staging base URL; switch to productionUrl for production" }),
        json!({ "key": "productionUrl", "value": sections.environments.production_url, "type": "string" }),
    ];
    for credential in &sections.credentials.items {
        if !credential.name.is_empty() && placeholders.insert(credential.name.clone()) {
            variables.push(json!({
                "key": credential.name, "value": "", "type": "string",
                "description": format!("{} (goes in the {})", credential.description, credential.location.as_str()),
            }));
        }
    }
    // Placeholders only met in requests (e.g. <<token>>) become variables too, empty until set.
    for name in &placeholders {
        if !variables.iter().any(|v| v["key"] == name.as_str()) {
            variables.push(json!({ "key": name, "value": "", "type": "string" }));
        }
    }

    let mut description = snapshot.purpose.clone();
    if !sections.authentication.steps.is_empty() {
        description.push_str("\n\nAuthentication:\n");
        description.push_str(&sections.authentication.steps);
    }
    let mut collection = json!({
        "info": {
            "_postman_id": Uuid::new_v5(&Uuid::NAMESPACE_OID, snapshot.integration_id.as_bytes()),
            "name": format!("{} – {}", snapshot.company, snapshot.name),
            "description": description,
            "schema": SCHEMA,
        },
        "item": items,
        "variable": variables,
    });
    if !collection_auth.is_null() {
        collection["auth"] = collection_auth;
    }
    // With the mock environment chosen, every request carries its key; otherwise nothing changes.
    collection["event"] = json!([{
        "listen": "prerequest",
        "script": { "type": "text/javascript", "exec": [
            "const key = pm.environment.get('mockKey');",
            "if (key) { pm.request.headers.upsert({ key: 'X-Mock-Key', value: key }); }",
        ] },
    }]);
    collection
}

/// A Postman environment that points the collection at the portal's mock: `baseUrl` is the mock
/// base URL and `mockKey` the key to fill in, sent as `X-Mock-Key` by the collection's
/// pre-request script.
pub fn mock_environment(snapshot: &Snapshot, mock_base_url: &str) -> Value {
    json!({
        "id": Uuid::new_v5(&Uuid::NAMESPACE_URL, mock_base_url.as_bytes()),
        "name": format!("{} – {} (portal mock)", snapshot.company, snapshot.name),
        "values": [
            { "key": "baseUrl", "value": mock_base_url, "type": "default", "enabled": true },
            { "key": "mockKey", "value": "", "type": "secret", "enabled": true },
        ],
        "_postman_variable_scope": "environment",
    })
}

/// `<<name>>` → `{{name}}`, remembering each name.
fn variables_in(text: &str, names: &mut BTreeSet<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("<<") {
        let after = &rest[open + 2..];
        match after.find(">>") {
            Some(close)
                if close > 0
                    && after[..close]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.') =>
            {
                out.push_str(&rest[..open]);
                let name = &after[..close];
                names.insert(name.to_string());
                out.push_str(&format!("{{{{{name}}}}}"));
                rest = &after[close + 2..];
            }
            _ => {
                out.push_str(&rest[..open + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn item(spec: &EndpointSpec, sections: &Sections, names: &mut BTreeSet<String>) -> Value {
    let mut request = request(spec, names);
    authenticate(&mut request, spec, sections, names);
    let mut responses = Vec::new();
    // A success without a body (204) is still saved: its status is what it documents.
    if !spec.success_example.trim().is_empty() || !spec.success_status.trim().is_empty() {
        let code = spec.success_status.trim().parse::<u16>().unwrap_or(200);
        responses.push(saved_response(
            "Success",
            code,
            &spec.success_example,
            spec.response_format(),
            &request,
        ));
    }
    for error in &spec.errors {
        let Ok(code) = error.http_status.trim().parse::<u16>() else {
            continue;
        };
        let name = [error.partner_code.trim(), error.description.trim()]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(": ");
        responses.push(saved_response(
            if name.is_empty() { "Error" } else { &name },
            code,
            &error.example,
            spec.response_format(),
            &request,
        ));
    }
    let mut item = json!({ "name": spec.title(), "request": request, "response": responses });
    keep_get_body(&mut item, spec);
    item
}

fn request(spec: &EndpointSpec, names: &mut BTreeSet<String>) -> Value {
    let method = spec.method.map_or("GET", |m| m.as_str());
    let header_parameter = |name: &str| {
        spec.parameters
            .iter()
            .find(|p| p.location == Location::Header && p.name.eq_ignore_ascii_case(name))
    };
    let mut headers: Vec<Value> = spec
        .headers
        .iter()
        .filter(|h| !h.name.is_empty())
        .map(|h| {
            let mut row = json!({ "key": h.name, "value": variables_in(&h.value, names) });
            if let Some(p) = header_parameter(&h.name).filter(|p| !p.description.is_empty()) {
                row["description"] = json!(p.description);
            }
            row
        })
        .collect();
    // Header parameters not sent on every request: documented rows, switched off when optional.
    for p in spec.parameters.iter().filter(|p| {
        p.location == Location::Header
            && !p.name.is_empty()
            && !spec
                .headers
                .iter()
                .any(|h| h.name.eq_ignore_ascii_case(&p.name))
    }) {
        let value = if p.example.is_empty() {
            format!("<<{}>>", p.name)
        } else {
            p.example.clone()
        };
        headers.push(json!({
            "key": p.name,
            "value": variables_in(&value, names),
            "description": p.description,
            "disabled": !p.required,
        }));
    }
    let templates = path_templates(&spec.path);
    let mut path = spec
        .path
        .trim()
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_string();
    for name in &templates {
        path = path.replace(&format!("{{{name}}}"), &format!(":{name}"));
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let query: Vec<Value> = spec
        .parameters
        .iter()
        .filter(|p| p.location == Location::Query && !p.name.is_empty())
        .map(|p| {
            let mut row =
                json!({ "key": p.name, "value": p.example, "description": p.description });
            // Postman leaves a switched-off parameter out of the request but keeps it documented.
            if !p.required {
                row["disabled"] = json!(true);
            }
            row
        })
        .collect();
    let path_variables: Vec<Value> = templates
        .iter()
        .map(|name| {
            let declared = spec
                .parameters
                .iter()
                .find(|p| p.location == Location::Path && &p.name == name);
            let example = declared
                .map(|p| p.example.trim())
                .filter(|e| !e.is_empty())
                .map_or_else(|| format!("<<{name}>>"), str::to_string);
            // A path variable with no example is a collection variable the user sets once.
            let mut variable = json!({ "key": name, "value": variables_in(&example, names) });
            if let Some(p) = declared.filter(|p| !p.description.is_empty()) {
                variable["description"] = json!(p.description);
            }
            variable
        })
        .collect();
    let mut raw = format!("{{{{baseUrl}}}}{path}");
    if !query.is_empty() {
        let pairs: Vec<String> = query
            .iter()
            .filter(|q| q["disabled"] != true)
            .map(|q| {
                format!(
                    "{}={}",
                    q["key"].as_str().unwrap_or(""),
                    q["value"].as_str().unwrap_or("")
                )
            })
            .collect();
        raw.push('?');
        raw.push_str(&pairs.join("&"));
    }
    let mut url = json!({ "raw": raw, "host": ["{{baseUrl}}"], "path": segments });
    if !query.is_empty() {
        url["query"] = Value::Array(query);
    }
    if !path_variables.is_empty() {
        url["variable"] = Value::Array(path_variables);
    }
    let mut request = json!({
        "method": method,
        "header": headers,
        "url": url,
        // A raw body's fields have no place of their own in a collection.
        "description": if spec.body_format.is_form() {
            spec.purpose.clone()
        } else {
            postman_fields::with_table(&spec.purpose, &spec.parameters)
        },
    });
    let takes_body = spec.documents_body();
    if takes_body && !spec.request_example.trim().is_empty() {
        request["body"] = body(spec, names);
    }
    request
}

/// A request's authentication: left to the collection's `auth` when it authenticates as the
/// integration does, with its own `auth` when it authenticates otherwise (its header row then
/// comes from that auth), and with none when its headers carry it in their own words.
fn authenticate(
    request: &mut Value,
    spec: &EndpointSpec,
    sections: &Sections,
    names: &mut BTreeSet<String>,
) {
    let integration = integration_auth(sections);
    let shown = endpoint_auth(spec, sections);
    let usual = shown.map(|auth| usual_header(auth, sections));
    let headers = request["header"]
        .as_array_mut()
        .expect("requests list headers");
    let at = usual.and_then(|(name, value)| {
        headers.iter().position(|h| {
            h["key"]
                .as_str()
                .is_some_and(|k| k.eq_ignore_ascii_case(&name))
                && h["value"] == variables_in(&value, &mut BTreeSet::new())
        })
    });
    match (shown, at) {
        (Some(auth), Some(at)) => {
            headers.remove(at);
            if Some(auth) != integration {
                request["auth"] = postman_auth(auth, sections, false, names);
            }
        }
        _ if integration.is_some() => request["auth"] = json!({ "type": "noauth" }),
        _ => {}
    }
}

/// Postman drops a GET's body before sending unless told not to.
fn keep_get_body(item: &mut Value, spec: &EndpointSpec) {
    if spec.documents_body() && !spec.sends_body() {
        item["protocolProfileBehavior"] = json!({ "disableBodyPruning": true });
    }
}

/// The request body in Postman's mode for its format: form fields as rows, anything else raw.
fn body(spec: &EndpointSpec, names: &mut BTreeSet<String>) -> Value {
    let fields = form_fields(&spec.request_example).ok();
    match (spec.body_format, fields) {
        (format @ (BodyFormat::Form | BodyFormat::Multipart), Some(fields)) => {
            let mode = if format == BodyFormat::Form {
                "urlencoded"
            } else {
                "formdata"
            };
            let declared = |key: &str| {
                spec.parameters
                    .iter()
                    .find(|p| p.location == Location::Body && p.name == key)
            };
            let row = |key: &str, value: &str, names: &mut BTreeSet<String>| {
                let mut row = json!({ "key": key, "value": variables_in(value, names) });
                if format == BodyFormat::Multipart {
                    row["type"] = json!("text");
                }
                let Some(p) = declared(key) else {
                    // The collection importer reads this as "in the example, not a parameter".
                    row["description"] = json!(EXAMPLE_ONLY);
                    return row;
                };
                {
                    // The collection importer reads this mark as "optional" and takes it off.
                    let description = if p.required {
                        p.description.clone()
                    } else {
                        format!("(optional) {}", p.description).trim().to_string()
                    };
                    if !description.is_empty() {
                        row["description"] = json!(description);
                    }
                }
                row
            };
            let mut rows: Vec<Value> = fields
                .iter()
                .map(|(key, value)| row(key, value, names))
                .collect();
            // Fields documented but not in the example: listed, switched off.
            for p in spec.parameters.iter().filter(|p| {
                p.location == Location::Body
                    && !p.name.is_empty()
                    && !fields.iter().any(|(key, _)| key == &p.name)
            }) {
                let mut unsent = row(&p.name, &p.example, names);
                unsent["disabled"] = json!(true);
                rows.push(unsent);
            }
            json!({ "mode": mode, mode: rows })
        }
        (format, _) => json!({
            "mode": "raw",
            "raw": variables_in(&spec.request_example, names),
            "options": { "raw": { "language": language(format) } },
        }),
    }
}

/// Postman's name for how to show a body.
fn language(format: BodyFormat) -> &'static str {
    match format {
        BodyFormat::Json => "json",
        BodyFormat::Xml => "xml",
        _ => "text",
    }
}

fn saved_response(name: &str, code: u16, body: &str, format: BodyFormat, request: &Value) -> Value {
    let content_type = format.media_type().unwrap_or("application/octet-stream");
    let language = language(format);
    json!({
        "name": name,
        "originalRequest": request,
        "status": reason(code),
        "code": code,
        "_postman_previewlanguage": language,
        "header": [{ "key": "Content-Type", "value": content_type }],
        "body": body,
    })
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_postman_variables() {
        let mut names = BTreeSet::new();
        assert_eq!(
            variables_in("Bearer <<token>> and <<not a var>> <<", &mut names),
            "Bearer {{token}} and <<not a var>> <<"
        );
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["token"]);
    }
}
