//! A save that started from an old version is not applied. The user sees their own text in the
//! form and, beside it, what the other person saved, and chooses.

use serde_json::Value;
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct Conflict {
    pub by: String,
    pub at: String,
    /// What is saved now, as "field: value" lines.
    pub theirs: Vec<(String, String)>,
}

impl Conflict {
    pub fn new(current: &Value, by: Option<String>, at: Option<OffsetDateTime>) -> Conflict {
        let mut theirs = Vec::new();
        flatten("", current, &mut theirs);
        Conflict {
            by: by.unwrap_or_else(|| "A teammate".into()),
            at: at.map(crate::web::dates::date_time).unwrap_or_default(),
            theirs,
        }
    }
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    let label = |key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix} › {key}")
        }
    };
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                flatten(&label(&key.replace('_', " ")), inner, out);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                flatten(&label(&format!("#{}", i + 1)), inner, out);
            }
        }
        Value::String(text) if text.is_empty() => {}
        Value::Null => {}
        Value::String(text) => out.push((prefix.to_string(), text.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_data_reads_as_labelled_lines() {
        let current = serde_json::json!({
            "staging_url": "https://sit.example",
            "production_url": "",
            "items": [{"code": "SUCC001", "http_status": "200"}]
        });
        let conflict = Conflict::new(&current, Some("Arjun".into()), None);
        assert_eq!(conflict.by, "Arjun");
        assert!(
            conflict
                .theirs
                .contains(&("staging url".into(), "https://sit.example".into()))
        );
        assert!(
            conflict
                .theirs
                .contains(&("items › #1 › code".into(), "SUCC001".into()))
        );
        assert_eq!(conflict.theirs.len(), 3, "empty values are left out");
    }
}
