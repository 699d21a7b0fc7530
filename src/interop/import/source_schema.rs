//! The source's own JSON Schemas, kept: a schema is copied out of the document with its local
//! `$ref`s resolved (a reference back into itself becomes `{}`, "anything"), written in the JSON
//! Schema dialect OpenAPI 3.1 uses (3.0's `nullable` and boolean `exclusiveMinimum` converted),
//! and bounded in depth and size, per schema and per import.

use std::cell::Cell;

use serde_json::{Map, Value, json};

use super::schema::Refs;
use crate::domain::schema_check;

/// One kept schema prints to at most this many bytes (roughly); a larger one is not kept.
pub const MAX_SCHEMA_BYTES: usize = 64 * 1024;
/// What all schemas of one import may cost together.
pub const IMPORT_SCHEMA_BUDGET: usize = 4 * 1024 * 1024;
const MAX_DEPTH: usize = 32;
/// What one value costs besides its text.
const VALUE_COST: usize = 8;
/// Keywords whose values are examples, not constraints: the portal keeps examples beside the
/// schema, where the partner sees and confirms them, and a source's stale example inside a
/// schema would contradict it.
const DROPPED: [&str; 2] = ["example", "examples"];

pub struct SchemaCopier<'a> {
    refs: &'a Refs<'a>,
    import_left: Cell<usize>,
    schema_left: Cell<usize>,
}

impl<'a> SchemaCopier<'a> {
    pub fn new(refs: &'a Refs<'a>) -> Self {
        SchemaCopier {
            refs,
            import_left: Cell::new(IMPORT_SCHEMA_BUDGET),
            schema_left: Cell::new(0),
        }
    }

    /// The schema as kept, or None when it is too large to keep (or the import's budget is
    /// spent).
    pub fn copy(&self, schema: &'a Value) -> Option<Value> {
        let allowance = MAX_SCHEMA_BYTES.min(self.import_left.get());
        self.schema_left.set(allowance);
        let mut path = Vec::new();
        let copied = self.copy_at(schema, 0, &mut path);
        let spent = allowance - self.schema_left.get();
        self.import_left
            .set(self.import_left.get().saturating_sub(spent));
        copied
    }

    fn spend(&self, amount: usize) -> Option<()> {
        let left = self.schema_left.get();
        if amount > left {
            self.schema_left.set(0);
            return None;
        }
        self.schema_left.set(left - amount);
        Some(())
    }

    fn copy_at(&self, value: &'a Value, depth: usize, path: &mut Vec<String>) -> Option<Value> {
        self.spend(VALUE_COST)?;
        if depth > MAX_DEPTH {
            return Some(json!({}));
        }
        if let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            // A schema that contains itself is "anything" at the point it recurs.
            if path.iter().any(|r| r == reference) {
                return Some(json!({}));
            }
            let Some(target) = self.refs.resolve(value) else {
                return Some(json!({}));
            };
            path.push(reference.to_string());
            let copied = self.copy_at(target, depth + 1, path);
            path.pop();
            return copied;
        }
        match value {
            Value::Object(fields) => {
                let mut out = Map::new();
                for (key, field) in fields {
                    if DROPPED.contains(&key.as_str()) {
                        continue;
                    }
                    self.spend(key.len())?;
                    let copied = match key.as_str() {
                        // Maps from names (a property called "example" is data) to schemas.
                        "properties" | "patternProperties" | "$defs" | "definitions"
                        | "dependentSchemas" => self.copy_named(field, depth + 1, path)?,
                        // Values, not schemas: kept as written.
                        "enum" | "const" | "default" => self.copy_data(field)?,
                        _ => self.copy_at(field, depth + 1, path)?,
                    };
                    out.insert(key.clone(), copied);
                }
                Some(to_json_schema(out))
            }
            Value::Array(items) => items
                .iter()
                .map(|item| self.copy_at(item, depth + 1, path))
                .collect::<Option<Vec<_>>>()
                .map(Value::Array),
            Value::String(text) => {
                self.spend(text.len())?;
                Some(value.clone())
            }
            other => Some(other.clone()),
        }
    }

    /// A map whose keys are names and whose values are schemas.
    fn copy_named(&self, map: &'a Value, depth: usize, path: &mut Vec<String>) -> Option<Value> {
        let Value::Object(entries) = map else {
            return self.copy_data(map);
        };
        let mut out = Map::new();
        for (name, schema) in entries {
            self.spend(name.len())?;
            out.insert(name.clone(), self.copy_at(schema, depth + 1, path)?);
        }
        Some(Value::Object(out))
    }

    /// A value copied as it is, under the same budget.
    fn copy_data(&self, value: &Value) -> Option<Value> {
        let mut cost = 0usize;
        let mut pending = vec![value];
        while let Some(next) = pending.pop() {
            cost += VALUE_COST;
            match next {
                Value::String(text) => cost += text.len(),
                Value::Array(items) => pending.extend(items),
                Value::Object(fields) => {
                    cost += fields.keys().map(String::len).sum::<usize>();
                    pending.extend(fields.values());
                }
                _ => {}
            }
            if cost > MAX_SCHEMA_BYTES {
                self.spend(cost)?;
            }
        }
        self.spend(cost)?;
        Some(value.clone())
    }
}

