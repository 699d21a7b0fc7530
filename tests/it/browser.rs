//! Real headless Chromium driven over WebDriver. These fail loudly when the browser is missing:
//! `apt-get install chromium chromium-driver` (`.ci/run` does it).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use partner_portal::accounts::password::Passwords;
use partner_portal::demo;
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
            if url.path() == path && ready == "complete" {
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
