//! An endpoint's form: method and path, headers, parameters, examples and error scenarios.

use serde::{Deserialize, Serialize};

use super::table_edits::{self, RowEdit};
use super::{Parsed, guard_example, guard_named_secret, guard_size, limit_rows, rows};
use crate::domain::checklist::{EndpointItem, ItemId};
use crate::domain::model::*;
use crate::intake::secrets;
use crate::intake::validate::{self, MAX_SHORT, MAX_TEXT};
use crate::web::forms::row_key;

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
            &self.form_name,
            &self.form_value,
        ]
        .iter()
        .any(|column| column.len() > super::MAX_RAW_ROWS)
    }
}

#[derive(Deserialize, Serialize, Default, Clone)]
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
    pub response_format: String,
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
    /// A form body's example as rows, when the page showed it so (instead of `request_example`).
    pub form_name: Vec<String>,
    pub form_value: Vec<String>,
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
    /// Imported fields the partner ticked as checked (`EndpointSpec::unconfirmed` keys).
    pub confirm: Vec<String>,
    /// "Edit as text" of the headers, parameters and form fields: `Name: value` lines.
    pub bulk_header: String,
    pub bulk_param: String,
    pub bulk_form: String,
}

impl EndpointForm {
    /// Applies "Add a row", "Remove" or "Edit as text" to what was typed; false for a table
    /// this form does not have. Adding needs nothing here: the page shows one more blank row.
    pub fn apply_row_edit(&mut self, edit: &RowEdit) -> bool {
        match edit {
            RowEdit::Add(table) => ["header", "param", "form", "error"].contains(&table.as_str()),
            RowEdit::Remove(table, index) => {
                let columns: Vec<&mut Vec<String>> = match table.as_str() {
                    "header" => vec![&mut self.header_name, &mut self.header_value],
                    "param" => vec![
                        &mut self.param_name,
                        &mut self.param_in,
                        &mut self.param_type,
                        &mut self.param_required,
                        &mut self.param_description,
                        &mut self.param_example,
                    ],
                    "form" => vec![&mut self.form_name, &mut self.form_value],
                    "error" => vec![
                        &mut self.error_status,
                        &mut self.error_code,
                        &mut self.error_description,
                        &mut self.error_example,
                    ],
                    _ => return false,
                };
                table_edits::remove_at(&mut { columns }, *index);
                true
            }
            RowEdit::Bulk(table) => {
                match table.as_str() {
                    "header" => {
                        let lines = table_edits::bulk_lines(&self.bulk_header);
                        table_edits::replace_by_lines(
                            &mut self.header_name,
                            &mut self.header_value,
                            &mut [],
                            &lines,
                        );
                    }
                    "param" => {
                        let lines = table_edits::bulk_lines(&self.bulk_param);
                        table_edits::replace_by_lines(
                            &mut self.param_name,
                            &mut self.param_example,
                            &mut [
                                (&mut self.param_in, "body"),
                                (&mut self.param_type, "string"),
                                (&mut self.param_required, "yes"),
                                (&mut self.param_description, ""),
                            ],
                            &lines,
                        );
                    }
                    "form" => {
                        let lines = table_edits::bulk_lines(&self.bulk_form);
                        table_edits::replace_by_lines(
                            &mut self.form_name,
                            &mut self.form_value,
                            &mut [],
                            &lines,
                        );
                    }
                    _ => return false,
                }
                true
            }
        }
    }
}

impl EndpointForm {
    /// The reason typed for an endpoint item that does not apply (its field is the item's
    /// `waiver_field`); None for items that cannot be waived here.
    fn waiver(&self, id: EndpointItem) -> Option<&String> {
        match id {
            EndpointItem::Headers => Some(&self.na_headers),
            EndpointItem::Parameters => Some(&self.na_parameters),
            EndpointItem::RequestExample => Some(&self.na_request_example),
            EndpointItem::ResponseExample => Some(&self.na_response_example),
            EndpointItem::Errors => Some(&self.na_errors),
            EndpointItem::Name | EndpointItem::Method | EndpointItem::Url => None,
        }
    }
}

