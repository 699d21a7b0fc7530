//! YAML for the OpenAPI export that YAML 1.1 readers (PyYAML, older Swagger tooling) read exactly
//! as YAML 1.2 ones do. serde_yaml_ng writes YAML 1.2, where `NO`, `on` and `2026-01-01` are
//! plain strings; a 1.1 reader takes them for a boolean and a date. Here every string that is
//! not plainly a word is double-quoted, with every character YAML does not print escaped, so
//! no reader resolves it to anything else. No YAML crate offers 1.1-safe quoting, hence this.

use std::fmt::Write;

use serde_json::Value;

/// Words YAML 1.1 resolves to booleans or null, in any case.
const SPECIAL_WORDS: [&str; 10] = [
    "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
];

pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => block(&mut out, value, 0),
        Value::Array(items) if !items.is_empty() => block(&mut out, value, 0),
        scalar => {
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
    out
}

/// A non-empty map or list, one entry per line, indented by `indent` spaces.
fn block(out: &mut String, value: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let _ = write!(out, "{pad}{}:", string(key));
                nested(out, child, indent + 2);
            }
        }
        Value::Array(items) => {
            for child in items {
                if is_block(child) {
                    // "- " takes the place of the child's first indentation.
                    let mut inner = String::new();
                    block(&mut inner, child, indent + 2);
                    let _ = write!(out, "{pad}- {}", &inner[indent + 2..]);
                } else {
                    let _ = writeln!(out, "{pad}- {}", inline(child));
                }
            }
        }
        _ => unreachable!("block is called with a map or a list"),
    }
}

/// What follows a key's colon: a scalar on the same line, or a block below it.
fn nested(out: &mut String, child: &Value, indent: usize) {
    if is_block(child) {
        out.push('\n');
        block(out, child, indent);
    } else {
        let _ = writeln!(out, " {}", inline(child));
    }
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// Plain when it is plainly a word or a path (`OTP APIs`, `/otp/v1/generateOTP`, `string`),
/// double-quoted otherwise.
fn string(text: &str) -> String {
    let plain = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '_')
        && !text.ends_with(' ')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '.' | '/' | '-'))
        && !SPECIAL_WORDS.iter().any(|w| w.eq_ignore_ascii_case(text));
    if plain {
        return text.to_string();
    }
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c if printable(c) => quoted.push(c),
            c => {
                let _ = write!(quoted, "\\u{:04x}", c as u32);
            }
        }
    }
    quoted.push('"');
    quoted
}

/// YAML's printable characters (YAML 1.2, 5.1) that are not line breaks (NEL, LS and PS would be
/// folded inside quotes); anything else is written as an escape.
fn printable(c: char) -> bool {
    matches!(c as u32, 0x20..=0x7E | 0xA0..=0x2027 | 0x202A..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn strings_a_yaml_1_1_reader_would_misread_are_quoted() {
        let doc = json!({"a": "NO", "b": "2026-01-01", "c": "on", "d": "12:30", "e": "1_000",
                         "f": "Off", "g": "y", "h": "~", "i": "", "j": "plain words", "k": "/otp/v1"});
        let text = to_string(&doc);
        for quoted in [
            "\"NO\"",
            "\"2026-01-01\"",
            "\"on\"",
            "\"12:30\"",
            "\"1_000\"",
            "\"Off\"",
            "\"y\"",
            "\"~\"",
            "\"\"",
        ] {
            assert!(text.contains(quoted), "{quoted} in {text}");
        }
        assert!(text.contains("j: plain words\n"));
        assert!(text.contains("k: /otp/v1\n"));
    }

    #[test]
    fn nested_maps_lists_and_empties_read_back_as_written() {
        let doc = json!({
            "openapi": "3.1.0",
            "paths": {"/a": {"post": {"parameters": [{"name": "x", "in": "query"}, {"name": "y"}],
                                      "tags": ["one", "two"], "x-empty": {}, "x-none": []}}},
            "list of lists": [[1, 2], [], [{"k": null}]],
            "multi": "line one\nline two: with colon # and hash",
            "number": 1.5, "flag": true
        });
        let text = to_string(&doc);
        let back: Value = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(back, doc, "{text}");
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            ".{0,12}".prop_map(Value::String),
            "(yes|No|ON|off|~|2026-01-0[1-9]|[0-9:_.]{1,6}|[a-z/ -]{1,8})".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(".{0,8}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_document_reads_back_exactly(doc in json_value()) {
            let text = to_string(&doc);
            let back: Value = serde_yaml_ng::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
            prop_assert_eq!(back, doc);
        }
    }
}
