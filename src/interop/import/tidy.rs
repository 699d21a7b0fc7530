//! What every import goes through after reading its file: the portal's limits, the file's own
//! "takes no parameters" answer, the secret guard (each replaced value named, unless the partner
//! kept it), and a report whose repeated notes are said once.

use std::collections::{BTreeSet, HashMap};

use super::source_schema::{IMPORT_SCHEMA_BUDGET, MAX_SCHEMA_BYTES};
use super::{MAX_ENDPOINTS, MAX_ROWS, Plan, Replaced};
use crate::domain::checklist::{EndpointItem, ItemId};
use crate::domain::example::MAX_EXAMPLE_BYTES;
use crate::domain::model::row_key;
use crate::intake::secrets;
use crate::intake::validate::{MAX_SHORT, MAX_TEXT};

fn clip(text: &mut String, max: usize, what: &str, notes: &mut Vec<String>) {
    if text.chars().count() > max {
        *text = text.chars().take(max).collect();
        notes.push(format!("{what} was cut to {max} characters."));
    }
}

/// The secret guard on one imported value: replaced unless the partner kept it, and named.
struct Guard<'a> {
    keep: &'a BTreeSet<String>,
    replaced: Vec<Replaced>,
}

impl Guard<'_> {
    fn check(
        &mut self,
        at: (usize, &str),
        field: (&str, String),
        name: Option<&str>,
        text: &mut String,
    ) {
        let (index, endpoint) = at;
        let (key, label) = field;
        let findings = match name {
            Some(name) => secrets::scan_named(name, text),
            None => secrets::scan(text),
        };
        let Some(first) = findings.first() else {
            return;
        };
        let key = format!("{index}/{key}");
        if self.keep.contains(&key) {
            return;
        }
        let found = text.get(first.start..first.end).unwrap_or_default();
        let value = masked(found);
        self.replaced.push(Replaced {
            key,
            endpoint: endpoint.to_string(),
            field: label,
            what: match findings.len() {
                1 => first.kind.describe().to_string(),
                n => format!(
                    "{}, and {} more value(s) in this field",
                    first.kind.describe(),
                    n - 1
                ),
            },
            value,
        });
        *text = secrets::redact_findings(text, findings);
    }
}

