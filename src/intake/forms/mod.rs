//! What the intake forms send, and how it becomes section and endpoint data. Parsing never
//! loses input: it returns the data as typed (cleaned where valid) plus a message per bad field.

mod endpoint;
mod section;
pub mod table_edits;

use serde::Deserialize;

pub use endpoint::{EndpointForm, convert_in_form, endpoint, redact_form};
pub use section::{SectionForm, redact_section, section};
pub use table_edits::RowEdit;

use super::secrets;
use super::validate::{self, MAX_SHORT, MAX_TEXT};
use crate::domain::example::{self as json_example, JsonCheck};
use crate::domain::model::BodyFormat;
use crate::web::forms::FieldErrors;

/// The result of reading a form: the data to save or show again, and what is wrong with it.
pub struct Parsed<T> {
    pub data: T,
    pub errors: FieldErrors,
    /// Fields that look like live secrets: (field key, kind) for the audit when the user insists.
    pub secrets: Vec<(String, &'static str)>,
    /// Fields holding almost-JSON that can be converted: (field key, strict JSON).
    pub convertible: Vec<(String, String)>,
}

impl<T> Parsed<T> {
    /// The field's value checked by `check`: its cleaned form when valid, else the text as typed
    /// with the message noted against `key`.
    fn field(
        &mut self,
        key: impl Into<String>,
        raw: &str,
        check: impl FnOnce(&str) -> Result<String, String>,
    ) -> String {
        keep(self, key, check(raw), raw)
    }

    fn new(data: T) -> Self {
        Parsed {
            data,
            errors: FieldErrors::default(),
            secrets: Vec::new(),
            convertible: Vec::new(),
        }
    }
}

/// Buttons that change what is shown before saving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Save,
    /// Replace whatever looks like a secret with placeholders, then show the form again.
    RedactSecrets,
    /// Turn almost-JSON in one field into strict JSON, then show the form again.
    ConvertJson(String),
}

impl Action {
    pub fn parse(text: &str) -> Action {
        match text {
            "redact" => Action::RedactSecrets,
            other => match other.strip_prefix("convert:") {
                Some(field) => Action::ConvertJson(field.to_string()),
                None => Action::Save,
            },
        }
    }
}

fn keep<T>(
    parsed: &mut Parsed<T>,
    key: impl Into<String>,
    result: Result<String, String>,
    raw: &str,
) -> String {
    match result {
        Ok(value) => value,
        Err(message) => {
            parsed.errors.add(key, message);
            raw.to_string()
        }
    }
}

/// Text that must not carry a live secret unless the user insists.
fn guard_secret<T>(parsed: &mut Parsed<T>, key: &str, text: &str, insist: bool) {
    guard_named_secret(parsed, key, None, text, insist);
}

/// The same for the value of a named field (a parameter's example, a header's value), judged as
/// the import judges it: an id-named field holds no random key.
fn guard_named_secret<T>(
    parsed: &mut Parsed<T>,
    key: &str,
    name: Option<&str>,
    text: &str,
    insist: bool,
) {
    let findings = match name {
        Some(name) => secrets::scan_named(name, text),
        None => secrets::scan(text),
    };
    if let Some(first) = findings.first() {
        parsed
            .secrets
            .push((key.to_string(), first.kind.describe()));
        if !insist && let Some(warning) = secrets::warning_for(&findings) {
            parsed.errors.add(key, warning);
        }
    }
}

/// A JSON example: must parse when given; almost-JSON gets an offer to convert.
fn guard_json<T>(parsed: &mut Parsed<T>, key: &str, text: &str) {
    let check = json_example::check(text);
    if let Some(message) = check.message() {
        parsed.errors.add(key, message);
    }
    if let JsonCheck::Invalid {
        strict: Some(strict),
        ..
    } = check
    {
        parsed.convertible.push((key.to_string(), strict));
    }
}

/// An example in any format: JSON as above, the others by their own check.
fn guard_example<T>(parsed: &mut Parsed<T>, key: &str, text: &str, format: BodyFormat) {
    if format == BodyFormat::Json {
        guard_json(parsed, key, text);
    } else if let Err(message) = format.check_example(text) {
        parsed.errors.add(key, message);
    }
}

/// Rows in any one table; more get a message beside the table.
pub const MAX_ROWS: usize = 100;
/// Raw rows a request may carry at all (pages add two blank rows per table); only a crafted
/// request comes near it.
const MAX_RAW_ROWS: usize = 1000;

fn limit_rows<T>(parsed: &mut Parsed<T>, rows: usize) {
    if rows > MAX_ROWS {
        parsed.errors.add(
            "table",
            format!("A table holds at most {MAX_ROWS} rows; clear some rows to remove them."),
        );
    }
}

