//! Reading an OpenAPI 3.x document or a Postman collection into what the portal stores: base
//! URLs, authentication, credential names and endpoints, with a note for everything that could
//! not be mapped and why. Nothing here touches the database; `merge` decides what an import
//! would change, and the page shows that before anything is written.

pub mod merge;
mod openapi;
mod openapi_endpoint;
mod openapi_security;
mod partner_code;
mod postman;
mod schema;
mod source_schema;
mod tidy;

use std::collections::BTreeSet;

use serde_json::Value;

use crate::domain::model::{EndpointSpec, Sections};

/// The largest file accepted, said on the page.
pub const MAX_BYTES: usize = crate::config::MAX_IMPORT_BYTES;
/// More endpoints than an integration may hold are not imported.
pub const MAX_ENDPOINTS: usize = 200;
const MAX_ROWS: usize = 100;
/// Deeper documents are refused before a parser recurses into them.
const MAX_DEPTH: usize = 128;
/// Cheap counts of value markers (JSON's `,` and `:`; YAML's `:`, `,` and `-`) bound what parsing
/// may cost, so any accepted file up to `MAX_BYTES` stays within a few hundred MB.
const MAX_JSON_VALUES: usize = 1_000_000;
const MAX_YAML_VALUES: usize = 500_000;
/// What aliases may expand a YAML file to, counted as (aliases + 1) × its values.
const MAX_YAML_EXPANSION: usize = 2_000_000;

/// What a file says, in the portal's terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// "OpenAPI 3.0.3", "Postman collection v2.1".
    pub source: String,
    pub title: String,
    pub purpose: String,
    /// Only what the file says; empty fields mean "not in the file".
    pub sections: Sections,
    pub endpoints: Vec<EndpointSpec>,
    /// What was not imported, or changed on the way in, and why.
    pub notes: Vec<String>,
    /// Values the secret guard replaced with placeholders, each named.
    pub replaced: Vec<Replaced>,
}

/// A value the secret guard replaced on the way in.
#[derive(Debug, Clone, PartialEq)]
pub struct Replaced {
    /// The endpoint's place in the file and the field (`3/request_example`): what the preview's
    /// "It is not a secret" sends back to keep the value as written.
    pub key: String,
    pub endpoint: String,
    /// "request example", "header X-Api-Key", "parameter page_token example".
    pub field: String,
    /// "a long random key".
    pub what: String,
    /// The start of what was replaced, for the partner to judge (never stored).
    pub value: String,
}

pub fn parse(text: &str) -> Result<Plan, String> {
    parse_keeping(text, &BTreeSet::new())
}

/// Like `parse`, keeping as written the values the partner said are not secrets (`Replaced::key`).
pub fn parse_keeping(text: &str, keep: &BTreeSet<String>) -> Result<Plan, String> {
    if text.len() > MAX_BYTES {
        return Err(format!(
            "The file is {:.1} MiB; the limit is 5 MiB. Import the part with the endpoints Haptik calls.",
            text.len() as f64 / (1024.0 * 1024.0)
        ));
    }
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err("The file is empty.".into());
    }
    if nesting_depth(text) > MAX_DEPTH {
        return Err(format!(
            "The file nests deeper than {MAX_DEPTH} levels; no API description needs that."
        ));
    }
    let mut value = read(text)?;
    let removed = remove_nul(&mut value);
    let mut plan = if let Some(version) = value.get("openapi").and_then(Value::as_str) {
        if !version.starts_with("3.") {
            return Err(format!(
                "OpenAPI {version} is not supported: import OpenAPI 3.0 or 3.1."
            ));
        }
        openapi::plan(&value, version)
    } else if value.get("swagger").is_some() {
        return Err("This is a Swagger 2.0 document. Convert it to OpenAPI 3 first (for example with swagger2openapi or the Swagger Editor), then import that.".into());
    } else if let Some(collection) = postman::collection(&value) {
        postman::plan(collection)
    } else {
        return Err("This is neither an OpenAPI 3 document (no \"openapi\" field) nor a Postman collection (no \"info\" with a Postman schema and \"item\" list).".into());
    };
    if removed > 0 {
        plan.notes.push(format!(
            "{removed} NUL character(s) (\\u0000) were removed from the file's text: the portal cannot store them."
        ));
    }
    tidy::tidy(&mut plan, keep);
    plan.notes = tidy::grouped(std::mem::take(&mut plan.notes));
    Ok(plan)
}

