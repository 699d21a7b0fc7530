//! The review workbench's journey from the issue, in a real headless Chromium: a reviewer reviews
//! a 20-endpoint submission partly by keyboard, leaves three comments on different items, edits
//! one draft and sends back; the partner fixes two endpoints and resubmits; the same reviewer finds
//! it first in the queue as "back to you", sees only the changed endpoints, resolves the answered
//! threads, signs off and approves. The clicks from opening the resubmission to approving it are
//! counted, and every step leaves a screenshot in `target/browser-screenshots/`.

use fantoccini::Client;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::browser::{Driver, click, fill, sign_in_as, text_of, wait_for_text};
use crate::browser_workbench::js;
use crate::fixtures::{complete_otp, grow_to_twenty, otp_endpoint_fields, save_endpoint};
use crate::helpers::*;

const REVIEWER: &str = "rohan@haptik.example";

/// A key pressed and released as a person types it, wherever the focus is.
async fn key(browser: &Client, key: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    browser.perform_actions(keys).await.unwrap();
}

/// All the text of an element, shown or folded (the navigation's summary shows only on a phone).
async fn content(browser: &Client, css: &str) -> String {
    let script = format!("return document.querySelector({css:?}).textContent");
    js(browser, &script).await.as_str().unwrap().to_string()
}

/// Writes a draft comment in an open comment form (`form`: its `details`), about `item` ("" for
/// the part as a whole), and waits for the page to say it was saved.
pub(crate) async fn comment_in(driver: &Driver, form: &str, item: &str, text: &str) {
    let browser = &driver.client;
    if !item.is_empty() {
        browser
            .find(fantoccini::Locator::Css(&format!(
                "{form} select[name=item]"
            )))
            .await
            .unwrap()
            .select_by_value(item)
            .await
            .unwrap();
    }
    fill(browser, &format!("{form} textarea"), text).await;
    click(browser, &format!("{form} button[type=submit]")).await;
    wait_for_text(driver, "main", "Comment saved as a draft").await;
}

/// Clicks, counting each one.
async fn counted(browser: &Client, css: &str, clicks: &mut usize) {
    click(browser, css).await;
    *clicks += 1;
}

async fn thread_of(db: &PgPool, id: Uuid, endpoint: Option<Uuid>) -> Uuid {
    sqlx::query_scalar(
        "SELECT id FROM comments WHERE integration_id = $1 AND parent_id IS NULL AND endpoint_id IS NOT DISTINCT FROM $2",
    )
    .bind(id)
    .bind(endpoint)
    .fetch_one(db)
    .await
    .unwrap()
}

