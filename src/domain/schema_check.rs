//! Whether an example fits the JSON Schema the partner's file gave for it. A mismatch is a
//! warning beside the field, never a refusal: the example may be right and the schema stale.
//! Patterns run on the `regex` engine (linear time, whatever a file's pattern says), and remote
//! references are never fetched (the crate is built without its HTTP and file retrievers).

use serde_json::Value;

use super::media::{BodyFormat, form_fields};
use super::text::shorten;

/// What in `example` the schema refuses first, with where: "at /amount: "12" is not of type
/// "integer"". None when it fits, or when the schema cannot be used to check (then nothing
/// is claimed).
pub fn mismatch(schema: &Value, example: &Value) -> Option<String> {
    if !within_bounds(schema) {
        return None;
    }
    // Each compiled pattern is held small: a pattern such as `(?:[a-z]{999}){999}` would
    // otherwise compile to many megabytes, and a schema can carry hundreds of them.
    let patterns = jsonschema::PatternOptions::regex()
        .size_limit(MAX_PATTERN_PROGRAM)
        .dfa_size_limit(MAX_PATTERN_PROGRAM);
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .with_pattern_options(patterns)
        .should_validate_formats(true)
        .build(schema)
        .ok()?;
    let error = validator.iter_errors(example).next()?;
    let at = error.instance_path().to_string();
    let what = error.to_string();
    Some(if at.is_empty() {
        format!("{}.", shorten(&what, 200))
    } else {
        format!("at {at}: {}.", shorten(&what, 200))
    })
}

/// A schema checked at all is at most this large (the size the import keeps), with at most this
/// much pattern text in it; a larger one claims nothing.
const MAX_SCHEMA_BYTES: usize = 64 * 1024;
const MAX_PATTERN_BYTES: usize = 8 * 1024;
const MAX_PATTERN_PROGRAM: usize = 256 * 1024;

/// Whether checking against `schema` costs a bounded amount, however the file wrote it.
fn within_bounds(schema: &Value) -> bool {
    let mut bytes = 0usize;
    let mut pattern_bytes = 0usize;
    let mut pending = vec![schema];
    while let Some(next) = pending.pop() {
        bytes += 8;
        match next {
            Value::Object(fields) => {
                for (key, value) in fields {
                    bytes += key.len();
                    if let ("pattern", Value::String(p)) = (key.as_str(), value) {
                        pattern_bytes += p.len();
                    }
                    if key == "patternProperties"
                        && let Value::Object(patterns) = value
                    {
                        pattern_bytes += patterns.keys().map(String::len).sum::<usize>();
                    }
                    pending.push(value);
                }
            }
            Value::Array(items) => pending.extend(items),
            Value::String(text) => bytes += text.len(),
            _ => {}
        }
        if bytes > MAX_SCHEMA_BYTES || pattern_bytes > MAX_PATTERN_BYTES {
            return false;
        }
    }
    true
}

/// An example as the value its schema describes: JSON parsed; form fields as an object whose
/// values take the type the schema gives each field (a form sends text, `CodeLength=4` means the
/// integer 4). None for text that is not in its format.
pub fn example_value(format: BodyFormat, text: &str, schema: &Value) -> Option<Value> {
    match format {
        BodyFormat::Json => super::example::parse(text),
        BodyFormat::Form | BodyFormat::Multipart => {
            let fields = form_fields(text).ok()?;
            let object = fields
                .into_iter()
                .map(|(name, raw)| {
                    let kind = schema["properties"][&name]["type"].clone();
                    (name, typed(&raw, &kind))
                })
                .collect();
            Some(Value::Object(object))
        }
        BodyFormat::Xml | BodyFormat::Text | BodyFormat::Other => {
            Some(Value::String(text.to_string()))
        }
    }
}

/// Form text read as the type a schema names (`"integer"`, or a list such as
/// `["integer", "null"]`); text that does not read so stays text.
fn typed(raw: &str, kind: &Value) -> Value {
    let names = |k: &str| match kind {
        Value::String(s) => s == k,
        Value::Array(list) => list.iter().any(|v| v == k),
        _ => false,
    };
    if names("integer")
        && let Ok(n) = raw.trim().parse::<i64>()
    {
        return Value::from(n);
    }
    if names("number")
        && let Some(n) = raw
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
    {
        return Value::Number(n);
    }
    if names("boolean")
        && let Ok(b) = raw.trim().parse::<bool>()
    {
        return Value::Bool(b);
    }
    if (names("array") || names("object"))
        && let Ok(v) = serde_json::from_str::<Value>(raw)
    {
        return v;
    }
    Value::String(raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_mismatch_says_where_and_what() {
        let schema = json!({"type": "object", "required": ["action"], "properties": {
            "amount": {"type": "integer"}, "action": {"type": "string"}}});
        assert_eq!(
            mismatch(&schema, &json!({"action": "x", "amount": 3})),
            None
        );
        let missing = mismatch(&schema, &json!({"amount": 3})).unwrap();
        assert!(
            missing.contains("\"action\" is a required property"),
            "{missing}"
        );
        let typed = mismatch(&schema, &json!({"action": "x", "amount": "3"})).unwrap();
        assert!(typed.starts_with("at /amount:"), "{typed}");
    }

    #[test]
    fn form_values_take_their_schema_types() {
        let schema = json!({"type": "object", "properties": {
            "CodeLength": {"type": "integer"}, "Enabled": {"type": ["boolean", "null"]},
            "To": {"type": "string"}}});
        let value = example_value(
            BodyFormat::Form,
            "To=+919928056506\nCodeLength=4\nEnabled=true",
            &schema,
        )
        .unwrap();
        assert_eq!(
            value,
            json!({"To": "+919928056506", "CodeLength": 4, "Enabled": true})
        );
        assert_eq!(mismatch(&schema, &value), None);
    }

    #[test]
    fn a_hostile_pattern_or_a_broken_schema_claims_nothing() {
        let evil = json!({"type": "string", "pattern": "^(a+)+$"});
        let started = std::time::Instant::now();
        assert!(mismatch(&evil, &json!(format!("{}!", "a".repeat(50_000)))).is_some());
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(mismatch(&json!({"type": 12}), &json!(1)), None);
        // A pattern that would compile to megabytes, many times over: refused at once.
        let heavy: serde_json::Map<String, Value> = (0..200)
            .map(|i| (format!("p{i}"), json!({"type": "string", "pattern": format!("(?:(?:[a-z]|\\d){{999}}){{{}}}", 30 + i)})))
            .collect();
        let heavy = json!({"type": "object", "properties": heavy});
        let started = std::time::Instant::now();
        assert_eq!(mismatch(&heavy, &json!({"p0": "x"})), None);
        let one = json!({"type": "string", "pattern": "(?:(?:[a-z]|\\d){999}){99}"});
        assert_eq!(
            mismatch(&one, &json!("x")),
            None,
            "too large to compile: no claim"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(
            mismatch(
                &json!({"$ref": "https://elsewhere.example/s.json"}),
                &json!(1)
            ),
            None
        );
    }
}
