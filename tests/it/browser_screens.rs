//! The partner's pages on a laptop and on a phone, in real Chromium: nothing wider than the screen
//! (wide tables scroll inside themselves), and the unsaved-changes guard on the endpoint form,
//! whose field named "method" once hid the form's own method from it.

use std::time::Duration;

use fantoccini::{Client, Locator};
use partner_portal::demo;
use partner_portal::domain::password::Passwords;
use sqlx::PgPool;

use crate::browser::{Driver, click, fill, sign_in_as, wait_for_text};
use crate::helpers::TestApp;

pub(crate) const SCREENS: [(u32, u32, &str); 2] = [(1280, 900, "laptop"), (390, 844, "phone")];

/// How much wider than the window the page is, in CSS pixels, and the widest element that sticks
/// out (for the failure message).
pub(crate) async fn overflow(client: &Client) -> (i64, String) {
    let said = client
        .execute(
            "const width = window.innerWidth;
             let widest = '';
             let right = width;
             for (const e of document.querySelectorAll('body *')) {
               const r = e.getBoundingClientRect().right;
               let clipped = false;
               for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                 if (getComputedStyle(a).overflowX !== 'visible') { clipped = true; break; }
               }
               if (!clipped && r > right + 1 && getComputedStyle(e).position !== 'fixed') {
                 right = r;
                 widest = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : '');
               }
             }
             return [document.documentElement.scrollWidth - width, widest];",
            vec![],
        )
        .await
        .unwrap();
    let over = said[0].as_i64().unwrap_or(0);
    let widest = said[1].as_str().unwrap_or_default().to_string();
    (over, widest)
}

#[sqlx::test]
async fn partner_pages_fit_a_laptop_and_a_phone_and_the_endpoint_form_guards_unsaved_edits(
    db: PgPool,
) {
    partner_portal::db::prepare(&db).await.unwrap();
    demo::load(&db, &Passwords::new()).await.unwrap();
    let app = TestApp::spawn(db).await;
    let base = format!("http://{}", app.addr);
    let driver = Driver::start().await;
    let browser = &driver.client;
    let partner = &demo::LOGINS[0];
    sign_in_as(&driver, &base, partner.email, partner.password).await;

    click(browser, "main table a[href^='/integrations/']").await;
    wait_for_text(&driver, "#progress label", "required items complete").await;
    let integration = browser.current_url().await.unwrap().path().to_string();
    // A "missing" link lands on its field, ready to type.
    click(browser, "details.blockers a[href='#partner_code']").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let focused = browser
        .execute(
            "return document.activeElement && document.activeElement.id",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        focused, "partner_code",
        "the missing partner code link focuses its field"
    );
    // On another page too: the endpoint's missing error scenarios land on the first error field.
    click(
        browser,
        "details.blockers a[href*='/endpoints/'][href$='#errors']",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let focused = browser
        .execute(
            "return document.activeElement && document.activeElement.name",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        focused, "error_status",
        "the link lands on the first error field"
    );
    browser.goto(&format!("{base}{integration}")).await.unwrap();
    driver.wait_for_path(&integration).await;
    let endpoint = browser
        .find(Locator::Css("main a[href*='/endpoints/']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .expect("the demo integration lists its endpoints")
        .split('#')
        .next()
        .unwrap_or_default()
        .to_string();
    let pages = [
        ("dashboard", "/".to_string()),
        ("integration", integration.clone()),
        ("endpoint", endpoint.clone()),
        ("import", format!("{integration}/import")),
        ("team", "/team".to_string()),
    ];
    for (width, height, screen) in SCREENS {
        browser.set_window_size(width, height).await.unwrap();
        for (label, page) in &pages {
            browser.goto(&format!("{base}{page}")).await.unwrap();
            driver.wait_for_path(page).await;
            let (over, widest) = overflow(browser).await;
            let name = format!("screen-{screen}-{label}");
            driver.screenshot(&name).await;
            assert!(
                over <= 0,
                "{page} on a {screen} ({width} px) is {over} px too wide; {widest} sticks out"
            );
        }
    }

    // The guard knows the endpoint form has unsaved edits from the first keystroke until it is sent.
    browser.set_window_size(1280, 900).await.unwrap();
    browser.goto(&format!("{base}{endpoint}")).await.unwrap();
    driver.wait_for_path(&endpoint).await;
    let unsaved = "return document.querySelector('#name').form.dataset.unsaved || ''";
    assert_eq!(browser.execute(unsaved, vec![]).await.unwrap(), "");
    fill(browser, "#name", " (edited)").await;
    assert_eq!(
        browser.execute(unsaved, vec![]).await.unwrap(),
        "true",
        "typing in the endpoint form marks it unsaved"
    );
    click(browser, "button[name=action][value=save]").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    driver.wait_for_path(&endpoint).await;
    assert_eq!(browser.execute(unsaved, vec![]).await.unwrap(), "");
    driver.client.clone().close().await.unwrap();
}
