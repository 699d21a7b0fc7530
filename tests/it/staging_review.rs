//! Staging checks as reviewers and admins use them: every endpoint's latest check, checking all, rate limits, the port allow-list.

use crate::helpers::*;
use crate::staging::*;
use crate::staging_server::*;
use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

/// "Check all endpoints" with the token, then waits for the background run to finish.
pub(crate) async fn check_all(app: &TestApp, browser: &Browser, id: Uuid) {
    let started = browser
        .post_form(
            &format!("/integrations/{id}/staging"),
            &[("value:token", TOKEN)],
        )
        .await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    wait_for_run(app, id).await;
}

pub(crate) async fn wait_for_run(app: &TestApp, id: Uuid) {
    for _ in 0..100 {
        let finished: bool = sqlx::query_scalar(
            "SELECT coalesce(bool_and(finished_at IS NOT NULL), false) FROM staging_runs WHERE integration_id = $1",
        )
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
        if finished {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the check of all endpoints did not finish");
}

#[sqlx::test]
async fn a_reviewer_sees_each_endpoints_latest_check_and_can_check_all(db: PgPool) {
    let ca = TestCa::new();
    let server = StagingServer::start(&ca, Certificate::Valid).await;
    server.answer(Answer::json(200, GOOD));
    let app = portal(db, ca.portal_settings()).await;
    allow_port(&app, server.port).await;
    let (partner, id, endpoint) = otp_at(&app, &server.url()).await;
    let report = success_check(&partner, id, endpoint).await;
    assert!(report.contains("Passed"), "{report}");
    // The partner then points staging elsewhere and submits: the check is about another URL.
    let moved = format!("{}/v2", server.url());
    let saved = save_section(
        &partner,
        id,
        "environments",
        &[("staging_url", &moved), ("production_url", "")],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, endpoint_page) = partner
        .page(&format!("/integrations/{id}/endpoints/{endpoint}"))
        .await;
    assert!(
        endpoint_page.contains("the endpoint or the staging URL changed since"),
        "the partner sees the last check is about the old URL: {endpoint_page}"
    );
    let submitted = partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);

    create_user(&app.db, "priya@haptik.example", Role::Reviewer, None).await;
    let reviewer = app.signed_in("priya@haptik.example", PASSWORD).await;
    let (_, review) = reviewer.page(&format!("/review/{id}")).await;
    let review = unescape(&review);
    assert!(
        review.contains("Staging: <span class=\"verdict verdict-pass\">Passed</span>"),
        "{review}"
    );
    assert!(review.contains("checked just now by"), "{review}");
    assert!(
        review.contains("Not checked against staging yet"),
        "the second endpoint: {review}"
    );
    assert!(review.contains("on the partner's draft"), "{review}");
    assert!(
        review.contains("about other content or another staging URL than this revision's"),
        "{review}"
    );

    let before = server.requests().len();
    check_all(&app, &reviewer, id).await;
    assert_eq!(
        server.requests().len(),
        before + 2,
        "both endpoints, one after another"
    );
    assert!(
        server
            .requests()
            .iter()
            .skip(before)
            .all(|r| r.path.starts_with("/v2/")),
        "the submitted URL was checked"
    );
    let (_, review) = reviewer.page(&format!("/review/{id}")).await;
    assert!(
        !unescape(&review).contains("about other content"),
        "the reviewer's own check is about this revision"
    );
    let (_, overview) = reviewer.page(&format!("/integrations/{id}/staging")).await;
    assert_eq!(overview.matches("verdict-pass").count(), 2, "{overview}");
    assert!(
        overview.contains("Last \"check all\": 2 of 2 endpoints")
            || unescape(&overview).contains("Last \"check all\": 2 of 2 endpoints"),
        "{overview}"
    );
    let checked_by: Vec<Option<i32>> = sqlx::query_scalar(
        "SELECT revision FROM staging_checks WHERE integration_id = $1 ORDER BY checked_at",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        checked_by,
        vec![None, Some(1), Some(1)],
        "the partner checked the draft, the reviewer revision 1"
    );

    // The same evidence through the API, for the reviewer's scripts.
    let token = crate::api::token_for(&reviewer, "staging script").await;
    let (status, checks) = crate::api::api(
        &app,
        &token,
        &format!("/api/v1/integrations/{id}/staging-checks"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let checks = checks.as_array().unwrap();
    assert_eq!(checks.len(), 2, "{checks:?}");
    for check in checks {
        assert_eq!(
            (
                check["verdict"].as_str(),
                check["revision"].as_i64(),
                check["scenario"].as_str()
            ),
            (Some("pass"), Some(1), Some(""))
        );
        assert!(
            check["target"]
                .as_str()
                .unwrap()
                .starts_with(&format!("POST {moved}/")),
            "{check}"
        );
        assert!(
            check["lines"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["topic"] == "Shape" && l["verdict"] == "pass"),
            "{check}"
        );
        assert!(!check.to_string().contains(TOKEN));
    }

    // Someone else's integration is not found, for pages and checks alike.
    create_user(
        &app.db,
        "mallory@other.example",
        Role::Partner,
        Some(create_company(&app.db, "Other Co").await),
    )
    .await;
    let other = app.signed_in("mallory@other.example", PASSWORD).await;
    for path in [
        format!("/integrations/{id}/staging"),
        format!("/integrations/{id}/endpoints/{endpoint}/staging"),
    ] {
        assert_eq!(
            other.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
        let posted = other.post_form(&path, &[("value:token", TOKEN)]).await;
        assert_eq!(posted.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let other_token = crate::api::token_for(&other, "other").await;
    let (status, _) = crate::api::api(
        &app,
        &other_token,
        &format!("/api/v1/integrations/{id}/staging-checks"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        partner.get("/admin/staging-ports").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        reviewer.get("/admin/staging-ports").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test]
async fn checks_are_rate_limited_per_user_and_per_integration(db: PgPool) {
    let ca = TestCa::new();
    let server = StagingServer::start(&ca, Certificate::Valid).await;
    server.answer(Answer::json(200, GOOD));
    let mut settings = ca.portal_settings();
    settings.per_user_hourly = 2;
    settings.per_integration_hourly = 3;
    let app = portal(db, settings).await;
    allow_port(&app, server.port).await;
    let (partner, id, endpoint) = otp_at(&app, &server.url()).await;
    success_check(&partner, id, endpoint).await;
    success_check(&partner, id, endpoint).await;
    let (status, html) = success_attempt(&partner, id, endpoint).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("the limit is 2 an hour"), "{html}");

    // A teammate has their own allowance, but the integration's is shared.
    let company: Uuid = sqlx::query_scalar("SELECT company_id FROM integrations WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    create_user(&app.db, "asha@xyz.example", Role::Partner, Some(company)).await;
    let teammate = app.signed_in("asha@xyz.example", PASSWORD).await;
    success_check(&teammate, id, endpoint).await;
    let (status, html) = success_attempt(&teammate, id, endpoint).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        html.contains(
            "checked 3 times in the last hour by the partner's team; the limit is 3 an hour"
        ),
        "{html}"
    );
    let all = teammate
        .post_form(
            &format!("/integrations/{id}/staging"),
            &[("value:token", TOKEN)],
        )
        .await;
    assert_eq!(all.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(server.requests().len(), 3);

    // The partner's checks do not use up Haptik's: a reviewer can still check the submission.
    let submitted = partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    create_user(&app.db, "priya@haptik.example", Role::Reviewer, None).await;
    let reviewer = app.signed_in("priya@haptik.example", PASSWORD).await;
    let report = success_check(&reviewer, id, endpoint).await;
    assert!(report.contains("Passed"), "{report}");
    assert_eq!(server.requests().len(), 4);
}

#[sqlx::test]
async fn an_admin_keeps_the_port_allow_list_and_a_bad_entry_comes_back_as_typed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    create_user(&app.db, "admin@haptik.example", Role::Admin, None).await;
    let admin = app.signed_in("admin@haptik.example", PASSWORD).await;
    let (_, dashboard) = admin.page("/").await;
    assert!(
        dashboard.contains("href=\"/admin/staging-ports\""),
        "the page is in the admin's navigation"
    );

    let refused = admin
        .post_form(
            "/admin/staging-ports",
            &[
                ("host", "https://apisit.xyz.com/v1"),
                ("port", "443"),
                ("note", "SIT box"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&refused.text().await.unwrap());
    assert!(html.contains("without https:// or a path"), "{html}");
    assert!(
        html.contains("other than 443 (443 is always allowed)"),
        "{html}"
    );
    assert!(
        html.contains("value=\"https://apisit.xyz.com/v1\"") && html.contains("value=\"SIT box\""),
        "input kept: {html}"
    );

    let fields = [
        ("host", "ApiSit.XYZ.com"),
        ("port", "8443"),
        ("note", "SIT box"),
    ];
    assert_eq!(
        admin
            .post_form("/admin/staging-ports", &fields)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let again = admin.post_form("/admin/staging-ports", &fields).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().await.unwrap().contains("already allowed"));
    let (_, list) = admin.page("/admin/staging-ports").await;
    assert!(
        list.contains("<code>apisit.xyz.com</code>"),
        "stored in lower case: {list}"
    );

    let id: Uuid = sqlx::query_scalar("SELECT id FROM staging_ports")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let path = format!("/admin/staging-ports/{id}/delete");
    assert_eq!(
        admin.post_form(&path, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        admin.post_form(&path, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action || ' ' || detail FROM audit_events WHERE action LIKE 'staging_port%' ORDER BY at",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        audited,
        vec![
            "staging_port_allowed apisit.xyz.com:8443",
            "staging_port_removed apisit.xyz.com:8443"
        ]
    );
}
