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

/// The example as highlighted tokens, when it is JSON.
pub fn highlighted(text: &str) -> Option<Vec<Token>> {
    let JsonCheck::Valid(value) = example::check(text) else {
        return None;
    };
    let pretty = serde_json::to_string_pretty(&value).ok()?;
    Some(tokens(&pretty))
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
                ("number", "-1500.0"),
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
    fn text_that_is_not_json_is_left_to_the_caller() {
        assert_eq!(highlighted("name=value"), None);
        assert_eq!(highlighted(""), None);
    }
}
