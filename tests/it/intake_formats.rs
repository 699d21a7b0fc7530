//! Body formats on the endpoint page: a form body's example as rows of fields, each example checked
//! in its own format, responses in a format of their own, and what "Try it" sends.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

use crate::fixtures::{add_endpoint, attributes, partner_with_integration, save_endpoint, texts};
use crate::helpers::*;

async fn stored(db: &PgPool, endpoint: uuid::Uuid) -> Value {
    sqlx::query_scalar("SELECT spec FROM endpoints WHERE id = $1")
        .bind(endpoint)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_form_body_is_edited_as_rows_and_sent_as_a_form(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Verify Co", "dev@verify.example").await;
    let staging = [
        ("staging_url", "https://sit.verify.example"),
        ("production_url", ""),
    ];
    let saved = crate::fixtures::save_section(&partner, id, "environments", &staging).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let endpoint = add_endpoint(
        &partner,
        id,
        "Start verification",
        "POST",
        "/v2/Verifications",
    )
    .await;
    let base = [
        ("name", "Start verification"),
        ("method", "POST"),
        ("path", "/v2/Verifications"),
        ("response_format", "json"),
        ("non_json_reason", "The API takes form fields."),
        ("success_status", "201"),
        ("success_example", r#"{"status": "pending"}"#),
    ];

    // A JSON object typed before the body became a form is turned into its fields.
    let mut fields = base.to_vec();
    fields.extend([
        ("body_format", "form"),
        (
            "request_example",
            r#"{"To": "+919928056506", "Channel": "sms"}"#,
        ),
    ]);
    let saved = save_endpoint(&partner, id, endpoint, &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        stored(&db, endpoint).await["request_example"],
        "To=+919928056506\nChannel=sms"
    );

    // The page shows the fields as rows; a new row is added as typed, a `+` stays a plus.
    let page = format!("/integrations/{id}/endpoints/{endpoint}");
    let (_, html) = partner.page(&page).await;
    let names: Vec<String> = attributes(&html, "input[name=form_name]")
        .into_iter()
        .map(|a| a.get("value").cloned().unwrap_or_default())
        .collect();
    assert_eq!(names[..2], ["To", "Channel"]);
    assert!(
        unescape(&html)
            .replace("&#39;", "'")
            .contains("--data-urlencode 'To=+919928056506'"),
        "Try it sends the fields form-encoded: {}",
        &html[html.find("Try it").unwrap_or(0)..]
    );
    let mut fields = base.to_vec();
    fields.extend([
        ("body_format", "form"),
        ("form_name", "To"),
        ("form_value", "+919928056506"),
        ("form_name", "Channel"),
        ("form_value", "sms"),
        ("form_name", "CustomMessage"),
        ("form_value", "Your code & more"),
        ("form_name", ""),
        ("form_value", ""),
    ]);
    let saved = save_endpoint(&partner, id, endpoint, &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let spec = stored(&db, endpoint).await;
    assert_eq!(
        spec["request_example"],
        "To=+919928056506\nChannel=sms\nCustomMessage=Your code %26 more"
    );
    assert_eq!(spec["body_format"], "form");
    assert!(
        spec.get("response_format").is_none(),
        "JSON answers are the usual: not stored"
    );

    // A value without a name is refused beside the example, and every typed row is kept.
    let mut fields = base.to_vec();
    fields.extend([
        ("body_format", "form"),
        ("form_name", "To"),
        ("form_value", "+919928056506"),
        ("form_name", ""),
        ("form_value", "orphan"),
    ]);
    let refused = save_endpoint(&partner, id, endpoint, &fields).await;
    let html = unescape(&partner.refused(refused).await);
    assert!(
        html.contains("Give each form field in the example its name."),
        "{html}"
    );
    assert!(html.contains("orphan"), "the typed value is kept");
}

#[sqlx::test]
async fn each_example_is_checked_in_its_own_format(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Reports Co", "dev@reports.example").await;
    let endpoint = add_endpoint(&partner, id, "Replace a report", "PUT", "/reports/1").await;
    let fields = [
        ("name", "Replace a report"),
        ("method", "PUT"),
        ("path", "/reports/1"),
        ("body_format", "xml"),
        ("response_format", "json"),
        ("non_json_reason", "Reports are XML documents."),
        ("request_example", "<report><total>12</report>"),
        ("success_status", "200"),
        ("success_example", "{status: 'ok'}"),
    ];
    let refused = save_endpoint(&partner, id, endpoint, &fields).await;
    let html = unescape(&partner.refused(refused).await);
    let errors = texts(&html, ".field-error");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("The XML is not well-formed")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.starts_with("Not valid JSON")),
        "the JSON response is still checked as JSON: {errors:?}"
    );
    assert!(
        html.contains("<report><total>12</report>"),
        "the typed XML is kept"
    );

    let mut fixed = fields.to_vec();
    fixed[6] = ("request_example", "<report><total>12</total></report>");
    fixed[8] = ("success_example", r#"{"status": "ok"}"#);
    let saved = save_endpoint(&partner, id, endpoint, &fixed).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let spec = stored(&db, endpoint).await;
    assert_eq!(spec["body_format"], "xml");
    assert!(
        spec.get("response_format").is_none(),
        "JSON answers are the usual: not stored"
    );
    let (_, html) = partner
        .page(&format!("/integrations/{id}/endpoints/{endpoint}"))
        .await;
    let selected: Vec<String> = attributes(&html, "select#response_format option[selected]")
        .into_iter()
        .map(|a| a["value"].clone())
        .collect();
    assert_eq!(selected, ["json"]);
}

/// "Try it" shows what is saved: a token the secret guard refused is never echoed in the curl
/// command beside the form that kept it for the partner to fix.
#[sqlx::test]
async fn try_it_never_shows_a_refused_secret(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Pay Co", "dev@pay.example").await;
    let staging = [
        ("staging_url", "https://sit.pay.example"),
        ("production_url", ""),
    ];
    crate::fixtures::save_section(&partner, id, "environments", &staging).await;
    let endpoint = add_endpoint(&partner, id, "Charge", "POST", "/charges").await;
    let token = "sk_live_51H8s9dKf02jdL9sd8f7GhQ2mZ0pX4";
    let header = format!("Bearer {token}");
    let fields = [
        ("name", "Charge"),
        ("method", "POST"),
        ("path", "/charges"),
        ("body_format", "json"),
        ("header_name", "Authorization"),
        ("header_value", header.as_str()),
    ];
    let refused = save_endpoint(&partner, id, endpoint, &fields).await;
    let html = partner.refused(refused).await;
    let curl = texts(&html, "pre.curl").join("\n");
    assert!(curl.contains("curl -X POST"), "{curl}");
    assert!(
        !curl.contains(token),
        "the refused token is not echoed: {curl}"
    );
    let kept = attributes(&html, "input[name=header_value]");
    assert_eq!(
        kept[0]["value"], header,
        "the typed value stays in the form to fix"
    );
}

/// The endpoint page judges an id-named parameter's example as the import does: Twilio's
/// `ServiceSid` example is an identifier, not a key, so the partner can save the endpoint.
#[sqlx::test]
async fn an_identifier_in_an_id_named_field_does_not_stop_a_save(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Verify Co", "dev@verify.example").await;
    let endpoint = add_endpoint(
        &partner,
        id,
        "Fetch a service",
        "GET",
        "/v2/Services/{ServiceSid}",
    )
    .await;
    let fields = [
        ("name", "Fetch a service"),
        ("method", "GET"),
        ("path", "/v2/Services/{ServiceSid}"),
        ("body_format", "json"),
        ("param_name", "ServiceSid"),
        ("param_in", "path"),
        ("param_type", "string"),
        ("param_required", "yes"),
        ("param_description", ""),
        ("param_example", "VA0123456789abcdef0123456789abcdef"),
        ("header_name", "X-Api-Key"),
        ("header_value", "<<X-Api-Key>>"),
    ];
    let saved = save_endpoint(&partner, id, endpoint, &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let mut secret = fields.to_vec();
    secret[9] = ("param_example", "sk_live_51H8s9dKf02jdL9sd8f7GhQ2mZ0pX4");
    secret[4] = ("param_name", "api_key");
    let refused = save_endpoint(&partner, id, endpoint, &secret).await;
    let html = partner.refused(refused).await;
    assert!(html.contains("field-error"), "a key is still a key");
}
