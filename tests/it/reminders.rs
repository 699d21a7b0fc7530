//! Who would be reminded of what, on a seeded history with fixed timestamps: a sent-back
//! integration across weekends and a holiday, one the partner is working on, a submission nobody
//! claimed. The same as `portal reminders --dry-run --at …` prints.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use crate::helpers::*;

async fn set_clock(db: &PgPool, id: Uuid, move_since: OffsetDateTime, updated_at: OffsetDateTime) {
    sqlx::query("UPDATE integrations SET move_since = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(move_since)
        .bind(updated_at)
        .execute(db)
        .await
        .unwrap();
}

/// The sample integration, submitted, claimed by the reviewer rohan and sent back by him.
async fn sent_back_by_rohan(app: &TestApp, db: &PgPool) -> (Browser, Uuid) {
    create_user(db, "rohan@haptik.example", Role::Reviewer, None).await;
    let (partner, id, _) = crate::fixtures::submitted(app).await;
    let rohan = app.signed_in("rohan@haptik.example", PASSWORD).await;
    rohan.post_form(&format!("/review/{id}/claim"), &[]).await;
    let decided = crate::review::decide(
        &rohan,
        id,
        &[
            ("revision", "1"),
            ("outcome", "send_back"),
            ("summary", "Add otpRef."),
        ],
    )
    .await;
    assert_eq!(decided.status(), StatusCode::SEE_OTHER);
    (partner, id)
}

#[sqlx::test]
async fn each_policy_reminds_the_right_people_at_the_right_business_day(db: PgPool) {
    create_user(&db, "meera@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (_partner, sent_back) = sent_back_by_rohan(&app, &db).await;
    sqlx::query("INSERT INTO holidays (day, name) VALUES ('2026-12-09', 'A holiday')")
        .execute(&db)
        .await
        .unwrap();
    // Sent back on Friday 4 December, untouched since.
    let friday = datetime!(2026-12-04 10:00 UTC);
    set_clock(&db, sent_back, friday, friday).await;

    let at = |moment| partner_portal::chasing::due_at(&db, moment);
    assert!(
        at(datetime!(2026-12-09 12:00 UTC))
            .await
            .unwrap()
            .is_empty(),
        "the holiday does not count"
    );
    let due = at(datetime!(2026-12-10 10:00 UTC)).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].due.due_at, datetime!(2026-12-10 10:00 UTC));
    // The partner's users and the SPOC, not Haptik.
    assert!(
        due[0].to.contains(&"ravi@xyz.example".to_string()),
        "{:?}",
        due[0].to
    );
    assert!(!due[0].to.iter().any(|to| to.ends_with("@haptik.example")));
    let late = at(datetime!(2026-12-31 00:00 UTC)).await.unwrap();
    let reviewer_step = late.last().unwrap();
    assert_eq!(
        reviewer_step.to,
        vec!["rohan@haptik.example".to_string()],
        "the reviewer who sent it back"
    );
    assert_eq!(reviewer_step.due.due_at, datetime!(2026-12-21 10:00 UTC));

    // The partner starts on the changes: nobody is reminded.
    set_clock(&db, sent_back, friday, datetime!(2026-12-07 09:00 UTC)).await;
    assert!(
        at(datetime!(2026-12-31 00:00 UTC))
            .await
            .unwrap()
            .is_empty()
    );

    // A submission nobody claimed: every reviewer, two business days after.
    let (_other, waiting) =
        crate::fixtures::partner_with_integration(&app, "Other Bank", "sam@other.example").await;
    sqlx::query("UPDATE integrations SET status = 'submitted' WHERE id = $1")
        .bind(waiting)
        .execute(&db)
        .await
        .unwrap();
    let thursday = datetime!(2026-12-10 15:00 UTC);
    set_clock(&db, waiting, thursday, thursday).await;
    let due = at(datetime!(2026-12-14 15:00 UTC)).await.unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(
        due[0].to,
        vec![
            "meera@haptik.example".to_string(),
            "rohan@haptik.example".to_string()
        ]
    );
    assert!(due[0].line().contains("submitted, unclaimed"));
}

