//! The review loop: claim, send back or approve on the exact revision, resubmit, reopen.

use partner_portal::accounts::Role;
use reqwest::{Response, StatusCode};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::*;
use crate::intake::*;

/// A partner's complete OTP integration with two endpoints, not submitted yet; the generate
/// endpoint's id.
pub(crate) async fn complete_otp(app: &TestApp) -> (Browser, Uuid, Uuid) {
    let (partner, id) = partner_with_integration(app, "XYZ Finance", "ravi@xyz.example").await;
    fill_otp_sections(&partner, id).await;
    let endpoint = add_endpoint(
        &partner,
        id,
        "API to generate OTP",
        "POST",
        "/pchflih/otp/v1/generateOTP",
    )
    .await;
    let strict =
        r#"{"status": "success", "status_code": "SUCC001", "message": "Request Successful"}"#;
    save_endpoint(&partner, id, endpoint, &otp_endpoint_fields(strict)).await;
    let verify = add_endpoint(
        &partner,
        id,
        "Verify OTP",
        "POST",
        "/pchflih/otp/v1/verifyOTP",
    )
    .await;
    let mut fields = otp_endpoint_fields(strict);
    fields[0] = ("name", "Verify OTP");
    fields[3] = ("path", "/pchflih/otp/v1/verifyOTP");
    save_endpoint(&partner, id, verify, &fields).await;
    (partner, id, endpoint)
}

/// The same, submitted as revision 1.
pub(crate) async fn submitted(app: &TestApp) -> (Browser, Uuid, Uuid) {
    let (partner, id, endpoint) = complete_otp(app).await;
    let response = partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    (partner, id, endpoint)
}

