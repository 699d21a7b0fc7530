//! JSON shown to read, not to edit: pretty-printed, each token tagged with its kind so the
//! stylesheet colours keys, strings, numbers and literals. Text that is not JSON is shown as
//! written by the caller instead.

use crate::domain::example::{self, JsonCheck};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// `key`, `string`, `number`, `literal` or `plain` (punctuation and white space).
    pub kind: &'static str,
    pub text: String,
}

/// The example as highlighted tokens, when it is JSON: laid out two spaces per level, every
/// string and number exactly as the partner wrote it (`100.00` stays `100.00`).
pub fn highlighted(text: &str) -> Option<Vec<Token>> {
    let JsonCheck::Valid(_) = example::check(text) else {
        return None;
    };
    let text = text.trim_start_matches('\u{feff}');
    Some(indent(tokens(text)))
}

/// Lays the tokens of valid JSON out one member per line; only white space changes.
fn indent(tokens: Vec<Token>) -> Vec<Token> {
    let significant: Vec<Token> = tokens
        .into_iter()
        .flat_map(|t| {
            if t.kind == "plain" {
                t.text
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .map(|c| Token {
                        kind: "plain",
                        text: c.to_string(),
                    })
                    .collect::<Vec<_>>()
            } else {
                vec![t]
            }
        })
        .collect();
    let mut out: Vec<Token> = Vec::new();
    let mut push = |kind: &'static str, text: String| match out.last_mut() {
        Some(last) if last.kind == "plain" && kind == "plain" => last.text.push_str(&text),
        _ => out.push(Token { kind, text }),
    };
    let mut depth = 0usize;
    let newline = |depth: usize| format!("\n{}", "  ".repeat(depth));
    for (i, token) in significant.iter().enumerate() {
        let next = significant.get(i + 1).map(|t| t.text.as_str());
        match (token.kind, token.text.as_str()) {
            ("plain", open @ ("{" | "[")) => {
                push("plain", open.to_string());
                if !matches!(next, Some("}" | "]")) {
                    depth += 1;
                    push("plain", newline(depth));
                }
            }
            ("plain", close @ ("}" | "]")) => {
                let empty = i > 0 && matches!(significant[i - 1].text.as_str(), "{" | "[");
                if !empty {
                    depth = depth.saturating_sub(1);
                    push("plain", newline(depth));
                }
                push("plain", close.to_string());
            }
            ("plain", ",") => push("plain", format!(",{}", newline(depth))),
            ("plain", ":") => push("plain", ": ".to_string()),
            (kind, text) => push(kind, text.to_string()),
        }
    }
    out
}

fn tokens(pretty: &str) -> Vec<Token> {
    let chars: Vec<char> = pretty.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let mut push = |kind: &'static str, text: String| match out.last_mut() {
        Some(last) if last.kind == "plain" && kind == "plain" => last.text.push_str(&text),
        _ => out.push(Token { kind, text }),
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i = (i + 1).min(chars.len());
            let next = chars[i..].iter().find(|c| !c.is_whitespace());
            let kind = if next == Some(&':') { "key" } else { "string" };
            push(kind, chars[start..i].iter().collect());
        } else if c == '-' || c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "+-.".contains(chars[i]))
            {
                i += 1;
            }
            push("number", chars[start..i].iter().collect());
        } else if c.is_ascii_alphabetic() {
            while i < chars.len() && chars[i].is_ascii_alphabetic() {
                i += 1;
            }
            push("literal", chars[start..i].iter().collect());
        } else {
            i += 1;
            push("plain", c.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_strings_numbers_and_literals_are_told_apart() {
        let tokens = highlighted(r#"{"a":"x:\"y","n":-1.5e3,"ok":true,"none":null}"#).unwrap();
        let kinds: Vec<(&str, &str)> = tokens
            .iter()
            .filter(|t| t.kind != "plain")
            .map(|t| (t.kind, t.text.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("key", "\"a\""),
                ("string", "\"x:\\\"y\""),
                ("key", "\"n\""),
                ("number", "-1.5e3"),
                ("key", "\"ok\""),
                ("literal", "true"),
                ("key", "\"none\""),
                ("literal", "null"),
            ]
        );
        let text: String = tokens.iter().map(|t| t.text.as_str()).collect();
        assert!(text.starts_with("{\n  \"a\": "), "pretty-printed: {text}");
    }

    #[test]
    fn numbers_and_strings_stay_as_written_and_only_white_space_changes() {
        let written =
            r#"{"amount":100.00,"big":123456789012345678901234,"list":[1, {}],"empty":[]}"#;
        let text: String = highlighted(written)
            .unwrap()
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(
            text,
            "{\n  \"amount\": 100.00,\n  \"big\": 123456789012345678901234,\n  \"list\": [\n    1,\n    {}\n  ],\n  \"empty\": []\n}"
        );
        let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(strip(&text), strip(written));
    }

    #[test]
    fn text_that_is_not_json_is_left_to_the_caller() {
        assert_eq!(highlighted("name=value"), None);
        assert_eq!(highlighted(""), None);
    }
}
