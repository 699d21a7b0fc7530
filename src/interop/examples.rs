//! Examples as other tools want them: parsed JSON values, JSON Schemas inferred from them, and
//! parameter examples typed by the parameter's declared type.

use serde_json::{Map, Value, json};

use crate::domain::example::parse as parse_example;
use crate::domain::model::ParamType;

/// A JSON Schema (2020-12, as OpenAPI 3.1 uses) that the example satisfies.
pub fn schema_of(value: &Value) -> Value {
    match value {
        Value::Null => json!({ "type": "null" }),
        Value::Bool(_) => json!({ "type": "boolean" }),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({ "type": "integer" }),
        Value::Number(_) => json!({ "type": "number" }),
        Value::String(_) => json!({ "type": "string" }),
        Value::Array(items) => match items.first() {
            Some(first) => json!({ "type": "array", "items": schema_of(first) }),
            // Nothing says what an empty list holds; OpenAPI still wants its items described.
            None => json!({ "type": "array", "items": {} }),
        },
        Value::Object(fields) => {
            let properties: Map<String, Value> = fields
                .iter()
                .map(|(key, value)| (key.clone(), schema_of(value)))
                .collect();
            json!({ "type": "object", "properties": properties })
        }
    }
}

/// "42" for an integer parameter is the number 42; text that does not fit its type stays text.
pub fn typed_example(text: &str, kind: ParamType) -> Value {
    let parsed = match kind {
        ParamType::Integer => text.trim().parse::<i64>().ok().map(Value::from),
        ParamType::Number => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number)),
        ParamType::Boolean => text.trim().parse::<bool>().ok().map(Value::Bool),
        ParamType::Object | ParamType::Array => parse_example(text),
        ParamType::String => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_follow_the_example() {
        let example =
            json!({"status": "success", "attempt": 1, "ok": true, "items": [{"id": 1.5}]});
        assert_eq!(
            schema_of(&example),
            json!({"type": "object", "properties": {
                "status": {"type": "string"},
                "attempt": {"type": "integer"},
                "ok": {"type": "boolean"},
                "items": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "number"}}}},
            }})
        );
    }

    #[test]
    fn parameter_examples_take_their_type_when_they_fit() {
        assert_eq!(typed_example("42", ParamType::Integer), json!(42));
        assert_eq!(typed_example("forty", ParamType::Integer), json!("forty"));
        assert_eq!(typed_example("true", ParamType::Boolean), json!(true));
        assert_eq!(
            typed_example("9928056506", ParamType::String),
            json!("9928056506")
        );
        assert_eq!(parse_example("{ status: 1 }"), None);
    }
}
