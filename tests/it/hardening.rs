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

use crate::api::{post_body, token_for};
use crate::helpers::*;

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
        let response = crate::interop_import::import(&partner, id, &document, "preview").await;
        assert_eq!(response.status(), StatusCode::OK, "{properties} properties");
        let html = unescape(&response.text().await.unwrap());
        assert!(
            html.contains(
                "#/paths/~1s/post/requestBody/content/application~1json: the example would be over 64 KiB and was left out"
            ),
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
        .login_with_token("neha@acme.example", PASSWORD, None)
        .await;
    assert_eq!(without.status(), StatusCode::FORBIDDEN);
    let borrowed = app
        .browser()
        .login_with_token("neha@acme.example", PASSWORD, Some(&token))
        .await;
    assert_eq!(
        borrowed.status(),
        StatusCode::FORBIDDEN,
        "login CSRF stays refused"
    );
    assert_eq!(session_rows(&db).await, before);

    let signed_in = visitor
        .login_with_token("neha@acme.example", PASSWORD, Some(&token))
        .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        session_rows(&db).await,
        before + 1,
        "the row is made at sign-in"
    );
    assert_eq!(visitor.get("/").await.status(), StatusCode::OK);
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
    let version = current_version(
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
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let token = token_for(&partner, "cache").await;
    let import = reqwest::Client::new()
        .post(
            app.browser()
                .url(&format!("/api/v1/integrations/{id}/import?dry_run=true")),
        )
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(import.status(), StatusCode::OK);
    assert_eq!(
        import.headers().get("cache-control").unwrap(),
        "no-store",
        "the upload route too"
    );
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
