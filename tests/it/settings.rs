//! Admins tune the checklist and publish Haptik's egress IPs; partners see the effect.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::*;

#[sqlx::test]
async fn an_admin_makes_an_item_optional_and_partners_completeness_follows(db: PgPool) {
    create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let page = format!("/integrations/{id}");
    assert_eq!(progress(&partner, &page).await.1, 10);

    let admin = app.signed_in("asha@haptik.example", PASSWORD).await;
    let (status, html) = admin.page("/admin/checklist").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"partner-code\""));
    let response = admin
        .post_form(
            "/admin/checklist",
            &[("partner-code", "optional"), ("test-data", "off")],
        )
        .await;
    assert_eq!(location(&response), "/admin/checklist");

    assert_eq!(
        progress(&partner, &page).await.1,
        8,
        "two items no longer count"
    );
    let (_, html) = partner.page(&page).await;
    assert!(
        html.contains("Partner code</a> (optional)"),
        "optional items are still shown"
    );
    assert!(html.contains("Test data: not asked for"));
}

#[sqlx::test]
async fn published_egress_ips_appear_where_partners_confirm_whitelisting(db: PgPool) {
    create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db).await;
    let admin = app.signed_in("asha@haptik.example", PASSWORD).await;

    let response = admin
        .post_form(
            "/admin/egress-ips",
            &[("address", "not an ip"), ("note", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&response.text().await.unwrap()).contains("value=\"not an ip\""));
    let response = admin
        .post_form(
            "/admin/egress-ips",
            &[("address", "13.232.10.5/28"), ("note", "Mumbai NAT")],
        )
        .await;
    assert_eq!(location(&response), "/admin/egress-ips");

    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    assert!(
        html.contains("<code>13.232.10.0/28</code> (Mumbai NAT)"),
        "{html}"
    );
}

#[sqlx::test]
async fn only_admins_change_settings(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, _) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    for browser in [&partner, &reviewer] {
        assert_eq!(
            browser.get("/admin/checklist").await.status(),
            StatusCode::FORBIDDEN
        );
        let response = browser
            .post_form("/admin/checklist", &[("partner-code", "off")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let response = browser
            .post_form("/admin/egress-ips", &[("address", "10.0.0.1")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    let settings: i64 = sqlx::query_scalar("SELECT count(*) FROM checklist_settings")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(settings, 0);
}
