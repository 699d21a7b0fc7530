//! What one part of an endpoint says that another part contradicts: an error's code missing from
//! the status-code table, a path template with no path parameter (or the reverse), example fields
//! that are not declared parameters. Warnings beside the field, never refusals: either side may
//! be the one to fix.

use std::collections::BTreeSet;

use super::media::{BodyFormat, form_fields};
use super::model::{EndpointSpec, Location, Sections, row_key};

/// A warning and the form field it belongs beside (`path`, `request_example`, `error_code_0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contradiction {
    pub field: String,
    pub message: String,
}

pub fn contradictions(sections: &Sections, spec: &EndpointSpec) -> Vec<Contradiction> {
    let mut found = Vec::new();
    let mut say = |field: String, message: String| found.push(Contradiction { field, message });

    let table: BTreeSet<&str> = sections
        .status_codes
        .items
        .iter()
        .map(|c| c.code.trim())
        .filter(|c| !c.is_empty())
        .collect();
    if !table.is_empty() {
        for (i, error) in spec.errors.iter().enumerate() {
            let code = error.partner_code.trim();
            if !code.is_empty() && !table.contains(code) {
                say(
                    row_key("error_code", i),
                    format!(
                        "{code} is not in the integration's status-code table; add it there, or correct the code."
                    ),
                );
            }
        }
    }

    let templates = path_templates(&spec.path);
    let declared: BTreeSet<&str> = spec
        .parameters
        .iter()
        .filter(|p| p.location == Location::Path)
        .map(|p| p.name.trim())
        .collect();
    let undeclared: Vec<&str> = templates
        .iter()
        .map(String::as_str)
        .filter(|t| !declared.contains(t))
        .collect();
    if !undeclared.is_empty() {
        say(
            "path".into(),
            format!(
                "The path names {} but no path parameter of that name is declared; add it under Parameters.",
                undeclared
                    .iter()
                    .map(|t| format!("{{{t}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let unused: Vec<&str> = declared
        .iter()
        .copied()
        .filter(|d| !d.is_empty() && !templates.iter().any(|t| t == d))
        .collect();
    if !unused.is_empty() {
        say(
            "parameters".into(),
            format!(
                "Path parameter(s) {} appear nowhere in the path; write them into it as {{name}}.",
                unused.join(", ")
            ),
        );
    }

    let body: Vec<(&str, bool)> = spec
        .parameters
        .iter()
        .filter(|p| p.location == Location::Body && !p.name.trim().is_empty())
        .map(|p| (p.name.trim(), p.required))
        .collect();
    if let (false, Some(keys)) = (body.is_empty(), example_keys(spec)) {
        let stray: Vec<&str> = keys
            .iter()
            .map(String::as_str)
            .filter(|k| !body.iter().any(|(name, _)| name == k))
            .collect();
        let missing: Vec<&str> = body
            .iter()
            .filter(|(name, required)| *required && !keys.iter().any(|k| k == name))
            .map(|(name, _)| *name)
            .collect();
        if !stray.is_empty() {
            say(
                "request_example".into(),
                format!(
                    "The example sends {}, which no body parameter declares.",
                    stray.join(", ")
                ),
            );
        }
        if !missing.is_empty() {
            say(
                "request_example".into(),
                format!(
                    "The example leaves out the mandatory parameter(s) {}.",
                    missing.join(", ")
                ),
            );
        }
    }
    found
}

/// The top-level field names of the request example, when it is a JSON object or form fields.
fn example_keys(spec: &EndpointSpec) -> Option<Vec<String>> {
    let text = spec.request_example.trim();
    if text.is_empty() {
        return None;
    }
    match spec.body_format {
        BodyFormat::Json => super::example::parse_relaxed(text)?
            .as_object()
            .map(|o| o.keys().cloned().collect()),
        BodyFormat::Form | BodyFormat::Multipart => form_fields(text)
            .ok()
            .map(|fields| fields.into_iter().map(|(name, _)| name).collect()),
        _ => None,
    }
}

/// `{name}` templates in a path.
pub fn path_templates(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = after[..close].trim();
        if !name.is_empty() && !name.contains('/') {
            names.push(name.to_string());
        }
        rest = &after[close + 1..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{ErrorScenario, Parameter, StatusCode};

    #[test]
    fn each_contradiction_is_named_beside_its_field() {
        let mut sections = Sections::default();
        sections.status_codes.items.push(StatusCode {
            code: "ERR001".into(),
            ..StatusCode::default()
        });
        let spec = EndpointSpec {
            path: "/loans/{id}/payments".into(),
            parameters: vec![
                Parameter {
                    name: "loanId".into(),
                    location: Location::Path,
                    ..Parameter::default()
                },
                Parameter {
                    name: "amount".into(),
                    location: Location::Body,
                    required: true,
                    ..Parameter::default()
                },
            ],
            request_example: r#"{"amt": 5}"#.into(),
            errors: vec![
                ErrorScenario {
                    partner_code: "ERR001".into(),
                    ..ErrorScenario::default()
                },
                ErrorScenario {
                    partner_code: "ERR002".into(),
                    ..ErrorScenario::default()
                },
            ],
            ..EndpointSpec::default()
        };
        let found = contradictions(&sections, &spec);
        let fields: Vec<&str> = found.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "error_code_1",
                "path",
                "parameters",
                "request_example",
                "request_example"
            ]
        );
        assert!(found[0].message.starts_with("ERR002 is not in"));
        assert!(found[1].message.contains("{id}"));
        assert!(found[3].message.contains("amt"));
        assert!(found[4].message.contains("amount"));
    }

    #[test]
    fn an_endpoint_that_agrees_with_itself_has_none() {
        let spec = EndpointSpec {
            path: "/loans/{id}".into(),
            parameters: vec![Parameter {
                name: "id".into(),
                location: Location::Path,
                ..Parameter::default()
            }],
            request_example: "{}".into(),
            ..EndpointSpec::default()
        };
        assert!(contradictions(&Sections::default(), &spec).is_empty());
    }
}
