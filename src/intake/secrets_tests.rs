//! The secret guard on real secret formats and on public example data that must be left alone.

use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn kinds(text: &str) -> Vec<SecretKind> {
    scan(text).into_iter().map(|f| f.kind).collect()
}

fn jwt() -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"9928056506","name":"Ravi","iat":1716239022}"#);
    format!("{header}.{payload}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
}

const PEM: &str = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\\n-----END PRIVATE KEY-----";

#[test]
fn every_pattern_compiles() {
    for pattern in [
        &JWT,
        &PRIVATE_KEY,
        &AWS_ACCESS_KEY,
        &BASIC,
        &BEARER,
        &LONG_RUN,
        &UUID,
        &WRAPPED_PLACEHOLDER,
        &ID_NAME,
        &JSON_MEMBER,
        &FORM_FIELD,
    ] {
        assert!(!pattern.as_str().is_empty());
    }
}

#[test]
fn haptik_sample_headers_are_clean() {
    assert_eq!(scan("Authorization: Bearer <<token>>"), vec![]);
    assert_eq!(scan("Content-Type: application/json"), vec![]);
    assert_eq!(warning("Bearer <<token>>"), None);
}

#[test]
fn jwt_after_bearer_is_a_jwt_and_only_the_token_is_replaced() {
    let text = format!("Bearer {}", jwt());
    assert_eq!(
        scan(&text),
        vec![Finding {
            kind: SecretKind::Jwt,
            start: 7,
            end: text.len()
        }]
    );
    assert_eq!(redact(&text), "Bearer <<jwt>>");
}

#[test]
fn opaque_bearer_token_is_a_bearer_token_not_a_random_key() {
    let text = "Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543";
    assert_eq!(kinds(text), vec![SecretKind::BearerToken]);
    assert_eq!(redact(text), "Authorization: Bearer <<token>>");
}

#[test]
fn bearer_placeholders_are_not_tokens() {
    for text in [
        "Bearer {{token}}",
        "Bearer ${TOKEN}",
        "Bearer <your-access-token>",
        "Bearer YOUR_ACCESS_TOKEN_HERE",
        "Bearer xxxxxxxxxxxxxxxxxxxx",
    ] {
        assert_eq!(scan(text), vec![], "{text}");
    }
}

#[test]
fn live_stripe_style_key_is_a_random_key() {
    let text = "x-api-key: sk_live_51H8s9dKf02jdL9sd8f7GhQ2mZ0pX4";
    assert_eq!(
        scan(text),
        vec![Finding {
            kind: SecretKind::RandomKey,
            start: 11,
            end: text.len()
        }]
    );
    assert_eq!(redact(text), "x-api-key: <<api_key>>");
}