pub fn endpoint(form: &EndpointForm) -> Parsed<EndpointSpec> {
    let mut parsed = Parsed::new(EndpointSpec::default());
    let insist = form.insist.is_some();
    let body_format = BodyFormat::parse(&form.body_format).unwrap_or_default();
    let mut spec = EndpointSpec {
        method: HttpMethod::parse(&form.method),
        body_format,
        ..EndpointSpec::default()
    };
    spec.name = parsed.field("name", &form.name, |raw| validate::text(raw, MAX_SHORT));
    spec.purpose = parsed.field("purpose", &form.purpose, |raw| {
        validate::text(raw, MAX_TEXT)
    });
    spec.path = parsed.field("path", &form.path, validate::path);
    spec.non_json_reason = parsed.field("non_json_reason", &form.non_json_reason, |raw| {
        validate::text(raw, MAX_TEXT)
    });
    // A form from before responses had their own format said one format for both.
    spec.set_response_format(BodyFormat::parse(&form.response_format).unwrap_or(body_format));
    let json = spec.body_format == BodyFormat::Json && spec.response_format() == BodyFormat::Json;
    if !json && spec.non_json_reason.is_empty() {
        parsed.errors.add(
            "non_json_reason",
            "Say why this endpoint's bodies are not JSON.",
        );
    }

    for (i, [name, value]) in rows([&form.header_name, &form.header_value], &[0, 1])
        .into_iter()
        .enumerate()
    {
        let name = parsed.field(row_key("header_name", i), &name, |raw| {
            validate::header_name(raw)
        });
        let value = parsed.field(row_key("header_value", i), &value, |raw| {
            validate::header_value(raw)
        });
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
        let example = parsed.field(row_key("param_example", i), &example, |raw| {
            validate::text(raw, MAX_SHORT)
        });
        spec.parameters.push(Parameter {
            name: parsed.field(row_key("param_name", i), &name, |raw| {
                validate::text(raw, MAX_SHORT)
            }),
            location: Location::parse(&location).unwrap_or(Location::Body),
            kind: ParamType::parse(&kind).unwrap_or_default(),
            required: required == "yes",
            description: parsed.field(row_key("param_description", i), &description, |raw| {
                validate::text(raw, MAX_TEXT)
            }),
            example,
        });
    }

    spec.request_example = request_example(form, spec.body_format, &mut parsed);
    spec.success_example = form.success_example.trim().to_string();
    spec.success_status = parsed.field("success_status", &form.success_status, |raw| {
        validate::http_status(raw)
    });
    for (key, text, format) in [
        ("request_example", &spec.request_example, spec.body_format),
        (
            "success_example",
            &spec.success_example,
            spec.response_format(),
        ),
    ] {
        guard_example(&mut parsed, key, text, format);
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
        guard_example(
            &mut parsed,
            &row_key("error_example", i),
            &example,
            spec.response_format(),
        );
        spec.errors.push(ErrorScenario {
            http_status: parsed.field(row_key("error_status", i), &status, |raw| {
                validate::http_status(raw)
            }),
            partner_code: parsed.field(row_key("error_code", i), &code, |raw| {
                validate::text(raw, 64)
            }),
            description: parsed.field(row_key("error_description", i), &description, |raw| {
                validate::text(raw, MAX_TEXT)
            }),
            example,
        });
    }

    for &id in EndpointItem::ALL {
        let (Some(field), Some(reason)) = (id.waiver_field(), form.waiver(id)) else {
            continue;
        };
        let reason = parsed.field(field, reason, |raw| validate::text(raw, MAX_SHORT));
        if !reason.is_empty() {
            spec.not_applicable
                .0
                .insert(ItemId::Endpoint(id).as_str().to_string(), reason);
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
    for (key, name, text) in endpoint_texts(&mut spec) {
        guard_named_secret(&mut parsed, &key, name.as_deref(), text, insist);
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

/// The request example as the portal keeps it: form rows joined as `name=value` lines; a JSON
/// object typed before the body became a form, turned into its fields; else the text as typed.
fn request_example(
    form: &EndpointForm,
    format: BodyFormat,
    parsed: &mut Parsed<EndpointSpec>,
) -> String {
    if !form.form_name.is_empty() || !form.form_value.is_empty() {
        let mut fields = Vec::new();
        for [name, value] in rows([&form.form_name, &form.form_value], &[0, 1]) {
            if name.trim().is_empty() {
                parsed.errors.add(
                    "request_example",
                    "Give each form field in the example its name.",
                );
            }
            fields.push((name.trim().to_string(), value));
        }
        return crate::domain::media::form_text(&fields);
    }
    let text = form.request_example.trim();
    if format.is_form()
        && let Some(object) = crate::domain::example::parse(text)
        && let Some(fields) = crate::domain::media::form_of_json(&object)
    {
        return crate::domain::media::form_text(&fields);
    }
    text.to_string()
}

/// "Replace with placeholders" on the form as typed, so the save that follows sees the fixed
/// text: every field the guard reads, judged as it judges them (a header's value and a
/// parameter's example by their field's name).
pub fn redact_form(form: &mut EndpointForm) {
    let plain = |text: &mut String| *text = secrets::redact(text);
    let named = |name: Option<&String>, text: &mut String| {
        let findings = match name {
            Some(name) => secrets::scan_named(name, text),
            None => secrets::scan(text),
        };
        *text = secrets::redact_findings(text, findings);
    };
    for text in [
        &mut form.name,
        &mut form.purpose,
        &mut form.path,
        &mut form.non_json_reason,
        &mut form.request_example,
        &mut form.success_example,
    ] {
        plain(text);
    }
    for (i, value) in form.header_value.iter_mut().enumerate() {
        named(form.header_name.get(i), value);
    }
    for (i, example) in form.param_example.iter_mut().enumerate() {
        named(form.param_name.get(i), example);
    }
    for (i, value) in form.form_value.iter_mut().enumerate() {
        named(form.form_name.get(i), value);
    }
    for text in form
        .param_description
        .iter_mut()
        .chain(form.error_description.iter_mut())
        .chain(form.error_example.iter_mut())
    {
        plain(text);
    }
}

/// "Convert to strict JSON" on one example of the form as typed (`request_example`,
/// `success_example`, `error_example_N`), so the save that follows sees the strict text.
pub fn convert_in_form(form: &mut EndpointForm, field: &str, strict: String) {
    match field {
        "request_example" => form.request_example = strict,
        "success_example" => form.success_example = strict,
        other => {
            let row = other
                .strip_prefix("error_example_")
                .and_then(|i| i.parse::<usize>().ok());
            if let Some(example) = row.and_then(|i| form.error_example.get_mut(i)) {
                *example = strict;
            }
        }
    }
}

/// Every text of an endpoint the secret guard reads: its form key, the name of the field it is
/// the value of (a header's, a parameter's), and the text.
fn endpoint_texts(spec: &mut EndpointSpec) -> Vec<(String, Option<String>, &mut String)> {
    let mut texts: Vec<(String, Option<String>, &mut String)> = vec![
        ("name".into(), None, &mut spec.name),
        ("purpose".into(), None, &mut spec.purpose),
        ("path".into(), None, &mut spec.path),
        ("non_json_reason".into(), None, &mut spec.non_json_reason),
        ("request_example".into(), None, &mut spec.request_example),
        ("success_example".into(), None, &mut spec.success_example),
    ];
    for (i, h) in spec.headers.iter_mut().enumerate() {
        texts.push((
            row_key("header_value", i),
            Some(h.name.clone()),
            &mut h.value,
        ));
    }
    for (i, p) in spec.parameters.iter_mut().enumerate() {
        texts.push((row_key("param_description", i), None, &mut p.description));
        texts.push((
            row_key("param_example", i),
            Some(p.name.clone()),
            &mut p.example,
        ));
    }
    for (i, e) in spec.errors.iter_mut().enumerate() {
        texts.push((row_key("error_description", i), None, &mut e.description));
        texts.push((row_key("error_example", i), None, &mut e.example));
    }
    texts
}