/// Takes NUL characters out of every string and key (JSON's `\u0000`, YAML's `\0`): PostgreSQL
/// cannot store them, and in an API description they carry nothing. Returns how many.
fn remove_nul(value: &mut Value) -> usize {
    let mut removed = 0;
    let mut pending = vec![value];
    while let Some(next) = pending.pop() {
        match next {
            Value::String(text) if text.contains('\0') => {
                removed += text.matches('\0').count();
                text.retain(|c| c != '\0');
            }
            Value::Array(items) => pending.extend(items.iter_mut()),
            Value::Object(fields) => {
                if fields.keys().any(|key| key.contains('\0')) {
                    let old = std::mem::take(fields);
                    for (key, value) in old {
                        removed += key.matches('\0').count();
                        fields.insert(key.replace('\0', ""), value);
                    }
                }
                pending.extend(fields.values_mut());
            }
            _ => {}
        }
    }
    removed
}

/// JSON, or else YAML (a superset), with the parser's line and column when neither reads.
fn read(text: &str) -> Result<Value, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        // Each value in memory costs tens of bytes however short its text: 2.4 million
        // one-digit numbers (4.8 MB) peaked at 330 MB, so the count is bounded before parsing.
        let values = text.bytes().filter(|b| matches!(b, b',' | b':')).count();
        if values > MAX_JSON_VALUES {
            return Err(format!(
                "The file holds more than {MAX_JSON_VALUES} values, more than an API description needs. Import the part with the endpoints Haptik calls."
            ));
        }
        return serde_json::from_str(text).map_err(|e| {
            format!(
                "The file is not valid JSON: {} (line {}, column {}).",
                strip_position(&e.to_string()),
                e.line(),
                e.column()
            )
        });
    }
    // Read into memory, YAML costs several times what JSON does per value (measured: a 4.9 MB
    // file of small mappings peaked at 380 MB); past this many it is refused before parsing.
    let values = text
        .bytes()
        .filter(|b| matches!(b, b':' | b',' | b'-'))
        .count();
    if values > MAX_YAML_VALUES {
        return Err(format!(
            "The YAML file holds more than {MAX_YAML_VALUES} values, more than the portal reads in YAML. Convert it to JSON (any YAML tool does) or import the part with the endpoints Haptik calls."
        ));
    }
    // Each alias (`*name`) copies its anchor, which may be as large as the file: a 2 MB file
    // of one big anchor and many aliases expands to billions of values. The count bounds it.
    let aliases = alias_count(text);
    if aliases > 0 && (aliases + 1).saturating_mul(values.max(1)) > MAX_YAML_EXPANSION {
        return Err(format!(
            "The YAML file repeats its anchors ({aliases} aliases) more than the portal expands. Convert it to JSON (any YAML tool does) and import that."
        ));
    }
    let value: Value = serde_yaml_ng::from_str(text).map_err(|e| match e.location() {
        Some(at) => format!(
            "The file is not valid YAML: {} (line {}, column {}).",
            strip_position(&e.to_string()),
            at.line(),
            at.column()
        ),
        None => format!("The file is not valid YAML: {e}."),
    })?;
    if !value.is_object() {
        return Err("The file holds no document: expected an object at the top.".into());
    }
    Ok(value)
}

