//! The mock over HTTP, as a bot builder and a partner use it: keys made on the mock's page, the
//! documented answers and scenarios, validation, a revoked key, the draft for the partner's own
//! team only, and the call log.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::api::token_for;
use crate::fixtures::{otp_endpoint_fields, save_endpoint, save_section};
use crate::helpers::*;

const GENERATE: &str = "/pchflih/otp/v1/generateOTP";

/// Creates a mock key on the mock's page, as a person does, and reads it off the page once.
pub(crate) async fn mock_key(browser: &Browser, id: Uuid, name: &str) -> String {
    let response = browser
        .post_form(&format!("/integrations/{id}/mock/keys"), &[("name", name)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    let at = html.find("<code>pmk_").expect("the new key is shown") + "<code>".len();
    html[at..at + html[at..].find('<').unwrap()].to_string()
}

pub(crate) struct Call {
    pub status: StatusCode,
    pub scenario: String,
    pub source: String,
    pub body: Value,
}

pub(crate) async fn call(
    app: &TestApp,
    id: Uuid,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Call {
    let url = format!("http://{}/mock/{id}{path}", app.addr);
    let mut request = reqwest::Client::new().request(method.parse().unwrap(), url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (status, scenario, source) = (
        response.status(),
        header("x-mock-scenario"),
        header("x-mock-source"),
    );
    let bytes = response.bytes().await.unwrap();
    Call {
        status,
        scenario,
        source,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

#[sqlx::test]
async fn a_bot_builder_calls_every_documented_answer_with_a_key(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, _) = crate::fixtures::submitted(&app).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let key = mock_key(&reviewer, id, "Bot builder").await;
    let with_key = [("X-Mock-Key", key.as_str())];
    let valid = json!({"mobileNo": "9928056506", "Attempt id": "1"});

    let success = call(&app, id, "POST", GENERATE, &with_key, Some(valid.clone())).await;
    assert_eq!(success.status, StatusCode::OK);
    assert_eq!(
        success.body,
        json!({"status": "success", "status_code": "SUCC001", "message": "Request Successful"})
    );
    assert_eq!(
        (success.scenario.as_str(), success.source.as_str()),
        ("success", "revision 1")
    );

    let prefer = [("X-Mock-Key", key.as_str()), ("Prefer", "code=400")];
    let error = call(&app, id, "POST", GENERATE, &prefer, Some(valid.clone())).await;
    assert_eq!(
        (error.status, error.scenario.as_str()),
        (StatusCode::BAD_REQUEST, "ERR002")
    );
    assert_eq!(error.body["status_code"], "ERR002");

    let missing = call(
        &app,
        id,
        "POST",
        GENERATE,
        &with_key,
        Some(json!({"Attempt id": "1"})),
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.body["problems"][0]["parameter"], "mobileNo");
    let wrong_method = call(&app, id, "GET", GENERATE, &with_key, None).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    let unknown = call(
        &app,
        id,
        "POST",
        "/pchflih/otp/v1/generateOTPP",
        &with_key,
        None,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["closest"][0], format!("POST {GENERATE}"));

    // A revision by number, in a header or the query.
    let named = [("X-Mock-Key", key.as_str()), ("X-Mock-Revision", "1")];
    let first = call(&app, id, "POST", GENERATE, &named, Some(valid.clone())).await;
    assert_eq!(
        (first.status, first.source.as_str()),
        (StatusCode::OK, "revision 1")
    );
    let later = format!("{GENERATE}?mock_revision=9");
    let missing_revision = call(&app, id, "POST", &later, &with_key, Some(valid.clone())).await;
    assert_eq!(missing_revision.status, StatusCode::NOT_FOUND);

    // Without a key, with a made-up one, or on another integration: refused.
    let none = call(&app, id, "POST", GENERATE, &[], Some(valid.clone())).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let made_up = [("X-Mock-Key", "pmk_nothing")];
    assert_eq!(
        call(&app, id, "POST", GENERATE, &made_up, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let elsewhere = call(&app, Uuid::new_v4(), "POST", GENERATE, &with_key, None).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    // Both sides see the calls; only the key's creator sees the request bodies.
    let (_, page) = reviewer.page(&format!("/integrations/{id}/mock")).await;
    assert!(page.contains(&format!("POST {GENERATE}")) && page.contains("ERR002"));
    eventually("the calls are logged", || async {
        let (_, page) = reviewer.page(&format!("/integrations/{id}/mock")).await;
        page.contains("Your request body") && page.contains("422 · invalid request")
    })
    .await;
    let (status, page) = partner.page(&format!("/integrations/{id}/mock")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("200 · success") && !page.contains("Your request body"));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE integration_id = $1 AND action = 'mock_key_created'",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(audited, 1, "key creation is audited; calls are not");

    // A revoked key stops working at once, though the mock had it in memory.
    let key_id: Uuid = sqlx::query_scalar("SELECT id FROM mock_keys WHERE integration_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    let revoked = reviewer
        .post_form(
            &format!("/integrations/{id}/mock/keys/{key_id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(location(&revoked), format!("/integrations/{id}/mock#keys"));
    eventually("the revoked key is refused", || async {
        call(&app, id, "POST", GENERATE, &with_key, Some(valid.clone()))
            .await
            .status
            == StatusCode::UNAUTHORIZED
    })
    .await;
}

#[sqlx::test]
async fn the_draft_is_served_to_its_own_team_and_test_data_picks_a_scenario(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    // A second instance on the same database: it learns of changes by notice, as the first does.
    let other_instance = TestApp::spawn(db.clone()).await;
    let (partner, id, endpoint) = crate::fixtures::complete_otp(&app).await;
    let (other, _) =
        crate::fixtures::partner_with_integration(&app, "Other Bank", "sam@other.example").await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let token = token_for(&partner, "bot").await;
    let draft = [("X-Mock-Key", token.as_str()), ("X-Mock-Revision", "draft")];
    let valid = json!({"mobileNo": "9928056506"});

    // Nothing submitted: nothing to answer by default, but the team calls its draft.
    let current = [("X-Mock-Key", token.as_str())];
    assert_eq!(
        call(&app, id, "POST", GENERATE, &current, Some(valid.clone()))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let answered = call(&app, id, "POST", GENERATE, &draft, Some(valid.clone())).await;
    assert_eq!(
        (answered.status, answered.source.as_str()),
        (StatusCode::OK, "draft")
    );

    // Not to Haptik, not with a key, not to another company.
    let reviewer_token = token_for(&reviewer, "bot").await;
    let staff = [
        ("X-Mock-Key", reviewer_token.as_str()),
        ("X-Mock-Revision", "draft"),
    ];
    assert_eq!(
        call(&app, id, "POST", GENERATE, &staff, None).await.status,
        StatusCode::FORBIDDEN
    );
    let key = mock_key(&partner, id, "ours").await;
    let keyed = [("X-Mock-Key", key.as_str()), ("X-Mock-Revision", "draft")];
    assert_eq!(
        call(&app, id, "POST", GENERATE, &keyed, None).await.status,
        StatusCode::FORBIDDEN
    );
    let other_token = token_for(&other, "theirs").await;
    let stranger = [
        ("X-Mock-Key", other_token.as_str()),
        ("X-Mock-Revision", "draft"),
    ];
    assert_eq!(
        call(&app, id, "POST", GENERATE, &stranger, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let (status, _) = other.page(&format!("/integrations/{id}/mock")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // An edit shows in the next answer, on every instance.
    let changed = r#"{"status": "success", "status_code": "SUCC001", "otpRef": "A1"}"#;
    let before = call(
        &other_instance,
        id,
        "POST",
        GENERATE,
        &draft,
        Some(valid.clone()),
    )
    .await;
    assert_eq!(
        before.status,
        StatusCode::OK,
        "the other instance has the draft in memory"
    );
    let saved = save_endpoint(&partner, id, endpoint, &otp_endpoint_fields(changed)).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    for instance in [&app, &other_instance] {
        eventually("the draft's new example is answered", || async {
            call(instance, id, "POST", GENERATE, &draft, Some(valid.clone()))
                .await
                .body["otpRef"]
                == "A1"
        })
        .await;
    }

    // The partner's dummy "invalid number", marked for ERR002, gets ERR002.
    let saved = save_section(
        &partner,
        id,
        "test_data",
        &[
            ("td_label", "Dummy mobile number"),
            ("td_value", "9928056506"),
            ("td_note", ""),
            ("td_label", "Invalid mobile number"),
            ("td_value", "0000000000"),
            ("td_note", "returns ERR002"),
        ],
    )
    .await;
    assert!(saved.status().is_success() || saved.status().is_redirection());
    eventually("the marked test data picks its scenario", || async {
        let invalid = json!({"mobileNo": "0000000000"});
        let answer = call(&app, id, "POST", GENERATE, &draft, Some(invalid)).await;
        answer.status == StatusCode::BAD_REQUEST && answer.scenario == "ERR002"
    })
    .await;
}

#[sqlx::test]
async fn calls_are_rate_limited_per_key_and_browsers_may_call_across_origins(db: PgPool) {
    let config = partner_portal::config::Config {
        mock_calls_per_second: 1,
        ..partner_portal::config::Config::default()
    };
    let app = TestApp::spawn_with(db.clone(), config).await;
    let (partner, id, _) = crate::fixtures::submitted(&app).await;
    let key = mock_key(&partner, id, "bot").await;
    let with_key = [("X-Mock-Key", key.as_str())];
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(
            call(&app, id, "POST", GENERATE, &with_key, None)
                .await
                .status,
        );
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "a burst of twice the rate, then 429: {statuses:?}"
    );

    // A browser-based bot builder's preflight is answered for any origin.
    let preflight = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("http://{}/mock/{id}{GENERATE}", app.addr),
        )
        .header("origin", "https://bots.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "x-mock-key, content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "*",
        "any origin may call the mock"
    );
}
