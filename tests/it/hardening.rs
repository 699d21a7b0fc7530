//! What an attacker, a careless operator or a flaky network tried once, each now refused or
//! survived: one test per finding of the hardening review.

use std::time::{Duration, Instant};

use partner_portal::accounts::Role;
use partner_portal::config::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uuid::Uuid;

use crate::api::{api, post_body, token_for};
use crate::helpers::*;
use crate::intake::{add_endpoint, fill_otp_sections, partner_with_integration, save_endpoint};

const NEW_PASSWORD: &str = "violet harbour lamp 77";

#[sqlx::test]
async fn a_deeply_nested_other_body_example_cannot_take_the_portal_down(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    fill_otp_sections(&partner, id).await;
    let endpoint = add_endpoint(&partner, id, "Export", "POST", "/export").await;
    let brackets = "[".repeat(6_000);
    let response = save_endpoint(
        &partner,
        id,
        endpoint,
        &[
            ("name", "Export"),
            ("method", "POST"),
            ("path", "/export"),
            ("body_format", "other"),
            ("non_json_reason", "It is a CSV export."),
            ("success_status", "200"),
            ("success_example", &brackets),
        ],
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the text is saved"
    );
    // Each of these once overflowed a worker's stack and aborted the process.
    for page in [
        format!("/integrations/{id}/endpoints/{endpoint}/staging"),
        format!("/integrations/{id}/staging"),
        format!("/integrations/{id}/endpoints/{endpoint}"),
        format!("/integrations/{id}/export/openapi.json"),
    ] {
        assert_eq!(partner.get(&page).await.status(), StatusCode::OK, "{page}");
    }
    assert_eq!(app.browser().get("/healthz").await.status(), StatusCode::OK);
}

/// A schema whose N properties each refer back to it: about N^6 values if made in full.
fn self_referring_openapi(properties: usize) -> String {
    let fields: serde_json::Map<String, Value> = (0..properties)
        .map(|i| (format!("p{i}"), json!({"$ref": "#/components/schemas/S"})))
        .collect();
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Bomb", "version": "1"},
        "paths": {"/s": {"post": {
            "summary": "Grow",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/S"}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/S"}}}}}
        }}},
        "components": {"schemas": {"S": {"type": "object", "properties": fields}}}
    })
    .to_string()
}

