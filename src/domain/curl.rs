//! Ready-to-run requests built from what the partner entered: the full URL per environment and a
//! `curl` command with the headers (placeholders as typed) and the example body.

use super::model::{EndpointSpec, Location};

/// The environment's base URL joined to the endpoint's path, with example query parameters.
pub fn full_url(base: &str, spec: &EndpointSpec) -> Option<String> {
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
    let sends_body = spec.method.is_some_and(|m| m.has_request_body());
    if sends_body && !spec.request_example.trim().is_empty() {
        parts.push(format!("--data-raw {}", quote(spec.request_example.trim())));
    }
    Some(parts.join(" \\\n  "))
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
