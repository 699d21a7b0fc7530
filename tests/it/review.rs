//! The review loop: claim, send back or approve on the exact revision, resubmit, reopen.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::*;
use crate::intake::*;

/// A partner's complete OTP integration, submitted as revision 1.
async fn submitted(app: &TestApp) -> (Browser, Uuid, Uuid) {
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

    // Sending back needs a summary.
    let response = reviewer
        .post_form(
            &format!("{review}/decision"),
            &[("revision", "1"), ("outcome", "send_back"), ("summary", "")],
        )
        .await;
    assert_eq!(location(&response), format!("{review}#decision"));
    assert_eq!(status(&db, id).await, "in_review");
    let summary = "The success response must include the OTP reference id.";
    let response = reviewer
        .post_form(
            &format!("{review}/decision"),
            &[
                ("revision", "1"),
                ("outcome", "send_back"),
                ("summary", summary),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(status(&db, id).await, "changes_requested");
    assert_eq!(
        mail_count(&db, "ravi@xyz.example").await,
        1,
        "the partner is told"
    );

    // The partner sees what to change, fixes it and submits revision 2.
    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    assert!(unescape(&html).contains(summary));
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

    reviewer.post_form(&format!("{review}/claim"), &[]).await;
    let (_, html) = reviewer.page(&review).await;
    assert!(html.contains("revision 2") && unescape(&html).contains("otpRef"));
    let response = reviewer
        .post_form(
            &format!("{review}/decision"),
            &[("revision", "2"), ("outcome", "approve"), ("summary", "")],
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
    for path in ["claim", "release", "decision"] {
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
