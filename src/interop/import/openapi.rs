//! OpenAPI 3.0 and 3.1 → a plan. A document this portal exported carries every field exactly
//! (`x-haptik-endpoint`, `x-partner-code`, …) and comes back unchanged; any other document is mapped
//! field by field.

use serde_json::Value;

use super::openapi_endpoint::Operation;
use super::openapi_security::authentication;
use super::schema::Refs;
use super::source_schema::SchemaCopier;
use super::text_of as text;
use super::{Plan, pointer};
use crate::domain::model::*;

const METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];

pub fn plan(doc: &Value, version: &str) -> Plan {
    let refs = Refs::new(doc);
    let schemas = SchemaCopier::new(&refs);
    let info = doc.get("info").cloned().unwrap_or(Value::Null);
    let mut plan = Plan {
        source: format!("OpenAPI {version}"),
        title: text(&info, "title"),
        purpose: text(&info, "description"),
        ..Plan::default()
    };
    servers(doc, &mut plan);
    let security = authentication(doc, &refs, &mut plan);
    webhooks(doc, &mut plan);
    extensions(doc, &mut plan);

    let mut positions: Vec<Option<u64>> = Vec::new();
    let empty = serde_json::Map::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (path, item) in paths {
        let Some(item) = refs.resolve(item) else {
            plan.notes.push(format!(
                "{}: its $ref points nowhere in the file; its operations were not imported.",
                pointer(&["paths", path])
            ));
            continue;
        };
        let shared: Vec<&Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .map(|p| p.iter().collect())
            .unwrap_or_default();
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let Some(http) = HttpMethod::parse(&method.to_uppercase()) else {
                plan.notes.push(format!(
                    "{}: the portal describes GET, POST, PUT, PATCH and DELETE only; not imported.",
                    pointer(&["paths", path, method])
                ));
                continue;
            };
            if let Some(exact) = operation.get("x-haptik-endpoint")
                && let Some(Ok(spec)) = exact
                    .get("spec")
                    .cloned()
                    .map(serde_json::from_value::<EndpointSpec>)
            {
                positions.push(exact.get("position").and_then(Value::as_u64));
                plan.endpoints.push(spec);
                // The endpoints this portal folded into the operation because they share its
                // method and path.
                for carried in operation
                    .get("x-haptik-endpoints")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    match carried
                        .get("spec")
                        .cloned()
                        .map(serde_json::from_value::<EndpointSpec>)
                    {
                        Some(Ok(spec)) => {
                            positions.push(carried.get("position").and_then(Value::as_u64));
                            plan.endpoints.push(spec);
                        }
                        _ => plan.notes.push(format!(
                            "{} {path}: an endpoint in x-haptik-endpoints could not be read and was not imported.",
                            http.as_str()
                        )),
                    }
                }
                continue;
            }
            positions.push(None);
            let endpoint = Operation {
                refs: &refs,
                schemas: &schemas,
                method: http,
                path,
                operation,
                shared: &shared,
                security: &security,
                notes: &mut plan.notes,
            }
            .endpoint();
            plan.endpoints.push(endpoint);
        }
    }
    // This portal's export lists operations by path; its endpoints come back in their order.
    if let Some(order) = positions.iter().copied().collect::<Option<Vec<u64>>>() {
        let mut ordered: Vec<(u64, EndpointSpec)> =
            order.into_iter().zip(plan.endpoints.drain(..)).collect();
        ordered.sort_by_key(|(position, _)| *position);
        plan.endpoints = ordered.into_iter().map(|(_, spec)| spec).collect();
    }
    for reference in refs.external.borrow().iter() {
        plan.notes.push(format!("External reference {reference} was not imported: only references inside the file are followed."));
    }
    if plan.endpoints.is_empty() {
        plan.notes
            .push("The document describes no operations.".into());
    }
    plan
}

