//! The JSON API: personal access tokens from the UI, the pages' rules for who reads what, and a
//! property-based run of schemathesis against the generated OpenAPI document.

use std::path::{Path, PathBuf};

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::*;

/// Creates a token on /account/tokens the way a user does and reads it off the page, once.
pub(crate) async fn token_for(browser: &Browser, name: &str) -> String {
    let response = browser
        .post_form("/account/tokens", &[("name", name)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    let at = html.find("<code>ppat_").expect("the new token is shown") + "<code>".len();
    html[at..at + html[at..].find('<').unwrap()].to_string()
}

pub(crate) async fn api(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(format!("http://{}{path}", app.addr))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[sqlx::test]
async fn tokens_read_what_their_user_may_read_and_stop_when_revoked(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, _) = complete_otp(&app).await;
    let token = token_for(&partner, "export script").await;
    let (_, page) = partner.page("/account/tokens").await;
    assert!(
        page.contains("export script") && !page.contains(&token),
        "shown once only"
    );
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_ne!(stored, token.as_bytes(), "stored as a digest");

    let (status, list) = api(&app, &token, "/api/v1/integrations").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["status"], "draft");
    let (status, integration) = api(&app, &token, &format!("/api/v1/integrations/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        integration["completeness"]["done"],
        integration["completeness"]["total"]
    );
    assert_eq!(integration["endpoints"][0]["spec"]["method"], "POST");
    assert_eq!(
        integration["sections"]["partner_code"]["code"],
        "{partnercode}"
    );

    // Reviewers see nothing of a draft; after submission, the revision and the decisions.
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let staff_token = token_for(&reviewer, "queue dashboard").await;
    assert_eq!(
        api(&app, &staff_token, &format!("/api/v1/integrations/{id}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    let (status, revisions) = api(
        &app,
        &staff_token,
        &format!("/api/v1/integrations/{id}/revisions"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(revisions[0]["number"], 1);
    let (_, revision) = api(
        &app,
        &staff_token,
        &format!("/api/v1/integrations/{id}/revisions/1"),
    )
    .await;
    assert_eq!(revision["snapshot"]["name"], "OTP APIs");
    for path in ["comments", "decisions"] {
        let (status, body) = api(
            &app,
            &staff_token,
            &format!("/api/v1/integrations/{id}/{path}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(body.is_array(), "{path}");
    }

    // Another company's token finds nothing; a bad or missing token is refused.
    let (stranger, _) = partner_with_integration(&app, "Other Bank", "sam@other.example").await;
    let stranger_token = token_for(&stranger, "theirs").await;
    assert_eq!(
        api(&app, &stranger_token, &format!("/api/v1/integrations/{id}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api(&app, &stranger_token, "/api/v1/integrations").await.1["total"],
        1
    );
    assert_eq!(
        api(&app, "ppat_not-a-token", "/api/v1/integrations")
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let anonymous = reqwest::get(format!("http://{}/api/v1/integrations", app.addr))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");

    // Revoked: it stops working at once.
    let token_id: Uuid =
        sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = 'export script'")
            .fetch_one(&db)
            .await
            .unwrap();
    let response = partner
        .post_form(&format!("/account/tokens/{token_id}/revoke"), &[])
        .await;
    assert_eq!(location(&response), "/account/tokens");
    assert_eq!(
        api(&app, &token, "/api/v1/integrations").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        stranger
            .post_form(&format!("/account/tokens/{token_id}/revoke"), &[])
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "only its owner revokes a token"
    );
}

/// `schemathesis` from PyPI; `.ci/run` installs it into target/ci-venv.
fn schemathesis() -> PathBuf {
    if let Ok(path) = std::env::var("SCHEMATHESIS") {
        return path.into();
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/schemathesis");
    assert!(
        venv.exists(),
        "the API test needs schemathesis: run .ci/run, or target/ci-venv/bin/pip install schemathesis"
    );
    venv
}

/// Runs schemathesis against the API's own document with a token; returns whether it passed and
/// what it said.
async fn schemathesis_run(app: &TestApp, token: &str, filter: &[&str]) -> (bool, String) {
    // Its crash cache goes in a directory of its own, not the source tree.
    let scratch = std::env::temp_dir().join(format!("schemathesis-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&scratch).unwrap();
    let run = tokio::process::Command::new(schemathesis())
        .current_dir(&scratch)
        .arg("run")
        .arg(format!("http://{}/api/v1/openapi.json", app.addr))
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "all", "--max-examples", "30", "--seed", "1"])
        .args(filter)
        .env("SCHEMATHESIS_HOOKS", "")
        .env("NO_COLOR", "1")
        .output()
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&scratch);
    let said =
        String::from_utf8_lossy(&run.stdout).to_string() + &String::from_utf8_lossy(&run.stderr);
    (run.status.success(), said)
}

#[sqlx::test]
async fn schemathesis_finds_no_server_errors_or_schema_violations(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, _) = complete_otp(&app).await;
    partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    // Everything a partner's token may do; insights are staff's, tested with a reviewer's below.
    let token = token_for(&partner, "schemathesis").await;
    let (passed, said) =
        schemathesis_run(&app, &token, &["--exclude-path", "/api/v1/insights"]).await;
    assert!(passed, "schemathesis found problems:\n{said}");
    assert!(
        said.contains("16 selected / 17 total"),
        "every operation was tested: {said}"
    );

    crate::helpers::create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let token = token_for(&reviewer, "schemathesis").await;
    let (passed, said) = schemathesis_run(
        &app,
        &token,
        // A schema cannot say "until is not before from": such a period is rightly refused.
        &[
            "--include-path",
            "/api/v1/insights",
            "--exclude-checks",
            "positive_data_acceptance",
        ],
    )
    .await;
    assert!(passed, "schemathesis found problems in insights:\n{said}");
    assert!(said.contains("1 selected / 17 total"), "{said}");
}

#[sqlx::test]
async fn a_partners_script_imports_its_openapi_file_through_the_api(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, source) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let document = "openapi: 3.0.3\ninfo: {title: Orders, version: '1'}\nservers: [{url: 'https://sandbox.shop.example/v1'}]\npaths:\n  /orders:\n    get:\n      summary: List orders\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              example: {orders: []}\n";
    let token = token_for(&partner, "ci sync").await;
    let post = |path: String, body: &'static str, token: String| {
        let app = &app;
        async move { post_body(app, &token, &path, "application/yaml", body.to_string()).await }
    };
    let path = format!("/api/v1/integrations/{source}/import");
    let (status, dry) = post(format!("{path}?dry_run=true"), document, token.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(dry["applied"], false);
    assert_eq!(dry["added"][0], "List orders");
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM endpoints WHERE integration_id = $1")
            .bind(source)
            .fetch_one(&db)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 0, "a dry run writes nothing");
    let (status, done) = post(path.clone(), document, token.clone()).await;
    assert_eq!(
        (status, done["applied"].clone()),
        (StatusCode::OK, Value::Bool(true))
    );
    assert_eq!(count().await, 1);
    let (_, again) = post(path.clone(), document, token.clone()).await;
    assert_eq!(
        again["unchanged"][0], "List orders",
        "importing again changes nothing"
    );
    assert_eq!(count().await, 1);

    let (status, broken) = post(path.clone(), "openapi: 3.0.0\ninfo: [\n", token.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(broken["error"].as_str().unwrap().contains("line"));
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let staff_token = token_for(&reviewer, "reviewer").await;
    assert_eq!(
        post(path.clone(), document, staff_token).await.0,
        StatusCode::NOT_FOUND
    );
}

pub(crate) async fn post_json(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    post_body(app, token, path, "application/json", body.to_string()).await
}

pub(crate) async fn post_body(
    app: &TestApp,
    token: &str,
    path: &str,
    content_type: &str,
    body: String,
) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("http://{}{path}", app.addr))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[sqlx::test]
async fn the_review_loop_runs_through_the_api_under_the_pages_rules(db: PgPool) {
    use serde_json::json;
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, endpoint) = submitted(&app).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let (p, r) = (
        token_for(&partner, "partner").await,
        token_for(&reviewer, "reviewer").await,
    );
    let at = |path: &str| format!("/api/v1/integrations/{id}{path}");

    assert_eq!(
        post_json(&app, &p, &at("/claim"), json!({})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_json(&app, &r, &at("/claim"), json!({})).await.0,
        StatusCode::OK
    );
    let ask = json!({"revision": 1, "endpoint_id": endpoint, "item": "response-example", "body": "Add otpRef."});
    assert_eq!(
        post_json(&app, &r, &at("/comments"), ask).await.0,
        StatusCode::CREATED
    );
    let (status, refused) = post_json(
        &app,
        &r,
        &at("/decisions"),
        json!({"revision": 1, "outcome": "approve"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("not checked yet"),
        "{refused}"
    );
    let (status, _) = post_json(
        &app,
        &r,
        &at("/decisions"),
        json!({"revision": 1, "outcome": "send_back"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // The partner reads the comment, replies and marks it addressed, then resubmits.
    let (_, threads) = api(&app, &p, &at("/comments")).await;
    let thread = threads[0]["id"].as_str().unwrap().to_string();
    assert_eq!(threads[0]["item"], "response-example");
    let (status, posted) = post_json(
        &app,
        &p,
        &at(&format!("/comments/{thread}/replies")),
        json!({"body": "Added."}),
    )
    .await;
    assert_eq!(
        (status, posted["draft"].clone()),
        (StatusCode::CREATED, Value::Bool(false))
    );
    let state = |s: &str| json!({ "state": s });
    assert_eq!(
        post_json(
            &app,
            &p,
            &at(&format!("/comments/{thread}/state")),
            state("resolved")
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_json(
            &app,
            &p,
            &at(&format!("/comments/{thread}/state")),
            state("addressed")
        )
        .await
        .0,
        StatusCode::OK
    );
    let (stranger, _) = partner_with_integration(&app, "Other Bank", "sam@other.example").await;
    let s = token_for(&stranger, "stranger").await;
    assert_eq!(
        post_json(
            &app,
            &s,
            &at(&format!("/comments/{thread}/replies")),
            json!({"body": "hi"})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;

    // The reviewer checks every part of revision 2 and approves.
    post_json(&app, &r, &at("/claim"), json!({})).await;
    let (_, integration) = api(&app, &r, &at("")).await;
    let mut targets = vec!["integration".to_string()];
    targets.extend(
        integration["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string()),
    );
    for target in targets {
        let (status, _) = post_json(
            &app,
            &r,
            &at("/signoffs"),
            json!({"revision": 2, "target": target}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{target}");
    }
    let (status, _) = post_json(
        &app,
        &r,
        &at("/decisions"),
        json!({"revision": 1, "outcome": "approve"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale revision is refused");
    let (status, _) = post_json(
        &app,
        &r,
        &at("/decisions"),
        json!({"revision": 2, "outcome": "approve"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, integration) = api(&app, &p, &at("")).await;
    assert_eq!(
        (
            integration["status"].clone(),
            integration["approved_revision"].clone()
        ),
        (json!("approved"), json!(2))
    );
    assert!(
        integration["mock_base_url"]
            .as_str()
            .is_some_and(|url| url.ends_with(&format!("/mock/{id}"))),
        "{integration}"
    );
    let (status, bad) = post_json(&app, &r, &at("/decisions"), json!({"outcome": 7})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
}
