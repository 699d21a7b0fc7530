//! Field-level differences between two revisions of an integration: endpoints added, removed and
//! changed (matched by their stable id), and every changed field with its before and after.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use uuid::Uuid;

use crate::domain::revision::Snapshot;

#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// One line of a changed example, laid out as JSON: `same`, `removed` or `added`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleLine {
    pub kind: &'static str,
    pub text: String,
}

impl FieldChange {
    /// A changed example that is JSON before and after: both laid out one member per line and
    /// compared line by line, so the reviewer sees the lines that changed, not two blobs.
    pub fn example_lines(&self) -> Option<Vec<ExampleLine>> {
        if self.added() || self.removed() {
            return None;
        }
        let laid_out = |text: &str| {
            crate::web::json_view::highlighted(text)
                .map(|tokens| tokens.iter().map(|t| t.text.as_str()).collect::<String>())
        };
        let (before, after) = (laid_out(&self.before)?, laid_out(&self.after)?);
        let diff = similar::TextDiff::configure()
            .timeout(std::time::Duration::from_millis(100))
            .diff_lines(before.as_str(), after.as_str());
        let lines = diff
            .iter_all_changes()
            .map(|change| ExampleLine {
                kind: match change.tag() {
                    similar::ChangeTag::Equal => "same",
                    similar::ChangeTag::Delete => "removed",
                    similar::ChangeTag::Insert => "added",
                },
                text: change.value().trim_end_matches('\n').to_string(),
            })
            .collect();
        Some(lines)
    }

    pub fn added(&self) -> bool {
        self.before.is_empty()
    }

