//! What importing a plan into an integration changes. The file fills what is empty and never
//! overwrites what the partner typed in a section; an endpoint with the same method and path is
//! updated (the file's non-empty fields win), any other endpoint is added.

use serde_json::Value;
use uuid::Uuid;

use super::Plan;
use crate::domain::integration::Loaded;
use crate::domain::model::{EndpointSpec, SectionId};

#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Sections to save: (section, new document, version it was read at).
    pub sections: Vec<(SectionId, Value, i32)>,
    /// Sections the file also describes but the partner already filled differently.
    pub kept: Vec<&'static str>,
    pub purpose: Option<String>,
    pub added: Vec<EndpointSpec>,
    /// (endpoint, version read, merged spec, names of the fields that change)
    pub updated: Vec<(Uuid, i32, EndpointSpec, Vec<&'static str>)>,
    pub unchanged: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
            && self.purpose.is_none()
            && self.added.is_empty()
            && self.updated.is_empty()
    }

    pub fn section_titles(&self) -> Vec<&'static str> {
        self.sections.iter().map(|(id, _, _)| id.title()).collect()
    }
}

pub fn changes(plan: &Plan, current: &Loaded) -> Changes {
    let mut changes = Changes::default();
    for id in SectionId::ALL {
        let mine = current.sections.get(id);
        let theirs = plan.sections.get(id);
        if is_blank(&theirs) || mine == theirs {
            continue;
        }
        let merged = fill(&mine, &theirs);
        if merged == mine {
            changes.kept.push(id.title());
        } else {
            if !is_blank(&mine) && fill(&theirs, &mine) != merged {
                changes.kept.push(id.title());
            }
            changes
                .sections
                .push((id, merged, current.section_version(id)));
        }
    }
    if current.integration.purpose.trim().is_empty() && !plan.purpose.is_empty() {
        changes.purpose = Some(plan.purpose.clone());
    }

    for imported in &plan.endpoints {
        let existing = current.endpoints.iter().find(|e| {
            e.spec.method.is_some()
                && e.spec.method == imported.method
                && e.spec.path.trim_end_matches('/') == imported.path.trim_end_matches('/')
        });
        match existing {
            None => changes.added.push(imported.clone()),
            Some(row) => {
                let (merged, fields) = update(&row.spec, imported);
                if fields.is_empty() {
                    changes.unchanged.push(row.spec.title());
                } else {
                    changes.updated.push((row.id, row.version, merged, fields));
                }
            }
        }
    }
    changes
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b,
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => fields.values().all(is_blank),
        Value::Number(_) => false,
    }
}

/// `mine` with its blank fields taken from `theirs`, field by field; lists are taken whole.
fn fill(mine: &Value, theirs: &Value) -> Value {
    match (mine, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            let mut out = a.clone();
            for (key, value) in b {
                let merged = match a.get(key) {
                    Some(existing) => fill(existing, value),
                    None => value.clone(),
                };
                out.insert(key.clone(), merged);
            }
            Value::Object(out)
        }
        (mine, theirs) if is_blank(mine) => theirs.clone(),
        (mine, _) => mine.clone(),
    }
}

/// The existing endpoint with the file's non-empty fields, and which fields that changes.
fn update(existing: &EndpointSpec, imported: &EndpointSpec) -> (EndpointSpec, Vec<&'static str>) {
    let mut merged = existing.clone();
    let mut fields = Vec::new();
    macro_rules! take {
        ($field:ident, $label:literal, $blank:expr) => {
            if !$blank(&imported.$field) && imported.$field != existing.$field {
                merged.$field = imported.$field.clone();
                fields.push($label);
            }
        };
    }
    take!(name, "name", String::is_empty);
    take!(purpose, "purpose", String::is_empty);
    take!(headers, "headers", Vec::is_empty);
    take!(parameters, "parameters", Vec::is_empty);
    take!(request_example, "request example", String::is_empty);
    take!(success_status, "success status", String::is_empty);
    take!(success_example, "success example", String::is_empty);
    take!(errors, "error scenarios", Vec::is_empty);
    if imported.body_format != existing.body_format && !imported.non_json_reason.is_empty() {
        merged.body_format = imported.body_format;
        merged.non_json_reason = imported.non_json_reason.clone();
        fields.push("body format");
    }
    (merged, fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_file_fills_gaps_and_keeps_what_was_typed() {
        let mine = json!({"staging_url": "https://mine.example", "production_url": ""});
        let theirs = json!({"staging_url": "https://file.example", "production_url": "https://prod.example"});
        assert_eq!(
            fill(&mine, &theirs),
            json!({"staging_url": "https://mine.example", "production_url": "https://prod.example"})
        );
        assert!(is_blank(&json!({"items": [], "mode": null, "flag": false})));
    }
}
