//! The settings and users every instance keeps in memory stay current across instances: a user
//! deactivated through one instance is signed out on another at once, a checklist setting
//! changed through one shows on another's pages, and a sign-out through one ends the session on
//! all of them.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::*;

/// Two instances on one database, an admin, and a partner signed in on the first with an
/// integration whose page that instance has served (so it holds what the page reads).
async fn two_instances(db: &PgPool) -> (TestApp, TestApp, Browser, String) {
    create_user(db, "asha@haptik.example", Role::Admin, None).await;
    let first = TestApp::spawn(db.clone()).await;
    let second = TestApp::spawn(db.clone()).await;
    let (partner, id) =
        crate::fixtures::partner_with_integration(&first, "XYZ Finance", "ravi@xyz.example").await;
    let page = format!("/integrations/{id}");
    for _ in 0..2 {
        assert_eq!(partner.page(&page).await.0, StatusCode::OK);
    }
    (first, second, partner, page)
}

#[sqlx::test]
async fn a_deactivation_through_one_instance_signs_the_user_out_on_another(db: PgPool) {
    let (_first, second, partner, page) = two_instances(&db).await;
    let ravi: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'ravi@xyz.example'")
            .fetch_one(&db)
            .await
            .unwrap();
    let admin = second.signed_in("asha@haptik.example", PASSWORD).await;
    let response = admin
        .post_form(
            &format!("/admin/users/{ravi}/active"),
            &[("active", "false")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    eventually("the sign-out on the first instance", || async {
        let response = partner.get(&page).await;
        response.status() == StatusCode::SEE_OTHER && location(&response).starts_with("/login")
    })
    .await;
}

#[sqlx::test]
async fn a_checklist_setting_changed_through_one_instance_shows_on_another(db: PgPool) {
    let (_first, second, partner, page) = two_instances(&db).await;
    assert!(
        !partner.page(&page).await.1.contains(": not asked for"),
        "every item is asked for by default"
    );
    let admin = second.signed_in("asha@haptik.example", PASSWORD).await;
    let response = admin
        .post_form("/admin/checklist", &[("partner-code", "off")])
        .await;
    assert_eq!(location(&response), "/admin/checklist");
    eventually("the setting on the first instance", || async {
        let (_, html) = partner.page(&page).await;
        html.contains(": not asked for")
    })
    .await;
}

/// The decoded integration kept in memory is checked against its row on every view: a change
/// another instance made shows at once, without waiting for any notice.
#[sqlx::test]
async fn a_change_made_elsewhere_shows_on_the_next_view(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) =
        crate::fixtures::partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let page = format!("/integrations/{id}");
    for _ in 0..2 {
        assert!(!partner.page(&page).await.1.contains("Renamed elsewhere"));
    }
    sqlx::query(
        "UPDATE integrations SET name = 'Renamed elsewhere', version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .execute(&db)
    .await
    .unwrap();
    assert!(partner.page(&page).await.1.contains("Renamed elsewhere"));
}

/// The queue's count and pages are kept until the integrations table changes, on every instance.
#[sqlx::test]
async fn the_queue_count_follows_a_submission_made_through_another_instance(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let first = TestApp::spawn(db.clone()).await;
    let second = TestApp::spawn(db.clone()).await;
    let reviewer = first.signed_in("rohan@haptik.example", PASSWORD).await;
    for _ in 0..2 {
        assert!(reviewer.page("/review").await.1.contains("0 submissions"));
    }
    let (partner, id, _) = crate::fixtures::complete_otp(&second).await;
    let submitted = partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    eventually("the count and the row on the first instance", || async {
        let (_, html) = reviewer.page("/review").await;
        html.contains("1 submission ·") && html.contains(&format!("/review/{id}"))
    })
    .await;
}

/// Session records are kept in memory too: signing out through one instance ends the session on
/// the other, and a message saved by the instance that answers shows on the page it redirects to.
#[sqlx::test]
async fn a_sign_out_through_one_instance_ends_the_session_on_another(db: PgPool) {
    let (_first, second, partner, page) = two_instances(&db).await;
    let through_second = Browser {
        base: format!("http://{}", second.addr),
        jar: partner.jar.clone(),
        client: partner.client.clone(),
    };
    assert_eq!(through_second.page(&page).await.0, StatusCode::OK);
    let response = through_second.post_form("/logout", &[]).await;
    assert_eq!(location(&response), "/login");
    let (_, html) = through_second.page("/login").await;
    assert!(html.contains("You have signed out."), "{html}");
    eventually("the sign-out on the first instance", || async {
        let response = partner.get(&page).await;
        response.status() == StatusCode::SEE_OTHER && location(&response).starts_with("/login")
    })
    .await;
}
