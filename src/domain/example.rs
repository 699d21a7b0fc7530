//! Example request/response bodies, the one place that parses them: strict JSON, or exactly where
//! it breaks and, when it is only relaxed JSON (JSON5), the strict form to switch to.
//!
//! Forms, staging checks, exports and import all read examples through here, so every reader has
//! the same bounds: at most `MAX_EXAMPLE_BYTES`, and nesting refused past `MAX_DEPTH` before any
//! parser recurses (json5 recurses once per level with no limit of its own and would overflow
//! the stack).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// What a pasted example body turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonCheck {
    /// Nothing but whitespace.
    Empty,
    /// Strict JSON.
    Valid(serde_json::Value),
    /// Not strict JSON. `line` and `column` are 1-based, as serde_json reports them.
    /// `strict` is Some(pretty-printed strict JSON) when the text is "almost JSON" (JSON5-ish: unquoted keys,
    /// single quotes, trailing commas, comments) and could be converted without guessing; key order preserved.
    Invalid {
        line: usize,
        column: usize,
        problem: String,
        strict: Option<String>,
    },
}

pub const MAX_EXAMPLE_BYTES: usize = 64 * 1024;
/// Deeper nesting is refused before any parser recurses into it.
pub const MAX_DEPTH: usize = 64;

const TOO_LARGE: &str = "the example is larger than 64 KiB";
const TOO_DEEP: &str = "nested deeper than 64 levels";

const BYTE_ORDER_MARK: char = '\u{feff}';

pub fn check(text: &str) -> JsonCheck {
    if text.len() > MAX_EXAMPLE_BYTES {
        return JsonCheck::Invalid {
            line: 1,
            column: 1,
            problem: TOO_LARGE.to_string(),
            strict: None,
        };
    }
    // Editors on Windows put an invisible byte order mark in front; it is not the partner's mistake.
    let text = text.strip_prefix(BYTE_ORDER_MARK).unwrap_or(text);
    if text.trim().is_empty() {
        return JsonCheck::Empty;
    }
    // json5 recurses once per level with no limit of its own, so deep input must never reach it.
    if let Some(offset) = too_deep_at(text) {
        let (line, column) = line_and_column(text, offset);
        return JsonCheck::Invalid {
            line,
            column,
            problem: TOO_DEEP.to_string(),
            strict: None,
        };
    }
    match serde_json::from_str(text) {
        Ok(value) => JsonCheck::Valid(value),
        Err(err) => JsonCheck::Invalid {
            // serde_json may say column 0 (or line 0) for errors at the very end; clamp to the field's 1-based promise.
            line: err.line().max(1),
            column: err.column().max(1),
            problem: problem_of(&err),
            strict: relaxed_to_strict(text),
        },
    }
}

impl JsonCheck {
    /// The sentence shown beside the form field, or None when there is nothing to say (Empty/Valid).
    /// e.g. "Not valid JSON: line 1, column 3: key must be a string. It looks like relaxed JSON (unquoted keys, single quotes or trailing commas); use “Convert to strict JSON” to fix it."
    pub fn message(&self) -> Option<String> {
        let JsonCheck::Invalid {
            line,
            column,
            problem,
            strict,
        } = self
        else {
            return None;
        };
        if problem == TOO_LARGE {
            return Some(
                "The example is larger than 64 KiB; paste a shorter, representative sample."
                    .to_string(),
            );
        }
        let mut message = format!("Not valid JSON: line {line}, column {column}: {problem}.");
        if strict.is_some() {
            message.push_str(
                " It looks like relaxed JSON (unquoted keys, single quotes or trailing commas); \
                 use “Convert to strict JSON” to fix it.",
            );
        }
        Some(message)
    }
}

/// The example as strict JSON; None when it is empty, not JSON, or past the size or depth bounds.
pub fn parse(text: &str) -> Option<Value> {
    let text = within_bounds(text)?;
    serde_json::from_str(text).ok()
}

/// The example as JSON, accepting relaxed JSON (comments, trailing commas, unquoted keys) too,
/// under the same bounds as `parse`.
pub fn parse_relaxed(text: &str) -> Option<Value> {
    let text = within_bounds(text)?;
    serde_json::from_str(text).ok().or_else(|| {
        json5::from_str::<StrictValue>(text)
            .ok()
            .map(|StrictValue(value)| value)
    })
}

