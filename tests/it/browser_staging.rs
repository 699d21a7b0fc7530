//! The staging check in a real headless Chromium: the partner checks an endpoint with a one-time
//! token, submits, and the reviewer reads the result on the review page and checks all endpoints.

use partner_portal::accounts::Role;
use sqlx::PgPool;

use crate::browser::{Driver, click, fill, sign_in_as, wait_for_text};
use crate::helpers::*;
use crate::staging::{GOOD, TOKEN, allow_port, otp_at, portal};
use crate::staging_server::*;

const PARTNER: &str = "ravi@xyz.example";
const REVIEWER: &str = "rohan@haptik.example";

#[sqlx::test]
async fn a_partner_checks_staging_and_the_reviewer_sees_the_evidence(db: PgPool) {
    let ca = TestCa::new();
    let server = StagingServer::start(&ca, Certificate::Valid).await;
    server.answer(Answer::json(200, GOOD));
    create_user(&db, REVIEWER, Role::Reviewer, None).await;
    let app = portal(db, ca.portal_settings()).await;
    allow_port(&app, server.port).await;
    let (partner, id, endpoint) = otp_at(&app, &server.url()).await;
    let base = format!("http://{}", app.addr);
    let driver = Driver::start().await;
    let browser = &driver.client;

    // The partner goes from the endpoint's page to its check, types the token, and checks.
    sign_in_as(&driver, &base, PARTNER, PASSWORD).await;
    browser
        .goto(&format!("{base}/integrations/{id}/endpoints/{endpoint}"))
        .await
        .unwrap();
    click(browser, "#staging-check-link").await;
    driver
        .wait_for_path(&format!("/integrations/{id}/endpoints/{endpoint}/staging"))
        .await;
    fill(browser, "input[name='value:token']", TOKEN).await;
    click(browser, "main form[action$='/staging'] button[type=submit]").await;
    wait_for_text(&driver, "#fresh-result", "Passed").await;
    wait_for_text(
        &driver,
        "#fresh-result",
        "Same keys and JSON types as the example",
    )
    .await;
    let token_field = browser
        .find(fantoccini::Locator::Css("input[name='value:token']"))
        .await
        .unwrap();
    assert_eq!(
        token_field.prop("value").await.unwrap().as_deref(),
        Some(""),
        "the one-time value is not put back into the form"
    );

    let submitted = partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    assert_eq!(submitted.status(), reqwest::StatusCode::SEE_OTHER);

    // The reviewer sees, per endpoint, the result, when and by whom; then checks all.
    sign_in_as(&driver, &base, REVIEWER, PASSWORD).await;
    browser.goto(&format!("{base}/review/{id}")).await.unwrap();
    let status = format!("#endpoint-{endpoint} .staging-status");
    wait_for_text(&driver, &status, "Passed").await;
    wait_for_text(&driver, &status, "checked just now by").await;
    click(browser, &format!("{status} a")).await;
    driver
        .wait_for_path(&format!("/integrations/{id}/endpoints/{endpoint}/staging"))
        .await;
    click(browser, "a[href$='/staging']:not([href*='endpoints'])").await;
    driver
        .wait_for_path(&format!("/integrations/{id}/staging"))
        .await;
    fill(browser, "input[name='value:token']", TOKEN).await;
    click(browser, "main form[action$='/staging'] button[type=submit]").await;
    wait_for_text(&driver, "#run-status", "2 of 2").await;
    wait_for_text(&driver, "#staging-checks", "checked just now by rohan").await;
    driver.client.clone().close().await.unwrap();
}
