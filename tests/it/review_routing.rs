//! Who holds a submission and what each reviewer keeps for themselves, over HTTP: "viewed" marks
//! (personal, lapsing when the endpoint changes), an admin giving a submission to a reviewer, and
//! what another reviewer sees while it is claimed.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::{otp_endpoint_fields, save_endpoint, texts};
use crate::helpers::*;
use crate::review::status;

async fn mark_viewed(
    reviewer: &Browser,
    id: Uuid,
    endpoint: &str,
    viewed: &str,
) -> reqwest::Response {
    reviewer
        .post_form(
            &format!("/review/{id}/viewed"),
            &[("endpoint", endpoint), ("viewed", viewed)],
        )
        .await
}

fn unfolded(html: &str, endpoint: Uuid) -> Vec<String> {
    texts(
        html,
        &format!("#endpoint-{endpoint} details.evidence-body[open] summary"),
    )
}

fn toggle_of(html: &str, endpoint: Uuid) -> String {
    texts(html, &format!("#endpoint-{endpoint} .viewed-toggle")).join("")
}

#[sqlx::test]
async fn viewed_marks_are_the_reviewers_own_and_lapse_when_the_endpoint_changes(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    create_user(&db, "meera@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, endpoint) = crate::fixtures::submitted(&app).await;
    let rohan = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let meera = app.signed_in("meera@haptik.example", PASSWORD).await;
    let review = format!("/review/{id}");

    let (_, html) = rohan.page(&review).await;
    assert!(!unfolded(&html, endpoint).is_empty(), "unfolded before");
    // Reading ahead needs no claim.
    let marked = mark_viewed(&rohan, id, &endpoint.to_string(), "1").await;
    assert_eq!(location(&marked), format!("{review}#endpoint-{endpoint}"));
    let (_, html) = rohan.page(&review).await;
    assert_eq!(toggle_of(&html, endpoint), "✓ Viewed");
    let nav = texts(&html, ".section-nav li").join("\n");
    assert!(nav.contains("viewed, not signed off"), "{nav}");
    assert!(
        unfolded(&html, endpoint).is_empty(),
        "a viewed endpoint folds its evidence"
    );
    // Another reviewer's page is their own.
    let (_, html) = meera.page(&review).await;
    assert_eq!(toggle_of(&html, endpoint), "Mark viewed");

    // Not an endpoint of this submission, or not staff: nothing is marked.
    let stranger = mark_viewed(&rohan, id, &Uuid::new_v4().to_string(), "1").await;
    assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
    let by_partner = mark_viewed(&partner, id, &endpoint.to_string(), "1").await;
    assert!(
        by_partner.status().is_client_error(),
        "{}",
        by_partner.status()
    );
    let marks: i64 = sqlx::query_scalar("SELECT count(*) FROM endpoint_views")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(marks, 1);

    // The partner changes the endpoint and resubmits: the mark no longer holds.
    rohan.post_form(&format!("{review}/claim"), &[]).await;
    let sent = rohan
        .post_form(
            &format!("{review}/decision"),
            &[
                ("revision", "1"),
                ("outcome", "send_back"),
                ("summary", "Add a request id."),
            ],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let changed = r#"{"status": "success", "status_code": "SUCC001", "message": "Request Successful", "requestId": "r-1"}"#;
    let saved = save_endpoint(&partner, id, endpoint, &otp_endpoint_fields(changed)).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    let (_, html) = rohan.page(&review).await;
    assert_eq!(toggle_of(&html, endpoint), "Mark viewed");

    // And it can be taken back.
    mark_viewed(&rohan, id, &endpoint.to_string(), "1").await;
    mark_viewed(&rohan, id, &endpoint.to_string(), "0").await;
    let (_, html) = rohan.page(&review).await;
    assert_eq!(toggle_of(&html, endpoint), "Mark viewed");
}

#[sqlx::test]
async fn an_admin_gives_a_submission_to_a_reviewer_who_is_told(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    create_user(&db, "meera@haptik.example", Role::Reviewer, None).await;
    create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, endpoint) = crate::fixtures::submitted(&app).await;
    let rohan = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let meera = app.signed_in("meera@haptik.example", PASSWORD).await;
    let admin = app.signed_in("asha@haptik.example", PASSWORD).await;
    let review = format!("/review/{id}");
    let meera_id: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'meera@haptik.example'")
            .fetch_one(&db)
            .await
            .unwrap();
    let partner_id: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'ravi@xyz.example'")
            .fetch_one(&db)
            .await
            .unwrap();

    // Rohan claims it; Meera sees by whom and gets no review forms.
    rohan.post_form(&format!("{review}/claim"), &[]).await;
    let (_, html) = meera.page(&review).await;
    assert!(html.contains("Only they, or an admin, can comment, sign off and decide."));
    assert!(!html.contains("Send the decision") && !html.contains("Mark this endpoint checked"));
    assert!(
        !html.contains("Give it to a reviewer"),
        "only admins assign"
    );

    // Only an admin assigns, and only to an active reviewer or admin.
    let refused = rohan
        .post_form(
            &format!("{review}/assign"),
            &[("reviewer", &meera_id.to_string())],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let to_partner = admin
        .post_form(
            &format!("{review}/assign"),
            &[("reviewer", &partner_id.to_string())],
        )
        .await;
    assert_eq!(to_partner.status(), StatusCode::NOT_FOUND);
    let (_, html) = admin.page(&review).await;
    assert!(html.contains("Give it to a reviewer"));

    let given = admin
        .post_form(
            &format!("{review}/assign"),
            &[("reviewer", &meera_id.to_string())],
        )
        .await;
    assert_eq!(location(&given), format!("{review}#decision"));
    assert_eq!(status(&db, id).await, "in_review");
    let claimer: Option<Uuid> =
        sqlx::query_scalar("SELECT claimed_by FROM integrations WHERE id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(claimer, Some(meera_id));
    assert_eq!(last_mailed_path(&db, "meera@haptik.example").await, review);
    let audited: String = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE integration_id = $1 AND action = 'assigned'",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(audited, "to meera");

    // Meera reviews now; Rohan's comment is refused.
    let (_, html) = meera.page(&review).await;
    assert!(html.contains("Send the decision"));
    let late = rohan
        .post_form(
            &format!("{review}/comments"),
            &[
                ("revision", "1"),
                ("endpoint", &endpoint.to_string()),
                ("item", "headers"),
                ("body", "Mine?"),
            ],
        )
        .await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
    drop(partner);
}