    pub fn removed(&self) -> bool {
        self.after.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EndpointChange {
    pub id: Uuid,
    pub title: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RevisionDiff {
    pub from: i32,
    pub to: i32,
    pub integration: Vec<FieldChange>,
    pub added: Vec<EndpointChange>,
    pub removed: Vec<EndpointChange>,
    pub changed: Vec<EndpointChange>,
    /// Endpoints present in both with no change, by title.
    pub unchanged: Vec<String>,
}

impl RevisionDiff {
    pub fn is_empty(&self) -> bool {
        self.integration.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
    }

    pub fn endpoint_changed(&self, id: &Uuid) -> bool {
        self.changed.iter().chain(&self.added).any(|e| e.id == *id)
    }
}

pub fn diff(from: i32, old: &Snapshot, to: i32, new: &Snapshot) -> RevisionDiff {
    let overview = |s: &Snapshot| {
        serde_json::json!({
            "name": s.name,
            "purpose": s.purpose,
            "sections": s.sections,
        })
    };
    let mut result = RevisionDiff {
        from,
        to,
        integration: compare(&overview(old), &overview(new)),
        ..RevisionDiff::default()
    };
    for endpoint in &new.endpoints {
        let after = to_value(&endpoint.spec);
        match old.endpoints.iter().find(|e| e.id == endpoint.id) {
            None => result.added.push(EndpointChange {
                id: endpoint.id,
                title: endpoint.spec.title(),
                fields: compare(&Value::Null, &after),
            }),
            Some(before) => {
                let fields = compare(&to_value(&before.spec), &after);
                if fields.is_empty() {
                    result.unchanged.push(endpoint.spec.title());
                } else {
                    result.changed.push(EndpointChange {
                        id: endpoint.id,
                        title: endpoint.spec.title(),
                        fields,
                    });
                }
            }
        }
    }
    for endpoint in &old.endpoints {
        if !new.endpoints.iter().any(|e| e.id == endpoint.id) {
            result.removed.push(EndpointChange {
                id: endpoint.id,
                title: endpoint.spec.title(),
                fields: Vec::new(),
            });
        }
    }
    result
}

fn to_value(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Changed leaves of two JSON documents, in the order of the newer one; a row added or removed
/// as a whole (a status code, a header, an error scenario) is one change, not one per field.
fn compare(old: &Value, new: &Value) -> Vec<FieldChange> {
    let (before, rows_before) = flatten(old);
    let (after, rows_after) = flatten(new);
    let leaves = leaf_changes(&before, &after);
    let whole = |rows: &BTreeSet<String>, others: &BTreeSet<String>| -> Vec<String> {
        let mut whole: Vec<String> = Vec::new();
        for row in rows.difference(others) {
            if !whole
                .iter()
                .any(|outer| row.starts_with(&format!("{outer} › ")))
            {
                whole.push(row.clone());
            }
        }
        whole
    };
    let added = whole(&rows_after, &rows_before);
    let removed = whole(&rows_before, &rows_after);
    let row_of = |field: &str, rows: &[String]| -> Option<String> {
        rows.iter()
            .find(|row| field == row.as_str() || field.starts_with(&format!("{row} › ")))
            .cloned()
    };
    let mut changes: Vec<FieldChange> = Vec::new();
    for change in leaves {
        let (row, side_added) = match row_of(&change.field, &added) {
            Some(row) => (row, true),
            None => match row_of(&change.field, &removed) {
                Some(row) => (row, false),
                None => {
                    changes.push(change);
                    continue;
                }
            },
        };
        let part = change.field[row.len()..]
            .trim_start_matches(" › ")
            .to_string();
        let value = if side_added {
            &change.after
        } else {
            &change.before
        };
        let line = if part.is_empty() {
            value.clone()
        } else {
            format!("{part}: {value}")
        };
        match changes.iter_mut().find(|c| c.field == row) {
            Some(existing) => {
                let text = if side_added {
                    &mut existing.after
                } else {
                    &mut existing.before
                };
                text.push_str("; ");
                text.push_str(&line);
            }
            None => changes.push(FieldChange {
                field: row,
                before: if side_added {
                    String::new()
                } else {
                    line.clone()
                },
                after: if side_added { line } else { String::new() },
            }),
        }
    }
    changes
}

fn leaf_changes(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    for (field, value) in after {
        let previous = before.get(field).map(String::as_str).unwrap_or("");
        if previous != value {
            changes.push(FieldChange {
                field: field.clone(),
                before: previous.to_string(),
                after: value.clone(),
            });
        }
    }
    for (field, value) in before {
        if !after.contains_key(field) {
            changes.push(FieldChange {
                field: field.clone(),
                before: value.clone(),
                after: String::new(),
            });
        }
    }
    changes
}

/// Leaf values by a readable path ("sections › environments › staging url", "headers 2 › value");
/// empty values are left out so "" and a missing field compare equal.
/// Also the path of every row of every list, so a row added or removed as a whole is known.
fn flatten(value: &Value) -> (BTreeMap<String, String>, BTreeSet<String>) {
    fn walk(
        value: &Value,
        path: String,
        out: &mut BTreeMap<String, String>,
        rows: &mut BTreeSet<String>,
    ) {
        let join = |key: &str| {
            // "status codes › ERR002", not "sections › status codes › items › ERR002".
            if key == "items" || (path.is_empty() && key == "sections") {
                return path.clone();
            }
            let key = key.replace('_', " ");
            if path.is_empty() {
                key
            } else {
                format!("{path} › {key}")
            }
        };
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    walk(value, join(key), out, rows);
                }
            }
            Value::Array(items) => {
                let keys = row_keys(items);
                for (index, value) in items.iter().enumerate() {
                    let segment = keys
                        .as_ref()
                        .map_or_else(|| (index + 1).to_string(), |keys| keys[index].clone());
                    rows.insert(join(&segment));
                    walk(value, join(&segment), out, rows);
                }
            }
            Value::Null => {}
            Value::String(text) if text.is_empty() => {}
            Value::String(text) => {
                out.insert(path, text.clone());
            }
            other => {
                out.insert(path, other.to_string());
            }
        }
    }
    let mut out = BTreeMap::new();
    let mut rows = BTreeSet::new();
    walk(value, String::new(), &mut out, &mut rows);
    (out, rows)
}

/// Rows named by what identifies them (a header's or parameter's name, a status code, an error's
/// HTTP status and code), so removing the first row does not show every later row as changed.
/// `None` when the rows have no such key or it is not unique: then they go by position.
fn row_keys(items: &[Value]) -> Option<Vec<String>> {
    const KEYS: [&[&str]; 4] = [
        &["name"],
        &["code"],
        &["label"],
        &["http_status", "partner_code"],
    ];
    for fields in KEYS {
        let keys: Option<Vec<String>> = items
            .iter()
            .map(|item| {
                let parts: Vec<&str> = fields
                    .iter()
                    .map(|f| item.get(*f).and_then(Value::as_str).unwrap_or(""))
                    .collect();
                let key = parts.join(" ").trim().to_string();
                (!key.is_empty()).then_some(key)
            })
            .collect();
        if let Some(keys) = keys {
            let unique: std::collections::BTreeSet<&String> = keys.iter().collect();
            if unique.len() == keys.len() {
                return Some(keys);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::EndpointSpec;
    use crate::domain::revision::SnapshotEndpoint;

    fn snapshot(endpoints: Vec<SnapshotEndpoint>) -> Snapshot {
        Snapshot {
            integration_id: Uuid::nil(),
            company: "Acme".into(),
            name: "OTP".into(),
            purpose: String::new(),
            sections: Default::default(),
            endpoints,
        }
    }

    fn endpoint(name: &str, success: &str) -> SnapshotEndpoint {
        SnapshotEndpoint {
            id: Uuid::new_v4(),
            spec: EndpointSpec {
                name: name.into(),
                success_example: success.into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn rows_are_matched_by_their_name_not_their_position() {
        use crate::domain::model::Header;
        let header = |name: &str, value: &str| Header {
            name: name.into(),
            value: value.into(),
        };
        let mut before = endpoint("Send OTP", "");
        before.spec.headers = vec![
            header("X-Trace", "1"),
            header("Authorization", "Bearer <<token>>"),
        ];
        let mut after = before.clone();
        after.spec.headers.remove(0);
        let d = diff(1, &snapshot(vec![before]), 2, &snapshot(vec![after]));
        let fields: Vec<&str> = d.changed[0]
            .fields
            .iter()
            .map(|f| f.field.as_str())
            .collect();
        assert_eq!(fields, ["headers › X-Trace"], "only the removed row, once");
        assert_eq!(d.changed[0].fields[0].before, "name: X-Trace; value: 1");
        assert!(d.changed[0].fields[0].removed());
    }

    #[test]
    fn a_changed_json_example_is_compared_line_by_line() {
        let change = FieldChange {
            field: "success example".into(),
            before: r#"{"status":"sent","ttl":300}"#.into(),
            after: r#"{"status":"sent","ttl":600}"#.into(),
        };
        let lines: Vec<(&str, String)> = change
            .example_lines()
            .unwrap()
            .into_iter()
            .map(|l| (l.kind, l.text))
            .collect();
        assert_eq!(
            lines,
            [
                ("same", "{".to_string()),
                ("same", "  \"status\": \"sent\",".to_string()),
                ("removed", "  \"ttl\": 300".to_string()),
                ("added", "  \"ttl\": 600".to_string()),
                ("same", "}".to_string()),
            ]
        );
        let plain = FieldChange {
            field: "name".into(),
            before: "a".into(),
            after: "b".into(),
        };
        assert_eq!(plain.example_lines(), None, "only JSON on both sides");
    }

    /// The line diff's `<pre>` keeps each line's two-character prefix ("- ", "+ " or two spaces)
    /// whatever the templates' whitespace setting does around tags.
    #[test]
    fn the_line_diff_keeps_its_columns_when_rendered() {
        use askama::Template;
        #[derive(Template)]
        #[template(
            source = r#"{% import "review/diff_ui.html" as dm %}{% call dm::field_table(fields) %}{% endcall %}"#,
            ext = "html"
        )]
        struct Rendered {
            fields: Vec<FieldChange>,
        }
        let html = Rendered {
            fields: vec![FieldChange {
                field: "success example".into(),
                before: r#"{"ttl":300}"#.into(),
                after: r#"{"ttl":600}"#.into(),
            }],
        }
        .render()
        .unwrap();
        assert!(html.contains(r#"<span class="ld-same">  {"#), "{html}");
        assert!(html.contains("<del>- "), "{html}");
        assert!(html.contains("<ins>+ "), "{html}");
    }

    #[test]
    fn an_added_status_code_is_one_row_named_by_its_code() {
        use crate::domain::model::{StatusCode, StatusCodes};
        let old = snapshot(Vec::new());
        let mut new = snapshot(Vec::new());
        new.sections.status_codes = StatusCodes {
            items: vec![StatusCode {
                code: "ERR002".into(),
                message: "Request Failed".into(),
                ..Default::default()
            }],
        };
        let d = diff(1, &old, 2, &new);
        assert_eq!(
            d.integration,
            vec![FieldChange {
                field: "status codes › ERR002".into(),
                before: String::new(),
                after: "code: ERR002; message: Request Failed".into(),
            }]
        );
    }

    #[test]
    fn reports_added_removed_changed_and_untouched_endpoints() {
        let send = endpoint("Send OTP", r#"{"status": "sent"}"#);
        let verify = endpoint("Verify OTP", r#"{"ok": true}"#);
        let gone = endpoint("Old", "");
        let old = snapshot(vec![send.clone(), verify.clone(), gone]);
        let mut fixed = send.clone();
        fixed.spec.success_example = r#"{"status": "sent", "ttl": 300}"#.into();
        let added = endpoint("Resend OTP", "");
        let mut new = snapshot(vec![fixed, verify, added.clone()]);
        new.purpose = "Log in by OTP".into();

        let d = diff(1, &old, 2, &new);
        assert_eq!(
            d.integration,
            vec![FieldChange {
                field: "purpose".into(),
                before: String::new(),
                after: "Log in by OTP".into()
            }]
        );
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].title, "Send OTP");
        assert_eq!(d.changed[0].fields[0].field, "success example");
        assert_eq!(d.changed[0].fields[0].before, r#"{"status": "sent"}"#);
        assert_eq!(d.added[0].id, added.id);
        assert_eq!(d.removed[0].title, "Old");
        assert_eq!(d.unchanged, vec!["Verify OTP".to_string()]);
        assert!(d.endpoint_changed(&send.id));
        assert!(!diff(1, &old, 1, &old).endpoint_changed(&send.id));
        assert!(diff(1, &old, 1, &old).is_empty());
    }
}
