//! The checklist sections' form: environments, reachability, authentication, credential names,
//! partner code, status codes, test data and contacts.

use serde::{Deserialize, Serialize};

use super::table_edits::{self, RowEdit};
use super::{Parsed, guard_secret, keep, limit_rows, rows};
use crate::domain::model::*;
use crate::intake::secrets;
use crate::intake::validate::{self, MAX_SHORT, MAX_TEXT};
use crate::web::forms::row_key;

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
            &self.dh_name,
            &self.dh_value,
        ]
        .iter()
        .any(|column| column.len() > super::MAX_RAW_ROWS)
    }
}

#[derive(Deserialize, Serialize, Default, Clone)]
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
    // headers on every endpoint
    pub dh_name: Vec<String>,
    pub dh_value: Vec<String>,
    /// "Edit as text" of the tables: `Name: value` lines.
    pub bulk_dh: String,
    pub bulk_cred: String,
    pub bulk_sc: String,
    pub bulk_td: String,
}

impl SectionForm {
    /// The section whose table `table` is.
    pub fn table_section(table: &str) -> Option<SectionId> {
        match table {
            "cred" => Some(SectionId::Credentials),
            "sc" => Some(SectionId::StatusCodes),
            "td" => Some(SectionId::TestData),
            "dh" => Some(SectionId::Defaults),
            _ => None,
        }
    }

    /// Applies "Add a row", "Remove" or "Edit as text" to what was typed (see `table_edits`).
    pub fn apply_row_edit(&mut self, edit: &RowEdit) {
        match edit {
            RowEdit::Add(_) => {}
            RowEdit::Remove(table, index) => {
                let mut columns: Vec<&mut Vec<String>> = match table.as_str() {
                    "cred" => vec![
                        &mut self.cred_name,
                        &mut self.cred_location,
                        &mut self.cred_description,
                    ],
                    "sc" => vec![
                        &mut self.sc_code,
                        &mut self.sc_message,
                        &mut self.sc_http_status,
                        &mut self.sc_meaning,
                    ],
                    "dh" => vec![&mut self.dh_name, &mut self.dh_value],
                    _ => vec![&mut self.td_label, &mut self.td_value, &mut self.td_note],
                };
                table_edits::remove_at(&mut columns, *index);
            }
            RowEdit::Bulk(table) => match table.as_str() {
                "cred" => table_edits::replace_by_lines(
                    &mut self.cred_name,
                    &mut self.cred_description,
                    &mut [(&mut self.cred_location, "header")],
                    &table_edits::bulk_lines(&self.bulk_cred),
                ),
                "sc" => table_edits::replace_by_lines(
                    &mut self.sc_code,
                    &mut self.sc_message,
                    &mut [(&mut self.sc_http_status, ""), (&mut self.sc_meaning, "")],
                    &table_edits::bulk_lines(&self.bulk_sc),
                ),
                "dh" => table_edits::replace_by_lines(
                    &mut self.dh_name,
                    &mut self.dh_value,
                    &mut [],
                    &table_edits::bulk_lines(&self.bulk_dh),
                ),
                _ => table_edits::replace_by_lines(
                    &mut self.td_label,
                    &mut self.td_value,
                    &mut [(&mut self.td_note, "")],
                    &table_edits::bulk_lines(&self.bulk_td),
                ),
            },
        }
    }
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
            let steps = parsed.field("auth_steps", &form.auth_steps, |raw| {
                validate::text(raw, MAX_TEXT)
            });
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
                let name = parsed.field(row_key("cred_name", i), &name, credential_name);
                let description =
                    parsed.field(row_key("cred_description", i), &description, |raw| {
                        validate::text(raw, MAX_SHORT)
                    });
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
                    code: parsed.field(row_key("sc_code", i), &code, |raw| validate::text(raw, 64)),
                    message: parsed.field(row_key("sc_message", i), &message, |raw| {
                        validate::text(raw, MAX_SHORT)
                    }),
                    http_status: parsed.field(row_key("sc_http_status", i), &status, |raw| {
                        validate::http_status(raw)
                    }),
                    meaning: parsed.field(row_key("sc_meaning", i), &meaning, |raw| {
                        validate::text(raw, MAX_SHORT)
                    }),
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
                    label: parsed.field(row_key("td_label", i), &label, |raw| {
                        validate::text(raw, MAX_SHORT)
                    }),
                    value: parsed.field(row_key("td_value", i), &value, |raw| {
                        validate::text(raw, MAX_SHORT)
                    }),
                    note: parsed.field(row_key("td_note", i), &note, |raw| {
                        validate::text(raw, MAX_SHORT)
                    }),
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
        SectionId::Defaults => {
            let mut headers = Vec::new();
            for (i, [name, value]) in rows([&form.dh_name, &form.dh_value], &[0, 1])
                .into_iter()
                .enumerate()
            {
                let name = parsed.field(row_key("dh_name", i), &name, |raw| {
                    validate::header_name(raw)
                });
                let value = parsed.field(row_key("dh_value", i), &value, |raw| {
                    validate::header_value(raw)
                });
                headers.push(Header { name, value });
            }
            sections.defaults = crate::domain::defaults::DefaultHeaders { headers };
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
        SectionId::Defaults => sections.defaults.headers.len(),
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
        SectionId::Defaults => {
            for (i, h) in sections.defaults.headers.iter_mut().enumerate() {
                texts.push((row_key("dh_value", i), &mut h.value));
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
pub(super) fn credential_name(input: &str) -> Result<String, String> {
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

pub fn redact_section(id: SectionId, sections: &mut Sections) {
    for (_, text) in section_texts(id, sections) {
        *text = secrets::redact(text);
    }
}
