//! Whose move an integration waits for, and since when: on the partner's dashboard and pages,
//! the review page and the JSON API. It changes only when the ball changes sides.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::api::{api, token_for};
use crate::fixtures::texts;
use crate::helpers::*;

async fn move_since(db: &PgPool, id: Uuid) -> OffsetDateTime {
    sqlx::query_scalar("SELECT move_since FROM integrations WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test]
async fn each_side_sees_whose_move_it_is_and_since_when(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, _) = crate::fixtures::complete_otp(&app).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;

    let (_, dashboard) = partner.page("/").await;
    assert!(
        texts(&dashboard, ".whose-move")
            .concat()
            .starts_with("Your move for")
    );
    let drafted = move_since(&db, id).await;

    let submitted = partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    let (_, page) = partner.page(&format!("/integrations/{id}")).await;
    assert!(
        texts(&page, ".whose-move")
            .concat()
            .starts_with("Haptik's move for")
    );
    let handed_over = move_since(&db, id).await;
    assert!(handed_over > drafted, "submitting hands the move to Haptik");

    // A claim keeps it Haptik's move, from the same moment.
    reviewer
        .post_form(&format!("/review/{id}/claim"), &[])
        .await;
    assert_eq!(move_since(&db, id).await, handed_over);
    let token = token_for(&reviewer, "insights").await;
    let (status, integration) = api(&app, &token, &format!("/api/v1/integrations/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(integration["whose_move"], "haptik");
    let since = OffsetDateTime::parse(
        integration["move_since"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(since, handed_over);

    // Sent back: the partner's move again, as the review page says.
    let sent = reviewer
        .post_form(
            &format!("/review/{id}/decision"),
            &[
                ("revision", "1"),
                ("outcome", "send_back"),
                ("summary", "Add otpRef."),
            ],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let (_, review) = reviewer.page(&format!("/review/{id}")).await;
    assert!(
        texts(&review, ".whose-move")
            .concat()
            .starts_with("The partner's move for")
    );
    assert!(move_since(&db, id).await > handed_over);
    let (_, integration) = api(&app, &token, &format!("/api/v1/integrations/{id}")).await;
    assert_eq!(integration["whose_move"], "partner");
}
