//! From what the partner documented to the request a check sends: the staging URL joined to the
//! endpoint, its headers and example body, and the promise the answer is judged against. Values
//! written as `<<name>>` are asked for in one-time fields and substituted only in memory.

use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;

use super::report::Expectation;
use crate::domain::curl;
use crate::domain::media;
use crate::domain::model::{BodyFormat, EndpointSpec, ErrorScenario, Sections};

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<<([a-z0-9_.-]{1,64})>>|%3C%3C([a-z0-9_.-]{1,64})%3E%3E")
        .expect("pattern compiles")
});

/// Which documented answer a check asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scenario {
    Success,
    /// An error scenario, by its key (see `ErrorScenario` keys below).
    Error(String),
}

impl Scenario {
    /// '' for the success example; stored as the check's `scenario`.
    pub fn key(&self) -> &str {
        match self {
            Scenario::Success => "",
            Scenario::Error(key) => key,
        }
    }

    pub fn from_key(key: &str) -> Scenario {
        if key.is_empty() {
            Scenario::Success
        } else {
            Scenario::Error(key.to_string())
        }
    }
}

/// An error scenario's key: its HTTP status and partner code, which identify it across edits.
pub fn error_key(error: &ErrorScenario) -> String {
    format!("{} {}", error.http_status.trim(), error.partner_code.trim())
        .trim()
        .chars()
        .take(200)
        .collect()
}

pub fn error_label(error: &ErrorScenario) -> String {
    let description = error.description.trim();
    if description.is_empty() {
        format!("Error {}", error_key(error))
    } else {
        format!("Error {}: {description}", error_key(error))
    }
}

/// The documented request, placeholders still in it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub method: hyper::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub status: Option<u16>,
    pub json: bool,
    pub example: Option<serde_json::Value>,
    pub partner_code: Option<String>,
}

/// Changes an error scenario's check may make to the request, because the documented example
/// is the successful one: another path and query, another body.
#[derive(Debug, Clone, Default)]
pub struct Variation {
    pub path_and_query: Option<String>,
    pub body: Option<String>,
}

impl Plan {
    /// `Err` says, for the partner, what is missing before the endpoint can be checked.
    pub fn build(
        sections: &Sections,
        spec: &EndpointSpec,
        scenario: &Scenario,
        variation: &Variation,
    ) -> Result<Plan, String> {
        // The success check sends exactly what is documented; it is the evidence reviewers read.
        let documented_only = Variation::default();
        let variation = match scenario {
            Scenario::Success => &documented_only,
            Scenario::Error(_) => variation,
        };
        let base = sections.environments.staging_url.trim();
        if base.is_empty() {
            return Err("The integration has no staging base URL yet (Environments).".into());
        }
        let Some(method) = spec.method else {
            return Err("The endpoint has no HTTP method yet.".into());
        };
        let documented = curl::request_url(base, spec)
            .ok_or_else(|| "The endpoint has no path yet.".to_string())?;
        let url = match variation.path_and_query.as_deref().map(str::trim) {
            Some(path) if !path.is_empty() => {
                if !path.starts_with('/') || path.starts_with("//") {
                    return Err("The path to send must start with a single /.".into());
                }
                format!("{}{path}", base.trim_end_matches('/'))
            }
            _ => documented,
        };
        let mut headers: Vec<(String, String)> = spec
            .headers
            .iter()
            .filter(|h| !h.name.trim().is_empty())
            .map(|h| (h.name.trim().to_string(), h.value.trim().to_string()))
            .collect();
        let json = spec.response_format() == BodyFormat::Json;
        let body = if spec.sends_body() {
            let text = variation
                .body
                .clone()
                .unwrap_or_else(|| spec.request_example.clone());
            let wire = media::wire_body(spec.body_format, &text);
            let typed = |headers: &Vec<(String, String)>| {
                headers
                    .iter()
                    .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            };
            if let Some(content_type) = wire.content_type.filter(|_| !text.trim().is_empty()) {
                if wire.forced {
                    headers.retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
                }
                if !typed(&headers) {
                    headers.push(("Content-Type".into(), content_type));
                }
            }
            Some(wire.body)
        } else {
            None
        };
        let (status, example, partner_code) = match scenario {
            Scenario::Success => (
                parse_status(&spec.success_status),
                &spec.success_example,
                None,
            ),
            Scenario::Error(key) => {
                let error = spec
                    .errors
                    .iter()
                    .find(|e| &error_key(e) == key)
                    .ok_or_else(|| "That error scenario is no longer documented.".to_string())?;
                let code = error.partner_code.trim();
                (
                    parse_status(&error.http_status),
                    &error.example,
                    (!code.is_empty()).then(|| code.to_string()),
                )
            }
        };
        Ok(Plan {
            method: hyper::Method::from_bytes(method.as_str().as_bytes())
                .expect("documented methods are valid"),
            url,
            headers,
            body,
            status,
            json,
            // Partners' examples are sometimes almost-JSON; the shape is what matters here.
            example: crate::domain::example::parse_relaxed(example),
            partner_code,
        })
    }

