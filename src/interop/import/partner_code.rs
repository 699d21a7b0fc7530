//! The partner's own status code in an error body, under the shapes real APIs use: a code at the
//! top (`status_code`, `errorCode`, `code`, …), inside an `error` object or the first of `errors`,
//! or a code-like `error` or `name` string (OAuth's `"error": "invalid_token"`, PayPal's
//! `"name": "INVALID_REQUEST"`).

use serde_json::Value;

use super::schema::as_text;

const CODE_KEYS: [&str; 5] = [
    "status_code",
    "statusCode",
    "error_code",
    "errorCode",
    "code",
];

pub fn partner_code(example: &Value) -> String {
    let code_in = |object: &Value| {
        CODE_KEYS
            .iter()
            .filter_map(|key| object.get(key))
            .find(|value| !value.is_null() && !value.is_object() && !value.is_array())
            .map(as_text)
    };
    let nested = [
        example.get("error").filter(|e| e.is_object()),
        example.get("errors").and_then(|e| e.get(0)),
    ];
    // `name` is also a person's or a thing's name: only an upper-case code counts there.
    let error = example
        .get("error")
        .and_then(Value::as_str)
        .filter(|t| looks_like_a_code(t));
    let name = example.get("name").and_then(Value::as_str).filter(|t| {
        looks_like_a_code(t) && t.chars().all(|c| !c.is_ascii_lowercase()) && t.contains('_')
    });
    let code_like = error.or(name).map(str::to_string);
    code_in(example)
        .or_else(|| nested.into_iter().flatten().find_map(code_in))
        .or(code_like)
        .unwrap_or_default()
}

/// `INVALID_REQUEST`, `invalid_token`, `E-104`: one short word, not a sentence.
fn looks_like_a_code(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn codes_are_found_in_the_shapes_real_apis_use() {
        let cases = [
            (
                json!({"status": "error", "status_code": "ERR002"}),
                "ERR002",
            ),
            (json!({"errorCode": 4012, "message": "x"}), "4012"),
            (
                json!({"error": {"code": "card_declined", "message": "x"}}),
                "card_declined",
            ),
            (
                json!({"errors": [{"code": "E-104", "detail": "x"}]}),
                "E-104",
            ),
            (
                json!({"name": "INVALID_REQUEST", "message": "Request is not well-formed"}),
                "INVALID_REQUEST",
            ),
            (
                json!({"error": "invalid_token", "error_description": "expired"}),
                "invalid_token",
            ),
            // A top-level code wins over the nested one.
            (json!({"code": "A1", "error": {"code": "B2"}}), "A1"),
        ];
        for (body, code) in cases {
            assert_eq!(partner_code(&body), code, "{body}");
        }
    }

    #[test]
    fn prose_and_shapes_without_a_code_give_none() {
        for body in [
            json!({"error": "Something went wrong, try again"}),
            json!({"name": "Jane Doe is not allowed"}),
            json!({"name": "John", "message": "not found"}),
            json!({"message": "Request Failed"}),
            json!({"code": {"nested": true}}),
            json!("plain text"),
            json!([1, 2]),
        ] {
            assert_eq!(partner_code(&body), "", "{body}");
        }
    }
}
