//! Admins bring in a company's first users; partners bring in their teammates.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::*;

#[sqlx::test]
async fn an_admin_adds_a_company_and_its_first_user_joins_by_invitation(db: PgPool) {
    create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let admin = app.signed_in("asha@haptik.example", PASSWORD).await;

    let response = admin
        .post_form(
            "/admin/companies",
            &[("name", "Zeta Bank"), ("partner_code", "ZETA01")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let company_page = location(&response);
    let (_, html) = admin.page(&company_page).await;
    assert!(html.contains("Zeta Bank") && html.contains("ZETA01"));

    let response = admin
        .post_form(
            &format!("{company_page}/invitations"),
            &[("email", "Meera@Zeta.example")],
        )
        .await;
    assert_eq!(location(&response), company_page);
    let (_, html) = admin.page(&company_page).await;
    assert!(html.contains("Invitation sent to Meera@Zeta.example."));
    assert!(
        html.contains("<td>Meera@Zeta.example</td>"),
        "listed as an open invitation"
    );

    let link = last_mailed_path(&db, "Meera@Zeta.example").await;
    assert!(link.starts_with("/invitations/"));
    let token_hash_stored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM invitations WHERE token_hash = sha256(convert_to($1, 'UTF8'))",
    )
    .bind(link.trim_start_matches("/invitations/"))
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(token_hash_stored, 1, "only the token's digest is stored");

    let meera = app.browser();
    let (status, html) = meera.page(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Zeta Bank (partner)"));

    // A weak password comes back with the message beside it and the name still typed.
    let response = meera
        .post_form(
            &link,
            &[
                ("display_name", "Meera Iyer"),
                ("password", "password1234"),
                ("confirm", "password1234"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"password-error\""), "{html}");
    assert!(html.contains("value=\"Meera Iyer\""));

    let response = meera
        .post_form(
            &link,
            &[
                ("display_name", "Meera Iyer"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&response), "/");
    let (_, html) = meera.page("/").await;
    assert!(
        html.contains("Welcome, Meera Iyer.") && html.contains("<h1>Zeta Bank</h1>"),
        "{html}"
    );

    // The link was single-use.
    let (status, html) = app.browser().page(&link).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("This link no longer works"));
}

#[sqlx::test]
async fn a_partner_invites_a_teammate_into_their_own_company(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db.clone()).await;
    let neha = app.signed_in("neha@acme.example", PASSWORD).await;

    let response = neha
        .post_form("/team/invitations", &[("email", "not-an-address")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"email-error\"") && html.contains("value=\"not-an-address\""));

    let response = neha
        .post_form("/team/invitations", &[("email", "vikram@acme.example")])
        .await;
    assert_eq!(location(&response), "/team");
    let link = last_mailed_path(&db, "vikram@acme.example").await;
    let vikram = app.browser();
    let response = vikram
        .post_form(
            &link,
            &[
                ("display_name", "Vikram Rao"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = vikram.page("/team").await;
    assert!(
        html.contains("Vikram Rao") && html.contains("neha@acme.example"),
        "same company: {html}"
    );
}

#[sqlx::test]
async fn inviting_an_existing_account_answers_the_same_and_mails_a_sign_in_note(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let other = create_company(&db, "Other Co").await;
    create_user(&db, "sam@other.example", Role::Partner, Some(other)).await;
    let app = TestApp::spawn(db.clone()).await;
    let neha = app.signed_in("neha@acme.example", PASSWORD).await;

    let response = neha
        .post_form("/team/invitations", &[("email", "sam@other.example")])
        .await;
    assert_eq!(location(&response), "/team");
    let (_, html) = neha.page("/team").await;
    assert!(html.contains("Invitation sent to sam@other.example."));
    assert!(
        html.contains("<td>sam@other.example</td>"),
        "listed like any invitation, so nothing is revealed"
    );
    let subject: String =
        sqlx::query_scalar("SELECT subject FROM outbox WHERE to_address = 'sam@other.example'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(subject, "You already have a Partner Portal account");
}

#[sqlx::test]
async fn a_revoked_invitation_link_stops_working(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db.clone()).await;
    let neha = app.signed_in("neha@acme.example", PASSWORD).await;
    neha.post_form("/team/invitations", &[("email", "vikram@acme.example")])
        .await;
    let link = last_mailed_path(&db, "vikram@acme.example").await;
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM invitations")
        .fetch_one(&db)
        .await
        .unwrap();

    let response = neha
        .post_form(&format!("/team/invitations/{id}/revoke"), &[])
        .await;
    assert_eq!(location(&response), "/team");
    assert_eq!(app.browser().page(&link).await.0, StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn an_admin_invites_a_reviewer(db: PgPool) {
    create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let admin = app.signed_in("asha@haptik.example", PASSWORD).await;

    let response = admin
        .post_form(
            "/admin/staff/invitations",
            &[("email", "kiran@haptik.example"), ("role", "superuser")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Choose reviewer or admin.")
    );

    admin
        .post_form(
            "/admin/staff/invitations",
            &[("email", "kiran@haptik.example"), ("role", "reviewer")],
        )
        .await;
    let link = last_mailed_path(&db, "kiran@haptik.example").await;
    let kiran = app.browser();
    kiran
        .post_form(
            &link,
            &[
                ("display_name", "Kiran"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    let (_, html) = kiran.page("/").await;
    assert!(html.contains("Review queue"), "{html}");
    assert_eq!(
        kiran.get("/admin/staff").await.status(),
        StatusCode::FORBIDDEN
    );
}
