//! Real headless Chromium driven over WebDriver. These fail loudly when the browser is missing:
//! `apt-get install chromium chromium-driver` (`.ci/run` does it).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use partner_portal::demo;
use partner_portal::domain::password::Passwords;
use sqlx::PgPool;

use crate::helpers::TestApp;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

pub struct Driver {
    process: Child,
    profile: std::path::PathBuf,
    pub client: Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Driver {
    pub async fn start() -> Driver {
        assert!(
            std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists(),
            "browser tests need {CHROMIUM} and {CHROMEDRIVER}: apt-get install chromium chromium-driver"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile =
            std::env::temp_dir().join(format!("portal-chromium-{}", uuid::Uuid::new_v4()));
        let capabilities = serde_json::json!({
            // The console, read by `browser_audit::console_errors`.
            "goog:loggingPrefs": { "browser": "ALL" },
            // Leaving a form with unsaved edits asks first; a test that navigates away means it.
            "unhandledPromptBehavior": "accept",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            let attempt = ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match attempt {
                Ok(client) => {
                    return Driver {
                        process,
                        profile,
                        client,
                    };
                }
                Err(err) if Instant::now() > deadline => {
                    panic!("cannot start headless Chromium: {err}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    /// Waits until the browser has navigated to `path` and the new page has loaded, so nothing
    /// is read from the page being left.
    pub async fn wait_for_path(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let url = self.client.current_url().await.unwrap();
            let ready = self
                .client
                .execute("return document.readyState", vec![])
                .await
                .unwrap();
            // A path with a query string is reached when both match.
            let at = match url.query() {
                Some(query) if path.contains('?') => format!("{}?{query}", url.path()),
                _ => url.path().to_string(),
            };
            if at == path && ready == "complete" {
                return;
            }
            if Instant::now() > deadline {
                self.screenshot("timeout").await;
                panic!("the browser did not reach {path}; it is on {url}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Saves what the browser shows, for a person to look at when a test fails.
    pub async fn screenshot(&self, name: &str) {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        if let Ok(png) = self.client.screenshot().await {
            std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
        }
    }
}

#[sqlx::test]
async fn a_partner_signs_in_in_a_real_browser_and_lands_on_the_dashboard(db: PgPool) {
    partner_portal::db::prepare(&db).await.unwrap();
    demo::load(&db, &Passwords::new()).await.unwrap();
    let app = TestApp::spawn(db).await;
    let base = format!("http://{}", app.addr);
    let driver = Driver::start().await;
    let browser = &driver.client;

    browser.goto(&format!("{base}/")).await.unwrap();
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/login")
    );
    let partner = &demo::LOGINS[0];
    browser
        .find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(partner.email)
        .await
        .unwrap();
    browser
        .find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(partner.password)
        .await
        .unwrap();
    browser
        .find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    driver.wait_for_path("/").await;
    driver.screenshot("dashboard").await;
    let heading = browser.find(Locator::Css("main h1")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), demo::COMPANY);
    // The stylesheet applied (served locally, allowed by the CSP): Pico sets the body's font.
    let font: String = browser
        .execute("return getComputedStyle(document.body).fontFamily", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        font.contains("system-ui") || font.contains("sans-serif"),
        "{font}"
    );
    let htmx_loaded = browser
        .execute("return typeof htmx !== 'undefined'", vec![])
        .await
        .unwrap();
    assert_eq!(
        htmx_loaded,
        serde_json::Value::Bool(true),
        "htmx loads under the CSP"
    );

    browser
        .find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    driver.wait_for_path("/login").await;
    let page = browser.source().await.unwrap();
    assert!(page.contains("You have signed out."));
    driver.client.clone().close().await.unwrap();
}

pub(crate) async fn fill(client: &Client, css: &str, text: &str) {
    let field = client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no field {css}"));
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

pub(crate) async fn click(client: &Client, css: &str) {
    let element = client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("nothing to click at {css}"));
    // As a person would: into the middle of the screen, clear of the sticky bars at its edges.
    client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'})",
            vec![serde_json::to_value(&element).unwrap()],
        )
        .await
        .unwrap();
    element.click().await.unwrap();
}

pub(crate) async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits until the element's text contains `expected` (htmx swaps arrive asynchronously).
pub(crate) async fn wait_for_text(driver: &Driver, css: &str, expected: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(element) = driver.client.find(Locator::Css(css)).await
            && element.text().await.is_ok_and(|t| t.contains(expected))
        {
            return;
        }
        if Instant::now() > deadline {
            driver.screenshot("wait-for-text").await;
            let now = text_of(&driver.client, css).await;
            panic!("{css} never showed {expected:?}; it shows {now:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn sign_in(driver: &Driver, base: &str, login: &demo::DemoLogin) {
    sign_in_as(driver, base, login.email, login.password).await;
}

/// Signs in from a clean slate: any earlier user's session cookie is dropped first.
pub(crate) async fn sign_in_as(driver: &Driver, base: &str, email: &str, password: &str) {
    let browser = &driver.client;
    browser.goto(&format!("{base}/login")).await.unwrap();
    browser.delete_all_cookies().await.unwrap();
    browser.goto(&format!("{base}/login")).await.unwrap();
    fill(browser, "#email", email).await;
    fill(browser, "#password", password).await;
    click(browser, "form[action='/login'] button[type=submit]").await;
    driver.wait_for_path("/").await;
}

/// Saves one section of the integration page with its own button, and waits for htmx's swap.
async fn save_section(driver: &Driver, section: &str) {
    click(
        &driver.client,
        &format!(
            "#section-{section} form > fieldset > button[type=submit]:not([name]):not([hidden])"
        ),
    )
    .await;
    wait_for_text(driver, &format!("#section-{section} .saved"), "Saved").await;
}

#[sqlx::test]
async fn a_partner_describes_the_sample_otp_api_and_submits_it(db: PgPool) {
    partner_portal::db::prepare(&db).await.unwrap();
    demo::load(&db, &Passwords::new()).await.unwrap();
    let app = TestApp::spawn(db.clone()).await;
    let base = format!("http://{}", app.addr);
    let driver = Driver::start().await;
    let browser = &driver.client;
    let partner = &demo::LOGINS[0];

    sign_in(&driver, &base, partner).await;

    click(browser, "a[href='/integrations/new']").await;
    driver.wait_for_path("/integrations/new").await;
    fill(browser, "#integration_name", "OTP APIs").await;
    click(browser, "form[action='/integrations'] button[type=submit]").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !browser
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/integrations/0")
        && !browser
            .current_url()
            .await
            .unwrap()
            .path()
            .chars()
            .nth(14)
            .is_some_and(|c| c.is_ascii_hexdigit())
    {
        assert!(Instant::now() < deadline, "no integration page");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let integration_page = browser.current_url().await.unwrap();
    assert_eq!(
        text_of(browser, "#progress label").await,
        "0 of 10 required items complete"
    );

    // Sections save in place: the page is not reloaded (a marker set now survives) and the bar rises.
    browser
        .execute("window.stillTheSamePage = true", vec![])
        .await
        .unwrap();
    fill(browser, "#staging_url", "https://apisit.xyz.com").await;
    save_section(&driver, "environments").await;
    wait_for_text(&driver, "#progress label", "1 of 10").await;
    click(browser, "input[name=reach_mode][value=public]").await;
    save_section(&driver, "reachability").await;
    browser
        .find(Locator::Css("#auth_scheme"))
        .await
        .unwrap()
        .select_by_value("bearer_token")
        .await
        .unwrap();
    fill(browser, "#auth_steps", "1. POST /oauth/token with consumer_key and consumer_secret. 2. Send Authorization: Bearer <<token>>.").await;
    save_section(&driver, "authentication").await;
    fill(
        browser,
        "#section-credentials input[name=cred_name]",
        "consumer_key",
    )
    .await;
    save_section(&driver, "credentials").await;
    fill(browser, "#partner_code", "{partnercode}").await;
    save_section(&driver, "partner_code").await;
    fill(
        browser,
        "#section-status_codes input[name=sc_code]",
        "SUCC001",
    )
    .await;
    fill(
        browser,
        "#section-status_codes input[name=sc_message]",
        "Request Successful",
    )
    .await;
    fill(
        browser,
        "#section-status_codes input[name=sc_http_status]",
        "200",
    )
    .await;
    save_section(&driver, "status_codes").await;
    fill(
        browser,
        "#section-test_data input[name=td_label]",
        "Dummy mobile number",
    )
    .await;
    fill(
        browser,
        "#section-test_data input[name=td_value]",
        "9928056506",
    )
    .await;
    save_section(&driver, "test_data").await;
    for (field, value) in [
        ("name", "Ravi Kumar"),
        ("email", "ravi@xyz.example"),
        ("phone", "+91 98765 43210"),
        ("role", "Backend lead"),
        ("hours", "IST 10-19"),
    ] {
        fill(browser, &format!("#spoc_primary_{field}"), value).await;
    }
    save_section(&driver, "contacts").await;
    wait_for_text(&driver, "#progress label", "8 of 10").await;
    let same_page = browser
        .execute("return window.stillTheSamePage === true", vec![])
        .await
        .unwrap();
    assert_eq!(
        same_page,
        serde_json::Value::Bool(true),
        "the bar moved without a page reload"
    );
    driver.screenshot("integration-sections").await;

    // The endpoint, with the sample's success body exactly as partners type it.
    fill(
        browser,
        "#new-endpoint input[name=name]",
        "API to generate OTP",
    )
    .await;
    browser
        .find(Locator::Css("#new-endpoint select[name=method]"))
        .await
        .unwrap()
        .select_by_value("POST")
        .await
        .unwrap();
    fill(
        browser,
        "#new-endpoint input[name=path]",
        "/pchflih/otp/v1/generateOTP",
    )
    .await;
    click(browser, "#new-endpoint button[type=submit]").await;
    wait_for_text(
        &driver,
        "#endpoint-progress label",
        "of 8 required items complete",
    )
    .await;
    fill(
        browser,
        "#purpose",
        "Sends a one-time password to the customer's mobile number.",
    )
    .await;
    // Two headers at once, pasted as Postman's bulk edit writes them.
    click(browser, "details.bulk:has(#bulk_header) summary").await;
    fill(
        browser,
        "#bulk_header",
        "Authorization: Bearer <<token>>\nContent-Type: application/json",
    )
    .await;
    click(browser, "button[value='bulk:header']").await;
    wait_for_text(&driver, ".save-outcome", "The table now holds your lines").await;
    let headers = browser
        .execute(
            "return Array.from(document.querySelectorAll('input[name=header_name]')).map(i => i.value)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        headers,
        serde_json::json!(["Authorization", "Content-Type", ""])
    );
    fill(browser, "input[name=param_name]", "mobileNo").await;
    fill(
        browser,
        "#request_example",
        r#"{"mobileNo": "9928056506", "Attempt id": "1"}"#,
    )
    .await;
    fill(browser, "#success_status", "200").await;
    fill(
        browser,
        "#success_example",
        r#"{ status:"success", status_code:"SUCC001", message:"Request Successful" }"#,
    )
    .await;
    fill(browser, "input[name=error_status]", "400").await;
    fill(browser, "input[name=error_code]", "ERR002").await;
    fill(
        browser,
        "textarea[name=error_example]",
        r#"{"status": "error", "status_code": "ERR002", "message": "Request Failed"}"#,
    )
    .await;
    click(browser, "#endpoint-form button[value=save]").await;
    wait_for_text(&driver, "#success_example-error", "line 1, column 3").await;
    driver.screenshot("endpoint-almost-json").await;
    // Converting saves in the same step.
    click(browser, "button[value='convert:success_example']").await;
    wait_for_text(
        &driver,
        "#endpoint-form .save-outcome",
        "Converted to strict JSON and saved",
    )
    .await;
    wait_for_text(
        &driver,
        "#endpoint-progress label",
        "8 of 8 required items complete",
    )
    .await;
    driver.screenshot("endpoint-complete").await;
    assert!(
        text_of(browser, "#generated")
            .await
            .contains("curl -X POST 'https://apisit.xyz.com/pchflih/otp/v1/generateOTP'")
    );

    browser.goto(integration_page.as_str()).await.unwrap();
    wait_for_text(&driver, "#progress label", "18 of 18").await;
    click(browser, "#submit-panel button[type=submit]").await;
    wait_for_text(&driver, "main", "Submitted as revision 1").await;
    driver.screenshot("submitted").await;
    let status: String =
        sqlx::query_scalar("SELECT status FROM integrations WHERE name = 'OTP APIs'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(status, "submitted");
    driver.client.clone().close().await.unwrap();
}

#[sqlx::test]
async fn a_save_that_fails_keeps_the_typed_text_and_says_why(db: PgPool) {
    partner_portal::db::prepare(&db).await.unwrap();
    demo::load(&db, &Passwords::new()).await.unwrap();
    let app = TestApp::spawn(db).await;
    let base = format!("http://{}", app.addr);
    let driver = Driver::start().await;
    let browser = &driver.client;
    let partner = &demo::LOGINS[0];

    sign_in(&driver, &base, partner).await;
    click(browser, "main table a[href^='/integrations/']").await;
    wait_for_text(&driver, "#progress label", "required items complete").await;

    // The session ends (expired, or signed out in another tab) while the partner is typing.
    fill(browser, "#partner_code", "XYZPARTNER").await;
    browser.delete_all_cookies().await.unwrap();
    click(
        browser,
        "#section-partner_code form button[type=submit]:not([hidden])",
    )
    .await;
    wait_for_text(&driver, "#problem", "could not be accepted").await;
    driver.screenshot("save-failed").await;
    let typed = browser
        .find(Locator::Css("#partner_code"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        typed.as_deref(),
        Some("XYZPARTNER"),
        "the typed text is still there"
    );
    driver.client.clone().close().await.unwrap();
}
