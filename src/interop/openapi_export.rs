//! An integration as an OpenAPI 3.1 document. Staging and production become `servers`, the SPOC
//! `info.contact`; what OpenAPI has no place for (partner code, status codes, test data,
//! reachability, credential names, not-applicable reasons) goes to `x-` extensions, and each
//! operation carries its endpoint exactly as entered (`x-haptik-endpoint`, and `x-haptik-endpoints`
//! for the others that share its method and path) so an import of the export gives back the same
//! integration.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::auth_export::{RequestAuth, api_key, endpoint_auth, integration_auth, token_url};
use super::openapi_operation::{fold_in, operation};
use crate::domain::model::{AuthScheme, EndpointSpec, Sections};
use crate::domain::revision::Snapshot;

/// Adds the portal's mock of the integration as one more server, after staging and production.
pub fn add_mock_server(doc: &mut Value, mock_base_url: &str) {
    let mock = json!({
        "url": mock_base_url,
        "description": "Haptik partner portal mock (send the mock key in X-Mock-Key)",
    });
    match doc["servers"].as_array_mut() {
        Some(servers) => servers.push(mock),
        None => doc["servers"] = json!([mock]),
    }
}

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
    if let Some(auth) = integration_auth(sections) {
        let (name, definition) = scheme(auth, sections, true);
        doc["components"] = json!({ "securitySchemes": { name: definition } });
        doc["security"] = json!([{ name: [] }]);
    }

    let mut paths = Map::new();
    let mut operation_ids = BTreeSet::new();
    let mut unexported = Vec::new();
    for (position, endpoint) in snapshot.endpoints.iter().enumerate() {
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
        match item.get_mut(&key) {
            // OpenAPI has one operation per method and path: the others ride along in it.
            Some(shared) => {
                fold_in(shared, spec, &path);
                let carried = json!({ "id": endpoint.id, "position": position, "spec": spec });
                match shared
                    .get_mut("x-haptik-endpoints")
                    .and_then(Value::as_array_mut)
                {
                    Some(list) => list.push(carried),
                    None => shared["x-haptik-endpoints"] = json!([carried]),
                }
            }
            None => {
                let mut operation = operation(spec, &path, &mut operation_ids);
                if let Some(security) = own_security(spec, sections, &mut doc) {
                    operation["security"] = security;
                }
                operation["x-haptik-endpoint"] =
                    json!({ "id": endpoint.id, "position": position, "spec": spec });
                item.insert(key, operation);
            }
        }
    }
    doc["paths"] = Value::Object(paths);
    if !unexported.is_empty() {
        doc["x-unexported"] = Value::Array(unexported);
    }
    doc
}

/// The name and definition of the scheme a request shows; the integration's own carries the
/// Authentication steps, and OAuth 2 client credentials their token URL when the steps name it.
fn scheme(auth: RequestAuth, sections: &Sections, own: bool) -> (&'static str, Value) {
    let steps = sections.authentication.steps.trim();
    let mut scheme = match auth {
        RequestAuth::Bearer => {
            let oauth =
                own && sections.authentication.scheme == Some(AuthScheme::Oauth2ClientCredentials);
            match token_url(steps).filter(|_| oauth) {
                Some(url) => {
                    let flow = json!({ "clientCredentials": { "tokenUrl": url, "scopes": {} } });
                    return (
                        "oauth2",
                        described(json!({ "type": "oauth2", "flows": flow }), steps),
                    );
                }
                None => ("bearerAuth", json!({ "type": "http", "scheme": "bearer" })),
            }
        }
        RequestAuth::Basic => ("basicAuth", json!({ "type": "http", "scheme": "basic" })),
        RequestAuth::ApiKey => {
            let (name, place) = api_key(sections);
            (
                "apiKeyAuth",
                json!({ "type": "apiKey", "name": name, "in": place.as_str() }),
            )
        }
    };
    if own {
        scheme.1 = described(scheme.1, steps);
    }
    scheme
}

fn described(mut scheme: Value, steps: &str) -> Value {
    if !steps.is_empty() {
        scheme["description"] = json!(steps);
    }
    scheme
}

/// The security an operation declares when its endpoint authenticates otherwise than the
/// integration (a request-level bearer token among API-key requests); None when it follows it.
fn own_security(spec: &EndpointSpec, sections: &Sections, doc: &mut Value) -> Option<Value> {
    let shown = endpoint_auth(spec, sections)?;
    if Some(shown) == integration_auth(sections) {
        return None;
    }
    let (name, definition) = scheme(shown, sections, false);
    if doc["components"]["securitySchemes"].get(name).is_none() {
        doc["components"]["securitySchemes"][name] = definition;
    }
    Some(json!([{ name: [] }]))
}

/// The path as an OpenAPI path key: starting with "/", without a query string.
fn clean_path(path: &str) -> Option<String> {
    let path = path.trim().split(['?', '#']).next().unwrap_or_default();
    path.starts_with('/').then(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lose_their_query_and_must_be_rooted() {
        assert_eq!(clean_path(" /a/b?x=1").as_deref(), Some("/a/b"));
        assert_eq!(clean_path("a/b"), None);
    }
}