/// Any example body, JSON or not, is at most 64 KiB.
fn guard_size<T>(parsed: &mut Parsed<T>, key: &str, text: &str) {
    if text.len() > json_example::MAX_EXAMPLE_BYTES {
        parsed.errors.add(
            key,
            "The example is larger than 64 KiB; paste a shorter, representative sample.",
        );
    }
}

/// Repeated form fields, row by row. A row counts only if one of its typed columns (`typed`, by
/// index) has text: drop-downs always send a value, so they cannot tell a blank row from a used one.
fn rows<const N: usize>(columns: [&Vec<String>; N], typed: &[usize]) -> Vec<[String; N]> {
    let len = columns.iter().map(|c| c.len()).max().unwrap_or(0);
    (0..len)
        .map(|i| columns.map(|c| c.get(i).cloned().unwrap_or_default()))
        .filter(|row| {
            typed
                .iter()
                .any(|&column| row.get(column).is_some_and(|cell| !cell.trim().is_empty()))
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OverviewForm {
    pub version: i32,
    pub name: String,
    pub purpose: String,
}

pub fn overview(form: &OverviewForm) -> Parsed<(String, String)> {
    let mut parsed = Parsed::new((String::new(), String::new()));
    let name = form.name.trim();
    if name.is_empty() {
        parsed.errors.add(
            "integration_name",
            "Give the integration a name, e.g. “Order tracking APIs”.",
        );
    }
    let name = keep(
        &mut parsed,
        "integration_name",
        validate::text(name, MAX_SHORT),
        &form.name,
    );
    let purpose = parsed.field("integration_purpose", &form.purpose, |raw| {
        validate::text(raw, MAX_TEXT)
    });
    parsed.data = (name, purpose);
    parsed
}

#[cfg(test)]
mod tests {
    use super::section::credential_name;
    use super::*;

    fn otp_form() -> EndpointForm {
        EndpointForm {
            name: "API to generate OTP".into(),
            purpose: "Sends a one-time password to the customer's mobile.".into(),
            method: "POST".into(),
            path: "/pchflih/otp/v1/generateOTP".into(),
            header_name: vec!["Authorization".into(), "Content-Type".into(), String::new()],
            header_value: vec![
                "Bearer <<token>>".into(),
                "application/json".into(),
                String::new(),
            ],
            request_example: r#"{"mobileNo": "9928056506", "Attempt id": "1"}"#.into(),
            success_status: "200".into(),
            success_example:
                r#"{ status:"success", status_code:"SUCC001", message:"Request Successful" }"#
                    .into(),
            ..EndpointForm::default()
        }
    }

    #[test]
    fn the_samples_almost_json_success_body_is_caught_and_convertible() {
        let parsed = endpoint(&otp_form());
        let message = parsed.errors.get("success_example").expect("flagged");
        assert!(message.contains("line 1, column 3"), "{message}");
        assert_eq!(parsed.convertible.len(), 1);
        assert!(parsed.convertible[0].1.contains("\"status\": \"success\""));
        assert_eq!(
            parsed.data.headers.len(),
            2,
            "the blank header row is dropped"
        );
        assert!(
            parsed.errors.get("request_example").is_none(),
            "a key with a space is fine JSON"
        );
    }

    #[test]
    fn a_pasted_token_is_refused_unless_the_user_insists() {
        let mut form = otp_form();
        form.success_example = r#"{"status": "success"}"#.into();
        form.header_value[0] = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U".into();
        let parsed = endpoint(&form);
        assert!(parsed.errors.get("header_value_0").is_some());
        form.insist = Some("1".into());
        let parsed = endpoint(&form);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.secrets.len(), 1, "kept for the audit");
        form.insist = None;
        redact_form(&mut form);
        let parsed = endpoint(&form);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.data.headers[0].value, "Bearer <<jwt>>");
    }

    #[test]
    fn credential_names_must_be_written_as_sent() {
        assert_eq!(credential_name("consumer_key").unwrap(), "consumer_key");
        assert!(
            credential_name("consumer key")
                .unwrap_err()
                .contains("consumer_key")
        );
    }
}

#[cfg(test)]
mod row_tests {
    use super::*;
    use crate::domain::model::*;

    #[test]
    fn a_blank_row_with_a_preselected_drop_down_is_not_a_row() {
        let form = SectionForm {
            cred_name: vec!["consumer_key".into(), String::new(), String::new()],
            cred_location: vec!["body".into(), "header".into(), "header".into()],
            cred_description: vec![String::new(), String::new(), String::new()],
            ..SectionForm::default()
        };
        let mut sections = Sections::default();
        let parsed = section(SectionId::Credentials, &form, &mut sections);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(sections.credentials.items.len(), 1);
        assert_eq!(sections.credentials.items[0].location, Location::Body);
    }
}
