//! An integration as a Postman collection (v2.1): one request per endpoint against `{{baseUrl}}`,
//! the partner's `<<placeholders>>` as collection variables, and the success and error examples
//! as saved responses.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use uuid::Uuid;

use super::openapi_export::path_templates;
use crate::domain::model::{BodyFormat, EndpointSpec, Location};
use crate::domain::revision::Snapshot;

pub const SCHEMA: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

pub fn collection(snapshot: &Snapshot) -> Value {
    let sections = &snapshot.sections;
    let mut placeholders = BTreeSet::new();
    let items: Vec<Value> = snapshot
        .endpoints
        .iter()
        .filter(|e| e.spec.method.is_some())
        .map(|e| item(&e.spec, &mut placeholders))
        .collect();

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
    json!({
        "info": {
            "_postman_id": Uuid::new_v5(&Uuid::NAMESPACE_OID, snapshot.integration_id.as_bytes()),
            "name": format!("{} – {}", snapshot.company, snapshot.name),
            "description": description,
            "schema": SCHEMA,
        },
        "item": items,
        "variable": variables,
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

fn item(spec: &EndpointSpec, names: &mut BTreeSet<String>) -> Value {
    let request = request(spec, names);
    let language = match spec.body_format {
        BodyFormat::Json => "json",
        BodyFormat::Other => "text",
    };
    let mut responses = Vec::new();
    if !spec.success_example.trim().is_empty() {
        let code = spec.success_status.trim().parse::<u16>().unwrap_or(200);
        responses.push(saved_response(
            "Success",
            code,
            &spec.success_example,
            language,
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
            language,
            &request,
        ));
    }
    json!({ "name": spec.title(), "request": request, "response": responses })
}

fn request(spec: &EndpointSpec, names: &mut BTreeSet<String>) -> Value {
    let method = spec.method.map_or("GET", |m| m.as_str());
    let headers: Vec<Value> = spec
        .headers
        .iter()
        .filter(|h| !h.name.is_empty())
        .map(|h| json!({ "key": h.name, "value": variables_in(&h.value, names) }))
        .collect();
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
        .map(|p| json!({ "key": p.name, "value": p.example, "description": p.description }))
        .collect();
    let path_variables: Vec<Value> = templates
        .iter()
        .map(|name| {
            let example = spec
                .parameters
                .iter()
                .find(|p| p.location == Location::Path && &p.name == name)
                .map_or("", |p| p.example.as_str());
            json!({ "key": name, "value": example })
        })
        .collect();
    let mut raw = format!("{{{{baseUrl}}}}{path}");
    if !query.is_empty() {
        let pairs: Vec<String> = query
            .iter()
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
        "description": spec.purpose,
    });
    let takes_body = spec.method.is_some_and(|m| m.has_request_body());
    if takes_body && !spec.request_example.trim().is_empty() {
        let language = match spec.body_format {
            BodyFormat::Json => "json",
            BodyFormat::Other => "text",
        };
        request["body"] = json!({
            "mode": "raw",
            "raw": variables_in(&spec.request_example, names),
            "options": { "raw": { "language": language } },
        });
    }
    request
}

fn saved_response(name: &str, code: u16, body: &str, language: &str, request: &Value) -> Value {
    let content_type = if language == "json" {
        "application/json"
    } else {
        "text/plain"
    };
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
