//! Following local `$ref`s (never external ones, never round a cycle) and making an example from a
//! JSON Schema when a document gives none.
//!
//! Examples are made under a budget of (roughly) the bytes they would print as, per example and
//! per import, checked before each value is made: a schema whose properties each refer back to it
//! grows exponentially with depth, and a 1 KB file once built gigabytes this way.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::domain::example::MAX_EXAMPLE_BYTES;
use crate::domain::model::ParamType;

const MAX_HOPS: usize = 16;
const MAX_EXAMPLE_DEPTH: usize = 6;
/// An example any larger is left out of the import anyway.
pub const EXAMPLE_BUDGET: usize = MAX_EXAMPLE_BYTES;
/// What all examples of one import may cost together.
pub const IMPORT_BUDGET: usize = 8 * 1024 * 1024;
/// What one value costs besides its text: punctuation, a key's quotes, indentation.
const VALUE_COST: usize = 8;

pub struct Refs<'a> {
    root: &'a Value,
    /// External references met, reported once each.
    pub external: RefCell<BTreeSet<String>>,
    example_left: Cell<usize>,
    import_left: Cell<usize>,
    /// Whether the last example asked for ran out of budget and was left out.
    last_example_cut: Cell<bool>,
}

/// Why an example was not made whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExampleCut {
    /// This example alone would be over `EXAMPLE_BUDGET`.
    TooLarge,
    /// The examples before it used up `IMPORT_BUDGET`.
    ImportBudgetSpent,
}

impl<'a> Refs<'a> {
    pub fn new(root: &'a Value) -> Self {
        Self::with_budget(root, IMPORT_BUDGET)
    }

    pub fn with_budget(root: &'a Value, import_budget: usize) -> Self {
        Refs {
            root,
            external: RefCell::new(BTreeSet::new()),
            example_left: Cell::new(0),
            import_left: Cell::new(import_budget),
            last_example_cut: Cell::new(false),
        }
    }

    /// An example that fits the schema (its own `example`, else one built from its shape), or
    /// why none could be made within the budgets.
    pub fn example(&self, schema: &'a Value) -> Result<Value, ExampleCut> {
        self.budgeted(|| self.example_at(schema, 0))
    }

    /// A value copied out of the document (a media type's `example`), under the same budgets.
    pub fn copy(&self, value: &Value) -> Result<Value, ExampleCut> {
        self.budgeted(|| {
            if self.spend(cost(value, self.example_left.get())) {
                value.clone()
            } else {
                Value::Null
            }
        })
    }

    fn budgeted(&self, make: impl FnOnce() -> Value) -> Result<Value, ExampleCut> {
        if self.import_left.get() == 0 {
            return Err(ExampleCut::ImportBudgetSpent);
        }
        let allowance = EXAMPLE_BUDGET.min(self.import_left.get());
        self.example_left.set(allowance);
        self.last_example_cut.set(false);
        let value = make();
        let spent = allowance - self.example_left.get();
        self.import_left
            .set(self.import_left.get().saturating_sub(spent));
        if self.last_example_cut.get() {
            // What was built is dropped here, at once; a part of an example would mislead.
            return Err(if allowance < EXAMPLE_BUDGET {
                ExampleCut::ImportBudgetSpent
            } else {
                ExampleCut::TooLarge
            });
        }
        Ok(value)
    }

