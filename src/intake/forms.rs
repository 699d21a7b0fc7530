//! What the intake forms send, and how it becomes section and endpoint data. Parsing never
//! loses input: it returns the data as typed (cleaned where valid) plus a message per bad field.

use serde::Deserialize;

use super::secrets;
use super::validate::{self, MAX_SHORT, MAX_TEXT};
use crate::domain::example::{self as json_example, JsonCheck};
use crate::domain::model::*;
use crate::web::forms::{FieldErrors, row_key};

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
    let findings = secrets::scan(text);
    if let Some(first) = findings.first() {
        parsed
            .secrets
            .push((key.to_string(), first.kind.describe()));
        if !insist && let Some(warning) = secrets::warning(text) {
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

/// Rows in any one table; more get a message beside the table.
pub const MAX_ROWS: usize = 100;
/// Raw rows a request may carry at all (pages add two blank rows per table); only a crafted
/// request comes near it.
const MAX_RAW_ROWS: usize = 1000;

impl SectionForm {
    pub fn too_many_rows(&self) -> bool {
        [
            &self.cred_name,
            &self.cred_location,
            &self.cred_description,
            &self.sc_code,
            &self.sc_message,
            &self.sc_http_status,
            &self.sc_meaning,
            &self.td_label,
            &self.td_value,
            &self.td_note,
        ]
        .iter()
        .any(|column| column.len() > MAX_RAW_ROWS)
    }
}

impl EndpointForm {
    pub fn too_many_rows(&self) -> bool {
        [
            &self.header_name,
            &self.header_value,
            &self.param_name,
            &self.param_in,
            &self.param_type,
            &self.param_required,
            &self.param_description,
            &self.param_example,
            &self.error_status,
            &self.error_code,
            &self.error_description,
            &self.error_example,
        ]
        .iter()
        .any(|column| column.len() > MAX_RAW_ROWS)
    }
}

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
    let purpose = keep(
        &mut parsed,
        "integration_purpose",
        validate::text(&form.purpose, MAX_TEXT),
        &form.purpose,
    );
    parsed.data = (name, purpose);
    parsed
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SectionForm {
    pub version: i32,
    pub action: String,
    pub insist: Option<String>,
    // environments
    pub staging_url: String,
    pub production_url: String,
    // reachability
    pub reach_mode: String,
    pub whitelist_confirmed: Option<String>,
    // authentication
    pub auth_scheme: String,
    pub auth_steps: String,
    // credentials
    pub cred_name: Vec<String>,
    pub cred_location: Vec<String>,
    pub cred_description: Vec<String>,
    // partner code
    pub partner_code: String,
    // status codes
    pub sc_code: Vec<String>,
    pub sc_message: Vec<String>,
    pub sc_http_status: Vec<String>,
    pub sc_meaning: Vec<String>,
    // test data
    pub td_label: Vec<String>,
    pub td_value: Vec<String>,
    pub td_note: Vec<String>,
    // contacts
    pub primary_name: String,
    pub primary_email: String,
    pub primary_phone: String,
    pub primary_role: String,
    pub primary_hours: String,
    pub backup_name: String,
    pub backup_email: String,
    pub backup_phone: String,
    pub backup_role: String,
    pub backup_hours: String,
}

/// Reads one section's form into `sections` (the rest untouched).
pub fn section(id: SectionId, form: &SectionForm, sections: &mut Sections) -> Parsed<()> {
    let mut parsed = Parsed::new(());
    let insist = form.insist.is_some();
    match id {
        SectionId::Environments => {
            let staging = validate::base_url(&form.staging_url, true).map(|(url, _)| url);
            let production = validate::base_url(&form.production_url, false).map(|(url, _)| url);
            sections.environments = Environments {
                staging_url: keep(&mut parsed, "staging_url", staging, &form.staging_url),
                production_url: keep(
                    &mut parsed,
                    "production_url",
                    production,
                    &form.production_url,
                ),
            };
        }
        SectionId::Reachability => {
            let mode = match form.reach_mode.as_str() {
                "public" => Some(ReachMode::Public),
                "whitelisting" => Some(ReachMode::Whitelisting),
                _ => None,
            };
            sections.reachability = Reachability {
                mode,
                whitelist_confirmed: form.whitelist_confirmed.is_some(),
            };
        }
        SectionId::Authentication => {
            let steps = keep(
                &mut parsed,
                "auth_steps",
                validate::text(&form.auth_steps, MAX_TEXT),
                &form.auth_steps,
            );
            sections.authentication = Authentication {
                scheme: AuthScheme::parse(&form.auth_scheme),
                steps,
            };
        }
        SectionId::Credentials => {
            let mut items = Vec::new();
            for (i, [name, location, description]) in rows(
                [&form.cred_name, &form.cred_location, &form.cred_description],
                &[0, 2],
            )
            .into_iter()
            .enumerate()
            {
                let name = keep(
                    &mut parsed,
                    row_key("cred_name", i),
                    credential_name(&name),
                    &name,
                );
                let description = keep(
                    &mut parsed,
                    row_key("cred_description", i),
                    validate::text(&description, MAX_SHORT),
                    &description,
                );
                items.push(CredentialName {
                    name,
                    location: Location::parse(&location).unwrap_or_default(),
                    description,
                });
            }
            sections.credentials = Credentials { items };
        }
        SectionId::PartnerCode => {
            let code = form.partner_code.trim();
            let checked = if code.chars().count() > 64 || code.chars().any(char::is_whitespace) {
                Err("A partner code is one word of at most 64 characters.".to_string())
            } else {
                Ok(code.to_string())
            };
            sections.partner_code = PartnerCode {
                code: keep(&mut parsed, "partner_code", checked, &form.partner_code),
            };
        }
        SectionId::StatusCodes => {
            let mut items = Vec::new();
            for (i, [code, message, status, meaning]) in rows(
                [
                    &form.sc_code,
                    &form.sc_message,
                    &form.sc_http_status,
                    &form.sc_meaning,
                ],
                &[0, 1, 2, 3],
            )
            .into_iter()
            .enumerate()
            {
                items.push(StatusCode {
                    code: keep(
                        &mut parsed,
                        row_key("sc_code", i),
                        validate::text(&code, 64),
                        &code,
                    ),
                    message: keep(
                        &mut parsed,
                        row_key("sc_message", i),
                        validate::text(&message, MAX_SHORT),
                        &message,
                    ),
                    http_status: keep(
                        &mut parsed,
                        row_key("sc_http_status", i),
                        validate::http_status(&status),
                        &status,
                    ),
                    meaning: keep(
                        &mut parsed,
                        row_key("sc_meaning", i),
                        validate::text(&meaning, MAX_SHORT),
                        &meaning,
                    ),
                });
            }
            sections.status_codes = StatusCodes { items };
        }
        SectionId::TestData => {
            let mut items = Vec::new();
            for (i, [label, value, note]) in
                rows([&form.td_label, &form.td_value, &form.td_note], &[0, 1, 2])
                    .into_iter()
                    .enumerate()
            {
                items.push(TestDatum {
                    label: keep(
                        &mut parsed,
                        row_key("td_label", i),
                        validate::text(&label, MAX_SHORT),
                        &label,
                    ),
                    value: keep(
                        &mut parsed,
                        row_key("td_value", i),
                        validate::text(&value, MAX_SHORT),
                        &value,
                    ),
                    note: keep(
                        &mut parsed,
                        row_key("td_note", i),
                        validate::text(&note, MAX_SHORT),
                        &note,
                    ),
                });
            }
            sections.test_data = TestData { items };
        }
        SectionId::Contacts => {
            let primary = contact(
                &mut parsed,
                "spoc_primary",
                [
                    &form.primary_name,
                    &form.primary_email,
                    &form.primary_phone,
                    &form.primary_role,
                    &form.primary_hours,
                ],
            );
            let backup = contact(
                &mut parsed,
                "spoc_backup",
                [
                    &form.backup_name,
                    &form.backup_email,
                    &form.backup_phone,
                    &form.backup_role,
                    &form.backup_hours,
                ],
            );
            sections.contacts = Contacts { primary, backup };
        }
        SectionId::NotApplicable => {}
    }
    for (key, text) in section_texts(id, sections) {
        guard_secret(&mut parsed, &key, text, insist);
    }
    let rows = match id {
        SectionId::Credentials => sections.credentials.items.len(),
        SectionId::StatusCodes => sections.status_codes.items.len(),
        SectionId::TestData => sections.test_data.items.len(),
        _ => 0,
    };
    limit_rows(&mut parsed, rows);
    parsed
}

/// Every free-text field of a section, with its form key: what the secret guard scans and
/// "Replace with placeholders" rewrites.
fn section_texts(id: SectionId, sections: &mut Sections) -> Vec<(String, &mut String)> {
    let mut texts: Vec<(String, &mut String)> = Vec::new();
    match id {
        SectionId::Authentication => {
            texts.push(("auth_steps".into(), &mut sections.authentication.steps))
        }
        SectionId::Credentials => {
            for (i, c) in sections.credentials.items.iter_mut().enumerate() {
                texts.push((row_key("cred_description", i), &mut c.description));
            }
        }
        SectionId::PartnerCode => {
            texts.push(("partner_code".into(), &mut sections.partner_code.code))
        }
        SectionId::StatusCodes => {
            for (i, c) in sections.status_codes.items.iter_mut().enumerate() {
                texts.push((row_key("sc_message", i), &mut c.message));
                texts.push((row_key("sc_meaning", i), &mut c.meaning));
            }
        }
        SectionId::TestData => {
            for (i, d) in sections.test_data.items.iter_mut().enumerate() {
                texts.push((row_key("td_label", i), &mut d.label));
                texts.push((row_key("td_value", i), &mut d.value));
                texts.push((row_key("td_note", i), &mut d.note));
            }
        }
        _ => {}
    }
    texts
}

/// Every free-text field of an endpoint, with its form key.
fn endpoint_texts(spec: &mut EndpointSpec) -> Vec<(String, &mut String)> {
    let mut texts: Vec<(String, &mut String)> = vec![
        ("name".into(), &mut spec.name),
        ("purpose".into(), &mut spec.purpose),
        ("path".into(), &mut spec.path),
        ("non_json_reason".into(), &mut spec.non_json_reason),
        ("request_example".into(), &mut spec.request_example),
        ("success_example".into(), &mut spec.success_example),
    ];
    for (i, h) in spec.headers.iter_mut().enumerate() {
        texts.push((row_key("header_value", i), &mut h.value));
    }
    for (i, p) in spec.parameters.iter_mut().enumerate() {
        texts.push((row_key("param_description", i), &mut p.description));
        texts.push((row_key("param_example", i), &mut p.example));
    }
    for (i, e) in spec.errors.iter_mut().enumerate() {
        texts.push((row_key("error_description", i), &mut e.description));
        texts.push((row_key("error_example", i), &mut e.example));
    }
    texts
}

fn contact<T>(
    parsed: &mut Parsed<T>,
    prefix: &str,
    [name, email, phone, role, hours]: [&String; 5],
) -> Contact {
    Contact {
        name: keep(
            parsed,
            format!("{prefix}_name"),
            validate::text(name, MAX_SHORT),
            name,
        ),
        email: keep(
            parsed,
            format!("{prefix}_email"),
            validate::email(email),
            email,
        ),
        phone: keep(
            parsed,
            format!("{prefix}_phone"),
            validate::phone(phone),
            phone,
        ),
        role: keep(
            parsed,
            format!("{prefix}_role"),
            validate::text(role, MAX_SHORT),
            role,
        ),
        hours: keep(
            parsed,
            format!("{prefix}_hours"),
            validate::text(hours, MAX_SHORT),
            hours,
        ),
    }
}

/// "The key name should be properly mentioned, e.g. consumer_key": one token, as sent.
fn credential_name(input: &str) -> Result<String, String> {
    let text = input.trim();
    let token = |c: char| c.is_ascii_alphanumeric() || "_-.".contains(c);
    if text.is_empty() {
        return Err("Give the key name.".into());
    }
    if text.len() > 100 || !text.chars().all(token) {
        let suggestion: String = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("_")
            .to_lowercase();
        return Err(format!(
            "Write the key name exactly as it appears in requests, without spaces, e.g. {suggestion}."
        ));
    }
    Ok(text.to_string())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndpointForm {
    pub version: i32,
    pub action: String,
    pub insist: Option<String>,
    pub name: String,
    pub purpose: String,
    pub method: String,
    pub path: String,
    pub body_format: String,
    pub non_json_reason: String,
    pub header_name: Vec<String>,
    pub header_value: Vec<String>,
    pub param_name: Vec<String>,
    pub param_in: Vec<String>,
    pub param_type: Vec<String>,
    pub param_required: Vec<String>,
    pub param_description: Vec<String>,
    pub param_example: Vec<String>,
    pub request_example: String,
    pub success_status: String,
    pub success_example: String,
    pub error_status: Vec<String>,
    pub error_code: Vec<String>,
    pub error_description: Vec<String>,
    pub error_example: Vec<String>,
    pub na_headers: String,
    pub na_parameters: String,
    pub na_request_example: String,
    pub na_response_example: String,
    pub na_errors: String,
}

/// The endpoint items a partner may mark not applicable, with their form fields.
pub const ENDPOINT_NA: [(&str, &str); 5] = [
    ("headers", "na_headers"),
    ("parameters", "na_parameters"),
    ("request-example", "na_request_example"),
    ("response-example", "na_response_example"),
    ("errors", "na_errors"),
];

pub fn endpoint(form: &EndpointForm) -> Parsed<EndpointSpec> {
    let mut parsed = Parsed::new(EndpointSpec::default());
    let insist = form.insist.is_some();
    let mut spec = EndpointSpec {
        method: HttpMethod::parse(&form.method),
        body_format: if form.body_format == "other" {
            BodyFormat::Other
        } else {
            BodyFormat::Json
        },
        ..EndpointSpec::default()
    };
    spec.name = keep(
        &mut parsed,
        "name",
        validate::text(&form.name, MAX_SHORT),
        &form.name,
    );
    spec.purpose = keep(
        &mut parsed,
        "purpose",
        validate::text(&form.purpose, MAX_TEXT),
        &form.purpose,
    );
    spec.path = keep(&mut parsed, "path", validate::path(&form.path), &form.path);
    spec.non_json_reason = keep(
        &mut parsed,
        "non_json_reason",
        validate::text(&form.non_json_reason, MAX_TEXT),
        &form.non_json_reason,
    );
    if spec.body_format == BodyFormat::Other && spec.non_json_reason.is_empty() {
        parsed.errors.add(
            "non_json_reason",
            "Say why this endpoint's bodies are not JSON.",
        );
    }
    let json = spec.body_format == BodyFormat::Json;

    for (i, [name, value]) in rows([&form.header_name, &form.header_value], &[0, 1])
        .into_iter()
        .enumerate()
    {
        let name = keep(
            &mut parsed,
            row_key("header_name", i),
            validate::header_name(&name),
            &name,
        );
        let value = keep(
            &mut parsed,
            row_key("header_value", i),
            validate::header_value(&value),
            &value,
        );
        spec.headers.push(Header { name, value });
    }
    let param_columns = [
        &form.param_name,
        &form.param_in,
        &form.param_type,
        &form.param_required,
        &form.param_description,
        &form.param_example,
    ];
    for (i, [name, location, kind, required, description, example]) in
        rows(param_columns, &[0, 4, 5]).into_iter().enumerate()
    {
        if name.trim().is_empty() {
            parsed
                .errors
                .add(row_key("param_name", i), "Give the parameter's name.");
        }
        let example = keep(
            &mut parsed,
            row_key("param_example", i),
            validate::text(&example, MAX_SHORT),
            &example,
        );
        spec.parameters.push(Parameter {
            name: keep(
                &mut parsed,
                row_key("param_name", i),
                validate::text(&name, MAX_SHORT),
                &name,
            ),
            location: Location::parse(&location).unwrap_or(Location::Body),
            kind: ParamType::parse(&kind).unwrap_or_default(),
            required: required == "yes",
            description: keep(
                &mut parsed,
                row_key("param_description", i),
                validate::text(&description, MAX_TEXT),
                &description,
            ),
            example,
        });
    }

    spec.request_example = form.request_example.trim().to_string();
    spec.success_example = form.success_example.trim().to_string();
    spec.success_status = keep(
        &mut parsed,
        "success_status",
        validate::http_status(&form.success_status),
        &form.success_status,
    );
    for (key, text) in [
        ("request_example", spec.request_example.clone()),
        ("success_example", spec.success_example.clone()),
    ] {
        if json {
            guard_json(&mut parsed, key, &text);
        }
    }
    let error_columns = [
        &form.error_status,
        &form.error_code,
        &form.error_description,
        &form.error_example,
    ];
    for (i, [status, code, description, example]) in
        rows(error_columns, &[0, 1, 2, 3]).into_iter().enumerate()
    {
        let example = example.trim().to_string();
        if json {
            guard_json(&mut parsed, &row_key("error_example", i), &example);
        }
        spec.errors.push(ErrorScenario {
            http_status: keep(
                &mut parsed,
                row_key("error_status", i),
                validate::http_status(&status),
                &status,
            ),
            partner_code: keep(
                &mut parsed,
                row_key("error_code", i),
                validate::text(&code, 64),
                &code,
            ),
            description: keep(
                &mut parsed,
                row_key("error_description", i),
                validate::text(&description, MAX_TEXT),
                &description,
            ),
            example,
        });
    }

    let marks = [
        &form.na_headers,
        &form.na_parameters,
        &form.na_request_example,
        &form.na_response_example,
        &form.na_errors,
    ];
    for ((item, field), reason) in ENDPOINT_NA.iter().zip(marks) {
        let reason = keep(
            &mut parsed,
            *field,
            validate::text(reason, MAX_SHORT),
            reason,
        );
        if !reason.is_empty() {
            spec.not_applicable.0.insert(item.to_string(), reason);
        }
    }
    for (key, text) in [
        ("request_example".to_string(), &spec.request_example),
        ("success_example".to_string(), &spec.success_example),
    ] {
        guard_size(&mut parsed, &key, text);
    }
    for (i, error) in spec.errors.iter().enumerate() {
        guard_size(&mut parsed, &row_key("error_example", i), &error.example);
    }
    for (key, text) in endpoint_texts(&mut spec) {
        guard_secret(&mut parsed, &key, text, insist);
    }
    let rows = spec
        .headers
        .len()
        .max(spec.parameters.len())
        .max(spec.errors.len());
    limit_rows(&mut parsed, rows);
    parsed.data = spec;
    parsed
}

/// Applies "Replace with placeholders" to every field of an endpoint the guard scans.
pub fn redact_endpoint(spec: &mut EndpointSpec) {
    for (_, text) in endpoint_texts(spec) {
        *text = secrets::redact(text);
    }
}

/// Applies "Convert to strict JSON" to the endpoint field named `key`.
pub fn convert_endpoint_json(spec: &mut EndpointSpec, key: &str, strict: String) {
    match key {
        "request_example" => spec.request_example = strict,
        "success_example" => spec.success_example = strict,
        other => {
            let index = other
                .strip_prefix("error_example_")
                .and_then(|i| i.parse::<usize>().ok());
            if let Some(error) = index.and_then(|i| spec.errors.get_mut(i)) {
                error.example = strict;
            }
        }
    }
}

pub fn redact_section(id: SectionId, sections: &mut Sections) {
    for (_, text) in section_texts(id, sections) {
        *text = secrets::redact(text);
    }
}

#[cfg(test)]
mod tests {
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
        let mut spec = parsed.data;
        redact_endpoint(&mut spec);
        assert_eq!(spec.headers[0].value, "Bearer <<jwt>>");
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
