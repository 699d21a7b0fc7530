//! A collection's or request's `auth` → the authentication section, credential names, and the
//! header each request carries.

use serde_json::Value;

use super::{Plan, placeholders, text};
use crate::domain::model::*;
use crate::interop::import::schema::as_text;

pub(super) fn authentication(auth: &Value, plan: &mut Plan) -> Option<Header> {
    let kind = text(auth.get("type"));
    // v2.1 lists an auth's fields as key/value rows; v2.0 as an object.
    let field = |name: &str| -> String {
        let value = match auth.get(&kind) {
            Some(Value::Array(fields)) => fields
                .iter()
                .find(|f| f.get("key").and_then(Value::as_str) == Some(name))
                .and_then(|f| f.get("value")),
            Some(Value::Object(fields)) => fields.get(name),
            _ => None,
        };
        value.map(as_text).unwrap_or_default()
    };
    let section = &mut plan.sections.authentication;
    let credentials = &mut plan.sections.credentials.items;
    match kind.as_str() {
        "bearer" => {
            section.scheme.get_or_insert(AuthScheme::BearerToken);
            Some(Header {
                name: "Authorization".into(),
                value: "Bearer <<token>>".into(),
            })
        }
        "basic" => {
            section.scheme.get_or_insert(AuthScheme::Basic);
            Some(Header {
                name: "Authorization".into(),
                value: "Basic <<credentials>>".into(),
            })
        }
        "apikey" => {
            section.scheme.get_or_insert(AuthScheme::ApiKey);
            let name = match field("key") {
                key if key.is_empty() => "X-API-Key".to_string(),
                key => key,
            };
            let in_query = field("in") == "query";
            if !credentials.iter().any(|c| c.name == name) {
                credentials.push(CredentialName {
                    name: name.clone(),
                    location: if in_query {
                        Location::Query
                    } else {
                        Location::Header
                    },
                    description: "API key".into(),
                });
            }
            (!in_query).then(|| Header {
                value: format!("<<{name}>>"),
                name,
            })
        }
        "oauth2" => {
            let grant = field("grant_type");
            let token_url = placeholders(&field("accessTokenUrl"));
            if grant.is_empty() || grant == "client_credentials" {
                section
                    .scheme
                    .get_or_insert(AuthScheme::Oauth2ClientCredentials);
                for name in ["client_id", "client_secret"] {
                    if !credentials.iter().any(|c| c.name == name) {
                        credentials.push(CredentialName {
                            name: name.into(),
                            location: Location::Body,
                            description: "OAuth 2 client credentials".into(),
                        });
                    }
                }
            } else {
                section.scheme.get_or_insert(AuthScheme::Other);
            }
            if !token_url.is_empty() && !section.steps.contains(&token_url) {
                let step = format!(
                    "Get an access token from {token_url} (OAuth 2, grant type {}), then send it as a bearer token.",
                    if grant.is_empty() {
                        "client_credentials"
                    } else {
                        grant.as_str()
                    }
                );
                section.steps = format!("{step}\n{}", section.steps).trim().to_string();
            }
            Some(Header {
                name: "Authorization".into(),
                value: "Bearer <<token>>".into(),
            })
        }
        "noauth" | "" => None,
        _ => {
            section.scheme.get_or_insert(AuthScheme::Other);
            None
        }
    }
}
