//! The partner's workbench in real Chromium, at 1280×900 and 390×844, on an integration with 20
//! endpoints: every partner page fits the screen, logs no console error under the strict CSP and
//! has no serious or critical axe-core violation; the section navigation stays in view at the
//! bottom of the long page; a save at the bottom of the endpoint page shows its outcome in view;
//! a table row is added and removed; a reload restores what was typed and not saved.

use std::time::Duration;

use fantoccini::Client;
use partner_portal::demo;
use partner_portal::domain::password::Passwords;
use sqlx::PgPool;
use uuid::Uuid;

use crate::browser::{Driver, click, fill, sign_in_as, wait_for_text};
use crate::browser_audit::{axe_violations, console_errors};
use crate::browser_screens::{SCREENS, overflow};
use crate::fixtures::grow_to_twenty;
use crate::helpers::TestApp;

/// The demo's integration grown to 20 endpoints (copies of its first), and the first's id.
async fn twenty_endpoints(db: &PgPool) -> (Uuid, Uuid) {
    let (integration, first): (Uuid, Uuid) =
        sqlx::query_as("SELECT integration_id, id FROM endpoints ORDER BY position LIMIT 1")
            .fetch_one(db)
            .await
            .unwrap();
    grow_to_twenty(db, integration, first).await;
    (integration, first)
}

/// Everything a page is judged by; `label` names the screenshot.
pub(crate) async fn judge(driver: &Driver, base: &str, path: &str, label: &str, screen: &str) {
    let browser = &driver.client;
    browser.goto(&format!("{base}{path}")).await.unwrap();
    driver
        .wait_for_path(path.split('#').next().unwrap_or(path))
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    driver
        .screenshot(&format!("workbench-{screen}-{label}"))
        .await;
    let (over, widest) = overflow(browser).await;
    assert!(
        over <= 0,
        "{path} on a {screen} is {over} px too wide; {widest} sticks out"
    );
    let violations = axe_violations(browser).await;
    assert!(
        violations.is_empty(),
        "{path} on a {screen}: axe-core finds {violations:#?}"
    );
    let errors = console_errors(browser).await;
    assert!(
        errors.is_empty(),
        "{path} on a {screen}: the console shows {errors:#?}"
    );
}

pub(crate) async fn js(client: &Client, script: &str) -> serde_json::Value {
    client.execute(script, vec![]).await.unwrap()
}

#[sqlx::test]
async fn every_partner_page_fits_is_accessible_and_quiet_with_twenty_endpoints(db: PgPool) {
    partner_portal::db::prepare(&db).await.unwrap();
    demo::load(&db, &Passwords::new()).await.unwrap();
    let (integration, endpoint) = twenty_endpoints(&db).await;
    let app = TestApp::spawn(db.clone()).await;
    let base = format!("http://{}", app.addr);
    let driver = Driver::start().await;
    let browser = &driver.client;
    let partner = &demo::LOGINS[0];
    sign_in_as(&driver, &base, partner.email, partner.password).await;
    let _ = console_errors(browser).await;

    let i = format!("/integrations/{integration}");
    let e = format!("{i}/endpoints/{endpoint}");
    let pages = [
        ("dashboard", "/".to_string()),
        ("integration", i.clone()),
        ("endpoint", e.clone()),
        ("endpoint-staging", format!("{e}/staging")),
        ("endpoint-delete", format!("{e}/delete")),
        ("import", format!("{i}/import")),
        ("staging", format!("{i}/staging")),
        ("mock", format!("{i}/mock")),
        ("new-integration", "/integrations/new".to_string()),
        ("team", "/team".to_string()),
        ("tokens", "/account/tokens".to_string()),
    ];
    for (width, height, screen) in SCREENS {
        browser.set_window_size(width, height).await.unwrap();
        for (label, path) in &pages {
            judge(&driver, &base, path, label, screen).await;
        }
        // The section navigation is still in view at the bottom of the 20-endpoint page.
        browser.goto(&format!("{base}{i}")).await.unwrap();
        driver.wait_for_path(&i).await;
        let height = js(browser, "return document.documentElement.scrollHeight").await;
        eprintln!("integration page with 20 endpoints on a {screen}: {height} px tall");
        js(
            browser,
            "window.scrollTo(0, document.documentElement.scrollHeight)",
        )
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let in_view = js(
            browser,
            "const r = document.getElementById('section-nav').getBoundingClientRect();
             return window.scrollY > 0 && r.height > 0 && r.top >= 0 && r.top < window.innerHeight;",
        )
        .await;
        driver
            .screenshot(&format!("workbench-{screen}-integration-bottom"))
            .await;
        assert_eq!(
            in_view, true,
            "the section navigation stays in view on a {screen}"
        );
    }

    // Read-only once submitted: the same checks on what a partner reads while Haptik reviews.
    sqlx::query("UPDATE integrations SET status = 'submitted' WHERE id = $1")
        .bind(integration)
        .execute(&db)
        .await
        .unwrap();
    for (width, height, screen) in SCREENS {
        browser.set_window_size(width, height).await.unwrap();
        judge(&driver, &base, &i, "integration-submitted", screen).await;
        judge(&driver, &base, &e, "endpoint-submitted", screen).await;
    }
    driver.client.clone().close().await.unwrap();
}