/// The text without its byte order mark and surrounding space, if a parser may be given it.
fn within_bounds(text: &str) -> Option<&str> {
    if text.len() > MAX_EXAMPLE_BYTES {
        return None;
    }
    let text = text.strip_prefix(BYTE_ORDER_MARK).unwrap_or(text).trim();
    (!text.is_empty() && too_deep_at(text).is_none()).then_some(text)
}

/// Pretty-printed strict JSON for a value (2-space indent), used when saving a valid example in a tidy form.
pub fn pretty(value: &serde_json::Value) -> String {
    format!("{value:#}")
}

/// serde_json's message without its " at line X column Y" (shown separately), in plainer words
/// where serde_json speaks parser.
fn problem_of(err: &serde_json::Error) -> String {
    let full = err.to_string();
    let position = format!(" at line {} column {}", err.line(), err.column());
    let bare = full.strip_suffix(&position).unwrap_or(&full);
    let plain = match bare {
        "EOF while parsing a value" => "the text ends where a value was expected",
        "EOF while parsing an object" => "the text ends before the object is closed with }",
        "EOF while parsing a list" => "the text ends before the list is closed with ]",
        "EOF while parsing a string" => "the text ends inside a string (a closing \" is missing)",
        "trailing characters" => "there is more text after the end of the JSON value",
        "trailing comma" => "a comma cannot come right before a closing bracket",
        "control character (\\u0000-\\u001F) found while parsing a string" => {
            "a string contains a line break or tab; write it as \\n or \\t"
        }
        other => other,
    };
    plain.to_string()
}

/// The strict form of relaxed JSON, or None when json5 cannot read it either.
fn relaxed_to_strict(text: &str) -> Option<String> {
    json5::from_str::<StrictValue>(text)
        .ok()
        .map(|StrictValue(value)| pretty(&value))
}

/// Byte offset of the first `[` or `{` that opens a level deeper than MAX_DEPTH. Brackets in
/// "double" or 'single' quoted strings and in comments do not count: this reads the text the
/// way json5 does, so it never sees less nesting than a parser would recurse into.
fn too_deep_at(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'"' | b'\'' => i = closing_quote(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = end_of_line(text, i + 2),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = find_from(bytes, i + 2, b"*/") + 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Index of the quote closing the string that opens at `open` (or the end of the text).
fn closing_quote(bytes: &[u8], open: usize) -> usize {
    let quote = bytes.get(open).copied();
    let mut i = open + 1;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'\\' {
            i += 1;
        } else if Some(byte) == quote {
            return i;
        }
        i += 1;
    }
    bytes.len()
}

/// Index of the line terminator ending a `//` comment (or the end of the text). json5 ends the
/// comment at any of these; stopping anywhere else could hide brackets it goes on to parse.
fn end_of_line(text: &str, from: usize) -> usize {
    text.get(from..)
        .and_then(|rest| rest.find(['\n', '\r', '\u{2028}', '\u{2029}']))
        .map_or(text.len(), |found| from + found)
}

/// Index where `needle` next starts at or after `from` (or the end of the text).
fn find_from(bytes: &[u8], from: usize, needle: &[u8]) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.windows(needle.len()).position(|w| w == needle))
        .map_or(bytes.len(), |found| from + found)
}

/// 1-based line and column of a byte offset, counting columns in bytes as serde_json does.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.as_bytes().get(..offset).unwrap_or(text.as_bytes());
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, before.len() - line_start + 1)
}

/// A value read from relaxed JSON that refuses numbers strict JSON cannot hold (NaN, Infinity,
/// 1e999) instead of quietly turning them into null, which would be a guess.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(StrictValueVisitor)
            .map(StrictValue)
    }
}

struct StrictValueVisitor;

impl<'de> Visitor<'de> for StrictValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value strict JSON can represent")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Number::from_f64(value)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number strict JSON cannot represent"))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some((key, StrictValue(value))) = map.next_entry::<String, StrictValue>()? {
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::{Duration, Instant};

    const HAPTIK_SAMPLE: &str =
        r#"{ status:"success", status_code:"SUCC001", message:"Request Successful" }"#;

    fn strict_of(check: &JsonCheck) -> Option<&str> {
        match check {
            JsonCheck::Invalid { strict, .. } => strict.as_deref(),
            _ => None,
        }
    }