#[sqlx::test]
async fn a_small_self_referring_schema_imports_at_once_and_says_where_it_stopped(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    for properties in [12, 30] {
        let document = self_referring_openapi(properties);
        assert!(document.len() < 2_000, "{} bytes", document.len());
        let started = Instant::now();
        let response = crate::interop::import(&partner, id, &document, "preview").await;
        assert_eq!(response.status(), StatusCode::OK, "{properties} properties");
        let html = unescape(&response.text().await.unwrap());
        assert!(
            html.contains("Grow, request: the example would be over 64 KiB and was left out"),
            "{html}"
        );
        // Not a timing promise: unbounded, this took seconds at 12 and never ended at 30.
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}

#[sqlx::test]
async fn anonymous_visits_leave_no_session_rows_and_sign_in_still_needs_its_token(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db.clone()).await;
    let before = session_rows(&db).await;
    let pages = [
        "/login",
        "/password/forgot",
        "/password/reset/not-a-token",
        "/invitations/not-a-token",
    ];
    let client = reqwest::Client::new();
    for round in 0..250 {
        for page in pages {
            // No cookie jar: every request is a new visitor.
            let response = client.get(app.browser().url(page)).send().await.unwrap();
            // An unknown link says so (404), but is a page a visitor sees all the same.
            assert!(
                matches!(response.status(), StatusCode::OK | StatusCode::NOT_FOUND),
                "{page} in round {round}: {}",
                response.status()
            );
        }
    }
    assert_eq!(
        session_rows(&db).await,
        before,
        "1,000 visits wrote no session"
    );

    // The sign-in form is still protected: no token, a token from another visitor's cookie.
    let visitor = app.browser();
    let (_, html) = visitor.page("/login").await;
    let token = csrf_from(&html).unwrap();
    let without = visitor
        .client
        .post(visitor.url("/login"))
        .form(&[("email", "neha@acme.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::FORBIDDEN);
    let stranger = app.browser();
    let borrowed = stranger
        .client
        .post(stranger.url("/login"))
        .form(&[
            ("email", "neha@acme.example"),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        borrowed.status(),
        StatusCode::FORBIDDEN,
        "login CSRF stays refused"
    );
    assert_eq!(session_rows(&db).await, before);

    let signed_in = visitor
        .client
        .post(visitor.url("/login"))
        .form(&[
            ("email", "neha@acme.example"),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        session_rows(&db).await,
        before + 1,
        "the row is made at sign-in"
    );
    assert_eq!(visitor.get("/").await.status(), StatusCode::OK);
}

async fn audited(db: &PgPool, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test]
async fn api_tokens_end_with_a_password_reset_a_deactivation_and_a_role_change(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    let neha = create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let rohan = create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    create_user(&db, "admin@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let admin = app.signed_in("admin@haptik.example", PASSWORD).await;
    let works = |token: String| {
        let app = &app;
        async move { api(app, &token, "/api/v1/integrations").await.0 }
    };

    // A password reset.
    let partner = app.signed_in("neha@acme.example", PASSWORD).await;
    let token = token_for(&partner, "script").await;
    assert_eq!(works(token.clone()).await, StatusCode::OK);
    let visitor = app.browser();
    visitor
        .post_form("/password/forgot", &[("email", "neha@acme.example")])
        .await;
    let link = last_mailed_path(&db, "neha@acme.example").await;
    let reset = visitor
        .post_form(
            &link,
            &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(location(&reset), "/login");
    assert_eq!(
        works(token).await,
        StatusCode::UNAUTHORIZED,
        "after a reset"
    );
    assert_eq!(audited(&db, "api_tokens_revoked").await, 1);

    // Deactivation, then reactivation: the old token stays dead.
    let partner = app.signed_in("neha@acme.example", NEW_PASSWORD).await;
    let token = token_for(&partner, "script").await;
    assert_eq!(works(token.clone()).await, StatusCode::OK);
    for active in ["false", "true"] {
        let response = admin
            .post_form(
                &format!("/admin/users/{neha}/active"),
                &[("active", active)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(
        works(token).await,
        StatusCode::UNAUTHORIZED,
        "after deactivation"
    );
    assert_eq!(audited(&db, "api_tokens_revoked").await, 2);

    // A role change.
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let token = token_for(&reviewer, "queue script").await;
    assert_eq!(works(token.clone()).await, StatusCode::OK);
    let response = admin
        .post_form(&format!("/admin/users/{rohan}/role"), &[("role", "admin")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        works(token).await,
        StatusCode::UNAUTHORIZED,
        "after a role change"
    );
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE action = 'api_tokens_revoked' ORDER BY at DESC LIMIT 1",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        detail,
        "1 API token(s) of rohan@haptik.example: the account's role changed"
    );
}

/// Refuses every write to the session table, as a database outage after the handler's commit
/// would: real PostgreSQL, failing on purpose.
async fn break_session_writes(db: &PgPool) {
    for statement in [
        "CREATE FUNCTION refuse_session_write() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN RAISE EXCEPTION 'session store unavailable'; END $$",
        "CREATE TRIGGER refuse_session_write BEFORE INSERT OR UPDATE ON tower_sessions.session
         FOR EACH ROW EXECUTE FUNCTION refuse_session_write()",
    ] {
        sqlx::query(statement).execute(db).await.unwrap();
    }
}

#[sqlx::test]
async fn a_committed_save_is_answered_as_saved_when_the_session_cannot_be_written(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let token = partner.csrf_token().await;
    let version = crate::intake::current_version(
        &partner,
        &format!("/integrations/{id}"),
        &format!("/integrations/{id}/sections/environments"),
    )
    .await;
    break_session_writes(&db).await;
    let response = partner
        .client
        .post(partner.url(&format!("/integrations/{id}/sections/environments")))
        .form(&[
            ("version", version.as_str()),
            ("staging_url", "https://apisit.xyz.com"),
            ("production_url", ""),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the save committed, so the answer says so"
    );
    let (status, html) = partner.page(&location(&response)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("https://apisit.xyz.com"),
        "the saved value is shown"
    );
}

#[sqlx::test]
async fn the_printable_page_links_only_to_the_web_and_markdown_shows_html_as_text(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, _) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let response = partner
        .post_form(
            "/integrations",
            &[
                ("name", "Payments"),
                (
                    "purpose",
                    "[docs](javascript:alert(1)) [site](https://xyz.example) <b onclick=x>bold</b>",
                ),
            ],
        )
        .await;
    let id = location(&response).rsplit('/').next().unwrap().to_string();
    let (status, html) = partner
        .page(&format!("/integrations/{id}/export/html"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let document = scraper::Html::parse_document(&html);
    let links: Vec<String> = document
        .select(&scraper::Selector::parse("a[href]").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert!(
        links.contains(&"https://xyz.example".to_string()),
        "{links:?}"
    );
    assert!(
        links
            .iter()
            .all(|href| !href.to_lowercase().contains("javascript")),
        "{links:?}"
    );
    assert!(!html.contains("<b onclick"), "raw HTML is not markup");

    let (_, _, markdown) =
        crate::interop::download(&partner, &format!("/integrations/{id}/export/md")).await;
    let markdown = String::from_utf8(markdown).unwrap();
    assert!(
        markdown.contains("&lt;b onclick=x&gt;bold&lt;/b&gt;"),
        "{markdown}"
    );
    assert!(!markdown.contains("<b onclick"), "{markdown}");
}

#[sqlx::test]
async fn two_admins_deactivating_each_other_at_once_leave_one_active(db: PgPool) {
    let first = create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let second = create_user(&db, "bala@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db.clone()).await;
    for round in 0..5 {
        let (a, b) = tokio::join!(
            app.signed_in("asha@haptik.example", PASSWORD),
            app.signed_in("bala@haptik.example", PASSWORD)
        );
        let (ta, tb) = tokio::join!(a.csrf_token(), b.csrf_token());
        let post = |browser: &Browser, token: String, target: Uuid, path: &str| {
            let field = if path == "active" {
                ("active", "false")
            } else {
                ("role", "reviewer")
            };
            browser
                .client
                .post(browser.url(&format!("/admin/users/{target}/{path}")))
                .form(&[field, ("csrf_token", token.as_str())])
                .send()
        };
        // Odd rounds race a deactivation against a demotion: both take the same lock.
        let second_action = if round % 2 == 0 { "active" } else { "role" };
        let (ra, rb) = tokio::join!(
            post(&a, ta, second, "active"),
            post(&b, tb, first, second_action)
        );
        let statuses = [ra.unwrap().status(), rb.unwrap().status()];
        assert!(
            statuses.iter().all(|s| !s.is_server_error()),
            "{statuses:?}"
        );
        let admins: i64 =
            sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND active")
                .fetch_one(&db)
                .await
                .unwrap();
        assert_eq!(admins, 1, "round {round}: exactly one of the two stands");
        sqlx::query("UPDATE users SET active = true, role = 'admin'")
            .execute(&db)
            .await
            .unwrap();
    }

    // Alone, the last admin cannot be demoted or deactivated by anyone, themselves included.
    sqlx::query("UPDATE users SET active = false WHERE id = $1")
        .bind(second)
        .execute(&db)
        .await
        .unwrap();
    let a = app.signed_in("asha@haptik.example", PASSWORD).await;
    let response = a
        .post_form(
            &format!("/admin/users/{first}/active"),
            &[("active", "false")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let still: bool = sqlx::query_scalar("SELECT active FROM users WHERE id = $1")
        .bind(first)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(still);
}

#[sqlx::test]
async fn nul_in_any_json_body_is_a_clear_400_and_stripped_from_imports(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let reviewer_token = token_for(&reviewer, "nul").await;
    let partner_token = token_for(&partner, "nul").await;
    let comment = Uuid::new_v4();
    // Every field any of these routes reads, each holding a NUL.
    let body = r#"{"revision": 1, "body": "a\u0000b", "item": "\u0000", "state": "open\u0000",
                   "target": "\u0000", "signed": true, "outcome": "approve\u0000",
                   "summary": "\u0000", "confirm_open": false}"#;
    for path in [
        format!("/api/v1/integrations/{id}/comments"),
        format!("/api/v1/integrations/{id}/comments/{comment}/replies"),
        format!("/api/v1/integrations/{id}/comments/{comment}/state"),
        format!("/api/v1/integrations/{id}/signoffs"),
        format!("/api/v1/integrations/{id}/decisions"),
    ] {
        for token in [&reviewer_token, &partner_token] {
            let (status, answer) =
                post_body(&app, token, &path, "application/json", body.to_string()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {answer}");
            assert!(
                answer["error"].as_str().unwrap().contains("NUL characters"),
                "{answer}"
            );
        }
    }
    let document =
        r#"{"openapi": "3.0.3", "info": {"title": "Pay\u0000ments", "version": "1"}, "paths": {}}"#;
    let (status, answer) = post_body(
        &app,
        &partner_token,
        &format!("/api/v1/integrations/{id}/import?dry_run=true"),
        "application/json",
        document.to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(
        answer["notes"].to_string().contains("NUL character(s)"),
        "{answer}"
    );
    // A NUL in a field the portal does not read is ignored with the field.
    let (status, answer) = post_body(
        &app,
        &reviewer_token,
        &format!("/api/v1/integrations/{id}/comments/{comment}/replies"),
        "application/json",
        r#"{"body": "fine", "extra\u0000": "\u0000"}"#.to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
}

/// Writes a request head a line at a time, `every` apart, until the server hangs up or
/// `give_up` passes; when the server hung up, if it did.
async fn trickle_headers(app: &TestApp, every: Duration, give_up: Duration) -> Option<Instant> {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let started = Instant::now();
    let mut buffer = [0u8; 512];
    let mut head: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n";
    while started.elapsed() < give_up {
        if stream.write_all(head).await.is_err() {
            return Some(Instant::now());
        }
        head = b"X-Trickle: 1\r\n";
        // End of stream, a reset, or the 408 a timed-out head is answered with: all a hang-up.
        if tokio::time::timeout(every, stream.read(&mut buffer))
            .await
            .is_ok()
        {
            return Some(Instant::now());
        }
    }
    None
}

#[sqlx::test]
async fn a_client_trickling_headers_is_cut_off_and_connections_are_capped(db: PgPool) {
    let config = Config {
        header_read_timeout: Duration::from_secs(1),
        max_connections: 4,
        ..Config::default()
    };
    let app = TestApp::spawn_with(db, config).await;
    let trickles: Vec<_> = (0..20)
        .map(|_| trickle_headers(&app, Duration::from_millis(200), Duration::from_secs(15)))
        .collect();
    let cut = futures_util::future::join_all(trickles).await;
    assert!(
        cut.iter().all(Option::is_some),
        "every trickle was cut off: {cut:?}"
    );

    // While four slow clients hold every connection a fifth waits, and is served only once
    // one of them has been cut off.
    let app = std::sync::Arc::new(app);
    let mut holders = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let app = app.clone();
        holders.spawn(async move {
            trickle_headers(&app, Duration::from_millis(200), Duration::from_secs(15)).await
        });
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let response = reqwest::Client::new()
        .get(app.browser().url("/healthz"))
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .unwrap();
    let served_at = Instant::now();
    assert_eq!(response.status(), StatusCode::OK);
    let hung_up: Vec<Instant> = holders.join_all().await.into_iter().flatten().collect();
    assert_eq!(hung_up.len(), 4);
    assert!(
        hung_up.iter().any(|at| *at <= served_at),
        "served only after a connection was freed"
    );
}

#[sqlx::test]
async fn api_answers_are_never_cached(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, _) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let token = token_for(&partner, "cache").await;
    for (token, path) in [
        (token.as_str(), "/api/v1/integrations"),
        ("ppat_wrong", "/api/v1/integrations"),
        (token.as_str(), "/api/v1/openapi.json"),
    ] {
        let response = reqwest::Client::new()
            .get(app.browser().url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers().get("cache-control").unwrap(),
            "no-store",
            "{path} with {token}"
        );
    }
}

async fn sign_in_from(app: &TestApp, email: &str, password: &str, address: &str) -> StatusCode {
    let browser = app.browser();
    let token = browser.csrf_token().await;
    browser
        .client
        .post(browser.url("/login"))
        .header("x-forwarded-for", address)
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

#[sqlx::test]
async fn a_stranger_who_knows_an_address_cannot_lock_its_owner_out(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let config = Config {
        trust_forwarded_for: true,
        ..Config::default()
    };
    let free = config.throttle.account_free_failures;
    let app = TestApp::spawn_with(db, config).await;
    for _ in 0..free {
        assert_eq!(
            sign_in_from(
                &app,
                "neha@acme.example",
                "guess guess guess",
                "203.0.113.9"
            )
            .await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in_from(&app, "neha@acme.example", PASSWORD, "203.0.113.9").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser's own address is locked"
    );
    assert_eq!(
        sign_in_from(&app, "neha@acme.example", PASSWORD, "198.51.100.7").await,
        StatusCode::SEE_OTHER,
        "the owner, elsewhere, signs in"
    );
}

fn portal_with(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(args)
        // Never reached: settings are checked before connecting.
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env_remove("PORTAL_SMTP_URL")
        .output()
        .unwrap()
}

#[test]
fn zero_and_overflowing_settings_stop_start_up_with_one_clear_line() {
    for (flag, value, says) in [
        ("--session-absolute-hours", "0", "from 1 to 720"),
        ("--session-idle-minutes", "0", "from 1 to 10080"),
        ("--request-timeout-secs", "0", "from 1 to 600"),
        (
            "--session-absolute-hours",
            "99999999999999999",
            "from 1 to 720",
        ),
        ("--max-body-kib", "0", "from 16 to 65536"),
        ("--max-connections", "0", "from 1 to 10000"),
        ("--staging-checks-per-user-hourly", "0", "from 1 to 10000"),
    ] {
        let output = portal_with(&["serve", flag, value]);
        assert!(!output.status.success(), "{flag} {value} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.contains(flag) && first.contains(says),
            "{flag} {value}: {stderr}"
        );
    }
    let output = portal_with(&[
        "serve",
        "--mail-log",
        "--public-url",
        "https://portal.example",
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--mail-log") && stderr.contains("https"),
        "{stderr}"
    );
}
