//! The spreadsheet Haptik hands around today: a sheet for the integration (details, SPOC, status
//! codes, test data) and one sheet per endpoint in the sample's layout.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::domain::curl;
use crate::domain::model::EndpointSpec;
use crate::domain::revision::Snapshot;

/// Excel's limit for the text of one cell.
const CELL_LIMIT: usize = 32_767;

pub fn workbook(snapshot: &Snapshot) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_align(FormatAlign::Top);
    let text = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let mut names = Vec::new();

    let sheet = workbook.add_worksheet();
    sheet.set_name(unique_name("Integration", &mut names))?;
    integration_sheet(sheet, snapshot, &bold, &text)?;
    for endpoint in &snapshot.endpoints {
        let sheet = workbook.add_worksheet();
        sheet.set_name(unique_name(&endpoint.spec.title(), &mut names))?;
        endpoint_sheet(sheet, snapshot, &endpoint.spec, &bold, &text)?;
    }
    workbook.save_to_buffer()
}

/// Excel's rules for sheet names: at most 31 characters, none of `[]:*?/\`, unique regardless
/// of case.
fn unique_name(title: &str, taken: &mut Vec<String>) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim();
    let base: String = if cleaned.is_empty() {
        "Endpoint"
    } else {
        cleaned
    }
    .chars()
    .take(28)
    .collect();
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base} {n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

fn cell(text: &str) -> String {
    if text.chars().count() <= CELL_LIMIT {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(CELL_LIMIT - 20).collect();
    cut.push_str("… (cut at Excel's limit)");
    cut
}

fn rows(
    sheet: &mut Worksheet,
    start: u32,
    rows: &[(&str, String)],
    bold: &Format,
    text: &Format,
) -> Result<u32, XlsxError> {
    let mut row = start;
    for (label, value) in rows {
        sheet.write_string_with_format(row, 0, *label, bold)?;
        sheet.write_string_with_format(row, 1, cell(value), text)?;
        row += 1;
    }
    Ok(row)
}

fn integration_sheet(
    sheet: &mut Worksheet,
    s: &Snapshot,
    bold: &Format,
    text: &Format,
) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(2, 24)?;
    sheet.set_column_width(3, 40)?;
    let sections = &s.sections;
    let contact = |c: &crate::domain::model::Contact| {
        if c.is_empty() {
            String::new()
        } else {
            format!(
                "{}, {} · {} · {} · {}",
                c.name, c.role, c.email, c.phone, c.hours
            )
        }
    };
    let reach = match sections.reachability.mode {
        Some(crate::domain::model::ReachMode::Public) => "Publicly reachable".to_string(),
        Some(crate::domain::model::ReachMode::Whitelisting) => format!(
            "Whitelisting Haptik's egress IPs ({})",
            if sections.reachability.whitelist_confirmed {
                "confirmed on staging"
            } else {
                "not yet confirmed"
            }
        ),
        None => String::new(),
    };
    let details = [
        ("Partner", s.company.clone()),
        ("Integration", s.name.clone()),
        ("Purpose", s.purpose.clone()),
        (
            "Staging base URL",
            sections.environments.staging_url.clone(),
        ),
        (
            "Production base URL",
            sections.environments.production_url.clone(),
        ),
        ("Reachability", reach),
        (
            "Authentication",
            sections
                .authentication
                .scheme
                .map_or(String::new(), |a| a.label().to_string()),
        ),
        (
            "Authentication steps",
            sections.authentication.steps.clone(),
        ),
        ("Partner code", sections.partner_code.code.clone()),
        ("Credential key names", credential_names(s)),
        ("Technical SPOC", contact(&sections.contacts.primary)),
        ("Backup contact", contact(&sections.contacts.backup)),
    ];
    let mut row = rows(sheet, 0, &details, bold, text)? + 1;
    sheet.write_string_with_format(row, 0, "Status codes", bold)?;
    row += 1;
    for (col, heading) in ["Code", "Message", "HTTP status", "Meaning"]
        .into_iter()
        .enumerate()
    {
        sheet.write_string_with_format(row, col as u16, heading, bold)?;
    }
    row += 1;
    for code in &sections.status_codes.items {
        for (col, value) in [&code.code, &code.message, &code.http_status, &code.meaning]
            .into_iter()
            .enumerate()
        {
            sheet.write_string_with_format(row, col as u16, cell(value), text)?;
        }
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "Test data", bold)?;
    row += 1;
    for (col, heading) in ["Label", "Value", "Note"].into_iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, heading, bold)?;
    }
    row += 1;
    for datum in &sections.test_data.items {
        for (col, value) in [&datum.label, &datum.value, &datum.note]
            .into_iter()
            .enumerate()
        {
            sheet.write_string_with_format(row, col as u16, cell(value), text)?;
        }
        row += 1;
    }
    Ok(())
}

fn credential_names(s: &Snapshot) -> String {
    s.sections
        .credentials
        .items
        .iter()
        .map(|c| format!("{} ({})", c.name, c.location.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn endpoint_sheet(
    sheet: &mut Worksheet,
    s: &Snapshot,
    spec: &EndpointSpec,
    bold: &Format,
    text: &Format,
) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 90)?;
    let url = curl::full_url(&s.sections.environments.staging_url, spec)
        .unwrap_or_else(|| spec.path.clone());
    let headers = spec
        .headers
        .iter()
        .map(|h| format!("{}: {}", h.name, h.value))
        .collect::<Vec<_>>()
        .join("\n");
    let parameters = spec
        .parameters
        .iter()
        .map(|p| {
            format!(
                "{} ({}, {}, {}){}",
                p.name,
                p.location.as_str(),
                p.kind.as_str(),
                if p.required { "mandatory" } else { "optional" },
                if p.description.is_empty() {
                    String::new()
                } else {
                    format!(": {}", p.description)
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let errors = spec
        .errors
        .iter()
        .map(|e| {
            format!(
                "HTTP {} · {} · {}\n{}",
                e.http_status, e.partner_code, e.description, e.example
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    let status_codes = s
        .sections
        .status_codes
        .items
        .iter()
        .map(|c| format!("{} {}", c.code, c.message))
        .collect::<Vec<_>>()
        .join("\n");
    let success = if spec.success_status.is_empty() {
        spec.success_example.clone()
    } else {
        format!("HTTP {}\n{}", spec.success_status, spec.success_example)
    };
    let layout = [
        ("API name", spec.title()),
        ("Purpose", spec.purpose.clone()),
        (
            "Method",
            spec.method
                .map_or(String::new(), |m| m.as_str().to_string()),
        ),
        ("Endpoint URL", url),
        ("Headers", headers),
        ("Parameters", parameters),
        ("Request body", spec.request_example.clone()),
        ("Success response", success),
        ("Error response", errors),
        ("Partner code", s.sections.partner_code.code.clone()),
        ("Credential key names", credential_names(s)),
        ("Status codes", status_codes),
    ];
    rows(sheet, 0, &layout, bold, text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_follow_excels_rules() {
        let mut taken = vec!["Integration".to_string()];
        assert_eq!(unique_name("integration", &mut taken), "integration 2");
        assert_eq!(
            unique_name("API to generate OTP: v1/v2?", &mut taken),
            "API to generate OTP  v1 v2"
        );
        assert_eq!(unique_name("", &mut taken), "Endpoint");
        let long = unique_name(&"x".repeat(40), &mut taken);
        assert!(long.chars().count() <= 31);
    }
}
