//! An OpenAPI document's security schemes → the integration's authentication section, its
//! credential names, and the header each endpoint carries. The section describes the scheme the
//! document applies by default (else the one most operations use); every other scheme that
//! operations use is added to the steps and named in the report, and each endpoint carries the
//! header of the scheme its own operation requires.

use std::collections::BTreeMap;

use serde_json::Value;

use super::schema::Refs;
use super::text_of as text;
use super::{Plan, pointer};
use crate::domain::model::{AuthScheme, CredentialName, Header, Location};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// What the importer needs of the document's security for each operation.
#[derive(Default)]
pub struct Security {
    headers: BTreeMap<String, Option<Header>>,
    default: Option<String>,
}

impl Security {
    /// The header an operation's requests carry: its own `security` when it has one (an empty
    /// list or an empty requirement means none), else the document's.
    pub fn header_for(&self, operation: &Value) -> Option<Header> {
        let name = match operation.get("security").and_then(Value::as_array) {
            Some(requirements) => requirement(requirements)?,
            None => self.default.clone()?,
        };
        self.headers.get(&name).cloned().flatten()
    }
}

/// The first scheme named by the first requirement, None when that requirement is empty.
fn requirement(requirements: &[Value]) -> Option<String> {
    requirements
        .first()
        .and_then(Value::as_object)
        .and_then(|r| r.keys().next().cloned())
}

/// One scheme in the portal's terms.
struct Scheme {
    kind: AuthScheme,
    header: Option<Header>,
    credentials: Vec<CredentialName>,
    /// How to authenticate, from the scheme's description and flows.
    steps: String,
    label: String,
}

fn credential(name: &str, location: Location, description: &str) -> CredentialName {
    CredentialName {
        name: name.into(),
        location,
        description: description.into(),
    }
}

fn scheme(definition: &Value, base_url: &str) -> Scheme {
    let description = text(definition, "description");
    let bearer = || Header {
        name: "Authorization".into(),
        value: "Bearer <<token>>".into(),
    };
    let plain = |kind: AuthScheme, header: Option<Header>, label: &str| Scheme {
        kind,
        header,
        credentials: Vec::new(),
        steps: description.clone(),
        label: label.into(),
    };
    match (
        text(definition, "type").as_str(),
        text(definition, "scheme").to_lowercase().as_str(),
    ) {
        ("http", "bearer") => plain(AuthScheme::BearerToken, Some(bearer()), "a bearer token"),
        ("http", "basic") => plain(
            AuthScheme::Basic,
            Some(Header {
                name: "Authorization".into(),
                value: "Basic <<credentials>>".into(),
            }),
            "HTTP Basic",
        ),
        ("apiKey", _) => {
            let name = text(definition, "name");
            let location = Location::parse(&text(definition, "in")).unwrap_or(Location::Header);
            let mut scheme = plain(
                AuthScheme::ApiKey,
                (location == Location::Header).then(|| Header {
                    name: name.clone(),
                    value: format!("<<{name}>>"),
                }),
                &format!("an API key in the {} “{name}”", location.as_str()),
            );
            scheme.credentials = vec![credential(&name, location, "API key")];
            scheme
        }
        ("oauth2", _) => {
            let flows = definition.get("flows");
            let client = flows.and_then(|f| f.get("clientCredentials"));
            let token_url = client
                .or_else(|| flows.and_then(|f| f.get("password")))
                .or_else(|| flows.and_then(|f| f.get("authorizationCode")))
                .map(|flow| absolute(&text(flow, "tokenUrl"), base_url))
                .unwrap_or_default();
            let kind = if client.is_some() {
                AuthScheme::Oauth2ClientCredentials
            } else {
                // A flow that needs a person signing in is not one a bot can run on its own.
                AuthScheme::Other
            };
            let flow = flows
                .and_then(Value::as_object)
                .and_then(|f| f.keys().next().cloned())
                .unwrap_or_default();
            let step = match (token_url.is_empty(), kind) {
                (true, _) => String::new(),
                (false, AuthScheme::Oauth2ClientCredentials) => format!(
                    "Get an access token from {token_url} with the client credentials (OAuth 2 client_credentials grant), then send it as a bearer token."
                ),
                (false, _) => format!(
                    "Get an access token from {token_url} (OAuth 2 {flow} flow), then send it as a bearer token."
                ),
            };
            Scheme {
                kind,
                header: Some(bearer()),
                credentials: if kind == AuthScheme::Oauth2ClientCredentials {
                    vec![
                        credential("client_id", Location::Body, "OAuth 2 client credentials"),
                        credential(
                            "client_secret",
                            Location::Body,
                            "OAuth 2 client credentials",
                        ),
                    ]
                } else {
                    Vec::new()
                },
                steps: format!("{step}\n{description}").trim().to_string(),
                label: format!("OAuth 2 ({flow})"),
            }
        }
        (kind, _) => plain(AuthScheme::Other, None, &format!("a {kind} scheme")),
    }
}

