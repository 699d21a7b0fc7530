//! How the exports describe authentication: the integration's scheme (from its Authentication
//! section and credential names) and, per endpoint, the scheme its own headers show, so a request
//! that authenticates differently (a bearer token where the others send an API key) says so.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Value, json};

use crate::domain::model::{AuthScheme, EndpointSpec, Location, Sections};

/// How one request authenticates, as its headers show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestAuth {
    Bearer,
    Basic,
    ApiKey,
}

/// The API key's name and where it goes, from the credential names.
pub fn api_key(sections: &Sections) -> (String, Location) {
    sections
        .credentials
        .items
        .iter()
        .find(|c| matches!(c.location, Location::Header | Location::Query) && !c.name.is_empty())
        .map_or(("Authorization".into(), Location::Header), |c| {
            (c.name.clone(), c.location)
        })
}

/// The integration's own scheme, as a request shows it; None for no authentication.
pub fn integration_auth(sections: &Sections) -> Option<RequestAuth> {
    match sections.authentication.scheme? {
        AuthScheme::None => None,
        AuthScheme::BearerToken | AuthScheme::Oauth2ClientCredentials => Some(RequestAuth::Bearer),
        AuthScheme::Basic => Some(RequestAuth::Basic),
        AuthScheme::ApiKey | AuthScheme::HmacSignature | AuthScheme::Other => {
            Some(RequestAuth::ApiKey)
        }
    }
}

/// What an endpoint's headers show about how it authenticates: an `Authorization: Bearer …` or
/// `Basic …` header, or the API key's header. None when they show nothing (it follows the
/// integration's scheme).
pub fn endpoint_auth(spec: &EndpointSpec, sections: &Sections) -> Option<RequestAuth> {
    let (key, place) = api_key(sections);
    spec.headers.iter().find_map(|h| {
        let name = h.name.trim();
        let value = h.value.trim().to_ascii_lowercase();
        if name.eq_ignore_ascii_case("authorization") && value.starts_with("bearer ") {
            Some(RequestAuth::Bearer)
        } else if name.eq_ignore_ascii_case("authorization") && value.starts_with("basic ") {
            Some(RequestAuth::Basic)
        } else if place == Location::Header && name.eq_ignore_ascii_case(&key) {
            Some(RequestAuth::ApiKey)
        } else {
            None
        }
    })
}

static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"https?://[^\s<>()]+").expect("a fixed pattern compiles"));

/// The token endpoint the Authentication steps name for OAuth 2 client credentials: the first
/// URL in them that mentions a token or OAuth.
pub fn token_url(steps: &str) -> Option<String> {
    URL.find_iter(steps)
        .map(|m| {
            m.as_str()
                .trim_end_matches(['.', ',', ';', ':'])
                .to_string()
        })
        .find(|url| {
            let lower = url.to_ascii_lowercase();
            lower.contains("token") || lower.contains("oauth")
        })
}

/// The header a request of this kind carries, written as the collection importer writes it;
/// a header exactly so is left to the collection's `auth`.
pub fn usual_header(auth: RequestAuth, sections: &Sections) -> (String, String) {
    match auth {
        RequestAuth::Bearer => ("Authorization".into(), "Bearer <<token>>".into()),
        RequestAuth::Basic => ("Authorization".into(), "Basic <<credentials>>".into()),
        RequestAuth::ApiKey => {
            let (name, _) = api_key(sections);
            (name.clone(), format!("<<{name}>>"))
        }
    }
}

/// Postman's `auth` for a scheme, its values as `{{variables}}` (added to `variables`). The
/// integration's OAuth 2 client credentials become Postman's oauth2 with the token URL.
pub fn postman_auth(
    auth: RequestAuth,
    sections: &Sections,
    own: bool,
    variables: &mut BTreeSet<String>,
) -> Value {
    let row = |key: &str, value: &str| json!({ "key": key, "value": value, "type": "string" });
    let oauth = own && sections.authentication.scheme == Some(AuthScheme::Oauth2ClientCredentials);
    match (
        auth,
        token_url(&sections.authentication.steps).filter(|_| oauth),
    ) {
        (RequestAuth::Bearer, Some(url)) => {
            variables.extend(["client_id", "client_secret", "token"].map(String::from));
            json!({ "type": "oauth2", "oauth2": [
                row("grant_type", "client_credentials"),
                row("accessTokenUrl", &url),
                row("clientId", "{{client_id}}"),
                row("clientSecret", "{{client_secret}}"),
                row("accessToken", "{{token}}"),
                row("tokenType", "Bearer"),
                row("addTokenTo", "header"),
            ] })
        }
        (RequestAuth::Bearer, None) => {
            variables.insert("token".into());
            json!({ "type": "bearer", "bearer": [row("token", "{{token}}")] })
        }
        (RequestAuth::Basic, _) => {
            variables.extend(["username", "password"].map(String::from));
            json!({ "type": "basic", "basic": [
                row("username", "{{username}}"),
                row("password", "{{password}}"),
            ] })
        }
        (RequestAuth::ApiKey, _) => {
            let (name, place) = api_key(sections);
            variables.insert(name.clone());
            json!({ "type": "apikey", "apikey": [
                row("key", &name),
                row("value", &format!("{{{{{name}}}}}")),
                row("in", place.as_str()),
            ] })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{CredentialName, Header};

    #[test]
    fn an_endpoint_shows_its_own_scheme_by_its_headers() {
        let mut sections = Sections::default();
        sections.authentication.scheme = Some(AuthScheme::ApiKey);
        sections.credentials.items.push(CredentialName {
            name: "X-API-Key".into(),
            location: Location::Header,
            description: String::new(),
        });
        let with = |name: &str, value: &str| EndpointSpec {
            headers: vec![Header {
                name: name.into(),
                value: value.into(),
            }],
            ..EndpointSpec::default()
        };
        assert_eq!(integration_auth(&sections), Some(RequestAuth::ApiKey));
        assert_eq!(
            endpoint_auth(&with("x-api-key", "<<X-API-Key>>"), &sections),
            Some(RequestAuth::ApiKey)
        );
        assert_eq!(
            endpoint_auth(&with("Authorization", "Bearer <<token>>"), &sections),
            Some(RequestAuth::Bearer)
        );
        assert_eq!(
            endpoint_auth(&with("Accept", "application/json"), &sections),
            None
        );
    }

    #[test]
    fn the_token_url_is_read_from_the_steps() {
        assert_eq!(
            token_url("Get an access token from https://auth.example.com/oauth/token with the client credentials.").as_deref(),
            Some("https://auth.example.com/oauth/token")
        );
        assert_eq!(token_url("See https://docs.example.com first."), None);
    }
}