#[sqlx::test]
async fn a_reviewer_sends_back_twenty_endpoints_and_approves_the_fix_in_few_clicks(db: PgPool) {
    create_user(&db, REVIEWER, Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, generate) = complete_otp(&app).await;
    grow_to_twenty(&db, id, generate).await;
    let submitted = partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    let base = format!("http://{}", app.addr);
    let review = format!("{base}/review/{id}");
    let driver = Driver::start().await;
    let browser = &driver.client;

    // The reviewer opens it from the queue and claims it.
    sign_in_as(&driver, &base, REVIEWER, PASSWORD).await;
    browser.goto(&format!("{base}/review")).await.unwrap();
    click(browser, &format!("main table a[href='/review/{id}']")).await;
    driver.wait_for_path(&format!("/review/{id}")).await;
    click(browser, "form[action$='/claim'] button").await;
    wait_for_text(&driver, "#decision", "Being reviewed by rohan").await;
    let order: Vec<Uuid> = js(
        browser,
        "return [...document.querySelectorAll('article.endpoint-evidence')].map(a => a.id.slice(9))",
    )
    .await
    .as_array()
    .unwrap()
    .iter()
    .map(|v| v.as_str().unwrap().parse().unwrap())
    .collect();
    assert_eq!(order.len(), 20);
    let (first, second) = (order[0], order[1]);

    // "?" lists the shortcuts.
    key(browser, '?').await;
    wait_for_text(&driver, "#review-shortcuts", "Next / previous part").await;
    driver.screenshot("journey-shortcuts").await;
    click(browser, "#review-shortcuts button").await;

    // The integration-level sections, then endpoints 3 to 20 by keyboard: s signs the part being
    // read off, j goes to the next one; v marks one viewed.
    click(browser, "#signoff-integration button[value='1']").await;
    wait_for_text(&driver, "#signoff-integration", "Checked by rohan").await;
    browser
        .goto(&format!("{review}#endpoint-{}", order[2]))
        .await
        .unwrap();
    key(browser, 'v').await;
    wait_for_text(
        &driver,
        &format!("#endpoint-{} .viewed-toggle", order[2]),
        "✓ Viewed",
    )
    .await;
    driver.wait_for_path(&format!("/review/{id}")).await;
    for (n, endpoint) in order.iter().enumerate().skip(2) {
        if n > 2 {
            key(browser, 'j').await;
        }
        key(browser, 's').await;
        wait_for_text(
            &driver,
            &format!("#endpoint-{endpoint} .signoff"),
            "Checked by rohan",
        )
        .await;
        // The sign-off came back as a new page: keys go to it once its scripts have run.
        driver.wait_for_path(&format!("/review/{id}")).await;
    }
    let nav = content(browser, ".section-nav").await;
    assert!(nav.contains("19 of 21 signed off"), "{nav}");

    // Three comments on three items: c opens the comment form of the endpoint being read.
    browser
        .goto(&format!("{review}#endpoint-{first}"))
        .await
        .unwrap();
    key(browser, 'c').await;
    let form = format!("#endpoint-{first} details.endpoint-comment");
    let focused = js(browser, "return document.activeElement.name").await;
    assert_eq!(focused, "body", "c puts the cursor in the comment");
    comment_in(
        &driver,
        &form,
        "response-example",
        "Add otpRef to the success response.",
    )
    .await;
    let form = format!("#endpoint-{second} details.endpoint-comment");
    click(browser, &format!("{form} summary")).await;
    comment_in(&driver, &form, "headers", "Send X-Request-Id too.").await;
    let form = "#review-integration details.endpoint-comment";
    click(browser, &format!("{form} summary")).await;
    comment_in(&driver, form, "", "Which test number gives ERR002?").await;

    // One draft edited; the pending review shows what the decision will send.
    let headers_thread = thread_of(&db, id, Some(second)).await;
    click(
        browser,
        &format!("#comment-{headers_thread} details.edit-draft summary"),
    )
    .await;
    fill(
        browser,
        &format!("#comment-{headers_thread} details.edit-draft textarea"),
        "Send X-Request-Id on every call.",
    )
    .await;
    click(
        browser,
        &format!("#comment-{headers_thread} details.edit-draft button"),
    )
    .await;
    wait_for_text(
        &driver,
        ".pending-review",
        "Send X-Request-Id on every call.",
    )
    .await;
    let pending = text_of(browser, ".pending-review").await;
    assert!(pending.contains("sends 3 comments"), "{pending}");
    browser.goto(&format!("{review}#decision")).await.unwrap();
    driver.screenshot("journey-pending-review").await;
    click(browser, "input[name=outcome][value=send_back]").await;
    fill(browser, "#summary", "Three small things, each at its item.").await;
    click(
        browser,
        "#decision form[action$='/decision'] button[type=submit]",
    )
    .await;
    wait_for_text(&driver, "main", "Sent back to the partner").await;

    // The partner fixes the two endpoints, marks those addressed, answers the third, resubmits.
    let fixed = r#"{"status": "success", "status_code": "SUCC001", "message": "Request Successful", "otpRef": "A1"}"#;
    assert_eq!(
        save_endpoint(&partner, id, first, &otp_endpoint_fields(fixed))
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let strict =
        r#"{"status": "success", "status_code": "SUCC001", "message": "Request Successful"}"#;
    let mut fields = otp_endpoint_fields(strict);
    fields.push(("header_name", "X-Request-Id"));
    fields.push(("header_value", "<<uuid>>"));
    let title: String = sqlx::query_scalar("SELECT spec->>'name' FROM endpoints WHERE id = $1")
        .bind(second)
        .fetch_one(&db)
        .await
        .unwrap();
    fields[0] = ("name", title.as_str());
    let path: String = sqlx::query_scalar("SELECT spec->>'path' FROM endpoints WHERE id = $1")
        .bind(second)
        .fetch_one(&db)
        .await
        .unwrap();
    fields[3] = ("path", path.as_str());
    assert_eq!(
        save_endpoint(&partner, id, second, &fields).await.status(),
        StatusCode::SEE_OTHER
    );
    for endpoint in [first, second] {
        let thread = thread_of(&db, id, Some(endpoint)).await;
        let done = partner
            .post_form(
                &format!("/comments/{thread}/state"),
                &[("state", "addressed")],
            )
            .await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
    }
    let question = thread_of(&db, id, None).await;
    partner
        .post_form(
            &format!("/comments/{question}/replies"),
            &[("body", "9999999999 gives ERR002; it is in the test data.")],
        )
        .await;
    let resubmitted = partner
        .post_form(
            &format!("/integrations/{id}/submit"),
            &[("despite_open_comments", "1")],
        )
        .await;
    assert_eq!(resubmitted.status(), StatusCode::SEE_OTHER);

    // An endpoint signed off and unchanged since folds its evidence; its summary opens it.
    browser.goto(&review).await.unwrap();
    let folded = format!("#endpoint-{} details.evidence-body", order[5]);
    let open = js(
        browser,
        &format!("return document.querySelector('{folded}').open"),
    )
    .await;
    assert_eq!(open, false, "settled evidence is folded");
    click(browser, &format!("{folded} > summary")).await;
    let open = js(
        browser,
        &format!("return document.querySelector('{folded}').open"),
    )
    .await;
    assert_eq!(open, true, "one click opens it");

    // From the queue to the approval, counting clicks.
    let mut clicks = 0;
    browser.goto(&format!("{base}/review")).await.unwrap();
    wait_for_text(&driver, "main table tbody tr:first-child", "back to you").await;
    driver.screenshot("journey-queue-back-to-you").await;
    counted(
        browser,
        &format!("main table tbody tr:first-child a[href='/review/{id}']"),
        &mut clicks,
    )
    .await;
    wait_for_text(&driver, "#since", "Show only the 2 changed endpoints").await;
    counted(browser, "#since a[href*='changed=1']", &mut clicks).await;
    wait_for_text(&driver, "#since", "Showing the 2 changed endpoints only").await;
    let shown = js(
        browser,
        "return document.querySelectorAll('article.endpoint-evidence').length",
    )
    .await;
    assert_eq!(shown, 2, "only the changed endpoints");
    let nav = content(browser, ".section-nav").await;
    assert!(nav.matches("changed, not signed off").count() == 2, "{nav}");
    driver.screenshot("journey-changed-only").await;
    for endpoint in [Some(first), Some(second), None] {
        let thread = thread_of(&db, id, endpoint).await;
        counted(
            browser,
            &format!("#comment-{thread} button[value=resolved]"),
            &mut clicks,
        )
        .await;
        wait_for_text(
            &driver,
            &format!("#comment-{thread} .comment-state"),
            "RESOLVED",
        )
        .await;
    }
    for endpoint in [first, second] {
        counted(
            browser,
            &format!("#endpoint-{endpoint} .signoff button[value='1']"),
            &mut clicks,
        )
        .await;
        wait_for_text(
            &driver,
            &format!("#endpoint-{endpoint} .signoff"),
            "Checked by rohan",
        )
        .await;
    }
    let bar = text_of(browser, ".decision-bar").await;
    assert!(bar.contains("21 of 21 parts signed off"), "{bar}");
    counted(browser, "input[name=outcome][value=approve]", &mut clicks).await;
    driver.screenshot("journey-before-approval").await;
    counted(
        browser,
        "#decision form[action$='/decision'] button[type=submit]",
        &mut clicks,
    )
    .await;
    wait_for_text(&driver, "main", "Approved; the partner has been told").await;
    assert_eq!(
        sqlx::query_scalar::<_, String>("SELECT status::text FROM integrations WHERE id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap(),
        "approved"
    );
    println!("clicks from the queue to the approval of the resubmission: {clicks}");
    assert_eq!(clicks, 9);
    driver.client.clone().close().await.unwrap();
}
