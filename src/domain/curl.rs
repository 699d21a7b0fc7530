//! Ready-to-run requests built from what the partner entered: the full URL per environment and a
//! `curl` command with the headers (placeholders as typed) and the example body.

use super::media::{BodyFormat, form_fields};
use super::model::{EndpointSpec, Location};

/// The environment's base URL joined to the endpoint's path, with example query parameters, as
/// a developer reads it: `<<placeholders>>` left readable for them to fill in.
pub fn full_url(base: &str, spec: &EndpointSpec) -> Option<String> {
    request_url(base, spec).map(|url| url.replace("%3C%3C", "<<").replace("%3E%3E", ">>"))
}

/// The same URL as a client sends it: every query value form-encoded.
pub fn request_url(base: &str, spec: &EndpointSpec) -> Option<String> {
    let base = base.trim().trim_end_matches('/');
    if base.is_empty() || spec.path.trim().is_empty() {
        return None;
    }
    let path = spec.path.trim();
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    let query: Vec<String> = spec
        .parameters
        .iter()
        .filter(|p| p.location == Location::Query && !p.name.trim().is_empty())
        .map(|p| {
            let value = if p.example.trim().is_empty() {
                format!("<<{}>>", p.name.trim())
            } else {
                p.example.trim().to_string()
            };
            format!("{}={}", encode(p.name.trim()), encode(&value))
        })
        .collect();
    Some(if query.is_empty() {
        format!("{base}{path}")
    } else {
        format!("{base}{path}?{}", query.join("&"))
    })
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A shell command a developer can paste; one argument per line for reading.
pub fn command(base: &str, spec: &EndpointSpec) -> Option<String> {
    let url = full_url(base, spec)?;
    let method = spec.method.map_or("GET", |m| m.as_str());
    let mut parts = vec![format!("curl -X {method} {}", quote(&url))];
    for header in spec.headers.iter().filter(|h| !h.name.trim().is_empty()) {
        parts.push(format!(
            "-H {}",
            quote(&format!("{}: {}", header.name.trim(), header.value.trim()))
        ));
    }
    let sends_body = spec.sends_body();
    if sends_body && !spec.request_example.trim().is_empty() {
        parts.extend(body_arguments(spec));
    }
    Some(parts.join(" \\\n  "))
}

/// The example body as curl arguments: form fields one by one (curl encodes them and sets the
/// form's Content-Type), anything else as written.
fn body_arguments(spec: &EndpointSpec) -> Vec<String> {
    let example = spec.request_example.trim();
    let fields = match spec.body_format {
        BodyFormat::Form | BodyFormat::Multipart => form_fields(example).ok(),
        _ => None,
    };
    match (spec.body_format, fields) {
        (BodyFormat::Form, Some(fields)) => fields
            .iter()
            .map(|(name, value)| format!("--data-urlencode {}", quote(&format!("{name}={value}"))))
            .collect(),
        // `-F` reads `@` and `<` at the start of a value as a file; `--form-string` never does.
        (BodyFormat::Multipart, Some(fields)) => fields
            .iter()
            .map(|(name, value)| format!("--form-string {}", quote(&format!("{name}={value}"))))
            .collect(),
        _ => vec![format!("--data-raw {}", quote(example))],
    }
}

/// Single-quotes for POSIX shells: nothing inside is interpreted; a quote is closed, escaped, reopened.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{Header, HttpMethod, Parameter};

    fn otp() -> EndpointSpec {
        EndpointSpec {
            method: Some(HttpMethod::Post),
            path: "/pchflih/otp/v1/generateOTP".into(),
            headers: vec![
                Header {
                    name: "Authorization".into(),
                    value: "Bearer <<token>>".into(),
                },
                Header {
                    name: "Content-Type".into(),
                    value: "application/json".into(),
                },
            ],
            request_example: r#"{"mobileNo": "9928056506", "Attempt id": "1"}"#.into(),
            ..EndpointSpec::default()
        }
    }

    #[test]
    fn the_sample_otp_request_becomes_a_curl_command() {
        let command = command("https://apisit.xyz.com/", &otp()).unwrap();
        assert_eq!(
            command,
            "curl -X POST 'https://apisit.xyz.com/pchflih/otp/v1/generateOTP' \\\n  \
             -H 'Authorization: Bearer <<token>>' \\\n  \
             -H 'Content-Type: application/json' \\\n  \
             --data-raw '{\"mobileNo\": \"9928056506\", \"Attempt id\": \"1\"}'"
        );
    }

    #[test]
    fn form_bodies_are_sent_field_by_field_in_their_own_encoding() {
        let mut spec = EndpointSpec {
            method: Some(HttpMethod::Post),
            path: "/v2/Services/VA1/Verifications".into(),
            body_format: BodyFormat::Form,
            request_example: "To=%2B919928056506\nChannel=sms".into(),
            ..EndpointSpec::default()
        };
        let command = command("https://verify.example", &spec).unwrap();
        assert!(
            command.ends_with(
                "--data-urlencode 'To=+919928056506' \\\n  --data-urlencode 'Channel=sms'"
            ),
            "{command}"
        );
        spec.body_format = BodyFormat::Multipart;
        let command = command_for(&spec);
        assert!(
            command.contains("--form-string 'To=+919928056506'"),
            "{command}"
        );
        spec.body_format = BodyFormat::Xml;
        spec.request_example = "<a>1</a>".into();
        assert!(command_for(&spec).ends_with("--data-raw '<a>1</a>'"));
    }

    fn command_for(spec: &EndpointSpec) -> String {
        command("https://verify.example", spec).unwrap()
    }

    #[test]
    fn placeholders_stay_readable_where_people_read_the_url() {
        let spec = EndpointSpec {
            method: Some(HttpMethod::Get),
            path: "/orders".into(),
            parameters: vec![Parameter {
                name: "status".into(),
                location: Location::Query,
                ..Default::default()
            }],
            ..EndpointSpec::default()
        };
        assert_eq!(
            full_url("https://x.example", &spec).unwrap(),
            "https://x.example/orders?status=<<status>>"
        );
        assert_eq!(
            request_url("https://x.example", &spec).unwrap(),
            "https://x.example/orders?status=%3C%3Cstatus%3E%3E"
        );
    }

    #[test]
    fn quotes_inside_values_cannot_break_out_of_the_shell_string() {
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$(rm -rf /)"), "'$(rm -rf /)'");
    }

    #[test]
    fn query_parameters_join_the_url_and_gets_send_no_body() {
        let spec = EndpointSpec {
            method: Some(HttpMethod::Get),
            path: "/orders".into(),
            parameters: vec![Parameter {
                name: "order id".into(),
                location: Location::Query,
                example: "ORD 1".into(),
                ..Default::default()
            }],
            request_example: "{}".into(),
            ..EndpointSpec::default()
        };
        assert_eq!(
            full_url("https://x.example", &spec).unwrap(),
            "https://x.example/orders?order+id=ORD+1"
        );
        assert!(
            !command("https://x.example", &spec)
                .unwrap()
                .contains("--data-raw")
        );
        assert!(full_url("", &spec).is_none());
    }
}
