//! Live staging checks against local HTTPS servers: what passes, what each broken promise looks
//! like, what the address policy refuses, and that typed credentials leave no trace.

use std::time::Duration;

use partner_portal::accounts::Role;
use partner_portal::config::Config;
use partner_portal::config::StagingConfig;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::*;
use crate::staging_review::check_all;
use crate::staging_server::*;

pub(crate) const TOKEN: &str = "tok-7f3a9c51-do-not-leak";
pub(crate) const GOOD: &str =
    r#"{"status": "success", "status_code": "SUCC001", "message": "Request Successful"}"#;

pub(crate) async fn portal(db: PgPool, staging: StagingConfig) -> TestApp {
    TestApp::spawn_with(
        db,
        Config {
            staging,
            ..Config::default()
        },
    )
    .await
}

/// An admin allows the test server's port, as the allow-list page does it.
pub(crate) async fn allow_port(app: &TestApp, port: u16) {
    if sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM users WHERE email = 'admin@haptik.example'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap()
        == 0
    {
        create_user(&app.db, "admin@haptik.example", Role::Admin, None).await;
    }
    let admin = app.signed_in("admin@haptik.example", PASSWORD).await;
    let port = port.to_string();
    let response = admin
        .post_form(
            "/admin/staging-ports",
            &[
                ("host", STAGING_HOST),
                ("port", &port),
                ("note", "test server"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

/// The sample OTP integration, complete, with its staging base URL pointing at `url`.
pub(crate) async fn otp_at(app: &TestApp, url: &str) -> (Browser, Uuid, Uuid) {
    let (partner, id, endpoint) = complete_otp(app).await;
    let response = save_section(
        &partner,
        id,
        "environments",
        &[("staging_url", url), ("production_url", "")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    (partner, id, endpoint)
}

pub(crate) async fn check(
    browser: &Browser,
    id: Uuid,
    endpoint: Uuid,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = browser
        .post_form(
            &format!("/integrations/{id}/endpoints/{endpoint}/staging"),
            fields,
        )
        .await;
    let status = response.status();
    (status, unescape(&response.text().await.unwrap()))
}

/// The report of the check just run.
pub(crate) fn fresh(html: &str) -> &str {
    let start = html
        .find("id=\"fresh-result\"")
        .unwrap_or_else(|| panic!("no fresh result in {html}"));
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

/// The success check with the token, whatever the portal answers.
pub(crate) async fn success_attempt(
    browser: &Browser,
    id: Uuid,
    endpoint: Uuid,
) -> (StatusCode, String) {
    check(
        browser,
        id,
        endpoint,
        &[("scenario", ""), ("value:token", TOKEN)],
    )
    .await
}

pub(crate) async fn success_check(partner: &Browser, id: Uuid, endpoint: Uuid) -> String {
    let (status, html) = success_attempt(partner, id, endpoint).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    fresh(&html).to_string()
}

#[sqlx::test]
async fn a_correct_endpoint_passes_and_each_broken_promise_is_reported(db: PgPool) {
    let ca = TestCa::new();
    let server = StagingServer::start(&ca, Certificate::Valid).await;
    let app = portal(db, ca.portal_settings()).await;
    allow_port(&app, server.port).await;
    let (partner, id, endpoint) = otp_at(&app, &server.url()).await;

    let (_, page) = partner
        .page(&format!("/integrations/{id}/endpoints/{endpoint}/staging"))
        .await;
    let page = unescape(&page);
    assert!(
        page.contains(&format!(
            "POST https://{STAGING_HOST}:{}/pchflih/otp/v1/generateOTP",
            server.port
        )),
        "{page}"
    );
    assert!(
        page.contains("name=\"value:token\""),
        "the page asks for <<token>> once: {page}"
    );

    server.answer(Answer::json(200, GOOD));
    let report = success_check(&partner, id, endpoint).await;
    assert!(report.contains("Passed"), "{report}");
    assert!(report.contains("Resolves to 127.0.0.1"), "{report}");
    assert!(report.contains("TLS 1.3 handshake"), "{report}");
    assert!(
        report.contains("Valid, issued for this host, until"),
        "{report}"
    );
    assert!(report.contains("200, as documented"), "{report}");
    assert!(
        report.contains("Same keys and JSON types as the example"),
        "{report}"
    );
    let sent = server.requests().pop().unwrap();
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/pchflih/otp/v1/generateOTP");
    assert!(
        sent.headers
            .contains(&("authorization".into(), format!("Bearer {TOKEN}")))
    );
    assert_eq!(sent.body, OTP_REQUEST);

    let mut html_page = Answer::json(200, GOOD);
    html_page.headers = vec![("content-type", "text/html; charset=utf-8".into())];
    server.answer(html_page);
    let report = success_check(&partner, id, endpoint).await;
    assert!(report.contains("Failed"), "{report}");
    assert!(
        report.contains("text/html; charset=utf-8; the endpoint promises JSON"),
        "{report}"
    );

    server.answer(Answer::json(200, "<html>Service Unavailable</html>"));
    let report = success_check(&partner, id, endpoint).await;
    assert!(report.contains("The body is not JSON"), "{report}");

    server.answer(Answer::json(
        200,
        r#"{"status": 1, "code": "SUCC001", "message": "ok"}"#,
    ));
    let report = success_check(&partner, id, endpoint).await;
    assert!(
        report.contains("Differs from the example in 3 places"),
        "{report}"
    );
    assert!(
        report.contains("$.status: the example has a string, the response has a number"),
        "{report}"
    );
    assert!(
        report.contains("$.status_code: missing (the example has a string)"),
        "{report}"
    );
    assert!(
        report.contains("$.code: not in the example (the response has a string)"),
        "{report}"
    );

    let mut slow = Answer::json(200, GOOD);
    slow.delay = Duration::from_millis(700);
    server.answer(slow);
    let report = success_check(&partner, id, endpoint).await;
    assert!(
        report.contains("Too slow: Haptik's bots wait about 400 ms"),
        "{report}"
    );

    // A body past the 1 MiB cap is cut there and fails, rather than filling the portal's memory.
    let huge = format!(r#"{{"status": "{}"}}"#, "x".repeat(3 * 1024 * 1024));
    server.answer(Answer::json(200, &huge));
    let report = success_check(&partner, id, endpoint).await;
    assert!(
        report.contains("Larger than 1024 KiB; only that much was read."),
        "{report}"
    );

    let before = server.requests().len();
    let mut redirect = Answer::json(302, "");
    redirect.headers = vec![("location", "https://127.0.0.1/admin".into())];
    server.answer(redirect);
    let report = success_check(&partner, id, endpoint).await;
    assert!(
        report.contains(
            "Answered 302 redirecting to https://127.0.0.1/admin. Redirects are not followed"
        ),
        "{report}"
    );
    assert_eq!(
        server.requests().len(),
        before + 1,
        "the redirect was not followed"
    );

    // An error scenario sends the request the user gives and expects its status and code.
    server.answer(Answer::json(400, OTP_ERROR));
    let (status, html) = check(
        &partner,
        id,
        endpoint,
        &[
            ("scenario", "400 ERR002"),
            ("path", "/pchflih/otp/v1/generateOTP?lang=en"),
            ("body", r#"{"mobileNo": "123"}"#),
            ("value:token", TOKEN),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let report = fresh(&html);
    assert!(
        report.contains("400, as documented") && report.contains("The body carries ERR002"),
        "{report}"
    );
    let sent = server.requests().pop().unwrap();
    assert_eq!(
        (sent.path.as_str(), sent.body.as_str()),
        (
            "/pchflih/otp/v1/generateOTP?lang=en",
            r#"{"mobileNo": "123"}"#
        )
    );
    server.answer(Answer::json(
        400,
        r#"{"status": "error", "status_code": "ERR999", "message": "x"}"#,
    ));
    let (_, html) = check(
        &partner,
        id,
        endpoint,
        &[
            ("scenario", "400 ERR002"),
            ("path", "/pchflih/otp/v1/generateOTP"),
            ("body", "{}"),
            ("value:token", TOKEN),
        ],
    )
    .await;
    assert!(
        fresh(&html).contains("does not carry the documented status code ERR002"),
        "{html}"
    );

    // A missing one-time value is asked for beside its field, with the typed request kept.
    let (status, html) = check(
        &partner,
        id,
        endpoint,
        &[
            ("scenario", "400 ERR002"),
            ("path", "/kept/path"),
            ("body", "kept body"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Type the value to send for <<token>>."),
        "{html}"
    );
    assert!(
        html.contains("value=\"/kept/path\"") && html.contains(">kept body</textarea>"),
        "{html}"
    );

    let long_path = format!("/{}", "a".repeat(2000));
    let (status, html) = check(
        &partner,
        id,
        endpoint,
        &[
            ("scenario", "400 ERR002"),
            ("path", &long_path),
            ("body", "{}"),
            ("value:token", TOKEN),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("At most 2000 characters."), "{html}");

    // The endpoint's own page shows the latest success check: the redirect, failed.
    let (_, endpoint_page) = partner
        .page(&format!("/integrations/{id}/endpoints/{endpoint}"))
        .await;
    let last = &endpoint_page[endpoint_page
        .find("id=\"staging-last\"")
        .expect("the last check is shown")..];
    assert!(
        last[..last.find("</p>").unwrap()].contains("Failed"),
        "{last}"
    );

    // Every check is kept, latest first, with who ran it; and each is in the audit log.
    let (_, page) = partner
        .page(&format!("/integrations/{id}/endpoints/{endpoint}/staging"))
        .await;
    assert!(page.contains("checked just now by"), "{page}");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'staging_check' AND integration_id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, 9);
}

#[sqlx::test]
async fn certificates_a_browser_would_refuse_are_reported_and_nothing_is_sent(db: PgPool) {
    let ca = TestCa::new();
    let expired = StagingServer::start(&ca, Certificate::Expired).await;
    let wrong_host = StagingServer::start(&ca, Certificate::ForHost("other.partner.test")).await;
    let app = portal(db, ca.portal_settings()).await;
    allow_port(&app, expired.port).await;
    allow_port(&app, wrong_host.port).await;

    let (partner, id, endpoint) = otp_at(&app, &expired.url()).await;
    let report = success_check(&partner, id, endpoint).await;
    assert!(
        report.contains("Certificate refused: the certificate expired on"),
        "{report}"
    );
    assert!(
        expired.requests().is_empty(),
        "no request over an expired certificate"
    );

    save_section(
        &partner,
        id,
        "environments",
        &[("staging_url", &wrong_host.url()), ("production_url", "")],
    )
    .await;
    let report = success_check(&partner, id, endpoint).await;
    assert!(
        report.contains(&format!(
            "the certificate is not valid for {STAGING_HOST} (it names other.partner.test)"
        )),
        "{report}"
    );
    assert!(wrong_host.requests().is_empty());
}

#[sqlx::test]
async fn addresses_inside_haptik_are_refused_before_anything_is_sent(db: PgPool) {
    let ca = TestCa::new();
    let server = StagingServer::start(&ca, Certificate::Valid).await;
    // The default policy: 127.0.0.1 is not allowed.
    let mut defaults = ca.portal_settings();
    defaults.probe.policy = Default::default();
    let app = portal(db, defaults).await;
    let (partner, id, endpoint) = otp_at(&app, &server.url()).await;

    // The port first: only 443 until an admin allows another.
    let report = success_check(&partner, id, endpoint).await;
    assert!(
        report.contains(&format!(
            "Not checked: port {} is not allowed for {STAGING_HOST}",
            server.port
        )),
        "{report}"
    );
    allow_port(&app, server.port).await;
    let report = success_check(&partner, id, endpoint).await;
    assert!(
        report.contains(&format!(
            "Not checked: {STAGING_HOST} resolves to a loopback address"
        )),
        "{report}"
    );

    for (url, expected) in [
        (
            format!("https://{INTERNAL_HOST}"),
            format!("{INTERNAL_HOST} resolves to a private address"),
        ),
        (
            "https://169.254.169.254".into(),
            "169.254.169.254 is a cloud metadata address".into(),
        ),
        (
            "https://[::ffff:127.0.0.1]".into(),
            "::ffff:127.0.0.1 is an IPv4-mapped address".into(),
        ),
        (
            "https://metadata.google.internal".into(),
            "metadata.google.internal is a cloud metadata host".into(),
        ),
    ] {
        let saved = save_section(
            &partner,
            id,
            "environments",
            &[("staging_url", &url), ("production_url", "")],
        )
        .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER, "{url} saves");
        let report = success_check(&partner, id, endpoint).await;
        assert!(report.contains(&expected), "{url}: {report}");
        assert!(report.contains("Not checked"), "{report}");
        assert!(
            !report.contains("10.1.2.3") && !report.contains("Resolves to"),
            "no address is told: {report}"
        );
    }
    assert!(
        server.requests().is_empty(),
        "the policy let nothing through"
    );
    let refused: i64 =
        sqlx::query_scalar("SELECT count(*) FROM staging_checks WHERE verdict = 'refused'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(refused, 6);
}

/// Runs `credential_trail` in a process of its own, where every log line at every level goes to
/// stderr (in this shared process, other tests' log subscribers would interfere), then searches
/// those logs for the credential.
#[test]
fn a_typed_credential_is_found_nowhere_afterwards() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "staging::credential_trail",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(LOG_EVERYTHING, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{logs}"
    );
    assert!(
        logs.contains("staging check finished"),
        "the portal's logs were captured: {logs}"
    );
    assert!(
        logs.contains("sqlx::query"),
        "down to each SQL statement: {logs}"
    );
    assert!(!logs.contains(TOKEN), "the credential is in the logs");
}

pub(crate) const LOG_EVERYTHING: &str = "PORTAL_TEST_LOG_EVERYTHING";

/// The checks a partner types a credential for, then a search of every table for it.
#[sqlx::test]
#[ignore = "run by a_typed_credential_is_found_nowhere_afterwards, in a process of its own"]
async fn credential_trail(db: PgPool) {
    assert!(
        std::env::var_os(LOG_EVERYTHING).is_some(),
        "run through a_typed_credential_is_found_nowhere_afterwards"
    );
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .init();
    let ca = TestCa::new();
    let server = StagingServer::start(&ca, Certificate::Valid).await;
    let app = portal(db, ca.portal_settings()).await;
    allow_port(&app, server.port).await;
    let (partner, id, endpoint) = otp_at(&app, &server.url()).await;
    // A server that echoes the credential back, in a redirect and in a body, must not get it stored.
    let mut echo = Answer::json(302, "");
    echo.headers = vec![("location", format!("https://login.partner.test/?t={TOKEN}"))];
    server.answer(echo);
    let report = success_check(&partner, id, endpoint).await;
    assert!(
        report.contains("t=<<token>>"),
        "echoed credential scrubbed: {report}"
    );
    server.answer(Answer::json(
        400,
        &format!(r#"{{"status": "error", "status_code": "{TOKEN}"}}"#),
    ));
    let (_, html) = check(
        &partner,
        id,
        endpoint,
        &[
            ("scenario", "400 ERR002"),
            ("path", "/x"),
            ("body", "{}"),
            ("value:token", TOKEN),
        ],
    )
    .await;
    assert!(!html.contains(TOKEN));
    check_all(&app, &partner, id).await;
    assert!(
        server
            .requests()
            .iter()
            .filter(|r| r
                .headers
                .contains(&("authorization".into(), format!("Bearer {TOKEN}"))))
            .count()
            >= 3,
        "the credential reached the staging server, so this test can fail"
    );

    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_schema::text, table_name::text FROM information_schema.tables
         WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(tables.iter().any(|(_, t)| t == "staging_checks"));
    let hex: String = TOKEN.bytes().map(|b| format!("{b:02x}")).collect();
    for (schema, table) in &tables {
        let found: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM \"{schema}\".\"{table}\" t WHERE t::text LIKE '%' || $1 || '%' OR t::text LIKE '%' || $2 || '%'"
        ))
        .bind(TOKEN)
        .bind(&hex)
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(found, 0, "the credential is in {schema}.{table}");
    }
}