#[sqlx::test]
async fn the_endpoint_page_keeps_the_partner_where_they_are_and_keeps_what_they_typed(db: PgPool) {
    partner_portal::db::prepare(&db).await.unwrap();
    demo::load(&db, &Passwords::new()).await.unwrap();
    let (integration, endpoint) = twenty_endpoints(&db).await;
    let app = TestApp::spawn(db.clone()).await;
    let base = format!("http://{}", app.addr);
    let driver = Driver::start().await;
    let browser = &driver.client;
    let partner = &demo::LOGINS[0];
    sign_in_as(&driver, &base, partner.email, partner.password).await;
    let e = format!("/integrations/{integration}/endpoints/{endpoint}");

    for (width, height, screen) in SCREENS {
        browser.set_window_size(width, height).await.unwrap();
        browser.goto(&format!("{base}{e}")).await.unwrap();
        driver.wait_for_path(&e).await;
        // A save at the bottom: its outcome shows beside the button, in view.
        fill(
            browser,
            "input[name=error_description]",
            &format!("Wrong OTP ({screen})"),
        )
        .await;
        fill(browser, "input[name=error_status]", "400").await;
        click(browser, "button[name=action][value=save]").await;
        wait_for_text(&driver, ".save-outcome", "Saved").await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let visible = js(
            browser,
            "const r = Array.from(document.querySelectorAll('.save-outcome')).find(o => o.textContent.trim()).getBoundingClientRect();
             return r.top >= 0 && r.bottom <= window.innerHeight;",
        )
        .await;
        driver
            .screenshot(&format!("workbench-{screen}-saved-at-bottom"))
            .await;
        assert_eq!(
            visible, true,
            "the outcome of the save is in view on a {screen}"
        );
        let errors = console_errors(browser).await;
        assert!(
            errors.is_empty(),
            "after the htmx save the console shows {errors:#?}"
        );
    }

    // A refused save: the first field to fix takes the focus.
    browser.set_window_size(1280, 900).await.unwrap();
    fill(browser, "#success_example", "{\"status\": ").await;
    click(browser, "button[name=action][value=save]").await;
    wait_for_text(&driver, ".save-outcome", "Not saved").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        js(
            browser,
            "return document.activeElement && document.activeElement.id"
        )
        .await,
        "success_example",
        "the field to fix has the focus"
    );
    // Checked as typed too, with line and column, before any save.
    fill(browser, "#success_example", "{\"ok\": tru}").await;
    wait_for_text(&driver, "#success_example-live", "line 1").await;

    // Add a row, then remove it again, without losing what is typed.
    browser.goto(&format!("{base}{e}")).await.unwrap();
    driver.wait_for_path(&e).await;
    let headers = "return document.querySelectorAll('input[name=header_name]').length";
    let before = js(browser, headers).await.as_i64().unwrap();
    fill(browser, "#purpose", "Typed, not saved").await;
    click(browser, "button[name=action][value='add_row:header']").await;
    wait_for_text(&driver, ".save-outcome", "Row added").await;
    driver.screenshot("workbench-laptop-row-added").await;
    assert_eq!(js(browser, headers).await.as_i64().unwrap(), before + 1);
    assert_eq!(
        js(
            browser,
            "return document.activeElement && document.activeElement.name"
        )
        .await,
        "header_name",
        "the new row takes the focus"
    );
    assert_eq!(
        js(browser, "return document.querySelector('#purpose').value").await,
        "Typed, not saved"
    );
    click(browser, "button[name=action][value='remove_row:header:0']").await;
    wait_for_text(&driver, ".save-outcome", "Row removed").await;
    // One header fewer than at the start; the blank row added is blank again.
    assert_eq!(js(browser, headers).await.as_i64().unwrap(), before - 1);

    // A closed tab or a reload: the draft comes back, and the partner is told.
    browser.goto(&format!("{base}{e}")).await.unwrap();
    driver.wait_for_path(&e).await;
    fill(browser, "#purpose", "Kept by the browser").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    // As if the tab closed: leave without the unsaved-changes prompt.
    js(
        browser,
        "document.querySelectorAll('form[data-unsaved]').forEach(f => delete f.dataset.unsaved)",
    )
    .await;
    browser.refresh().await.unwrap();
    driver.wait_for_path(&e).await;
    wait_for_text(&driver, ".draft-note", "had not saved").await;
    assert_eq!(
        js(browser, "return document.querySelector('#purpose').value").await,
        "Kept by the browser"
    );
    driver.screenshot("workbench-laptop-draft-restored").await;
    driver.client.clone().close().await.unwrap();
}