/// YAML aliases: a `*` that starts a token and is followed by a name. Quoted text is not told
/// apart, so this may count more than there are, never fewer.
fn alias_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| {
            b == b'*'
                && (i == 0
                    || matches!(
                        bytes[i - 1],
                        b' ' | b'\t' | b'\n' | b'[' | b',' | b'{' | b':' | b'-'
                    ))
                && bytes
                    .get(i + 1)
                    .is_some_and(|next| next.is_ascii_alphanumeric() || matches!(next, b'_' | b'-'))
        })
        .count()
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

/// The deepest bracket nesting, cheaply, before any parser recurses.
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    // Block-style YAML nesting is bounded by the YAML parser's own recursion limit.
    deepest
}

/// A field of a file's object as trimmed text; empty when missing or not a string.
fn text_of(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A JSON pointer into the file, the way the report names a place: `#/paths/~1pets/get`.
fn pointer(parts: &[&str]) -> String {
    let mut at = String::from("#");
    for part in parts {
        at.push('/');
        at.push_str(&part.replace('~', "~0").replace('/', "~1"));
    }
    at
}

/// A request example pretty-printed when it is JSON, as partners would type it.
fn example_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_that_repeat_are_said_once_with_every_place() {
        let notes = vec![
            "#/paths/~1a/get/responses/200/headers: response headers are not imported.".into(),
            "Something else.".into(),
            "#/paths/~1b/get/responses/200/headers: response headers are not imported.".into(),
            "#/paths/~1c/get/callbacks: callbacks (x) are not imported.".into(),
            "#/paths/~1c/get/responses/429/headers: response headers are not imported.".into(),
            "#/paths/~1d/get/responses/default: “default” names no status.".into(),
            "#/paths/~1e/get/responses/default: “default” names no status.".into(),
            "#/paths/~1f/get/responses/default: “default” names no status.".into(),
        ];
        assert_eq!(
            tidy::grouped(notes),
            [
                "Response headers are not imported, at 3 places: #/paths/~1a/get/responses/200/headers, #/paths/~1b/get/responses/200/headers, #/paths/~1c/get/responses/429/headers.",
                "Something else.",
                "#/paths/~1c/get/callbacks: callbacks (x) are not imported.",
                "“default” names no status, at 3 places: #/paths/~1d/get/responses/default, #/paths/~1e/get/responses/default, #/paths/~1f/get/responses/default.",
            ]
        );
    }

    #[test]
    fn many_distinct_notes_are_grouped_at_once_and_capped() {
        let notes: Vec<String> = (0..50_000)
            .map(|i| {
                format!("#/paths/~1p{i}/get/parameters: the cookie parameter “c{i}” has no place.")
            })
            .collect();
        let started = std::time::Instant::now();
        let out = tidy::grouped(notes);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(out.len(), 501);
        assert_eq!(out[500], "… and 49500 more notes like these.");
    }

    #[test]
    fn a_spec_carried_as_written_keeps_only_bounded_schemas_and_marks_it_can_have() {
        let huge: serde_json::Map<String, Value> = (0..5_000)
            .map(|i| {
                (
                    format!("p{i}"),
                    serde_json::json!({"type": "string", "description": "x".repeat(20)}),
                )
            })
            .collect();
        let doc = serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "Carried", "version": "1"},
            "paths": {"/a": {"get": {"responses": {}, "x-haptik-endpoint": {"spec": {
                "name": "A", "method": "GET", "path": "/a",
                "schemas": {"request": {"type": "object", "properties": huge},
                            "success": {"type": "object"}, "error_7": {"type": "object"}},
                "unconfirmed": ["success_example", "error_code_3", "anything"]
            }}}}}
        })
        .to_string();
        let plan = parse(&doc).unwrap();
        let spec = &plan.endpoints[0];
        assert_eq!(spec.schemas.keys().collect::<Vec<_>>(), ["success"]);
        assert_eq!(
            spec.unconfirmed.iter().collect::<Vec<_>>(),
            ["success_example"]
        );
        assert!(
            plan.notes
                .iter()
                .any(|n| n.contains("2 schema(s) were not kept")),
            "{:?}",
            plan.notes
        );
    }

    #[test]
    fn bad_files_get_a_clear_message() {
        assert!(parse("").unwrap_err().contains("empty"));
        let broken = parse("openapi: 3.0.0\ninfo:\n  title: [unclosed\n").unwrap_err();
        assert!(
            broken.contains("not valid YAML") && broken.contains("line"),
            "{broken}"
        );
        let json = parse("{\"openapi\": \"3.0.0\",}").unwrap_err();
        assert!(
            json.contains("not valid JSON") && json.contains("line 1"),
            "{json}"
        );
        assert!(
            parse("swagger: '2.0'\n")
                .unwrap_err()
                .contains("Swagger 2.0")
        );
        assert!(
            parse("name: something else\n")
                .unwrap_err()
                .contains("neither")
        );
        let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
        assert!(parse(&deep).unwrap_err().contains("nests deeper"));
        let huge = "x".repeat(MAX_BYTES + 1);
        assert!(parse(&huge).unwrap_err().contains("5 MiB"));
    }

    #[test]
    fn nul_characters_are_taken_out_and_said() {
        let doc = "{\"openapi\": \"3.0.0\", \"info\": {\"title\": \"Pay\\u0000ments\", \"version\": \"1\"},\
                   \"paths\": {\"/p\\u0000\": {\"get\": {\"summary\": \"x\\u0000\", \"responses\": {}}}}}";
        let plan = parse(doc).unwrap();
        assert_eq!(plan.title, "Payments");
        assert_eq!(plan.endpoints[0].path, "/p");
        assert!(
            plan.notes
                .iter()
                .any(|n| n.starts_with("3 NUL character(s)")),
            "{:?}",
            plan.notes
        );
        let yaml =
            parse("openapi: 3.0.0\ninfo: {title: \"A\\0B\", version: '1'}\npaths: {}\n").unwrap();
        assert_eq!(yaml.title, "AB");
    }

    #[test]
    fn json_with_too_many_values_is_refused_before_parsing() {
        let json = format!(
            "{{\"openapi\": \"3.0.3\", \"x\": [{}]}}",
            vec!["1"; MAX_JSON_VALUES + 1].join(",")
        );
        let refused = parse(&json).unwrap_err();
        assert!(refused.contains("more than 1000000 values"), "{refused}");
    }

    #[test]
    fn yaml_with_too_many_values_is_refused_before_parsing() {
        let mut yaml =
            String::from("openapi: 3.0.3\ninfo: {title: Y, version: '1'}\npaths: {}\nx:\n");
        while yaml.len() < 4_000_000 {
            yaml.push_str("  - {a: 1, b: [1, 2, 3], c: text}\n");
        }
        let refused = parse(&yaml).unwrap_err();
        assert!(refused.contains("Convert it to JSON"), "{refused}");
    }

    #[test]
    fn one_big_anchor_repeated_by_many_aliases_is_refused_before_expanding() {
        let items = vec!["1"; 100_000].join(",");
        let aliases = vec!["*a"; 100_000].join(",");
        let yaml = format!("openapi: 3.0.3\na: &a [{items}]\nb: [{aliases}]\n");
        assert!(yaml.len() < 2_000_000);
        let started = std::time::Instant::now();
        let refused = parse(&yaml).unwrap_err();
        assert!(refused.contains("aliases"), "{refused}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // A few aliases in an ordinary file are fine.
        let ordinary = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nx-h: &h {type: string}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\nx-more: [*h, *h]\n";
        assert!(parse(ordinary).is_ok(), "{:?}", parse(ordinary));
    }

    #[test]
    fn a_yaml_alias_bomb_is_refused() {
        let mut bomb = String::from("openapi: 3.0.0\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for n in 1..10 {
            let p = n - 1;
            bomb.push_str(&format!(
                "a{n}: &a{n} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        // Expanded, this is 10^10 scalars; the parser refuses it instead of expanding it.
        assert!(parse(&bomb).is_err());
    }
}
