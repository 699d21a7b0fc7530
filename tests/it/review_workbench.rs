//! The reviewer's pending review over HTTP: draft comments are listed where the decision is made,
//! as the decision will send them, and stay editable by their author until it is sent.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::fixtures::texts;
use crate::helpers::*;
use crate::review::{comment, status};

#[sqlx::test]
async fn draft_comments_are_listed_as_the_pending_review_and_editable_until_sent(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    create_user(&db, "meera@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (_partner, id, endpoint) = crate::fixtures::submitted(&app).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let review = format!("/review/{id}");
    reviewer.post_form(&format!("{review}/claim"), &[]).await;
    assert_eq!(status(&db, id).await, "in_review");

    let saved = comment(
        &reviewer,
        id,
        &endpoint.to_string(),
        "headers",
        "Add Content-Type.",
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, html) = reviewer.page(&review).await;
    let pending = texts(&html, ".pending-review li").join("\n");
    assert!(
        pending.contains("Headers") && pending.contains("Add Content-Type."),
        "the pending review lists the draft where it is: {pending}"
    );

    let thread: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM comments WHERE integration_id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    // Only its author edits a draft.
    let other = app.signed_in("meera@haptik.example", PASSWORD).await;
    let refused = other
        .post_form(&format!("/comments/{thread}/edit"), &[("body", "Mine now")])
        .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let edited = reviewer
        .post_form(
            &format!("/comments/{thread}/edit"),
            &[("body", "Add Content-Type: application/json.")],
        )
        .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    let body: String = sqlx::query_scalar("SELECT body FROM comments WHERE id = $1")
        .bind(thread)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(body, "Add Content-Type: application/json.");

    // Once the decision sent it, it stays as the partner read it.
    let sent = reviewer
        .post_form(
            &format!("{review}/decision"),
            &[("revision", "1"), ("outcome", "send_back"), ("summary", "")],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let late = reviewer
        .post_form(
            &format!("/comments/{thread}/edit"),
            &[("body", "Changed after")],
        )
        .await;
    assert_eq!(late.status(), StatusCode::NOT_FOUND);
}