async fn status(db: &PgPool, id: Uuid) -> String {
    sqlx::query_scalar("SELECT status FROM integrations WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn comment(reviewer: &Browser, id: Uuid, endpoint: &str, item: &str, body: &str) -> Response {
    reviewer
        .post_form(
            &format!("/review/{id}/comments"),
            &[
                ("revision", &revision_of(reviewer, id).await),
                ("endpoint", endpoint),
                ("item", item),
                ("body", body),
            ],
        )
        .await
}

/// The revision the review page shows, as its decision form carries it.
async fn revision_of(reviewer: &Browser, id: Uuid) -> String {
    let (_, html) = reviewer.page(&format!("/review/{id}")).await;
    let marker = "name=\"revision\" value=\"";
    let at = html.find(marker).expect("a revision field") + marker.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

async fn sign_off(reviewer: &Browser, id: Uuid, revision: &str, target: &str) -> Response {
    reviewer
        .post_form(
            &format!("/review/{id}/signoffs"),
            &[("revision", revision), ("target", target), ("signed", "1")],
        )
        .await
}

async fn decide(reviewer: &Browser, id: Uuid, fields: &[(&str, &str)]) -> Response {
    reviewer
        .post_form(&format!("/review/{id}/decision"), fields)
        .await
}

async fn thread_state(db: &PgPool, id: Uuid) -> (String, bool) {
    sqlx::query_as("SELECT state, published FROM comments WHERE integration_id = $1 AND parent_id IS NULL ORDER BY created_at LIMIT 1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

/// The whole loop of the issue, over HTTP: a comment on the success response, send back, fix,
/// resubmit, the diff and the carried-forward sign-off, approve.
#[sqlx::test]
async fn send_back_fix_resubmit_approve(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, endpoint) = submitted(&app).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let review = format!("/review/{id}");

    assert_eq!(
        location(&reviewer.post_form(&format!("{review}/claim"), &[]).await),
        review
    );
    assert_eq!(status(&db, id).await, "in_review");
    let (_, html) = reviewer.page(&review).await;
    assert!(html.contains("Being reviewed by <strong>rohan</strong>"));
    assert!(
        html.contains("0 of 3 parts checked"),
        "integration + two endpoints"
    );

    // Sending back needs an open comment or a summary.
    let response = decide(
        &reviewer,
        id,
        &[("revision", "1"), ("outcome", "send_back"), ("summary", "")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unescape(&response.text().await.unwrap())
            .contains("Not sent: Say what the partner should change")
    );
    assert_eq!(status(&db, id).await, "in_review");

    // Everything looks checked except one thing: a comment on the success response.
    let other = second_endpoint(&db, id, endpoint).await;
    for target in ["integration", &other.to_string(), &endpoint.to_string()] {
        assert_eq!(
            sign_off(&reviewer, id, "1", target).await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let ask = "Add the OTP reference id to the success response.";
    let response = comment(
        &reviewer,
        id,
        &endpoint.to_string(),
        "response-example",
        ask,
    )
    .await;
    assert_eq!(location(&response), format!("{review}#endpoint-{endpoint}"));
    assert_eq!(
        thread_state(&db, id).await,
        ("open".into(), false),
        "a draft until the decision"
    );
    let endpoint_page = format!("/integrations/{id}/endpoints/{endpoint}");
    let (_, html) = partner.page(&endpoint_page).await;
    assert!(
        !html.contains("OTP reference id"),
        "partners do not see drafts"
    );

    let response = decide(
        &reviewer,
        id,
        &[("revision", "1"), ("outcome", "send_back"), ("summary", "")],
    )
    .await;
    assert_eq!(location(&response), "/");
    assert_eq!(status(&db, id).await, "changes_requested");
    assert_eq!(
        thread_state(&db, id).await,
        ("open".into(), true),
        "published with the decision"
    );
    assert_eq!(
        mail_count(&db, "ravi@xyz.example").await,
        1,
        "the partner is told once"
    );
    let told: String =
        sqlx::query_scalar("SELECT body_text FROM outbox WHERE to_address = 'ravi@xyz.example'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(
        told.contains("There is 1 comment on a specific item"),
        "{told}"
    );

    // The partner sees it on the dashboard and beside the field, replies and marks it addressed.
    let (_, html) = partner.page("/").await;
    assert!(html.contains(&format!("href=\"/integrations/{id}#comments\">1</a>")));
    let (_, html) = partner.page(&endpoint_page).await;
    assert!(html.contains(ask) && html.contains("The reviewer commented on this (1)"));
    let thread: Uuid = sqlx::query_scalar("SELECT id FROM comments WHERE integration_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    let response = partner
        .post_form(
            &format!("/comments/{thread}/replies"),
            &[("body", "Added otpRef.")],
        )
        .await;
    assert_eq!(location(&response), format!("{endpoint_page}#comments"));
    assert_eq!(
        partner
            .post_form(
                &format!("/comments/{thread}/state"),
                &[("state", "resolved")]
            )
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "only reviewers resolve"
    );
    partner
        .post_form(
            &format!("/comments/{thread}/state"),
            &[("state", "addressed")],
        )
        .await;
    assert_eq!(thread_state(&db, id).await.0, "addressed");
    let again = partner
        .post_form(
            &format!("/comments/{thread}/state"),
            &[("state", "addressed")],
        )
        .await;
    assert_eq!(
        again.status(),
        StatusCode::CONFLICT,
        "only an open thread is marked addressed"
    );
    let outside_review = reviewer
        .post_form(
            &format!("/comments/{thread}/replies"),
            &[("body", "Any news?")],
        )
        .await;
    assert_eq!(
        outside_review.status(),
        StatusCode::CONFLICT,
        "reviewers write during a review, so the partner gets one message"
    );

    let fixed = r#"{"status": "success", "status_code": "SUCC001", "message": "Request Successful", "otpRef": "A1"}"#;
    assert_eq!(
        save_endpoint(&partner, id, endpoint, &otp_endpoint_fields(fixed))
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        partner
            .post_form(&format!("/integrations/{id}/submit"), &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    // Revision 2: what changed, which comments were answered, which sign-offs still hold.
    reviewer.post_form(&format!("{review}/claim"), &[]).await;
    let (_, html) = reviewer.page(&review).await;
    let text = unescape(&html);
    assert!(text.contains("What changed since revision 1"));
    assert!(text.contains("Changed endpoint: API to generate OTP"));
    assert!(text.contains("success example") && text.contains("otpRef"));
    assert!(text.contains("Unchanged endpoints: Verify OTP"));
    assert!(text.contains("Earlier comments the partner answered"));
    assert!(
        text.contains(&format!("id=\"comment-{thread}\"")),
        "the thread is carried forward"
    );
    assert!(text.contains("Added otpRef."));
    assert!(
        text.contains("2 of 3 parts checked"),
        "the changed endpoint's sign-off lapsed"
    );
    assert!(text.contains("Changed since it was checked"));

    // Approving needs every part checked, and a confirmation while comments are open.
    let written = "Looks good; thanks for the quick fix.";
    let response = decide(
        &reviewer,
        id,
        &[
            ("revision", "2"),
            ("outcome", "approve"),
            ("summary", written),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&response.text().await.unwrap());
    assert!(html.contains("not checked yet"), "says why");
    assert!(
        html.contains(&format!(">{written}</textarea>")),
        "the summary is kept"
    );
    assert!(html.contains("value=\"approve\" checked"), "and the choice");
    assert_eq!(status(&db, id).await, "in_review");
    sign_off(&reviewer, id, "2", &endpoint.to_string()).await;
    comment(&reviewer, id, "", "", "Thanks: all clear for go-live.").await;
    let response = decide(&reviewer, id, &[("revision", "2"), ("outcome", "approve")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Approve although comments are open"),
        "asks for confirmation"
    );
    let response = decide(
        &reviewer,
        id,
        &[
            ("revision", "2"),
            ("outcome", "approve"),
            ("confirm_open", "1"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(status(&db, id).await, "approved");
    let approved: Option<i32> =
        sqlx::query_scalar("SELECT approved_revision FROM integrations WHERE id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(approved, Some(2));
    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    assert!(html.contains("Revision 2 was approved by rohan"));
    assert!(html.contains("all clear for go-live"));

    // Any two revisions compare, for the partner too; another company cannot.
    let (status_code, html) = partner
        .page(&format!("/integrations/{id}/compare?from=1&to=2"))
        .await;
    assert_eq!(status_code, StatusCode::OK);
    assert!(unescape(&html).contains("otpRef"));
    let (stranger, _) = partner_with_integration(&app, "Other Bank", "sam@other.example").await;
    assert_eq!(
        stranger
            .get(&format!("/integrations/{id}/compare"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        stranger
            .post_form(&format!("/comments/{thread}/replies"), &[("body", "hi")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Reopening starts a draft; the approved revision stays approved.
    partner
        .post_form(&format!("/integrations/{id}/reopen"), &[])
        .await;
    assert_eq!(status(&db, id).await, "draft");
    let approved: Option<i32> =
        sqlx::query_scalar("SELECT approved_revision FROM integrations WHERE id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(approved, Some(2));
}

/// The endpoint of a submitted integration other than `first`.
async fn second_endpoint(db: &PgPool, id: Uuid, first: Uuid) -> Uuid {
    sqlx::query_scalar("SELECT id FROM endpoints WHERE integration_id = $1 AND id <> $2")
        .bind(id)
        .bind(first)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_decision_on_a_revision_the_partner_replaced_is_refused(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, _) = submitted(&app).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let review = format!("/review/{id}");
    reviewer.post_form(&format!("{review}/claim"), &[]).await;

    // Meanwhile the partner withdraws and resubmits: revision 2.
    assert_eq!(
        partner
            .post_form(&format!("/integrations/{id}/withdraw"), &[])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(status(&db, id).await, "draft");
    partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    reviewer.post_form(&format!("{review}/claim"), &[]).await;

    let response = reviewer
        .post_form(
            &format!("{review}/decision"),
            &[("revision", "1"), ("outcome", "approve"), ("summary", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("you reviewed revision 1")
    );
    assert_eq!(status(&db, id).await, "in_review", "nothing was misapplied");
}

#[sqlx::test]
async fn each_side_takes_only_its_own_actions(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    create_user(&db, "kiran@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, _) = submitted(&app).await;
    let review = format!("/review/{id}");
    for path in ["claim", "release", "decision", "comments", "signoffs"] {
        let response = partner
            .post_form(
                &format!("{review}/{path}"),
                &[("revision", "1"), ("outcome", "approve")],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "partner on {path}"
        );
    }
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    for path in ["withdraw", "reopen", "submit"] {
        let response = reviewer
            .post_form(&format!("/integrations/{id}/{path}"), &[])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "reviewer on {path}"
        );
    }
    // Illegal now: approving before claiming, reopening what is not approved.
    let response = reviewer
        .post_form(
            &format!("{review}/decision"),
            &[("revision", "1"), ("outcome", "approve")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(
        partner
            .post_form(&format!("/integrations/{id}/reopen"), &[])
            .await
            .status(),
        StatusCode::CONFLICT
    );

    // Someone else's claim is theirs to decide.
    reviewer.post_form(&format!("{review}/claim"), &[]).await;
    let other = app.signed_in("kiran@haptik.example", PASSWORD).await;
    let response = other
        .post_form(
            &format!("{review}/decision"),
            &[("revision", "1"), ("outcome", "approve")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(status(&db, id).await, "in_review");
    let comment_there = other
        .post_form(
            &format!("{review}/comments"),
            &[("revision", "1"), ("item", "staging"), ("body", "mine?")],
        )
        .await;
    assert_eq!(comment_there.status(), StatusCode::CONFLICT);
    let sign_there = other
        .post_form(
            &format!("{review}/signoffs"),
            &[
                ("revision", "1"),
                ("target", "integration"),
                ("signed", "1"),
            ],
        )
        .await;
    assert_eq!(sign_there.status(), StatusCode::CONFLICT);

    // A reviewer's draft is theirs alone: invisible to the partner, not deletable by others.
    let response = reviewer
        .post_form(
            &format!("{review}/comments"),
            &[
                ("revision", "1"),
                ("item", "staging"),
                ("body", "Staging URL answers 503."),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let elsewhere = reviewer
        .post_form(
            &format!("{review}/comments"),
            &[
                ("revision", "1"),
                ("endpoint", &Uuid::new_v4().to_string()),
                ("item", "errors"),
                ("body", "On an endpoint of no revision"),
            ],
        )
        .await;
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
    let draft: Uuid = sqlx::query_scalar("SELECT id FROM comments WHERE integration_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    for (who, browser) in [("partner", &partner), ("other reviewer", &other)] {
        let response = browser
            .post_form(
                &format!("/comments/{draft}/replies"),
                &[("body", "seen it")],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::NOT_FOUND,
            "{who} replying to a draft"
        );
        let response = browser
            .post_form(&format!("/comments/{draft}/delete"), &[])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::NOT_FOUND,
            "{who} deleting a draft"
        );
    }
    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    assert!(!html.contains("answers 503"));

    // Reviewers read partner content but cannot change it.
    let response = reviewer
        .post_form(
            &format!("/integrations/{id}/sections/partner_code"),
            &[("version", "1"), ("partner_code", "HACK")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Another company cannot withdraw it.
    let (stranger, _) = partner_with_integration(&app, "Other Bank", "sam@other.example").await;
    assert_eq!(
        stranger
            .post_form(&format!("/integrations/{id}/withdraw"), &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn every_step_lands_in_the_append_only_audit_log(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, _) = submitted(&app).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let review = format!("/review/{id}");
    reviewer.post_form(&format!("{review}/claim"), &[]).await;
    reviewer
        .post_form(
            &format!("{review}/decision"),
            &[
                ("revision", "1"),
                ("outcome", "send_back"),
                ("summary", "Add the OTP reference"),
            ],
        )
        .await;

    // Both sides see the integration's timeline, newest first.
    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    let text = unescape(&html);
    let timeline = &text[text.find("<h2>Timeline</h2>").expect("a timeline")..];
    let sent_back = timeline
        .find("sent back: revision 1: Add the OTP reference")
        .expect("the decision");
    let claimed = timeline.find("claimed").unwrap();
    let submitted_at = timeline.find("submitted: revision 1").unwrap();
    let saved = timeline
        .find("saved: endpoint API to generate OTP")
        .unwrap();
    assert!(sent_back < claimed && claimed < submitted_at && submitted_at < saved);
    let (_, html) = reviewer.page(&review).await;
    assert!(html.contains("<h2>Timeline</h2>"));

    // Admins see everything, sign-ins included; nobody else does.
    let admin = app.signed_in("asha@haptik.example", PASSWORD).await;
    let (status, html) = admin.page("/admin/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("signed in") && html.contains("sent back"));
    assert_eq!(
        partner.get("/admin/audit").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        reviewer.get("/admin/audit").await.status(),
        StatusCode::FORBIDDEN
    );

    // The database itself refuses to rewrite history.
    let changed = sqlx::query("UPDATE audit_events SET detail = 'nothing happened'")
        .execute(&db)
        .await;
    assert!(changed.unwrap_err().to_string().contains("append-only"));
    let deleted = sqlx::query("DELETE FROM audit_events").execute(&db).await;
    assert!(deleted.is_err());
}

/// A page of the queue, with the SQL statements it ran.
async fn queue_page(reviewer: &Browser, query: &str) -> (String, usize) {
    let request = Uuid::new_v4().to_string();
    let response = reviewer
        .client
        .get(reviewer.url(&format!("/review{query}")))
        .header("x-request-id", &request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    (response.text().await.unwrap(), query_count::of(&request))
}

#[sqlx::test]
async fn the_queue_filters_sorts_and_pages_in_constant_queries(db: PgPool) {
    query_count::install();
    // 120 submissions: statuses cycle 6:2:1:1, six partners, three reviewers.
    partner_portal::seed::queue(&db, 120, 3).await.unwrap();
    let app = TestApp::spawn(db.clone()).await;
    let reviewer = app
        .signed_in(
            partner_portal::seed::REVIEWER_LOGIN,
            partner_portal::seed::PASSWORD,
        )
        .await;
    queue_page(&reviewer, "").await; // warm the pool's statements

    let (first, first_queries) = queue_page(&reviewer, "").await;
    assert!(
        first.contains("96 submissions · page 1 of 2"),
        "submitted or in review"
    );
    assert_eq!(first.matches("<a href=\"/review/").count(), 50);
    let oldest = first
        .find("Queued integration 117<")
        .expect("the longest waiting first");
    assert!(oldest < first.find("Queued integration 116<").unwrap());
    assert!(unescape(&first).contains("href=\"/review?status=waiting&page=2\""));

    let (second, second_queries) = queue_page(&reviewer, "?status=waiting&page=2").await;
    assert_eq!(second.matches("<a href=\"/review/").count(), 46);
    assert_eq!(
        first_queries, second_queries,
        "queries do not grow with rows"
    );
    assert!(first_queries <= 8, "{first_queries} queries for one page");

    let (newest, _) = queue_page(&reviewer, "?sort=newest").await;
    assert!(
        newest.find("Queued integration 1<").unwrap()
            < newest.find("Queued integration 2<").unwrap()
    );
    let (approved, _) = queue_page(&reviewer, "?status=approved").await;
    assert!(approved.contains("12 submissions"));
    let (partner, _) = queue_page(&reviewer, "?partner=partner+3").await;
    assert!(
        partner.contains("16 submissions"),
        "one of six partners, its waiting ones"
    );
    assert!(!partner.contains("Seeded Partner 4<"));
    let (mine, _) = queue_page(&reviewer, "?mine=1&status=in_review").await;
    let claimed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM integrations i JOIN users u ON u.id = i.claimed_by WHERE u.email = $1",
    )
    .bind(partner_portal::seed::REVIEWER_LOGIN)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(claimed > 0);
    assert!(mine.contains(&format!("{claimed} submissions")));
    let (nothing, _) = queue_page(&reviewer, "?partner=%25&page=999999").await;
    assert!(
        nothing.contains("Nothing matches."),
        "a literal % matches no partner"
    );

    let (outsider, _) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    assert_eq!(
        outsider.get("/review").await.status(),
        StatusCode::FORBIDDEN
    );
}