    /// "POST https://…/path?x=<<name>>", as stored and shown.
    pub fn target(&self) -> String {
        let url = PLACEHOLDER.replace_all(&self.url, |caps: &regex::Captures| {
            let name = caps
                .get(1)
                .or_else(|| caps.get(2))
                .map_or("", |m| m.as_str());
            format!("<<{name}>>")
        });
        format!("{} {url}", self.method)
            .chars()
            .take(4000)
            .collect()
    }

    /// The names the one-time fields ask values for, in order of first use.
    pub fn placeholders(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let texts = std::iter::once(self.url.as_str())
            .chain(self.headers.iter().map(|(_, v)| v.as_str()))
            .chain(self.body.as_deref());
        for text in texts {
            for caps in PLACEHOLDER.captures_iter(text) {
                let name = caps
                    .get(1)
                    .or_else(|| caps.get(2))
                    .map_or("", |m| m.as_str());
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
            }
        }
        names
    }

    /// The URL, headers and body with the typed values in place of their placeholders.
    pub fn fill(
        &self,
        values: &[(String, String)],
    ) -> (String, Vec<(String, String)>, Option<String>) {
        let fill = |text: &str, encode: bool| {
            PLACEHOLDER
                .replace_all(text, |caps: &regex::Captures| {
                    let (name, encoded) = match (caps.get(1), caps.get(2)) {
                        (Some(name), _) => (name.as_str(), false),
                        (None, Some(name)) => (name.as_str(), true),
                        _ => return caps[0].to_string(),
                    };
                    match values.iter().find(|(n, _)| n == name) {
                        Some((_, value)) if encoded || encode => {
                            url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
                        }
                        Some((_, value)) => value.clone(),
                        None => caps[0].to_string(),
                    }
                })
                .into_owned()
        };
        let url = fill(&self.url, true);
        let headers = self
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), fill(value, false)))
            .collect();
        let body = self.body.as_deref().map(|b| fill(b, false));
        (url, headers, body)
    }

    pub fn expectation(&self, slow_after: Duration) -> Expectation {
        Expectation {
            status: self.status,
            json: self.json,
            example: self.example.clone(),
            partner_code: self.partner_code.clone(),
            slow_after,
        }
    }
}