async fn digests_to(db: &PgPool, to: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT body_text FROM outbox WHERE to_address = $1 AND dedupe_key LIKE 'digest:%' ORDER BY created_at",
    )
    .bind(to)
    .fetch_all(db)
    .await
    .unwrap()
}

#[sqlx::test]
async fn one_digest_per_person_per_day_each_reminder_once_and_a_snooze_is_kept(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = sent_back_by_rohan(&app, &db).await;
    let friday = datetime!(2026-12-04 10:00 UTC);
    set_clock(&db, id, friday, friday).await;
    let config = partner_portal::config::Config::default();
    let send = |at| partner_portal::chasing::digest::send_due(&db, &config, at);

    // The partner asks for a quiet week: nothing for them while it lasts.
    let snoozed = partner
        .post_form(&format!("/integrations/{id}/snooze"), &[])
        .await;
    assert_eq!(location(&snoozed), format!("/integrations/{id}#whose-move"));
    let (_, page) = partner.page(&format!("/integrations/{id}")).await;
    assert!(page.contains("No reminders for you about it until"));
    send(datetime!(2026-12-09 11:00 UTC)).await.unwrap();
    assert!(digests_to(&db, "ravi@xyz.example").await.is_empty());
    sqlx::query("DELETE FROM reminder_snoozes")
        .execute(&db)
        .await
        .unwrap();

    // Two instances run the scheduler at the same moment: one digest.
    let at = datetime!(2026-12-10 10:00 UTC);
    let (a, b) = tokio::join!(send(at), send(at));
    assert_eq!(
        a.unwrap() + b.unwrap(),
        1,
        "one of the two instances queued it"
    );
    let digests = digests_to(&db, "ravi@xyz.example").await;
    assert_eq!(digests.len(), 1);
    assert!(
        digests[0].contains("“OTP APIs”")
            && digests[0].contains(&format!("/integrations/{id}#todo"))
    );
    // Later the same day, and the day after: nothing new is due, nothing is sent.
    send(datetime!(2026-12-10 18:00 UTC)).await.unwrap();
    send(datetime!(2026-12-11 09:00 UTC)).await.unwrap();
    assert_eq!(digests_to(&db, "ravi@xyz.example").await.len(), 1);
    // The second reminder (seven business days): a second digest, with only it.
    send(datetime!(2026-12-15 11:00 UTC)).await.unwrap();
    let digests = digests_to(&db, "ravi@xyz.example").await;
    assert_eq!(digests.len(), 2);
    assert_eq!(digests[1].matches("“OTP APIs”").count(), 1);
    // The reviewer is not bothered until the tenth business day.
    assert!(digests_to(&db, "rohan@haptik.example").await.is_empty());
    send(datetime!(2026-12-18 10:00 UTC)).await.unwrap();
    assert_eq!(digests_to(&db, "rohan@haptik.example").await.len(), 1);
}