#[test]
fn base64_key_with_padding_is_a_random_key() {
    let text = r#"{"apiKey": "3q2+7w8fK2p9/Lm4Xr5TzQ1vBn6Yc0HdJ8sWuEaGiO4="}"#;
    assert_eq!(redact(text), r#"{"apiKey": "<<api_key>>"}"#);
}

#[test]
fn private_key_in_a_json_body_is_replaced_and_the_json_kept() {
    let body = format!(r#"{{"client": "haptik", "private_key": "{PEM}", "env": "uat"}}"#);
    assert_eq!(kinds(&body), vec![SecretKind::PrivateKey]);
    assert_eq!(
        redact(&body),
        r#"{"client": "haptik", "private_key": "<<private_key>>", "env": "uat"}"#
    );
}

#[test]
fn unterminated_private_key_runs_to_the_end() {
    let text = "key: -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA";
    assert_eq!(redact(text), "key: <<private_key>>");
}

#[test]
fn aws_access_key_is_found() {
    assert_eq!(
        kinds("aws_access_key_id = AKIAIOSFODNN7EXAMPLE"),
        vec![SecretKind::AwsAccessKey]
    );
    assert_eq!(redact("AKIAIOSFODNN7EXAMPLE"), "<<aws_access_key>>");
}

#[test]
fn basic_credentials_are_found_only_when_they_decode_to_user_and_password() {
    let text = "Authorization: Basic dXNlcjpwYXNzd29yZA==";
    assert_eq!(
        scan(text),
        vec![Finding {
            kind: SecretKind::BasicCredentials,
            start: 21,
            end: text.len()
        }]
    );
    assert_eq!(redact(text), "Authorization: Basic <<basic_credentials>>");
    // "username", no colon: not credentials.
    assert_eq!(scan("Basic dXNlcm5hbWU="), vec![]);
    assert_eq!(scan("Basic information is required"), vec![]);
}

#[test]
fn ordinary_api_text_is_never_flagged() {
    for text in [
        "123e4567-e89b-12d3-a456-426614174000",
        "/orders/123e4567-e89b-12d3-a456-426614174000/status",
        "9928056506",
        r#"{"mobileNo": "9928056506", "Attempt id": "1"}"#,
        r#"{ status:"success", status_code:"SUCC001", message:"Request Successful" }"#,
        r#"{"status": "error", "status_code": "ERR002", "message": "Request Failed"}"#,
        "https://apisit.xyz.com/pchflih/otp/v1/generateOTP",
        "https://apisit.xyz.com/pchflih/otp/v1/generateOTP/verifyOTPRequestHandler",
        "getOTPCodeForMobileNumberVerification2",
        "https://api.example.com/v1/orders/ORD123456789/items/2/status",
        "ORD123456789 placed on 2024-05-20T10:15:30Z",
        "The partner sends the customer's registered mobile number and receives a one time \
         password by SMS, which the bot then asks the customer to type back for verification.",
        "partner_api_specification_v2_final_draft",
        "getCustomerOrderHistoryByMobileNumber",
        "<<a_descriptive_placeholder_for_the_key_2024>>",
        "YOUR_API_KEY xxxxxxxx ****",
        "12345678901234567890123456789012345678",
    ] {
        assert_eq!(scan(text), vec![], "{text}");
        assert_eq!(warning(text), None);
    }
}

#[test]
fn two_secrets_are_both_redacted() {
    let text = format!(
        "Authorization: Bearer {}\nx-api-key: sk_live_51H8s9dKf02jdL9sd8f7GhQ2mZ0pX4\n",
        jwt()
    );
    assert_eq!(kinds(&text), vec![SecretKind::Jwt, SecretKind::RandomKey]);
    assert_eq!(
        redact(&text),
        "Authorization: Bearer <<jwt>>\nx-api-key: <<api_key>>\n"
    );
}

#[test]
fn query_parameter_name_survives_redaction() {
    assert_eq!(
        redact("/v1/report?api_key=8f14e45fceea167a5a36dedd4bea2543&format=json"),
        "/v1/report?api_key=<<api_key>>&format=json"
    );
}

#[test]
fn findings_are_sorted_and_disjoint() {
    let text = format!(
        "{} Basic dXNlcjpwYXNzd29yZA== {PEM} AKIAIOSFODNN7EXAMPLE",
        jwt()
    );
    let findings = scan(&text);
    assert_eq!(findings.len(), 4);
    assert!(findings.windows(2).all(|pair| pair[0].end <= pair[1].start));
}

#[test]
fn warning_names_the_kind_and_its_placeholder() {
    assert_eq!(
        warning(&jwt()).as_deref(),
        Some(
            "This looks like a JSON Web Token. Credentials are named, never pasted: replace it \
             with <<jwt>>, or tick “It is not a secret” to keep it."
        )
    );
    let two = format!("{} AKIAIOSFODNN7EXAMPLE", jwt());
    assert_eq!(
        warning(&two).as_deref(),
        Some(
            "This contains 2 things that look like credentials (a JSON Web Token and an AWS \
             access key). Credentials are named, never pasted: replace them with placeholders, \
             or tick “It is not a secret” to keep them."
        )
    );
}

#[test]
fn every_kind_describes_itself_and_has_a_placeholder() {
    for kind in [
        SecretKind::Jwt,
        SecretKind::BearerToken,
        SecretKind::BasicCredentials,
        SecretKind::PrivateKey,
        SecretKind::AwsAccessKey,
        SecretKind::RandomKey,
    ] {
        assert!(kind.placeholder().starts_with("<<") && kind.placeholder().ends_with(">>"));
        assert!(!kind.describe().is_empty());
        // A placeholder must never itself look like a secret.
        assert_eq!(scan(kind.placeholder()), vec![]);
    }
}

#[test]
fn non_ascii_text_does_not_trip_offsets() {
    let text = "नमस्ते Bearer 8f14e45fceea167a5a36dedd4bea2543 — धन्यवाद";
    assert_eq!(redact(text), "नमस्ते Bearer <<token>> — धन्यवाद");
}

#[test]
fn public_urls_and_ids_in_their_paths_are_left_alone_but_a_key_in_a_query_is_caught() {
    // Real example data: page links and hrefs with long ids in their paths.
    for public in [
        r#"{"first_page_url": "https://verify.example.com/v2/Services/VA0123456789abcdef0123456789abcdef/Entities?PageSize=50&Page=0"}"#,
        r#"{"href": "https://api.example.com/v1/payments/PAYID-MZ3Q7Y2K8Xb4nR9tLw6Fv5sHd1Gj0"}"#,
    ] {
        assert_eq!(kinds(public), Vec::<SecretKind>::new(), "{public}");
    }
    let key = "sk_live_51H8s9dKf02jdL9sd8f7GhQ2mZ0pX4";
    let in_query = format!("https://api.example.com/v1/orders?api_key={key}&page=2");
    assert_eq!(kinds(&in_query), [SecretKind::RandomKey]);
    assert_eq!(
        redact(&in_query),
        "https://api.example.com/v1/orders?api_key=<<api_key>>&page=2"
    );
    // A percent-encoded session token (a presigned link in AssemblyAI's collection) is one
    // value, replaced whole rather than cut into pieces at each escape.
    let presigned = "https://bucket.s3.amazonaws.com/a.mp3?X-Amz-Security-Token=IQoJb3JpZ2luX2VjEPv%2F%2F%2F%2Fu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzd%2FocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7D%2FxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40&X-Amz-Expires=3600";
    assert_eq!(
        redact(presigned),
        "https://bucket.s3.amazonaws.com/a.mp3?X-Amz-Security-Token=<<api_key>>&X-Amz-Expires=3600"
    );
    // The same key outside a URL is still caught.
    assert_eq!(kinds(&format!("X-Api-Key: {key}")), [SecretKind::RandomKey]);
}

/// Public example data from real specs (Twilio SIDs, AssemblyAI ids, Stripe-style object ids,
/// etags, ids in form fields and parameter examples) is left alone; secrets in the same shapes,
/// under secret names or in secret formats, are still caught.
#[test]
fn identifiers_are_public_data_and_secrets_beside_them_are_still_caught() {
    for public in [
        r#"{"sid": "VA0123456789abcdef0123456789abcdef", "account_sid": "AC0123456789abcdef0123456789abcdef"}"#,
        r#"{"transcript_ids": ["64nygnr62k-405c-4ae8-8a6b-d90b40ff3cce", "5552493-16d8-42d8-8feb-c2a16b56f6e8"]}"#,
        r#"{"id": "ch_3MmlLrLkdIwHu7ix0snN0B15", "paymentIntentId": "pi_3MtwBwLkdIwHu7ix28a3tqPa"}"#,
        r#"{"etag": "W/\"5f8b2a1c9d3e4f6a7b8c9d0e1f2a3b4c\""}"#,
        "ServiceSid=VA0123456789abcdef0123456789abcdef\nChannel=sms",
        "To=%2B15017122661&VerificationSid=VE0123456789abcdef0123456789abcdef",
    ] {
        assert_eq!(kinds(public), Vec::<SecretKind>::new(), "{public}");
    }
    let key = "sk_live_51H8s9dKf02jdL9sd8f7GhQ2mZ0pX4";
    for secret in [
        format!(r#"{{"id": "ch_1", "api_key": "{key}"}}"#),
        format!(r#"{{"client_secret_id": "{key}"}}"#),
        format!("client_secret={key}&grant_type=client_credentials"),
        r#"{"sid": "VA1", "auth_token": "0123456789abcdef0123456789abcdef"}"#.to_string(),
        // An id-named query pair earlier on the line does not hide what follows it.
        format!(r#"{{"callback":"https://x.example/cb?a=1&ref=abc","api_key":"{key}"}}"#),
        format!("order_id=1; api_key={key}"),
        format!(r#"{{"session_id": "{key}"}}"#),
        format!("connect.sid={key}"),
    ] {
        assert_eq!(kinds(&secret), [SecretKind::RandomKey], "{secret}");
    }
    // A token in an id-named field is still a token: the name only vouches for random-looking ids.
    let jwt = jwt();
    assert_eq!(kinds(&format!(r#"{{"id": "{jwt}"}}"#)), [SecretKind::Jwt]);
    // A parameter's example is judged with the parameter's name.
    assert!(scan_named("ServiceSid", "VA0123456789abcdef0123456789abcdef").is_empty());
    assert_eq!(
        scan_named("X-Api-Key", key)
            .iter()
            .map(|f| f.kind)
            .collect::<Vec<_>>(),
        [SecretKind::RandomKey]
    );
}
