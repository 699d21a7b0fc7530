//! The review loop of the issue in a real headless Chromium: partner submits → reviewer sends
//! back with a comment on the success response → partner fixes and resubmits → reviewer sees the
//! diff, finds the untouched endpoint still signed off, and approves → partner sees "approved".

use partner_portal::accounts::Role;
use sqlx::PgPool;

use crate::browser::{Driver, click, fill, sign_in_as, text_of, wait_for_text};
use crate::helpers::*;

const PARTNER: &str = "ravi@xyz.example";
const REVIEWER: &str = "rohan@haptik.example";

#[sqlx::test]
async fn a_submission_goes_round_the_review_loop_in_a_browser(db: PgPool) {
    create_user(&db, REVIEWER, Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (_, id, generate) = complete_otp(&app).await;
    let verify: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM endpoints WHERE integration_id = $1 AND id <> $2")
            .bind(id)
            .bind(generate)
            .fetch_one(&db)
            .await
            .unwrap();
    let base = format!("http://{}", app.addr);
    let driver = Driver::start().await;
    let browser = &driver.client;
    let integration = format!("{base}/integrations/{id}");

    // The partner submits.
    sign_in_as(&driver, &base, PARTNER, PASSWORD).await;
    browser.goto(&integration).await.unwrap();
    click(browser, "#submit-panel button[type=submit]").await;
    wait_for_text(&driver, "main", "Submitted as revision 1").await;

    // The reviewer finds it in the queue, claims it, checks two parts and comments on the third.
    sign_in_as(&driver, &base, REVIEWER, PASSWORD).await;
    click(browser, "nav a[href='/review']").await;
    driver.wait_for_path("/review").await;
    click(browser, &format!("main table a[href='/review/{id}']")).await;
    driver.wait_for_path(&format!("/review/{id}")).await;
    click(browser, "form[action$='/claim'] button").await;
    wait_for_text(&driver, "#decision", "Being reviewed by rohan").await;
    click(browser, "#signoff-integration button[value='1']").await;
    wait_for_text(&driver, "#signoff-integration", "Checked by rohan").await;
    click(
        browser,
        &format!("#endpoint-{verify} .signoff button[value='1']"),
    )
    .await;
    wait_for_text(
        &driver,
        &format!("#endpoint-{verify} .signoff"),
        "Checked by rohan",
    )
    .await;
    // One comment form per endpoint; the reviewer picks the item it is about.
    let success_comment = format!("#endpoint-{generate} details.endpoint-comment");
    click(browser, &format!("{success_comment} summary")).await;
    crate::browser_review_journey::comment_in(
        &driver,
        &success_comment,
        "response-example",
        "Add the OTP reference id (otpRef) to the success response.",
    )
    .await;
    fill(
        browser,
        "#summary",
        "One change: see the comment on the success response.",
    )
    .await;
    // Nothing is preselected: the reviewer chooses.
    let chosen = browser
        .execute(
            "return document.querySelectorAll('input[name=outcome]:checked').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(chosen, 0, "no outcome is preselected");
    click(browser, "input[name=outcome][value=send_back]").await;
    click(
        browser,
        "#decision form[action$='/decision'] button[type=submit]",
    )
    .await;
    driver.wait_for_path("/").await;
    wait_for_text(&driver, "main", "Sent back to the partner").await;
    driver.screenshot("review-sent-back").await;

    // The partner reads the comment beside the field, fixes it, marks it addressed, resubmits.
    sign_in_as(&driver, &base, PARTNER, PASSWORD).await;
    wait_for_text(&driver, "main table", "Changes requested").await;
    browser
        .goto(&format!("{integration}/endpoints/{generate}"))
        .await
        .unwrap();
    wait_for_text(&driver, "#item-response-example", "otpRef").await;
    fill(
        browser,
        "#success_example",
        r#"{"status": "success", "status_code": "SUCC001", "message": "Request Successful", "otpRef": "A1"}"#,
    )
    .await;
    click(browser, "#endpoint-form button[value=save]").await;
    wait_for_text(&driver, "#endpoint-form .saved", "Saved").await;
    click(browser, "#item-response-example button[value=addressed]").await;
    wait_for_text(&driver, "main", "Comment marked addressed").await;
    browser.goto(&integration).await.unwrap();
    click(browser, "#submit-panel button[type=submit]").await;
    wait_for_text(&driver, "main", "Submitted as revision 2").await;

    // The resubmission is back with the reviewer who sent it back, first in their queue: no claim.
    // They see what changed, the untouched parts still checked, and approve.
    sign_in_as(&driver, &base, REVIEWER, PASSWORD).await;
    browser.goto(&format!("{base}/review")).await.unwrap();
    wait_for_text(&driver, "main table tbody tr:first-child", "back to you").await;
    click(
        browser,
        &format!("main table tbody tr:first-child a[href='/review/{id}']"),
    )
    .await;
    wait_for_text(&driver, "#since", "Changed endpoint: API to generate OTP").await;
    assert!(text_of(browser, "#since").await.contains("otpRef"));
    // The revision page fits a phone: wide tables scroll inside themselves.
    browser.set_window_size(390, 844).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (over, widest) = crate::browser_screens::overflow(browser).await;
    driver.screenshot("review-revision-phone").await;
    assert!(
        over <= 0,
        "the revision page is {over} px too wide on a phone; {widest} sticks out"
    );
    browser.set_window_size(1280, 900).await.unwrap();
    assert!(
        text_of(browser, &format!("#endpoint-{verify} .signoff"))
            .await
            .contains("Checked by rohan (revision 1)"),
        "the untouched endpoint is still signed off"
    );
    assert!(
        text_of(browser, "#signoff-integration")
            .await
            .contains("Checked by rohan")
    );
    driver.screenshot("review-resubmitted").await;
    click(
        browser,
        &format!("#endpoint-{generate} .signoff button[value='1']"),
    )
    .await;
    wait_for_text(
        &driver,
        &format!("#endpoint-{generate} .signoff"),
        "Checked by rohan",
    )
    .await;
    click(browser, "input[name=outcome][value=approve]").await;
    click(
        browser,
        "#decision form[action$='/decision'] button[type=submit]",
    )
    .await;
    driver.wait_for_path("/").await;
    wait_for_text(&driver, "main", "Approved; the partner has been told").await;

    // The partner sees "approved".
    sign_in_as(&driver, &base, PARTNER, PASSWORD).await;
    wait_for_text(&driver, "main table", "Approved").await;
    browser.goto(&integration).await.unwrap();
    wait_for_text(&driver, "main", "Revision 2 was approved by rohan").await;
    driver.screenshot("review-approved").await;
    driver.client.clone().close().await.unwrap();
}
