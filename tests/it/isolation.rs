//! Who may reach what: roles gate areas, and a partner reaches nothing of another company.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::*;

#[sqlx::test]
async fn each_role_reaches_only_its_own_areas(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db).await;
    let partner = app.signed_in("neha@acme.example", PASSWORD).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let admin = app.signed_in("asha@haptik.example", PASSWORD).await;
    let anonymous = app.browser();

    let company_page = format!("/admin/companies/{company}");
    for path in ["/admin/companies", "/admin/staff", company_page.as_str()] {
        assert_eq!(
            partner.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "partner on {path}"
        );
        assert_eq!(
            reviewer.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "reviewer on {path}"
        );
        assert_eq!(
            admin.get(path).await.status(),
            StatusCode::OK,
            "admin on {path}"
        );
        assert_eq!(
            anonymous.get(path).await.status(),
            StatusCode::SEE_OTHER,
            "anonymous on {path}"
        );
    }
    assert_eq!(partner.get("/team").await.status(), StatusCode::OK);
    assert_eq!(reviewer.get("/team").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(admin.get("/team").await.status(), StatusCode::FORBIDDEN);

    let response = partner
        .post_form("/admin/companies", &[("name", "Sneaky Co")])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = reviewer
        .post_form(
            "/admin/staff/invitations",
            &[("email", "x@haptik.example"), ("role", "admin")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, html) = partner.page("/").await;
    assert!(!html.contains("Sneaky Co"));
}

#[sqlx::test]
async fn a_partner_of_one_company_reaches_nothing_of_another(db: PgPool) {
    let acme = create_company(&db, "Acme Loans").await;
    let zeta = create_company(&db, "Zeta Bank").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(acme)).await;
    let meera = create_user(&db, "meera@zeta.example", Role::Partner, Some(zeta)).await;
    let app = TestApp::spawn(db.clone()).await;
    let zeta_user = app.signed_in("meera@zeta.example", PASSWORD).await;
    zeta_user
        .post_form("/team/invitations", &[("email", "new@zeta.example")])
        .await;
    let zeta_invitation: Uuid = sqlx::query_scalar("SELECT id FROM invitations")
        .fetch_one(&db)
        .await
        .unwrap();

    let acme_user = app.signed_in("neha@acme.example", PASSWORD).await;
    let (_, team) = acme_user.page("/team").await;
    assert!(!team.contains("meera@zeta.example") && !team.contains("new@zeta.example"));

    let response = acme_user
        .post_form(&format!("/team/members/{meera}/deactivate"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = acme_user
        .post_form(&format!("/team/invitations/{zeta_invitation}/revoke"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        acme_user
            .get(&format!("/admin/companies/{zeta}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    let still_active: bool = sqlx::query_scalar("SELECT active FROM users WHERE id = $1")
        .bind(meera)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(still_active);
    let still_open: bool =
        sqlx::query_scalar("SELECT revoked_at IS NULL FROM invitations WHERE id = $1")
            .bind(zeta_invitation)
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(still_open);
    assert_eq!(zeta_user.get("/").await.status(), StatusCode::OK);
}

#[sqlx::test]
async fn a_partner_can_deactivate_a_teammate_but_not_themselves(db: PgPool) {
    let acme = create_company(&db, "Acme Loans").await;
    let neha = create_user(&db, "neha@acme.example", Role::Partner, Some(acme)).await;
    let vikram = create_user(&db, "vikram@acme.example", Role::Partner, Some(acme)).await;
    let app = TestApp::spawn(db).await;
    let partner = app.signed_in("neha@acme.example", PASSWORD).await;
    let teammate = app.signed_in("vikram@acme.example", PASSWORD).await;

    partner
        .post_form(&format!("/team/members/{neha}/deactivate"), &[])
        .await;
    let (_, html) = partner.page("/team").await;
    assert!(html.contains("You cannot deactivate your own account"));

    partner
        .post_form(&format!("/team/members/{vikram}/deactivate"), &[])
        .await;
    assert_eq!(teammate.get("/").await.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn an_unknown_id_is_a_friendly_404(db: PgPool) {
    create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db).await;
    let admin = app.signed_in("asha@haptik.example", PASSWORD).await;
    let (status, html) = admin
        .page(&format!("/admin/companies/{}", Uuid::new_v4()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
    let (status, html) = admin.page("/admin/companies/not-a-uuid").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
    let (status, html) = admin.page("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Back to the portal"));
}