    /// Takes `amount` from this example's allowance; false (and the example marked cut) when it
    /// does not fit.
    fn spend(&self, amount: usize) -> bool {
        let left = self.example_left.get();
        if self.last_example_cut.get() || amount > left {
            self.last_example_cut.set(true);
            self.example_left.set(0);
            return false;
        }
        self.example_left.set(left - amount);
        true
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

    fn example_at(&self, schema: &'a Value, depth: usize) -> Value {
        if !self.spend(VALUE_COST) {
            return Value::Null;
        }
        let Some(schema) = self.resolve(schema) else {
            return Value::Null;
        };
        let given = schema
            .get("example")
            .or_else(|| {
                schema
                    .get("examples")
                    .and_then(Value::as_array)
                    .and_then(|e| e.first())
            })
            .or_else(|| schema.get("default"))
            .or_else(|| {
                schema
                    .get("enum")
                    .and_then(Value::as_array)
                    .and_then(|e| e.first())
            });
        if let Some(given) = given {
            return if self.spend(cost(given, self.example_left.get())) {
                given.clone()
            } else {
                Value::Null
            };
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
                        if !self.spend(name.len()) {
                            break;
                        }
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
                // Made values must pass the formats the schema names, or the partner is shown
                // a warning about the import's own guess.
                Some("uri" | "url" | "iri" | "uri-reference" | "iri-reference") => {
                    "https://example.com/"
                }
                Some("hostname" | "idn-hostname") => "example.com",
                Some("ipv4") => "192.0.2.1",
                Some("ipv6") => "2001:db8::1",
                Some("time") => "10:00:00Z",
                Some("duration") => "PT1H",
                Some("idn-email") => "user@example.com",
                _ => "string",
            }),
            _ => Value::Null,
        }
    }
}

/// Roughly the bytes `value` prints as, counted no further than `limit` (so the count itself is
/// bounded work).
fn cost(value: &Value, limit: usize) -> usize {
    let mut total = 0;
    let mut pending = vec![value];
    while let Some(next) = pending.pop() {
        total += VALUE_COST;
        match next {
            Value::String(text) => total += text.len(),
            Value::Array(items) => pending.extend(items),
            Value::Object(fields) => {
                for (key, value) in fields {
                    total += key.len();
                    pending.push(value);
                }
            }
            _ => {}
        }
        if total > limit {
            return usize::MAX;
        }
    }
    total
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
        let node = refs
            .example(&json!({"$ref": "#/components/schemas/Node"}))
            .unwrap();
        assert_eq!(
            node["id"], 0,
            "a recursive schema gives a finite example: {node}"
        );
    }

    /// N properties that each refer to the schema itself: about N^6 values unbounded.
    fn self_referring(properties: usize) -> Value {
        let fields: Map<String, Value> = (0..properties)
            .map(|i| (format!("p{i}"), json!({"$ref": "#/components/schemas/S"})))
            .collect();
        json!({"components": {"schemas": {"S": {"type": "object", "properties": fields}}}})
    }

    #[test]
    fn a_schema_that_multiplies_itself_stops_at_the_example_budget() {
        for properties in [12, 30, 200] {
            let doc = self_referring(properties);
            let refs = Refs::new(&doc);
            let started = std::time::Instant::now();
            let made = refs.example(&json!({"$ref": "#/components/schemas/S"}));
            assert_eq!(made, Err(ExampleCut::TooLarge), "{properties} properties");
            assert!(
                started.elapsed() < std::time::Duration::from_secs(2),
                "{properties} properties took {:?}",
                started.elapsed()
            );
        }
    }

    #[test]
    fn the_import_budget_is_shared_by_all_examples() {
        let doc = self_referring(3);
        let refs = Refs::with_budget(&doc, 20_000);
        let schema = json!({"$ref": "#/components/schemas/S"});
        let mut made = 0;
        let outcome = loop {
            match refs.example(&schema) {
                Ok(example) => {
                    assert!(example.is_object());
                    made += 1;
                }
                Err(cut) => break cut,
            }
            assert!(made < 1000, "the budget never ran out");
        };
        assert!(made >= 1, "a small example fits");
        assert_eq!(outcome, ExampleCut::ImportBudgetSpent);
        assert_eq!(refs.example(&schema), Err(ExampleCut::ImportBudgetSpent));
    }

    #[test]
    fn a_large_given_example_is_not_copied_past_the_budget() {
        let big = json!({"text": "x".repeat(EXAMPLE_BUDGET)});
        let doc = json!({});
        let refs = Refs::new(&doc);
        assert_eq!(refs.copy(&big), Err(ExampleCut::TooLarge));
        assert_eq!(refs.copy(&json!({"ok": true})), Ok(json!({"ok": true})));
    }
}
