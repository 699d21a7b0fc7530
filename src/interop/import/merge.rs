//! What importing a plan into an integration changes. The file fills what is empty and never
//! overwrites what the partner typed in a section. An imported endpoint updates the existing one
//! it came from (same `source_id`), or else the first not yet matched with its method and path
//! (the file's non-empty fields win); any other is added. Each existing endpoint is matched at
//! most once, so several endpoints with one method and path stay apart.

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

    let mut matched = vec![false; current.endpoints.len()];
    let by_source: Vec<Option<usize>> = plan
        .endpoints
        .iter()
        .map(|imported| {
            let found = current.endpoints.iter().enumerate().position(|(at, e)| {
                !matched[at]
                    && !imported.source_id.is_empty()
                    && e.spec.source_id == imported.source_id
            });
            if let Some(at) = found {
                matched[at] = true;
            }
            found
        })
        .collect();
    for (imported, by_source) in plan.endpoints.iter().zip(by_source) {
        let at = by_source.or_else(|| {
            let found = current.endpoints.iter().enumerate().position(|(at, e)| {
                !matched[at]
                    && e.spec.method.is_some()
                    && e.spec.method == imported.method
                    && e.spec.path.trim_end_matches('/') == imported.path.trim_end_matches('/')
            });
            if let Some(at) = found {
                matched[at] = true;
            }
            found
        });
        match at.map(|at| &current.endpoints[at]) {
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
    take!(source_id, "import identity", String::is_empty);
    // The file's schemas describe the file's rows, so they come with them.
    take!(schemas, "schemas", std::collections::BTreeMap::is_empty);
    if fields.contains(&"headers") {
        // The file's list replaces the endpoint's: what in it is the integration's default (an
        // export carries the defaults on every request) stays inherited, the rest is its own.
        let inherited = existing.inherited();
        merged.headers.retain(|h| {
            !inherited
                .iter()
                .any(|d| d.name.eq_ignore_ascii_case(&h.name) && d.value == h.value)
        });
        merged.inherited_headers = 0;
    }
    let formats = (imported.body_format, imported.response_format());
    if formats != (existing.body_format, existing.response_format()) {
        merged.body_format = imported.body_format;
        merged.set_response_format(imported.response_format());
        merged.non_json_reason = imported.non_json_reason.clone();
        fields.push("body format");
    }
    // A value taken from the file brings its "not confirmed" mark; a kept one keeps its own, so
    // re-importing an unchanged file never takes back what the partner confirmed.
    let from_file = |key: &str| match key {
        "request_example" => fields.contains(&"request example"),
        "success_example" => fields.contains(&"success example"),
        key if key.starts_with("error_") => fields.contains(&"error scenarios"),
        _ => false,
    };
    merged.unconfirmed.retain(|key| !from_file(key));
    merged.unconfirmed.extend(
        imported
            .unconfirmed
            .iter()
            .filter(|key| from_file(key))
            .cloned(),
    );
    (merged, fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::defaults::DefaultHeaders;
    use crate::domain::model::Header;
    use serde_json::json;

    fn header(name: &str, value: &str) -> Header {
        Header {
            name: name.into(),
            value: value.into(),
        }
    }

    #[test]
    fn an_imported_header_list_keeps_the_endpoints_own_headers_and_leaves_defaults_inherited() {
        let defaults = DefaultHeaders {
            headers: vec![header("Content-Type", "application/json")],
        };
        let mut existing = EndpointSpec {
            headers: vec![header("X-A", "1"), header("X-B", "2")],
            ..EndpointSpec::default()
        };
        existing.inherit(&defaults);
        // A file whose list differs (one more header, the default carried along, another order).
        let imported = EndpointSpec {
            headers: vec![
                header("X-B", "2"),
                header("Content-Type", "application/json"),
                header("X-A", "1"),
                header("X-C", "3"),
            ],
            ..EndpointSpec::default()
        };
        let (merged, fields) = update(&existing, &imported);
        assert!(fields.contains(&"headers"));
        assert_eq!(
            merged.without_inherited().headers,
            [header("X-B", "2"), header("X-A", "1"), header("X-C", "3")],
            "nothing of the endpoint's own is dropped, the default is not copied"
        );
    }

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

    fn endpoint(name: &str, source: &str, example: &str) -> EndpointSpec {
        EndpointSpec {
            name: name.into(),
            method: Some(crate::domain::model::HttpMethod::Post),
            path: "/oauth/token".into(),
            success_example: example.into(),
            source_id: source.into(),
            ..EndpointSpec::default()
        }
    }

    fn integration_with(endpoints: &[EndpointSpec]) -> Loaded {
        let mut loaded = Loaded::empty("Payments");
        loaded.endpoints = endpoints
            .iter()
            .enumerate()
            .map(|(at, spec)| crate::domain::integration::EndpointRow {
                id: Uuid::from_u128(at as u128 + 1),
                integration_id: Uuid::nil(),
                position: at as i32,
                version: 1,
                spec: sqlx::types::Json(spec.clone()),
                updated_at: time::OffsetDateTime::UNIX_EPOCH,
            })
            .collect();
        loaded
    }

    fn plan_of(endpoints: Vec<EndpointSpec>) -> Plan {
        Plan {
            endpoints,
            ..Plan::default()
        }
    }

    #[test]
    fn endpoints_sharing_a_method_and_path_stay_apart_across_imports() {
        let generate = endpoint(
            "Generate token from code",
            "postman:Auth / Generate",
            r#"{"a":1}"#,
        );
        let refresh = endpoint("Refresh token", "postman:Auth / Refresh", r#"{"b":2}"#);
        let current = integration_with(&[generate.clone(), refresh.clone()]);

        let again = changes(&plan_of(vec![generate.clone(), refresh.clone()]), &current);
        assert!(
            again.is_empty(),
            "an unchanged file changes nothing: {again:?}"
        );
        assert_eq!(again.unchanged.len(), 2);

        let mut changed = refresh.clone();
        changed.success_example = r#"{"b":3}"#.into();
        let one = changes(&plan_of(vec![generate.clone(), changed]), &current);
        assert_eq!(one.updated.len(), 1, "exactly the endpoint that changed");
        assert_eq!(one.updated[0].0, Uuid::from_u128(2));
        assert_eq!(one.updated[0].3, ["success example"]);
        assert!(one.added.is_empty());
    }

    #[test]
    fn endpoints_imported_before_they_had_an_identity_pair_up_in_order() {
        let legacy = |name: &str, example: &str| endpoint(name, "", example);
        let current = integration_with(&[
            legacy("Generate", r#"{"a":1}"#),
            legacy("Refresh", r#"{"b":2}"#),
        ]);
        let file = vec![
            endpoint("Generate", "postman:Auth / Generate", r#"{"a":1}"#),
            endpoint("Refresh", "postman:Auth / Refresh", r#"{"b":2}"#),
        ];
        let first = changes(&plan_of(file), &current);
        // Each existing endpoint is matched once: no two updates of one row, nothing added.
        let rows: Vec<Uuid> = first.updated.iter().map(|(id, ..)| *id).collect();
        assert_eq!(rows, [Uuid::from_u128(1), Uuid::from_u128(2)]);
        assert!(
            first
                .updated
                .iter()
                .all(|(.., fields)| fields == &["import identity"])
        );
        assert!(first.added.is_empty());
    }

    #[test]
    fn a_third_endpoint_on_the_same_path_is_added_not_merged() {
        let generate = endpoint("Generate", "op-generate", "{}");
        let current = integration_with(std::slice::from_ref(&generate));
        let revoke = endpoint("Revoke", "op-revoke", "{}");
        let result = changes(&plan_of(vec![generate, revoke]), &current);
        assert_eq!(result.added.len(), 1);
        assert_eq!(result.added[0].name, "Revoke");
        assert!(result.updated.is_empty());
    }
}
