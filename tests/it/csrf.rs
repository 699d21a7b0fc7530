//! Every state-changing request needs the session's token and, when the browser says, our origin.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::*;

#[sqlx::test]
async fn a_post_without_a_token_is_refused_with_a_clear_page(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;

    let response = reviewer
        .client
        .post(reviewer.url("/logout"))
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("This form could not be accepted")
    );

    let response = reviewer
        .client
        .post(reviewer.url("/logout"))
        .form(&[("csrf_token", "forged-token")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        reviewer.get("/").await.status(),
        StatusCode::OK,
        "still signed in"
    );
}

#[sqlx::test]
async fn a_token_from_another_session_does_not_work(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let attacker_token = app.browser().csrf_token().await;
    let response = reviewer
        .client
        .post(reviewer.url("/logout"))
        .form(&[("csrf_token", attacker_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn a_foreign_origin_is_refused_even_with_the_token(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let token = reviewer.csrf_token().await;
    let response = reviewer
        .client
        .post(reviewer.url("/logout"))
        .header("origin", "https://evil.example")
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let response = reviewer
        .client
        .post(reviewer.url("/logout"))
        .header("origin", reviewer.base.as_str())
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the portal's own origin passes"
    );
}

#[sqlx::test]
async fn htmx_requests_carry_the_token_in_a_header(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let (_, html) = reviewer.page("/").await;
    let marker = "hx-headers='{\"X-CSRF-Token\": \"";
    let start = html.find(marker).expect("the body tells htmx the token") + marker.len();
    let token = &html[start..start + html[start..].find('"').unwrap()];
    let response = reviewer
        .client
        .post(reviewer.url("/logout"))
        .header("x-csrf-token", token)
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn the_token_changes_at_sign_in(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db).await;
    let browser = app.browser();
    let before = browser.csrf_token().await;
    browser.login("rohan@haptik.example", PASSWORD).await;
    assert_ne!(before, browser.csrf_token().await);
}