/// The first server is staging unless it says it is production; a second one fills the other.
fn servers(doc: &Value, plan: &mut Plan) {
    let Some(servers) = doc.get("servers").and_then(Value::as_array) else {
        return;
    };
    let environments = &mut plan.sections.environments;
    for server in servers {
        let mut url = text(server, "url");
        if let Some(variables) = server.get("variables").and_then(Value::as_object) {
            for (name, variable) in variables {
                url = url.replace(&format!("{{{name}}}"), &text(variable, "default"));
            }
        }
        if !url.starts_with("http") {
            plan.notes.push(format!(
                "Server “{url}” is not an absolute URL and was not used as a base URL."
            ));
            continue;
        }
        let url = url.trim_end_matches('/').to_string();
        let description = text(server, "description").to_lowercase();
        let said = |words: &[&str]| words.iter().any(|w| description.contains(w));
        // A mock (the portal's own, Prism's, Postman's) answers from the examples; it is no
        // environment of the partner's.
        if said(&["mock"]) {
            plan.notes.push(format!(
                "Server “{url}” is a mock and was not used as a base URL."
            ));
            continue;
        }
        let staging = said(&[
            "sandbox", "staging", "stage", "test", "uat", "dev", "sit", "preprod", "pre-prod",
        ]);
        let production = !staging && said(&["prod", "live"]);
        if production && environments.production_url.is_empty() {
            environments.production_url = url;
        } else if !production && environments.staging_url.is_empty() {
            environments.staging_url = url;
        } else if description.is_empty() && environments.production_url.is_empty() {
            environments.production_url = url;
        } else {
            // A server for another purpose ("File server") is no environment of this API.
            plan.notes.push(format!(
                "Server “{url}”{} was not used: the portal keeps one staging and one production base URL.",
                match text(server, "description") {
                    d if d.is_empty() => String::new(),
                    d => format!(" ({d})"),
                }
            ));
        }
    }
}

/// Webhooks (OpenAPI 3.1) are calls the partner's API makes, not ones Haptik makes: named.
fn webhooks(doc: &Value, plan: &mut Plan) {
    for name in doc
        .get("webhooks")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|w| w.keys())
    {
        let at = pointer(&["webhooks", name]);
        plan.notes.push(format!(
            "{at}: a webhook (a call the API makes to its subscribers) is not imported; describe it in the integration's purpose if Haptik must receive it."
        ));
    }
}

/// What this portal's own export put in `x-` extensions.
fn extensions(doc: &Value, plan: &mut Plan) {
    let sections = &mut plan.sections;
    let read = |key: &str| doc.get(key).cloned();
    if let Some(code) = read("x-partner-code").and_then(|v| v.as_str().map(str::to_string)) {
        sections.partner_code.code = code;
    }
    if let Some(v) = read("x-reachability").and_then(|v| serde_json::from_value(v).ok()) {
        sections.reachability = v;
    }
    if let Some(v) = read("x-authentication").and_then(|v| serde_json::from_value(v).ok()) {
        sections.authentication = v;
    }
    if let Some(v) = read("x-credentials").and_then(|v| serde_json::from_value(v).ok()) {
        sections.credentials.items = v;
    }
    if let Some(v) = read("x-status-codes").and_then(|v| serde_json::from_value(v).ok()) {
        sections.status_codes.items = v;
    }
    if let Some(v) = read("x-test-data").and_then(|v| serde_json::from_value(v).ok()) {
        sections.test_data.items = v;
    }
    if let Some(v) = read("x-contacts").and_then(|v| serde_json::from_value(v).ok()) {
        sections.contacts = v;
    } else if let Some(contact) = doc.pointer("/info/contact") {
        sections.contacts.primary.name = text(contact, "name");
        sections.contacts.primary.email = text(contact, "email");
    }
    if let Some(v) = read("x-not-applicable").and_then(|v| serde_json::from_value(v).ok()) {
        sections.not_applicable = v;
    }
}