fn parse_status(text: &str) -> Option<u16> {
    text.trim().parse().ok().filter(|s| (100..600).contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{Header, HttpMethod, Location, Parameter};

    fn otp() -> (Sections, EndpointSpec) {
        let mut sections = Sections::default();
        sections.environments.staging_url = "https://apisit.xyz.com/".into();
        let spec = EndpointSpec {
            method: Some(HttpMethod::Post),
            path: "/otp/v1/generateOTP".into(),
            headers: vec![Header {
                name: "Authorization".into(),
                value: "Bearer <<token>>".into(),
            }],
            parameters: vec![Parameter {
                name: "key".into(),
                location: Location::Query,
                ..Parameter::default()
            }],
            request_example: r#"{"mobileNo": "9928056506"}"#.into(),
            success_status: "200".into(),
            success_example: "{status: 'success', /* ok */ status_code: 'SUCC001',}".into(),
            errors: vec![ErrorScenario {
                http_status: "400".into(),
                partner_code: "ERR001".into(),
                description: "Invalid number".into(),
                example: r#"{"status": "error", "status_code": "ERR001"}"#.into(),
            }],
            ..EndpointSpec::default()
        };
        (sections, spec)
    }

    #[test]
    fn the_documented_request_keeps_placeholders_until_filled() {
        let (sections, spec) = otp();
        let plan =
            Plan::build(&sections, &spec, &Scenario::Success, &Variation::default()).unwrap();
        assert_eq!(
            plan.target(),
            "POST https://apisit.xyz.com/otp/v1/generateOTP?key=<<key>>"
        );
        assert_eq!(plan.placeholders(), vec!["key", "token"]);
        assert_eq!(plan.status, Some(200));
        assert_eq!(plan.example.as_ref().unwrap()["status_code"], "SUCC001");
        assert!(
            plan.headers
                .contains(&("Content-Type".into(), "application/json".into()))
        );
        let (url, headers, _) = plan.fill(&[
            ("token".into(), "abc def".into()),
            ("key".into(), "k&1".into()),
        ]);
        assert_eq!(url, "https://apisit.xyz.com/otp/v1/generateOTP?key=k%261");
        assert_eq!(
            headers[0],
            ("Authorization".into(), "Bearer abc def".into())
        );
    }

    #[test]
    fn a_form_body_is_sent_form_encoded_and_a_multipart_one_with_its_boundary() {
        let (sections, mut spec) = otp();
        spec.body_format = BodyFormat::Form;
        spec.request_example = "To=+919928056506\nChannel=sms".into();
        spec.headers.push(Header {
            name: "Content-Type".into(),
            value: "multipart/form-data".into(),
        });
        let plan =
            Plan::build(&sections, &spec, &Scenario::Success, &Variation::default()).unwrap();
        assert_eq!(plan.body.as_deref(), Some("To=%2B919928056506&Channel=sms"));
        assert!(plan.json, "the answers are still JSON");

        spec.body_format = BodyFormat::Multipart;
        let plan =
            Plan::build(&sections, &spec, &Scenario::Success, &Variation::default()).unwrap();
        let types: Vec<&str> = plan
            .headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.as_str())
            .collect();
        assert_eq!(
            types,
            ["multipart/form-data; boundary=haptik-portal-boundary"]
        );
        assert!(
            plan.body
                .unwrap()
                .contains("name=\"Channel\"\r\n\r\nsms\r\n")
        );
    }

    #[test]
    fn an_error_scenario_takes_its_own_request_and_promise() {
        let (sections, spec) = otp();
        let key = error_key(&spec.errors[0]);
        assert_eq!(key, "400 ERR001");
        let variation = Variation {
            path_and_query: Some("/otp/v1/generateOTP?key=<<key>>".into()),
            body: Some(r#"{"mobileNo": "1"}"#.into()),
        };
        let plan = Plan::build(&sections, &spec, &Scenario::Error(key), &variation).unwrap();
        assert_eq!(
            (plan.status, plan.partner_code.as_deref()),
            (Some(400), Some("ERR001"))
        );
        assert_eq!(plan.body.as_deref(), Some(r#"{"mobileNo": "1"}"#));
        let gone = Plan::build(
            &sections,
            &spec,
            &Scenario::Error("500 X".into()),
            &variation,
        );
        assert!(gone.unwrap_err().contains("no longer documented"));
        let escape = Variation {
            path_and_query: Some("//evil.example/".into()),
            body: None,
        };
        assert!(
            Plan::build(
                &sections,
                &spec,
                &Scenario::Error("400 ERR001".into()),
                &escape
            )
            .is_err()
        );
        let ignored = Plan::build(&sections, &spec, &Scenario::Success, &escape).unwrap();
        assert!(ignored.url.starts_with("https://apisit.xyz.com/otp/"));
    }
}
