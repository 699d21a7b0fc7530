//! The JSON API: personal access tokens from the UI, the pages' rules for who reads what, and a
//! property-based run of schemathesis against the generated OpenAPI document.

use std::path::{Path, PathBuf};

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::*;
use crate::intake::partner_with_integration;
use crate::review::complete_otp;

/// Creates a token on /account/tokens the way a user does and reads it off the page, once.
async fn token_for(browser: &Browser, name: &str) -> String {
    let response = browser
        .post_form("/account/tokens", &[("name", name)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    let at = html.find("<code>ppat_").expect("the new token is shown") + "<code>".len();
    html[at..at + html[at..].find('<').unwrap()].to_string()
}

async fn api(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
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

#[sqlx::test]
async fn schemathesis_finds_no_server_errors_or_schema_violations(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id, _) = complete_otp(&app).await;
    partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    let token = token_for(&partner, "schemathesis").await;
    let run = tokio::process::Command::new(schemathesis())
        .arg("run")
        .arg(format!("http://{}/api/v1/openapi.json", app.addr))
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "all", "--max-examples", "30", "--seed", "1"])
        .env("SCHEMATHESIS_HOOKS", "")
        .env("NO_COLOR", "1")
        .output()
        .await
        .unwrap();
    let said =
        String::from_utf8_lossy(&run.stdout).to_string() + &String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "schemathesis found problems:\n{said}");
    assert!(
        said.contains("8 selected / 8 total"),
        "every operation was tested: {said}"
    );
}