/// OpenAPI 3.0's schema dialect → JSON Schema 2020-12, as OpenAPI 3.1 (and the export) uses:
/// `nullable: true` joins `null` to the type; a boolean `exclusiveMinimum` / `exclusiveMaximum`
/// takes the bound it qualified.
fn to_json_schema(mut schema: Map<String, Value>) -> Value {
    if let Some(nullable) = schema.remove("nullable")
        && nullable == Value::Bool(true)
    {
        match schema.get("type").cloned() {
            Some(Value::String(kind)) => {
                schema.insert("type".into(), json!([kind, "null"]));
            }
            Some(Value::Array(mut kinds)) if !kinds.contains(&json!("null")) => {
                kinds.push(json!("null"));
                schema.insert("type".into(), Value::Array(kinds));
            }
            _ => {}
        }
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match schema.get(exclusive) {
            Some(Value::Bool(true)) => {
                if let Some(limit) = schema.remove(bound) {
                    schema.insert(exclusive.into(), limit);
                } else {
                    schema.remove(exclusive);
                }
            }
            Some(Value::Bool(false)) => {
                schema.remove(exclusive);
            }
            _ => {}
        }
    }
    // A default the schema itself refuses (files have them) would make the schema contradict
    // itself wherever it is checked; it is dropped.
    if let Some(default) = schema.remove("default") {
        let rest = Value::Object(schema.clone());
        if schema_check::mismatch(&rest, &default).is_none() {
            schema.insert("default".into(), default);
        }
    }
    Value::Object(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_resolved_and_a_recursion_becomes_anything() {
        let doc = json!({"components": {"schemas": {
            "Order": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "integer", "example": 7},
                "note": {"type": "string", "nullable": true},
                "total": {"type": "number", "minimum": 0, "exclusiveMinimum": true},
                "since": {"type": "string", "pattern": "^[0-9]{4}$", "default": "last year"},
                "page": {"type": "integer", "default": 1},
                "examples": {"type": "array", "items": {"type": "string"}},
                "parent": {"$ref": "#/components/schemas/Order"},
            }},
        }}});
        let refs = Refs::new(&doc);
        let copier = SchemaCopier::new(&refs);
        let kept = copier
            .copy(&json!({"$ref": "#/components/schemas/Order"}))
            .unwrap();
        assert_eq!(
            kept,
            json!({"type": "object", "required": ["id"], "properties": {
                "id": {"type": "integer"},
                "note": {"type": ["string", "null"]},
                "total": {"type": "number", "exclusiveMinimum": 0},
                "since": {"type": "string", "pattern": "^[0-9]{4}$"},
                "page": {"type": "integer", "default": 1},
                "examples": {"type": "array", "items": {"type": "string"}},
                "parent": {},
            }})
        );
    }

    #[test]
    fn a_schema_that_multiplies_without_a_cycle_is_not_kept_and_costs_little() {
        // S0 → 30 × S1 → 30 × S2 …: 30^6 values if copied whole.
        let mut schemas = Map::new();
        for level in 0..7 {
            let fields: Map<String, Value> = (0..30)
                .map(|i| {
                    let next = json!({"$ref": format!("#/components/schemas/S{}", level + 1)});
                    (
                        format!("p{i}"),
                        if level < 6 {
                            next
                        } else {
                            json!({"type": "string"})
                        },
                    )
                })
                .collect();
            schemas.insert(
                format!("S{level}"),
                json!({"type": "object", "properties": fields}),
            );
        }
        let doc = json!({"components": {"schemas": schemas}});
        let refs = Refs::new(&doc);
        let copier = SchemaCopier::new(&refs);
        let started = std::time::Instant::now();
        let schema = json!({"$ref": "#/components/schemas/S0"});
        for _ in 0..200 {
            assert_eq!(copier.copy(&schema), None);
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        let small = json!({"type": "string"});
        assert_eq!(copier.copy(&small), None, "the import's budget is spent");
    }
}