    fn problem_of_check(check: &JsonCheck) -> &str {
        match check {
            JsonCheck::Invalid { problem, .. } => problem,
            _ => "",
        }
    }

    #[test]
    fn haptik_sample_with_unquoted_keys_is_located_and_convertible() {
        let check = check(HAPTIK_SAMPLE);
        let JsonCheck::Invalid {
            line,
            column,
            problem,
            strict,
        } = &check
        else {
            panic!("expected Invalid, got {check:?}");
        };
        assert_eq!((*line, *column), (1, 3));
        assert_eq!(problem, "key must be a string");
        assert_eq!(
            strict.as_deref(),
            Some(
                "{\n  \"status\": \"success\",\n  \"status_code\": \"SUCC001\",\n  \"message\": \"Request Successful\"\n}"
            )
        );
    }

    #[test]
    fn message_for_haptik_sample_names_the_place_and_the_fix() {
        let message = check(HAPTIK_SAMPLE).message().unwrap_or_default();
        assert_eq!(
            message,
            "Not valid JSON: line 1, column 3: key must be a string. It looks like relaxed JSON \
             (unquoted keys, single quotes or trailing commas); use “Convert to strict JSON” to fix it."
        );
    }

    #[test]
    fn request_body_with_a_spaced_key_is_valid() {
        let check = check(r#"{"mobileNo": "9928056506", "Attempt id": "1"}"#);
        assert_eq!(
            check,
            JsonCheck::Valid(json!({"mobileNo": "9928056506", "Attempt id": "1"}))
        );
        assert_eq!(check.message(), None);
    }

    #[test]
    fn error_response_is_valid() {
        let check =
            check(r#"{"status": "error", "status_code": "ERR002", "message": "Request Failed"}"#);
        assert!(matches!(check, JsonCheck::Valid(Value::Object(ref o)) if o.len() == 3));
    }

    #[test]
    fn single_quotes_and_trailing_comma_are_converted() {
        let check = check("{'status': 'error', 'codes': [1, 2,],}");
        assert_eq!(
            strict_of(&check),
            Some("{\n  \"status\": \"error\",\n  \"codes\": [\n    1,\n    2\n  ]\n}")
        );
    }

    #[test]
    fn comments_are_converted_away() {
        let check = check("{\n  // the customer's phone\n  \"mobileNo\": \"9928056506\"\n}");
        assert_eq!(
            strict_of(&check),
            Some("{\n  \"mobileNo\": \"9928056506\"\n}")
        );
    }

    #[test]
    fn error_on_line_three_is_reported_on_line_three() {
        let check = check("{\n  \"status\": \"success\",\n  \"status_code\" \"SUCC001\"\n}");
        let JsonCheck::Invalid { line, column, .. } = check else {
            panic!("expected Invalid, got {check:?}");
        };
        assert_eq!((line, column), (3, 17));
    }

    #[test]
    fn unfinished_object_says_so_plainly() {
        let check = check("{\"status\": \"success\"\n");
        assert_eq!(
            problem_of_check(&check),
            "the text ends before the object is closed with }"
        );
        assert!(matches!(
            check,
            JsonCheck::Invalid {
                line: 2,
                column: 1,
                ..
            }
        ));
    }

    #[test]
    fn garbage_is_invalid_and_not_convertible() {
        let check = check("hello world");
        assert!(matches!(check, JsonCheck::Invalid { strict: None, .. }));
        let message = check.message().unwrap_or_default();
        assert!(message.starts_with("Not valid JSON: line 1, column 1: "));
        assert!(!message.contains("Convert"));
    }

    #[test]
    fn two_objects_in_a_row_are_not_convertible() {
        let check = check("{a: 1} {b: 2}");
        assert!(matches!(check, JsonCheck::Invalid { strict: None, .. }));
    }

    #[test]
    fn infinity_and_nan_are_not_guessed_into_null() {
        assert_eq!(strict_of(&check("{a: Infinity}")), None);
        assert_eq!(strict_of(&check("[NaN]")), None);
        assert_eq!(strict_of(&check("{a: 1e999,}")), None);
    }

    #[test]
    fn whitespace_is_empty() {
        assert_eq!(check("   "), JsonCheck::Empty);
        assert_eq!(check("\n\t "), JsonCheck::Empty);
        assert_eq!(check("").message(), None);
    }

    #[test]
    fn byte_order_mark_and_surrounding_whitespace_are_ignored() {
        assert_eq!(
            check("\u{feff}  {\"ok\": true}\n\n"),
            JsonCheck::Valid(json!({"ok": true}))
        );
        assert_eq!(check("\u{feff}"), JsonCheck::Empty);
    }

    #[test]
    fn hundred_thousand_open_brackets_are_refused_quickly_without_crashing() {
        let started = Instant::now();
        let check = check(&"[".repeat(100_000));
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(matches!(check, JsonCheck::Invalid { strict: None, .. }));
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused_where_it_happens() {
        // Under the size limit, so it is the depth scan that refuses it.
        let check = check(&"[".repeat(60_000));
        assert_eq!(
            check,
            JsonCheck::Invalid {
                line: 1,
                column: MAX_DEPTH + 1,
                problem: TOO_DEEP.to_string(),
                strict: None,
            }
        );
    }

    #[test]
    fn deep_relaxed_json_never_reaches_json5() {
        // Relaxed on purpose, so serde_json fails and json5 would be tried if the pre-check let it.
        let text = format!("{}'x'{}", "{a:[".repeat(10_000), "]}".repeat(10_000));
        assert_eq!(problem_of_check(&check(&text)), TOO_DEEP);
    }

    #[test]
    fn nesting_at_the_limit_is_fine() {
        let text = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(matches!(check(&text), JsonCheck::Valid(_)));
    }

    #[test]
    fn brackets_inside_strings_and_comments_do_not_count() {
        let brackets = "[".repeat(MAX_DEPTH * 2);
        let in_double = format!("{{\"a\": \"{brackets}\"}}");
        let in_single = format!("{{a: '{brackets} it\\'s'}}");
        let in_comment = format!("{{a: 1 /* {brackets} */}}");
        assert!(matches!(check(&in_double), JsonCheck::Valid(_)));
        assert!(strict_of(&check(&in_single)).is_some());
        assert!(strict_of(&check(&in_comment)).is_some());
    }

    #[test]
    fn line_comment_ends_where_json5_ends_it() {
        // json5 ends a // comment at \r too, so the brackets below are real nesting to it.
        for terminator in ["\n", "\r", "\u{2028}", "\u{2029}"] {
            let text = format!("// it's{terminator}{}", "[".repeat(MAX_DEPTH + 1));
            assert_eq!(problem_of_check(&check(&text)), TOO_DEEP, "{terminator:?}");
        }
    }

    #[test]
    fn escaped_quote_does_not_end_the_string_for_the_depth_scan() {
        // Were \" taken as the end of the string, the brackets after it would look like real nesting.
        let text = format!("[\"a\\\"{}\"]", "[".repeat(MAX_DEPTH * 2));
        assert!(matches!(check(&text), JsonCheck::Valid(_)));
    }

    #[test]
    fn oversized_text_is_refused() {
        let text = format!("[\"{}\"]", "a".repeat(MAX_EXAMPLE_BYTES));
        let check = check(&text);
        assert_eq!(
            check,
            JsonCheck::Invalid {
                line: 1,
                column: 1,
                problem: TOO_LARGE.to_string(),
                strict: None,
            }
        );
        assert!(check.message().unwrap_or_default().contains("64 KiB"));
    }

    #[test]
    fn parsers_for_other_readers_have_the_same_bounds() {
        // Six thousand `[` saved as an "other" body once overflowed the stack in json5.
        assert_eq!(parse_relaxed(&"[".repeat(6_000)), None);
        assert_eq!(parse(&"[".repeat(6_000)), None);
        let deep = format!(
            "{}1{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(parse_relaxed(&deep), None);
        assert_eq!(parse_relaxed("{a: 1, // note\n}"), Some(json!({"a": 1})));
        assert_eq!(parse("\u{feff}{\"a\": 1}\n"), Some(json!({"a": 1})));
        assert_eq!(
            parse_relaxed(&format!("\"{}\"", "a".repeat(MAX_EXAMPLE_BYTES))),
            None
        );
        assert_eq!(parse_relaxed("{a: NaN}"), None);
    }

    #[test]
    fn pretty_uses_two_spaces_and_keeps_key_order() {
        let value = json!({"z": 1, "a": [true, null]});
        assert_eq!(
            pretty(&value),
            "{\n  \"z\": 1,\n  \"a\": [\n    true,\n    null\n  ]\n}"
        );
    }
}
