//! The review loop: claim, send back or approve on the exact revision, resubmit, reopen.

use partner_portal::accounts::Role;
use reqwest::{Response, StatusCode};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::*;

pub(crate) async fn status(db: &PgPool, id: Uuid) -> String {
    sqlx::query_scalar("SELECT status FROM integrations WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

pub(crate) async fn comment(
    reviewer: &Browser,
    id: Uuid,
    endpoint: &str,
    item: &str,
    body: &str,
) -> Response {
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
pub(crate) async fn revision_of(reviewer: &Browser, id: Uuid) -> String {
    let (_, html) = reviewer.page(&format!("/review/{id}")).await;
    let marker = "name=\"revision\" value=\"";
    let at = html.find(marker).expect("a revision field") + marker.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

pub(crate) async fn sign_off(
    reviewer: &Browser,
    id: Uuid,
    revision: &str,
    target: &str,
) -> Response {
    reviewer
        .post_form(
            &format!("/review/{id}/signoffs"),
            &[("revision", revision), ("target", target), ("signed", "1")],
        )
        .await
}

pub(crate) async fn decide(reviewer: &Browser, id: Uuid, fields: &[(&str, &str)]) -> Response {
    reviewer
        .post_form(&format!("/review/{id}/decision"), fields)
        .await
}

pub(crate) async fn thread_state(db: &PgPool, id: Uuid) -> (String, bool) {
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

    // No outcome is preselected: sending without choosing one keeps the summary and asks.
    let response = decide(&reviewer, id, &[("revision", "1"), ("summary", "Kept")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&response.text().await.unwrap());
    assert!(
        html.contains("choose whether to send it back or approve it")
            && html.contains(">Kept</textarea>")
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
    // The items were listed once at the first view; a thread among them is shown all the same.
    let (_, html) = reviewer.page(&review).await;
    let article = &html[html.find(&format!("id=\"endpoint-{endpoint}\"")).unwrap()..];
    let items = &article[..article.find("What the partner entered").unwrap()];
    assert!(items.contains("class=\"item-comments\"") && items.contains(ask));
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
    let told = last_mail(&db, "ravi@xyz.example").await;
    assert!(
        told.contains("1 comment on a specific item") && told.contains(ask),
        "{told}"
    );
    // The link lands on the partner's to-do list of the comments.
    assert_eq!(
        last_mailed_path(&db, "ravi@xyz.example").await,
        format!("/integrations/{id}#todo")
    );

    // The partner sees it on the dashboard and beside the field, replies and marks it addressed.
    let (_, html) = partner.page("/").await;
    assert!(html.contains(&format!("href=\"/integrations/{id}#todo\"")));
    let (_, html) = partner.page(&endpoint_page).await;
    // At the field it is about, with the way to answer it.
    assert!(html.contains(ask) && html.contains("class=\"field-comment\""));
    assert!(html.contains("Reply or mark addressed"));
    let thread: Uuid = sqlx::query_scalar("SELECT id FROM comments WHERE integration_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    // The e-mail links to the comment at its field, where the partner answers it.
    assert!(
        told.contains(&format!("{endpoint_page}#note-{thread}")),
        "{told}"
    );
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

    // The resubmission is back with the reviewer who sent it back: claimed for them, first in
    // their queue as "back to you", and their e-mail links to it (no one else is mailed).
    assert_eq!(status(&db, id).await, "in_review");
    let (_, queue) = reviewer.page("/review").await;
    assert!(queue.contains("back to you"));
    assert_eq!(
        last_mailed_path(&db, "rohan@haptik.example").await,
        format!("/review/{id}")
    );
    // It lists the answered comment with a link to its thread.
    let told = last_mail(&db, "rohan@haptik.example").await;
    assert!(
        told.contains("The partner answered these comments:")
            && told.contains(&format!("/review/{id}#comment-{thread}")),
        "{told}"
    );

    // "Only what changed": the one changed endpoint of the two.
    let (_, changed) = reviewer.page(&format!("{review}?changed=1")).await;
    assert_eq!(changed.matches("class=\"endpoint-evidence\"").count(), 1);
    assert!(changed.contains(&format!("id=\"endpoint-{endpoint}\"")));

    // Revision 2: what changed, which comments were answered, which sign-offs still hold.
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
    assert!(
        html.contains("value=\"approve\" required checked"),
        "and the choice"
    );
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
pub(crate) async fn second_endpoint(db: &PgPool, id: Uuid, first: Uuid) -> Uuid {
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
