//! The reviewer's and the admin's pages in real Chromium at 1280×900 and 390×844, with a
//! 20-endpoint submission under review: no horizontal overflow, no console error, no serious or
//! critical axe-core violation; on the revision page the navigation and the decision bar stay in
//! view at the bottom.

use partner_portal::demo;
use partner_portal::domain::password::Passwords;
use sqlx::PgPool;
use uuid::Uuid;

use crate::browser::{Driver, click, sign_in_as, wait_for_text};
use crate::browser_screens::SCREENS;
use crate::browser_workbench::{js, judge};
use crate::fixtures::{complete_otp, grow_to_twenty};
use crate::helpers::TestApp;

#[sqlx::test]
async fn reviewer_and_admin_pages_fit_are_accessible_and_quiet(db: PgPool) {
    partner_portal::db::prepare(&db).await.unwrap();
    demo::load(&db, &Passwords::new()).await.unwrap();
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, endpoint) = complete_otp(&app).await;
    grow_to_twenty(&db, id, endpoint).await;
    let submitted = partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    assert_eq!(submitted.status(), reqwest::StatusCode::SEE_OTHER);
    // The mock's page with a key and a few calls in its log.
    let key = crate::mock::mock_key(&partner, id, "Bot builder").await;
    for prefer in ["code=200", "code=400", "code=418"] {
        let headers = [("X-Mock-Key", key.as_str()), ("Prefer", prefer)];
        crate::mock::call(
            &app,
            id,
            "POST",
            "/pchflih/otp/v1/generateOTP",
            &headers,
            None,
        )
        .await;
    }
    let company: Uuid = sqlx::query_scalar("SELECT company_id FROM integrations WHERE id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();

    let base = format!("http://{}", app.addr);
    let driver = Driver::start().await;
    let browser = &driver.client;
    let reviewer = &demo::LOGINS[2];
    sign_in_as(&driver, &base, reviewer.email, reviewer.password).await;
    let review = format!("/review/{id}");
    browser.goto(&format!("{base}{review}")).await.unwrap();
    click(browser, "form[action$='/claim'] button").await;
    wait_for_text(&driver, "#decision", "Being reviewed by").await;

    for (width, height, screen) in SCREENS {
        browser.set_window_size(width, height).await.unwrap();
        for (label, path) in [
            ("reviewer-dashboard", "/".to_string()),
            ("queue", "/review".to_string()),
            ("revision", review.clone()),
            ("reviewer-mock", format!("/integrations/{id}/mock")),
            ("reviewer-tokens", "/account/tokens".to_string()),
        ] {
            judge(&driver, &base, &path, label, screen).await;
        }
        browser.goto(&format!("{base}{review}")).await.unwrap();
        driver.wait_for_path(&review).await;
        let height = js(browser, "return document.documentElement.scrollHeight").await;
        eprintln!("review page of a 20-endpoint submission on a {screen}: {height} px tall");
        js(
            browser,
            "document.querySelectorAll('article.endpoint-evidence')[10].scrollIntoView()",
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        driver
            .screenshot(&format!("revision-mid-page-{screen}"))
            .await;
        let in_view = js(
            browser,
            "const inView = e => { const r = e.getBoundingClientRect(); return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; };
             return [inView(document.getElementById('section-nav')) || document.getElementById('section-nav').getBoundingClientRect().top >= 0,
                     inView(document.querySelector('.decision-bar'))];",
        )
        .await;
        driver
            .screenshot(&format!("reviewer-{screen}-revision-middle"))
            .await;
        assert_eq!(
            in_view,
            serde_json::json!([true, true]),
            "the navigation and the decision bar are in view mid-page on a {screen}"
        );
    }

    let admin = &demo::LOGINS[3];
    sign_in_as(&driver, &base, admin.email, admin.password).await;
    for (width, height, screen) in SCREENS {
        browser.set_window_size(width, height).await.unwrap();
        for (label, path) in [
            ("admin-dashboard", "/".to_string()),
            ("companies", "/admin/companies".to_string()),
            ("company", format!("/admin/companies/{company}")),
            ("staff", "/admin/staff".to_string()),
            ("checklist", "/admin/checklist".to_string()),
            ("egress", "/admin/egress-ips".to_string()),
            ("reminders", "/admin/reminders".to_string()),
            ("insights", "/insights".to_string()),
            (
                "insights-refused-filter",
                "/insights?from=1+Nov&partner=nobody".to_string(),
            ),
            ("staging-ports", "/admin/staging-ports".to_string()),
            ("audit", "/admin/audit".to_string()),
            ("admin-revision", review.clone()),
        ] {
            judge(&driver, &base, &path, label, screen).await;
        }
    }
    driver.client.clone().close().await.unwrap();
}
