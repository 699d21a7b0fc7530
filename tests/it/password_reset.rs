use partner_portal::accounts::Role;
use partner_portal::accounts::login::FAILED;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::*;

const NEW_PASSWORD: &str = "violet harbour lamp 77";

#[sqlx::test]
async fn a_forgotten_password_is_replaced_through_a_single_use_link(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db.clone()).await;
    let elsewhere = app.signed_in("neha@acme.example", PASSWORD).await;

    let browser = app.browser();
    let response = browser
        .post_form("/password/forgot", &[("email", "neha@acme.example")])
        .await;
    assert_eq!(location(&response), "/login");
    let (_, known_page) = browser.page("/login").await;
    assert!(known_page.contains("If neha@acme.example belongs to an active account"));

    let link = last_mailed_path(&db, "neha@acme.example").await;
    let response = browser
        .post_form(
            &link,
            &[("password", NEW_PASSWORD), ("confirm", "something else")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("The two passwords differ.")
    );

    let response = browser
        .post_form(
            &link,
            &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(location(&response), "/login");

    assert!(
        app.browser()
            .login("neha@acme.example", PASSWORD)
            .await
            .text()
            .await
            .unwrap()
            .contains(FAILED)
    );
    app.signed_in("neha@acme.example", NEW_PASSWORD).await;
    assert_eq!(
        elsewhere.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "older sessions end"
    );
    assert_eq!(
        app.browser().page(&link).await.0,
        StatusCode::NOT_FOUND,
        "the link is spent"
    );
}

#[sqlx::test]
async fn asking_for_an_unknown_address_answers_exactly_the_same(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db.clone()).await;

    let known = app.browser();
    let known_response = known
        .post_form("/password/forgot", &[("email", "neha@acme.example")])
        .await;
    let unknown = app.browser();
    let unknown_response = unknown
        .post_form("/password/forgot", &[("email", "ghost@acme.example")])
        .await;
    assert_eq!(known_response.status(), unknown_response.status());
    assert_eq!(location(&known_response), location(&unknown_response));
    let (_, known_page) = known.page("/login").await;
    let (_, unknown_page) = unknown.page("/login").await;
    let strip = |html: &str, email: &str| {
        html.replace(email, "EMAIL")
            .replace(&csrf_from(html).unwrap(), "TOKEN")
    };
    assert_eq!(
        strip(&known_page, "neha@acme.example"),
        strip(&unknown_page, "ghost@acme.example")
    );
    assert_eq!(mail_count(&db, "ghost@acme.example").await, 0);
    assert_eq!(mail_count(&db, "neha@acme.example").await, 1);
}

#[sqlx::test]
async fn an_expired_link_is_refused(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db.clone()).await;
    app.browser()
        .post_form("/password/forgot", &[("email", "neha@acme.example")])
        .await;
    let link = last_mailed_path(&db, "neha@acme.example").await;
    sqlx::query("UPDATE password_resets SET expires_at = now() - interval '1 minute'")
        .execute(&db)
        .await
        .unwrap();
    let response = app
        .browser()
        .post_form(
            &link,
            &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    app.signed_in("neha@acme.example", PASSWORD).await;
}
