//! Whether a staging response has the shape of the partner's example: the same keys with the same
//! JSON types. Values are never compared (staging data differs from examples) and never reported,
//! so a check's stored report holds no response data.

use serde_json::Value;

/// More differences than this are summarised; a wholly different body would list hundreds.
const MAX_DIFFERENCES: usize = 30;

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The differences between the example and the actual body, as readable lines such as
/// `$.data.otp: missing (the example has a string)`. A `null` in the example stands for any
/// type, as partners write it for fields that are sometimes empty. Every element of an array is
/// compared with the example's first element.
pub fn differences(example: &Value, actual: &Value) -> Vec<String> {
    let mut found = Vec::new();
    compare("$", example, actual, &mut found);
    if found.len() > MAX_DIFFERENCES {
        found.truncate(MAX_DIFFERENCES);
        found.push("… and more differences not listed".into());
    }
    found
}

fn compare(path: &str, example: &Value, actual: &Value, found: &mut Vec<String>) {
    if found.len() > MAX_DIFFERENCES {
        return;
    }
    match (example, actual) {
        (Value::Null, _) => {}
        (Value::Object(want), Value::Object(got)) => {
            for (key, want_value) in want {
                let child = child_path(path, key);
                match got.get(key) {
                    Some(got_value) => compare(&child, want_value, got_value, found),
                    None => found.push(format!(
                        "{child}: missing (the example has {})",
                        kind(want_value)
                    )),
                }
            }
            for (key, got_value) in got {
                if !want.contains_key(key) {
                    found.push(format!(
                        "{}: not in the example (the response has {})",
                        child_path(path, key),
                        kind(got_value)
                    ));
                }
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            if let Some(first) = want.first() {
                for (index, item) in got.iter().enumerate() {
                    compare(&format!("{path}[{index}]"), first, item, found);
                }
            }
        }
        _ if kind(example) != kind(actual) => found.push(format!(
            "{path}: the example has {}, the response has {}",
            kind(example),
            kind(actual)
        )),
        _ => {}
    }
}

fn child_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", serde_json::Value::String(key.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_same_shape_with_other_values_matches() {
        let example = json!({"status": "success", "status_code": "SUCC001", "data": {"ttl": 30, "tags": ["a"]}});
        let actual = json!({"status": "ok", "status_code": "SUCC002", "data": {"ttl": 90, "tags": ["x", "y"]}});
        assert!(differences(&example, &actual).is_empty());
    }

    #[test]
    fn missing_extra_and_retyped_keys_are_listed_by_path() {
        let example = json!({"status": "success", "data": {"ttl": 30}, "items": [{"id": 1}], "Attempt id": "1"});
        let actual = json!({"status": 200, "data": {}, "items": [{"id": "1"}], "extra": true, "Attempt id": "1"});
        assert_eq!(
            differences(&example, &actual),
            vec![
                "$.status: the example has a string, the response has a number",
                "$.data.ttl: missing (the example has a number)",
                "$.items[0].id: the example has a number, the response has a string",
                "$.extra: not in the example (the response has a boolean)",
            ]
        );
        let odd_key = differences(&json!({"Attempt id": "1"}), &json!({}));
        assert_eq!(
            odd_key,
            vec![r#"$["Attempt id"]: missing (the example has a string)"#]
        );
    }

    #[test]
    fn null_in_the_example_accepts_any_type_and_long_lists_are_cut() {
        assert!(differences(&json!({"otp": null}), &json!({"otp": "1234"})).is_empty());
        let example = json!([{"id": 1}]);
        let actual = Value::Array((0..100).map(|_| json!({"id": "x"})).collect());
        let found = differences(&example, &actual);
        assert_eq!(found.len(), MAX_DIFFERENCES + 1);
        assert!(found.last().unwrap().contains("more differences"));
    }
}
