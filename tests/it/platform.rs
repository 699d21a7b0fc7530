//! What every deployment relies on: probes, headers, limits, the command line, demo data.

use std::io::Write;
use std::process::{Command, Stdio};

use partner_portal::accounts::Role;
use partner_portal::demo;
use partner_portal::domain::password::Passwords;
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::*;

#[sqlx::test]
async fn probes_answer_without_a_session(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let browser = app.browser();
    let response = browser.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("set-cookie").is_none());
    assert_eq!(
        browser.page("/readyz").await,
        (StatusCode::OK, "ready".to_string())
    );
}

#[sqlx::test]
async fn pages_carry_the_security_headers_and_a_request_id(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let response = app.browser().get("/login").await;
    let headers = response.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert!(!headers["x-request-id"].is_empty());
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains(" style="),
        "no inline script or style"
    );
}

#[sqlx::test]
async fn vendored_assets_are_served_locally(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let browser = app.browser();
    for path in [
        "/static/vendor/pico-2.1.1.min.css",
        "/static/vendor/htmx-2.0.11.min.js",
        "/static/portal.css",
    ] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            response.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("max-age")
        );
    }
}

#[sqlx::test]
async fn an_oversized_body_is_refused(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let browser = app.browser();
    let token = browser.csrf_token().await;
    let huge = "x".repeat(3 * 1024 * 1024);
    let response = browser
        .client
        .post(browser.url("/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", huge.as_str()),
            ("password", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        response.headers().contains_key("content-security-policy"),
        "even refusals carry the headers"
    );
}

#[sqlx::test]
async fn pages_are_not_cached_but_assets_are(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let browser = app.browser();
    assert_eq!(
        browser.get("/login").await.headers()["cache-control"],
        "no-store"
    );
    let css = browser.get("/static/portal.css").await;
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
}

#[sqlx::test]
async fn a_rejected_form_keeps_what_was_typed(db: PgPool) {
    create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db).await;
    let admin = app.signed_in("asha@haptik.example", PASSWORD).await;
    let response = admin
        .post_form(
            "/admin/companies",
            &[("name", "  "), ("partner_code", "ZETA01")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Enter the company&#x27;s name.")
            || html.contains("Enter the company&#39;s name."),
        "{html}"
    );
    assert!(html.contains("value=\"ZETA01\""));

    admin
        .post_form("/admin/companies", &[("name", "Zeta Bank")])
        .await;
    let response = admin
        .post_form(
            "/admin/companies",
            &[("name", "zeta bank"), ("partner_code", "Z2")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("A company with this name already exists.")
            && html.contains("value=\"zeta bank\"")
    );
}

#[sqlx::test]
async fn a_form_missing_its_fields_gets_a_friendly_400(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let response = app
        .browser()
        .post_form("/login", &[("email", "only-this@x.example")])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("This request could not be understood")
    );
}

#[sqlx::test]
async fn demo_data_loads_twice_without_duplicates_and_its_logins_work(db: PgPool) {
    partner_portal::db::prepare(&db).await.unwrap();
    demo::load(&db, &Passwords::new()).await.unwrap();
    demo::load(&db, &Passwords::new()).await.unwrap();
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&db)
        .await
        .unwrap();
    let companies: i64 = sqlx::query_scalar("SELECT count(*) FROM companies")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!((users, companies), (demo::LOGINS.len() as i64, 1));
    let integrations: i64 = sqlx::query_scalar("SELECT count(*) FROM integrations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(integrations, 1, "the sample integration is created once");

    let app = TestApp::spawn(db).await;
    for login in &demo::LOGINS {
        app.signed_in(login.email, login.password).await;
    }
    // The newcomer sees a real, half-finished integration with what is still missing.
    let partner = app
        .signed_in(demo::LOGINS[0].email, demo::LOGINS[0].password)
        .await;
    let (_, dashboard) = partner.page("/").await;
    let link = dashboard
        .find("href=\"/integrations/")
        .expect("the sample is listed")
        + 6;
    let path = &dashboard[link..link + dashboard[link..].find('"').unwrap()];
    let (_, html) = partner.page(path).await;
    assert!(html.contains("Before you can submit"));
    assert!(
        html.contains("Test data</a>: Add at least one test account"),
        "{html}"
    );
}

fn portal() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portal"))
}

#[sqlx::test]
async fn user_create_makes_a_reviewer_with_a_password_from_stdin(db: PgPool) {
    let url = database_url(&db);
    let mut child = portal()
        .args([
            "user",
            "create",
            "--role",
            "reviewer",
            "--email",
            "kiran@haptik.example",
            "--name",
            "Kiran",
            "--password-stdin",
        ])
        .env("DATABASE_URL", &url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("Created reviewer kiran@haptik.example")
    );

    let again = portal()
        .args([
            "user",
            "create",
            "--role",
            "admin",
            "--email",
            "KIRAN@haptik.example",
        ])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let generated = portal()
        .args([
            "user",
            "create",
            "--role",
            "admin",
            "--email",
            "asha@haptik.example",
        ])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&generated.stdout);
    let password = stdout
        .split("Password (shown once): ")
        .nth(1)
        .expect("a generated password")
        .trim()
        .to_string();

    let app = TestApp::spawn(db).await;
    app.signed_in("kiran@haptik.example", PASSWORD).await;
    let admin = app.signed_in("asha@haptik.example", &password).await;
    assert_eq!(admin.get("/admin/staff").await.status(), StatusCode::OK);
}

#[test]
fn an_unreachable_database_is_one_clear_line_not_a_panic() {
    let output = portal()
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env(
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/partner_portal",
        )
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot reach PostgreSQL at 127.0.0.1:1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("docker compose up -d db") && stderr.contains("pg_ctlcluster"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[sqlx::test]
async fn serve_creates_a_missing_database_and_migrates_it(db: PgPool) {
    let name = format!("portal_fresh_{}", uuid::Uuid::new_v4().simple());
    let base = database_url(&db);
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    // Global flags go before the subcommand, as people type them.
    let output = portal()
        .args(["--database-url", &url, "demo"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("priya@demo-payments.example"));
    let fresh = PgPool::connect(&url).await.unwrap();
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&fresh)
        .await
        .unwrap();
    assert_eq!(users, demo::LOGINS.len() as i64);
    fresh.close().await;
    sqlx::query(&format!("DROP DATABASE {name}"))
        .execute(&db)
        .await
        .unwrap();
}