/// Applies the portal's limits and the secret guard to everything imported.
pub(super) fn tidy(plan: &mut Plan, keep: &BTreeSet<String>) {
    let notes = &mut plan.notes;
    clip(&mut plan.title, MAX_SHORT, "The title", notes);
    clip(&mut plan.purpose, MAX_TEXT, "The description", notes);
    if plan.endpoints.len() > MAX_ENDPOINTS {
        notes.push(format!(
            "{} endpoints were left out: an integration holds at most {MAX_ENDPOINTS}.",
            plan.endpoints.len() - MAX_ENDPOINTS
        ));
        plan.endpoints.truncate(MAX_ENDPOINTS);
    }
    let mut schema_budget = IMPORT_SCHEMA_BUDGET;
    let mut guard = Guard {
        keep,
        replaced: Vec::new(),
    };
    for (index, spec) in plan.endpoints.iter_mut().enumerate() {
        let title = spec.title();
        let at = (index, title.as_str());
        // The file's own answer: a request with no parameters and no body takes none.
        let parameters = ItemId::Endpoint(EndpointItem::Parameters).as_str();
        if spec.parameters.is_empty()
            && spec.request_example.trim().is_empty()
            && !spec.not_applicable.0.contains_key(parameters)
        {
            spec.not_applicable.0.insert(
                parameters.to_string(),
                "Takes no parameters (as the imported file describes it).".into(),
            );
        }
        clip(
            &mut spec.name,
            MAX_SHORT,
            &format!("The name of “{title}”"),
            notes,
        );
        clip(
            &mut spec.purpose,
            MAX_TEXT,
            &format!("The description of “{title}”"),
            notes,
        );
        spec.headers.truncate(MAX_ROWS);
        spec.parameters.truncate(MAX_ROWS);
        spec.errors.truncate(MAX_ROWS);
        // A file may carry a spec as written (`x-haptik-endpoint`): its schemas and marks keep
        // only what describes this endpoint, within the bounds the importer itself keeps.
        spec.unconfirmed = spec.marks_still_unconfirmed(spec);
        let described = spec.schemas_still_describing(spec);
        let before = spec.schemas.len();
        spec.schemas = described
            .into_iter()
            .filter(|(_, schema)| {
                let size = schema.to_string().len();
                let fits = size <= MAX_SCHEMA_BYTES && size <= schema_budget;
                if fits {
                    schema_budget -= size;
                }
                fits
            })
            .collect();
        if spec.schemas.len() < before {
            notes.push(format!(
                "“{title}”: {} schema(s) were not kept: too large, or describing nothing the endpoint has.",
                before - spec.schemas.len()
            ));
        }
        for (i, header) in spec.headers.iter_mut().enumerate() {
            let field = (
                row_key("header_value", i),
                format!("header {}", header.name),
            );
            guard.check(
                at,
                (&field.0, field.1),
                Some(&header.name),
                &mut header.value,
            );
        }
        for (i, parameter) in spec.parameters.iter_mut().enumerate() {
            let key = row_key("param_example", i);
            let label = format!("parameter {} example", parameter.name);
            guard.check(
                at,
                (&key, label),
                Some(&parameter.name),
                &mut parameter.example,
            );
            clip(
                &mut parameter.description,
                MAX_TEXT,
                &format!("A parameter description of “{title}”"),
                notes,
            );
        }
        for (key, label, example) in [
            ("request_example", "request", &mut spec.request_example),
            ("success_example", "success", &mut spec.success_example),
        ] {
            guard.check(at, (key, format!("{label} example")), None, example);
            if example.len() > MAX_EXAMPLE_BYTES {
                example.clear();
                notes.push(format!(
                    "The {label} example of “{title}” is over 64 KiB and was left out."
                ));
            }
        }
        for (i, error) in spec.errors.iter_mut().enumerate() {
            let key = row_key("error_example", i);
            let label = format!("error {} ({}) example", i + 1, error.http_status);
            guard.check(at, (&key, label), None, &mut error.example);
            if error.example.len() > MAX_EXAMPLE_BYTES {
                error.example.clear();
                notes.push(format!(
                    "An error example of “{title}” is over 64 KiB and was left out."
                ));
            }
        }
    }
    if !guard.replaced.is_empty() {
        let named: Vec<String> = guard
            .replaced
            .iter()
            .map(|r| format!("“{}” {} ({})", r.endpoint, r.field, r.what))
            .collect();
        plan.notes.push(format!(
            "{} value(s) looked like live secrets and were replaced with placeholders such as <<token>>: {}.",
            named.len(),
            named.join("; ")
        ));
    }
    plan.replaced = guard.replaced;
    for items in [
        plan.sections.credentials.items.len(),
        plan.sections.status_codes.items.len(),
    ] {
        if items > MAX_ROWS {
            plan.notes
                .push(format!("Tables were cut to {MAX_ROWS} rows."));
        }
    }
    plan.sections.credentials.items.truncate(MAX_ROWS);
    plan.sections.status_codes.items.truncate(MAX_ROWS);
    plan.sections.test_data.items.truncate(MAX_ROWS);
}

/// Notes that say the same of several places (`#/…/headers: response headers are not
/// imported.`) become one note naming every place, so the report stays readable on a large file.
/// Enough of a value for its owner to recognise it, not enough to use it: its first and last
/// four characters.
fn masked(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 12 {
        let start: String = chars.iter().take(2).collect();
        return format!("{start}…");
    }
    let start: String = chars[..4].iter().collect();
    let end: String = chars[chars.len() - 4..].iter().collect();
    format!("{start}…{end}")
}

pub(super) fn grouped(notes: Vec<String>) -> Vec<String> {
    const GROUP_FROM: usize = 3;
    /// However hostile the file, the report stays a page a person can read.
    const MAX_NOTES: usize = 500;
    let split = |note: &str| -> Option<(String, String)> {
        let rest = note.strip_prefix("#/")?;
        let (at, said) = rest.split_once(": ")?;
        Some((format!("#/{at}"), said.to_string()))
    };
    // Each remark's places, found by a map: a file with many thousand notes is grouped in
    // linear time.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut places: Vec<Vec<String>> = Vec::new();
    for note in &notes {
        if let Some((at, said)) = split(note) {
            let group = *index.entry(said).or_insert_with(|| {
                places.push(Vec::new());
                places.len() - 1
            });
            places[group].push(at);
        }
    }
    let mut said_once = vec![false; places.len()];
    let mut out = Vec::new();
    for note in notes {
        let Some((_, said)) = split(&note) else {
            out.push(note);
            continue;
        };
        let group = index[&said];
        let list = &places[group];
        if list.len() < GROUP_FROM {
            out.push(note);
        } else if !said_once[group] {
            said_once[group] = true;
            let said = said.trim_end_matches('.');
            let mut chars = said.chars();
            let said: String = chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            out.push(format!(
                "{said}, at {} places: {}.",
                list.len(),
                list.join(", ")
            ));
        }
    }
    if out.len() > MAX_NOTES {
        let more = out.len() - MAX_NOTES;
        out.truncate(MAX_NOTES);
        out.push(format!("… and {more} more notes like these."));
    }
    out
}
