//! The body fields of a raw (JSON, XML, text) request, written into a Postman request's
//! description as a Markdown table, which Postman shows in its documentation view, and read back
//! from it on import. A raw body has no other place for what each field means.

use crate::domain::model::{Location, ParamType, Parameter};

const HEADING: &str = "Body fields:";
/// The description of a form field that is sent in the example but documented nowhere (real
/// files have them: a field the schema no longer lists), so an import of the export keeps it out
/// of the parameters as the source did.
pub const EXAMPLE_ONLY: &str = "(in the example only)";
const HEADER_ROW: &str = "| Field | Type | Required | Description | Example |";

/// The description with a table of the body parameters after it (the description alone when
/// there are none).
pub fn with_table(description: &str, parameters: &[Parameter]) -> String {
    let body: Vec<&Parameter> = parameters
        .iter()
        .filter(|p| p.location == Location::Body && !p.name.is_empty())
        .collect();
    if body.is_empty() {
        return description.to_string();
    }
    let mut text = description.trim_end().to_string();
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(HEADING);
    text.push_str("\n\n");
    text.push_str(HEADER_ROW);
    text.push_str("\n|---|---|---|---|---|\n");
    for p in body {
        text.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&p.name),
            p.kind.as_str(),
            if p.required { "yes" } else { "no" },
            cell(&p.description),
            cell(&p.example),
        ));
    }
    text.trim_end().to_string()
}

/// Splits a description written by `with_table` into the description and the body parameters;
/// a description without the table is returned whole.
pub fn read_table(description: &str) -> (String, Vec<Parameter>) {
    let marker = format!("{HEADING}\n\n{HEADER_ROW}\n");
    let Some(at) = description.find(&marker) else {
        return (description.to_string(), Vec::new());
    };
    let rows = &description[at + marker.len()..];
    let mut parameters = Vec::new();
    for line in rows.lines().skip(1) {
        let cells = cells(line);
        let [name, kind, required, about, example] = cells.as_slice() else {
            break;
        };
        parameters.push(Parameter {
            name: name.clone(),
            location: Location::Body,
            kind: ParamType::parse(kind).unwrap_or_default(),
            required: required == "yes",
            description: about.clone(),
            example: example.clone(),
        });
    }
    (description[..at].trim_end().to_string(), parameters)
}

/// A table cell: `|` and `\` escaped, line breaks as `<br>`.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

fn cells(line: &str) -> Vec<String> {
    let line = line.trim();
    let Some(inner) = line.strip_prefix('|').and_then(|l| l.strip_suffix('|')) else {
        return Vec::new();
    };
    let mut cells = vec![String::new()];
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    cells.last_mut().expect("one cell").push(next);
                }
            }
            '|' => cells.push(String::new()),
            c => cells.last_mut().expect("one cell").push(c),
        }
    }
    cells
        .into_iter()
        .map(|c| c.trim().replace("<br>", "\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_fields_come_back_from_the_description() {
        let parameters = vec![
            Parameter {
                name: "mobileNo".into(),
                location: Location::Body,
                kind: ParamType::String,
                required: true,
                description: "10 digits | no +91\nsecond line".into(),
                example: "9928056506".into(),
            },
            Parameter {
                name: "Attempt id".into(),
                location: Location::Body,
                kind: ParamType::Integer,
                required: false,
                description: String::new(),
                example: r"a\b".into(),
            },
            Parameter {
                name: "ignored".into(),
                location: Location::Query,
                ..Parameter::default()
            },
        ];
        let text = with_table("Sends an OTP.", &parameters);
        let (description, read) = read_table(&text);
        assert_eq!(description, "Sends an OTP.");
        assert_eq!(read, parameters[..2]);
        assert_eq!(read_table("Just text."), ("Just text.".into(), Vec::new()));
        assert_eq!(with_table("Only query.", &parameters[2..]), "Only query.");
    }
}