#[sqlx::test]
async fn an_admin_keeps_the_holidays_and_a_bad_day_comes_back_as_typed(db: PgPool) {
    create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let admin = app.signed_in("asha@haptik.example", PASSWORD).await;
    let (_, page) = admin.page("/admin/reminders").await;
    assert!(
        page.contains("sent back, untouched")
            && page.contains(r#"id="sent_back-after-0" name="after" value="3""#)
    );

    let refused = admin
        .post_form(
            "/admin/reminders/holidays",
            &[("day", "25/12/2026"), ("name", "Christmas")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("Give the day as a date") && html.contains("value=\"25/12/2026\""));

    let added = admin
        .post_form(
            "/admin/reminders/holidays",
            &[("day", "2026-12-25"), ("name", "Christmas")],
        )
        .await;
    assert_eq!(location(&added), "/admin/reminders#holidays");
    let calendar = partner_portal::chasing::calendar(&db).await.unwrap();
    assert!(!calendar.is_business_day(time::macros::date!(2026 - 12 - 25)));

    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let not_theirs = reviewer
        .post_form(
            "/admin/reminders/holidays",
            &[("day", "2026-12-31"), ("name", "")],
        )
        .await;
    assert_eq!(not_theirs.status(), StatusCode::FORBIDDEN);

    let removed = admin
        .post_form("/admin/reminders/holidays/2026-12-25/delete", &[])
        .await;
    assert_eq!(location(&removed), "/admin/reminders#holidays");
    let calendar = partner_portal::chasing::calendar(&db).await.unwrap();
    assert!(calendar.is_business_day(time::macros::date!(2026 - 12 - 25)));
    let again = admin
        .post_form("/admin/reminders/holidays/2026-12-25/delete", &[])
        .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn an_admin_tunes_a_policy_and_the_reminders_follow(db: PgPool) {
    create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (_partner, sent_back) = sent_back_by_rohan(&app, &db).await;
    let friday = datetime!(2026-12-04 10:00 UTC);
    set_clock(&db, sent_back, friday, friday).await;
    let admin = app.signed_in("asha@haptik.example", PASSWORD).await;
    let policy = |after: [&'static str; 3], enabled: bool| {
        let mut form = vec![];
        if enabled {
            form.push(("enabled", "on"));
        }
        for days in after {
            form.push(("after", days));
            form.push(("audience", "partner_team"));
        }
        form
    };

    // Typed wrong: the message is beside the step and what was typed stays.
    let refused = admin
        .post_form(
            "/admin/reminders/policies/sent_back",
            &policy(["5", "three", ""], true),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains(r#"id="sent_back-after-1-error""#), "{html}");
    assert!(html.contains("Give a whole number of days") && html.contains(r#"value="three""#));
    let backwards = admin
        .post_form(
            "/admin/reminders/policies/sent_back",
            &policy(["5", "4", ""], true),
        )
        .await;
    assert_eq!(backwards.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        backwards
            .text()
            .await
            .unwrap()
            .contains("Give more days than the step before (5)")
    );

    // Five business days, the partner only: due Friday 11 December, not on the ninth.
    let saved = admin
        .post_form(
            "/admin/reminders/policies/sent_back",
            &policy(["5", "", ""], true),
        )
        .await;
    assert_eq!(
        location(&saved),
        "/admin/reminders?saved=sent_back#policy-sent_back-outcome"
    );
    let due = partner_portal::chasing::due_at(&db, datetime!(2026-12-31 00:00 UTC))
        .await
        .unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].due.due_at, datetime!(2026-12-11 10:00 UTC));
    let (_, page) = admin.page("/admin/reminders?saved=sent_back").await;
    assert!(page.contains(r#"id="sent_back-after-0" name="after" value="5""#));
    assert!(page.contains("Saved: it reminds as above from now on."));

    // Switched off: nobody is reminded by it.
    admin
        .post_form(
            "/admin/reminders/policies/sent_back",
            &policy(["5", "", ""], false),
        )
        .await;
    assert!(
        partner_portal::chasing::due_at(&db, datetime!(2026-12-31 00:00 UTC))
            .await
            .unwrap()
            .is_empty()
    );

    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let not_theirs = reviewer
        .post_form(
            "/admin/reminders/policies/sent_back",
            &policy(["1", "", ""], true),
        )
        .await;
    assert_eq!(not_theirs.status(), StatusCode::FORBIDDEN);
    let unknown = admin
        .post_form(
            "/admin/reminders/policies/nope",
            &policy(["1", "", ""], true),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

/// The SPOC works in IST (their hours say so): a Friday evening in UTC is already Saturday there,
/// so their third business day comes a day before a colleague's whose zone is unknown (UTC).
#[sqlx::test]
async fn business_days_follow_the_recipients_time_zone(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (_partner, sent_back) = sent_back_by_rohan(&app, &db).await;
    let company: Uuid = sqlx::query_scalar("SELECT company_id FROM integrations WHERE id = $1")
        .bind(sent_back)
        .fetch_one(&db)
        .await
        .unwrap();
    create_user(&db, "priya@xyz.example", Role::Partner, Some(company)).await;
    let friday_evening = datetime!(2026-12-04 20:00 UTC);
    set_clock(&db, sent_back, friday_evening, friday_evening).await;

    let due = partner_portal::chasing::due_at(&db, datetime!(2026-12-08 20:00 UTC))
        .await
        .unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    // Wednesday 01:30 in India.
    assert_eq!(due[0].to, vec!["ravi@xyz.example".to_string()]);
    assert_eq!(due[0].due.due_at, datetime!(2026-12-08 20:00 UTC));

    let due = partner_portal::chasing::due_at(&db, datetime!(2026-12-09 20:00 UTC))
        .await
        .unwrap();
    let priya = due
        .iter()
        .find(|d| d.to.contains(&"priya@xyz.example".to_string()))
        .expect("priya's reminder");
    assert_eq!(priya.due.due_at, datetime!(2026-12-09 20:00 UTC));
    // The same reminder, one key, whoever it reaches when.
    assert_eq!(priya.due.key, due[0].due.key);
}

/// In the browser at both widths: a refused step keeps what was typed, its field takes the focus
/// with the message beside it in view; the saved policy says so beside its button.
#[sqlx::test]
async fn an_admin_fixes_a_refused_step_in_the_browser(db: PgPool) {
    use crate::browser::{Driver, click, fill, sign_in_as, wait_for_text};
    use crate::browser_workbench::js;
    create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let base = format!("http://{}", app.addr);
    let driver = Driver::start().await;
    let browser = &driver.client;
    sign_in_as(&driver, &base, "asha@haptik.example", PASSWORD).await;
    let in_view = "const r = document.querySelector(arguments[0]).getBoundingClientRect(); \
                   return r.top >= 0 && r.bottom <= window.innerHeight";
    for (width, height, screen) in crate::browser_screens::SCREENS {
        browser.set_window_size(width, height).await.unwrap();
        browser
            .goto(&format!("{base}/admin/reminders"))
            .await
            .unwrap();
        driver.wait_for_path("/admin/reminders").await;
        fill(browser, "#sent_back-after-1", "three").await;
        click(browser, "#policy-sent_back button[type=submit]").await;
        wait_for_text(
            &driver,
            "#sent_back-after-1-error",
            "Give a whole number of days",
        )
        .await;
        let focused = js(browser, "return document.activeElement.id").await;
        assert_eq!(
            focused,
            serde_json::json!("sent_back-after-1"),
            "on a {screen}"
        );
        let message = browser
            .execute(in_view, vec![serde_json::json!("#sent_back-after-1-error")])
            .await
            .unwrap();
        assert_eq!(
            message,
            serde_json::json!(true),
            "the message is in view on a {screen}"
        );
        driver
            .screenshot(&format!("reminders-{screen}-refused"))
            .await;
        let (over, widest) = crate::browser_screens::overflow(browser).await;
        assert!(over <= 0, "{widest} sticks out by {over} px on a {screen}");
        assert!(
            crate::browser_audit::axe_violations(browser)
                .await
                .is_empty()
        );
        // Chrome logs the refused post's own 422 as a failed load; anything else is an error.
        let errors: Vec<String> = crate::browser_audit::console_errors(browser)
            .await
            .into_iter()
            .filter(|e| !e.contains("/admin/reminders/policies/sent_back - Failed to load resource: the server responded with a status of 422"))
            .collect();
        assert!(errors.is_empty(), "{errors:?}");

        fill(browser, "#sent_back-after-1", "8").await;
        click(browser, "#policy-sent_back button[type=submit]").await;
        wait_for_text(&driver, "#policy-sent_back .saved", "Saved").await;
        let saved = browser
            .execute(in_view, vec![serde_json::json!("#policy-sent_back .saved")])
            .await
            .unwrap();
        assert_eq!(
            saved,
            serde_json::json!(true),
            "the outcome is in view on a {screen}"
        );
        driver
            .screenshot(&format!("reminders-{screen}-saved"))
            .await;
    }
    let steps: serde_json::Value =
        sqlx::query_scalar("SELECT steps FROM reminder_policies WHERE policy = 'sent_back'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        steps,
        serde_json::json!([[3, "partner_team"], [8, "partner_team"], [10, "reviewer"]])
    );
    driver.client.clone().close().await.unwrap();
}