/// A token URL relative to the server, made absolute against the base URL's origin.
fn absolute(url: &str, base_url: &str) -> String {
    if !url.starts_with('/') || url.starts_with("//") {
        return url.to_string();
    }
    let origin = base_url
        .split_once("://")
        .map(|(scheme, rest)| format!("{scheme}://{}", rest.split('/').next().unwrap_or_default()));
    origin.map_or_else(|| url.to_string(), |origin| format!("{origin}{url}"))
}

/// How many operations require each scheme, and which (for the report).
fn usage(doc: &Value, refs: &Refs, default: Option<&str>) -> BTreeMap<String, Vec<String>> {
    let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let empty = serde_json::Map::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (path, item) in paths {
        // A path item may be a `$ref`, as the importer's own walk follows it.
        let Some(item) = refs.resolve(item) else {
            continue;
        };
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let name = match operation.get("security").and_then(Value::as_array) {
                Some(requirements) => requirement(requirements),
                None => default.map(str::to_string),
            };
            if let Some(name) = name {
                used.entry(name)
                    .or_default()
                    .push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    used
}

pub fn authentication(doc: &Value, refs: &Refs, plan: &mut Plan) -> Security {
    let Some(schemes) = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    else {
        return Security::default();
    };
    let default = doc
        .get("security")
        .and_then(Value::as_array)
        .and_then(|r| requirement(r));
    let used = usage(doc, refs, default.as_deref());
    let primary = default
        .clone()
        .or_else(|| {
            used.iter()
                .max_by_key(|(_, operations)| operations.len())
                .map(|(name, _)| name.clone())
        })
        .or_else(|| schemes.keys().next().cloned());
    let base_url = plan.sections.environments.staging_url.clone();
    let mut security = Security {
        default,
        ..Security::default()
    };
    let mut extra_steps = Vec::new();
    for (name, definition) in schemes {
        let at = pointer(&["components", "securitySchemes", name]);
        let Some(definition) = refs.resolve(definition) else {
            plan.notes.push(format!(
                "{at}: its $ref points nowhere in the file; not imported."
            ));
            continue;
        };
        let scheme = scheme(definition, &base_url);
        security.headers.insert(name.clone(), scheme.header.clone());
        let operations = used.get(name).cloned().unwrap_or_default();
        let is_primary = primary.as_deref() == Some(name.as_str());
        if !is_primary && operations.is_empty() {
            plan.notes.push(format!(
                "{at}: {} is defined but no operation uses it; not imported.",
                scheme.label
            ));
            continue;
        }
        let credentials = &mut plan.sections.credentials.items;
        for credential in scheme.credentials {
            if !credentials.iter().any(|c| c.name == credential.name) {
                credentials.push(credential);
            }
        }
        if is_primary {
            plan.sections.authentication.scheme = Some(scheme.kind);
            plan.sections.authentication.steps = scheme.steps;
            if scheme.kind == AuthScheme::Other {
                plan.notes.push(format!(
                    "{at}: {} is not a scheme a bot can use unattended; say in Authentication how Haptik should authenticate.",
                    scheme.label
                ));
            }
        } else {
            let shown: Vec<&str> = operations.iter().take(5).map(String::as_str).collect();
            let more = operations.len().saturating_sub(5);
            let which = if more > 0 {
                format!("{} and {more} more", shown.join(", "))
            } else {
                shown.join(", ")
            };
            extra_steps.push(format!(
                "{which} use {} instead. {}",
                scheme.label, scheme.steps
            ));
            plan.notes.push(format!(
                "{at}: a second scheme, {}, is used by {which}; those endpoints carry its header and the Authentication steps describe it.",
                scheme.label
            ));
        }
    }
    if !extra_steps.is_empty() {
        let steps = &mut plan.sections.authentication.steps;
        *steps = format!("{steps}\n{}", extra_steps.join("\n"))
            .trim()
            .to_string();
    }
    security
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_behind_a_referenced_path_item_counts_for_its_scheme() {
        let doc = serde_json::json!({
            "components": {"securitySchemes": {
                "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
                "oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://a.example/token", "scopes": {}}}}
            }},
            "security": [{"key": []}],
            "paths": {"/a": {"$ref": "#/x-items/a"}},
            "x-items": {"a": {"post": {"security": [{"oauth": []}]}}}
        });
        let refs = Refs::new(&doc);
        let mut plan = Plan::default();
        authentication(&doc, &refs, &mut plan);
        assert!(
            plan.notes.iter().any(|n| n.contains("is used by POST /a")),
            "{:?}",
            plan.notes
        );
    }

    #[test]
    fn a_relative_token_url_is_made_absolute_against_the_server() {
        assert_eq!(
            absolute("/v1/oauth2/token", "https://api-m.sandbox.paypal.com/v1"),
            "https://api-m.sandbox.paypal.com/v1/oauth2/token"
        );
        assert_eq!(
            absolute("https://auth.example.com/token", "https://api.example.com"),
            "https://auth.example.com/token"
        );
        assert_eq!(absolute("/token", ""), "/token");
    }
}