/// The unsaved-changes guard on every form of the integration and endpoint pages: typing into any
/// of them marks it unsaved, and leaving then asks first.
#[sqlx::test]
async fn every_form_on_the_workbench_guards_unsaved_edits(db: PgPool) {
    partner_portal::db::prepare(&db).await.unwrap();
    demo::load(&db, &Passwords::new()).await.unwrap();
    let (integration, endpoint) = twenty_endpoints(&db).await;
    let app = TestApp::spawn(db.clone()).await;
    let base = format!("http://{}", app.addr);
    let driver = Driver::start().await;
    let browser = &driver.client;
    let partner = &demo::LOGINS[0];
    sign_in_as(&driver, &base, partner.email, partner.password).await;
    let i = format!("/integrations/{integration}");
    for path in [i.clone(), format!("{i}/endpoints/{endpoint}")] {
        browser.goto(&format!("{base}{path}")).await.unwrap();
        driver.wait_for_path(&path).await;
        // Folded sections and "Edit as text" open, so every field can be typed into.
        js(
            browser,
            "document.querySelectorAll('details').forEach(d => d.open = true)",
        )
        .await;
        let forms = js(
            browser,
            "return Array.from(document.querySelectorAll('form[method=post]'))
               .filter(f => f.querySelector('input[type=text], input:not([type]), input[type=url], input[type=email], input[type=tel], textarea'))
               .length",
        )
        .await
        .as_u64()
        .unwrap();
        assert!(forms >= 1, "{path} has working forms");
        for n in 0..forms {
            browser
                .execute(
                    "const f = Array.from(document.querySelectorAll('form[method=post]'))
                       .filter(f => f.querySelector('input[type=text], input:not([type]), input[type=url], input[type=email], input[type=tel], textarea'))[arguments[0]];
                     const field = f.querySelector('input[type=text]:not([disabled]), input:not([type]):not([disabled]), input[type=url], input[type=email], input[type=tel], textarea');
                     document.querySelectorAll('[data-guard-target]').forEach(e => e.removeAttribute('data-guard-target'));
                     field.setAttribute('data-guard-target', '');
                     field.scrollIntoView({block: 'center'});",
                    vec![serde_json::json!(n)],
                )
                .await
                .unwrap();
            browser
                .find(fantoccini::Locator::Css("[data-guard-target]"))
                .await
                .unwrap()
                .send_keys("x")
                .await
                .unwrap();
            let state = js(
                browser,
                "const e = new Event('beforeunload', {cancelable: true});
                 window.dispatchEvent(e);
                 return [document.querySelectorAll('form[data-unsaved]').length, e.defaultPrevented];",
            )
            .await;
            assert_eq!(
                state,
                serde_json::json!([1, true]),
                "form {n} on {path}: typing marks it unsaved and leaving asks first"
            );
            js(browser, "document.querySelectorAll('form[data-unsaved]').forEach(f => delete f.dataset.unsaved)").await;
        }
    }
    driver.client.clone().close().await.unwrap();
}
