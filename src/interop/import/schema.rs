//! Following local `$ref`s (never external ones, never round a cycle) and making an example from a
//! JSON Schema when a document gives none.

use std::cell::RefCell;
use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::intake::model::ParamType;

const MAX_HOPS: usize = 16;
const MAX_EXAMPLE_DEPTH: usize = 6;

pub struct Refs<'a> {
    root: &'a Value,
    /// External references met, reported once each.
    pub external: RefCell<BTreeSet<String>>,
}

impl<'a> Refs<'a> {
    pub fn new(root: &'a Value) -> Self {
        Refs {
            root,
            external: RefCell::new(BTreeSet::new()),
        }
    }

    /// The value itself, or what its `$ref` chain points to within the document.
    pub fn resolve(&self, value: &'a Value) -> Option<&'a Value> {
        let mut current = value;
        for _ in 0..MAX_HOPS {
            let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
                return Some(current);
            };
            let Some(pointer) = reference.strip_prefix('#') else {
                self.external.borrow_mut().insert(reference.to_string());
                return None;
            };
            let pointer = pointer.replace("~1", "/").replace("~0", "~");
            current = self.root.pointer(&pointer)?;
        }
        // A chain this long is a cycle.
        None
    }

    /// An example that fits the schema: its own `example`, else one built from its shape.
    pub fn example(&self, schema: &'a Value) -> Value {
        self.example_at(schema, 0)
    }

    fn example_at(&self, schema: &'a Value, depth: usize) -> Value {
        let Some(schema) = self.resolve(schema) else {
            return Value::Null;
        };
        if let Some(example) = schema.get("example") {
            return example.clone();
        }
        if let Some(first) = schema
            .get("examples")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        if let Some(default) = schema.get("default") {
            return default.clone();
        }
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        if depth >= MAX_EXAMPLE_DEPTH {
            return Value::Null;
        }
        for combined in ["allOf", "oneOf", "anyOf"] {
            if let Some(parts) = schema.get(combined).and_then(Value::as_array) {
                if combined == "allOf" {
                    let mut merged = Map::new();
                    for part in parts {
                        if let Value::Object(fields) = self.example_at(part, depth + 1) {
                            merged.extend(fields);
                        }
                    }
                    return Value::Object(merged);
                }
                if let Some(first) = parts.first() {
                    return self.example_at(first, depth + 1);
                }
            }
        }
        match type_of(schema).as_deref() {
            Some("object") | None if schema.get("properties").is_some() => {
                let mut out = Map::new();
                if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                    for (name, property) in properties {
                        out.insert(name.clone(), self.example_at(property, depth + 1));
                    }
                }
                Value::Object(out)
            }
            Some("object") => json!({}),
            Some("array") => match schema.get("items") {
                Some(items) => json!([self.example_at(items, depth + 1)]),
                None => json!([]),
            },
            Some("integer") => json!(0),
            Some("number") => json!(0.0),
            Some("boolean") => json!(true),
            Some("string") => json!(match schema.get("format").and_then(Value::as_str) {
                Some("date") => "2024-01-31",
                Some("date-time") => "2024-01-31T10:00:00Z",
                Some("email") => "user@example.com",
                Some("uuid") => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                _ => "string",
            }),
            _ => Value::Null,
        }
    }
}

/// The schema's type; OpenAPI 3.1 allows a list such as ["string", "null"].
pub fn type_of(schema: &Value) -> Option<String> {
    match schema.get("type")? {
        Value::String(kind) => Some(kind.clone()),
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|k| *k != "null")
            .map(str::to_string),
        _ => None,
    }
}

pub fn param_type(schema: Option<&Value>) -> ParamType {
    schema
        .and_then(type_of)
        .and_then(|kind| ParamType::parse(&kind))
        .unwrap_or(ParamType::String)
}

/// An example value as the text a partner would type in the parameter table.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_and_external_references_stop() {
        let doc = json!({
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "#/components/schemas/A"},
                "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}, "id": {"type": "integer"}}},
            }}
        });
        let refs = Refs::new(&doc);
        assert!(
            refs.resolve(&json!({"$ref": "#/components/schemas/A"}))
                .is_none()
        );
        assert!(refs.resolve(&json!({"$ref": "other.yaml#/X"})).is_none());
        assert!(refs.external.borrow().contains("other.yaml#/X"));
        let node = refs.example(&json!({"$ref": "#/components/schemas/Node"}));
        assert_eq!(
            node["id"], 0,
            "a recursive schema gives a finite example: {node}"
        );
    }
}
