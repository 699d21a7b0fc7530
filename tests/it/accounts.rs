//! Signing in and out, sessions, throttling.

use std::time::Duration;

use partner_portal::accounts::Role;
use partner_portal::accounts::login::FAILED;
use partner_portal::config::{Config, ThrottleConfig};
use reqwest::StatusCode;
use sqlx::PgPool;

use crate::helpers::*;

#[sqlx::test]
async fn a_partner_signs_in_sees_the_dashboard_and_signs_out(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db).await;
    let browser = app.browser();

    let response = browser.get("/").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?next=%2F");

    let response = browser.login("neha@acme.example", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    let (status, html) = browser.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Acme Loans</h1>"), "{html}");
    assert!(
        html.contains("href=\"/team\""),
        "partners get the team link"
    );
    assert!(
        !html.contains("href=\"/admin/companies\""),
        "partners get no admin link"
    );

    let response = browser.post_form("/logout", &[]).await;
    assert_eq!(location(&response), "/login");
    let (_, html) = browser.page("/login").await;
    assert!(html.contains("You have signed out."));
    assert_eq!(browser.get("/").await.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn sign_in_returns_to_the_page_asked_for_but_never_off_site(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db).await;

    let browser = app.browser();
    let response = browser
        .post_form(
            "/login",
            &[
                ("email", "neha@acme.example"),
                ("password", PASSWORD),
                ("next", "/team"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/team");

    let browser = app.browser();
    let response = browser
        .post_form(
            "/login",
            &[
                ("email", "neha@acme.example"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/");
}

/// The `Set-Cookie` header for `name` in a response.
fn set_cookie<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", response.headers()))
}

/// Signs in with a raw client (a browser would not send a Secure cookie back over plain http).
async fn sign_in_raw(app: &TestApp, csrf_cookie: &str) -> reqwest::Response {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client
        .get(app.browser().url("/login"))
        .send()
        .await
        .unwrap();
    let cookie = set_cookie(&form, csrf_cookie)
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = csrf_from(&form.text().await.unwrap()).unwrap();
    client
        .post(app.browser().url("/login"))
        .header("cookie", cookie)
        .form(&[
            ("email", "neha@acme.example"),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn the_session_cookie_is_http_only_lax_and_secure_behind_https(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db.clone()).await;
    let response = sign_in_raw(&app, "portal_csrf").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&response, "portal_session").to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http keeps the cookie usable locally: {cookie}"
    );
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
    // Before sign-in the form's token rests on a cookie of its own, made the same way.
    let form = app.browser().get("/login").await;
    let pre_session = set_cookie(&form, "portal_csrf");
    assert!(
        pre_session.contains("HttpOnly") && pre_session.contains("SameSite=Lax"),
        "{pre_session}"
    );

    let config = Config {
        public_url: "https://portal.example".parse().unwrap(),
        ..Config::default()
    };
    let secure = TestApp::spawn_with(db, config).await;
    let response = sign_in_raw(&secure, "__Host-portal_csrf").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&response, "__Host-portal_session");
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    assert!(
        response.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    let form = secure.browser().get("/login").await;
    let pre_session = set_cookie(&form, "__Host-portal_csrf");
    assert!(
        pre_session.contains("Secure") && pre_session.contains("Path=/"),
        "{pre_session}"
    );
}

#[sqlx::test]
async fn signing_in_rotates_the_session_id_and_the_old_id_is_worthless(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db).await;
    let browser = app.browser();
    // A visit alone makes no session; a form that leaves a message for the next page does.
    browser.get("/login").await;
    assert_eq!(browser.session_cookie(), None);
    browser
        .post_form("/password/forgot", &[("email", "someone@acme.example")])
        .await;
    let before = browser
        .session_cookie()
        .expect("the flash message starts a session");

    browser.login("neha@acme.example", PASSWORD).await;
    let after = browser.session_cookie().unwrap();
    assert_ne!(before, after, "the id changes at sign-in");
    assert_eq!(browser.get("/").await.status(), StatusCode::OK);

    // Someone who planted or saw the pre-sign-in id gets nothing.
    let attacker = app.browser();
    let response = attacker
        .client
        .get(attacker.url("/"))
        .header("cookie", format!("portal_session={before}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn wrong_password_and_unknown_email_get_the_same_answer(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db).await;

    let known = app
        .browser()
        .login("neha@acme.example", "not her password at all")
        .await;
    let known_status = known.status();
    let known_html = known.text().await.unwrap();
    let unknown = app
        .browser()
        .login("nobody@acme.example", "not her password at all")
        .await;
    assert_eq!(known_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), known_status);
    let unknown_html = unknown.text().await.unwrap();
    assert!(known_html.contains(FAILED) && unknown_html.contains(FAILED));
    assert!(
        known_html.contains("value=\"neha@acme.example\""),
        "the e-mail typed is kept"
    );
}

#[sqlx::test]
async fn repeated_failures_lock_the_account_with_a_clear_message(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db.clone()).await;
    let free = ThrottleConfig::default().account_free_failures;

    for _ in 0..free {
        let response = app
            .browser()
            .login("neha@acme.example", "guess guess guess")
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now, and the page says why and for how long.
    let response = app.browser().login("neha@acme.example", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = response.text().await.unwrap();
    assert!(html.contains("Too many failed sign-ins"), "{html}");
    assert!(html.contains("30 seconds"), "{html}");

    // An unknown address is throttled the same way, so the lock reveals nothing.
    for _ in 0..free {
        app.browser()
            .login("ghost@acme.example", "guess guess guess")
            .await;
    }
    let response = app
        .browser()
        .login("ghost@acme.example", "guess guess guess")
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);

    // The delay grows: one more failure once the lock lapses doubles it.
    sqlx::query("UPDATE login_throttle SET locked_until = now() - interval '1 second' WHERE starts_with(key, 'account:neha@acme.example from ')")
        .execute(&db)
        .await
        .unwrap();
    app.browser()
        .login("neha@acme.example", "guess guess guess")
        .await;
    let html = app
        .browser()
        .login("neha@acme.example", PASSWORD)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("60 seconds"), "{html}");
}

#[sqlx::test]
async fn many_failures_from_one_address_slow_every_account_from_it(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let config = Config {
        trust_forwarded_for: true,
        throttle: ThrottleConfig {
            address_free_failures: 3,
            ..ThrottleConfig::default()
        },
        ..Config::default()
    };
    let app = TestApp::spawn_with(db, config).await;
    let attempt = |email: &'static str, password: &'static str, address: &'static str| {
        let browser = app.browser();
        async move { browser.login_from(email, password, address).await }
    };
    for email in ["a@x.example", "b@x.example", "c@x.example"] {
        assert_eq!(
            attempt(email, "spray spray spray", "203.0.113.9").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt("neha@acme.example", PASSWORD, "203.0.113.9").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        attempt("neha@acme.example", PASSWORD, "198.51.100.7").await,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test]
async fn a_deactivated_user_is_signed_out_and_cannot_sign_in(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    let neha = create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    create_user(&db, "admin@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db).await;
    let partner = app.signed_in("neha@acme.example", PASSWORD).await;
    let admin = app.signed_in("admin@haptik.example", PASSWORD).await;

    let response = admin
        .post_form(
            &format!("/admin/users/{neha}/active"),
            &[("active", "false")],
        )
        .await;
    assert_eq!(location(&response), format!("/admin/companies/{company}"));
    assert_eq!(partner.get("/").await.status(), StatusCode::SEE_OTHER);
    let response = app.browser().login("neha@acme.example", PASSWORD).await;
    assert!(response.text().await.unwrap().contains(FAILED));

    admin
        .post_form(
            &format!("/admin/users/{neha}/active"),
            &[("active", "true")],
        )
        .await;
    app.signed_in("neha@acme.example", PASSWORD).await;
}

#[sqlx::test]
async fn an_active_session_stays_and_an_idle_one_ends(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let config = Config {
        session_idle: Duration::from_secs(3),
        ..Config::default()
    };
    let app = TestApp::spawn_with(db, config).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            reviewer.get("/").await.status(),
            StatusCode::OK,
            "in use, so still signed in"
        );
    }
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(
        reviewer.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "idle too long"
    );
}

#[sqlx::test]
async fn sessions_end_after_the_absolute_limit_however_active(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let config = Config {
        session_absolute: Duration::from_secs(2),
        ..Config::default()
    };
    let app = TestApp::spawn_with(db, config).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    assert_eq!(reviewer.get("/").await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(reviewer.get("/").await.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn a_burst_of_concurrent_guesses_gets_no_more_than_the_free_attempts(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db).await;
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let browser = app.browser();
        let token = browser.csrf_token().await;
        let request = browser.client.post(browser.url("/login")).form(&[
            ("email", "neha@acme.example"),
            ("password", "guess guess guess"),
            ("csrf_token", token.as_str()),
        ]);
        burst.spawn(async move { request.send().await.unwrap().status() });
    }
    let statuses = burst.join_all().await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(
        checked <= ThrottleConfig::default().account_free_failures as usize,
        "{statuses:?}"
    );
    assert_eq!(checked + refused, 20, "{statuses:?}");
    let response = app.browser().login("neha@acme.example", PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the account is locked"
    );
}

#[sqlx::test]
async fn other_spellings_of_an_address_share_its_lock(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db).await;
    for _ in 0..ThrottleConfig::default().account_free_failures {
        app.browser()
            .login("neha@acme.example", "guess guess guess")
            .await;
    }
    for variant in [
        "NEHA@ACME.EXAMPLE",
        " neha@acme.example ",
        "Neha@Acme.Example",
    ] {
        let response = app.browser().login(variant, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{variant:?}"
        );
    }
}

#[sqlx::test]
async fn a_signed_in_user_is_never_redirected_off_site(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    for next in [
        "/%09/evil.example",
        "//evil.example",
        "/%0A",
        "https://evil.example",
    ] {
        let response = reviewer.get(&format!("/login?next={next}")).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(location(&response), "/", "{next}");
    }
}

#[sqlx::test]
async fn admins_change_staff_roles_and_the_change_is_audited(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    let neha = create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let rohan = create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let asha = create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let admin = app.signed_in("asha@haptik.example", PASSWORD).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    assert_eq!(
        reviewer.get("/admin/staff").await.status(),
        StatusCode::FORBIDDEN
    );

    let response = admin
        .post_form(&format!("/admin/users/{rohan}/role"), &[("role", "admin")])
        .await;
    assert_eq!(location(&response), "/admin/staff");
    assert_eq!(
        reviewer.get("/admin/staff").await.status(),
        StatusCode::OK,
        "at once"
    );
    let (_, log) = admin.page("/admin/audit").await;
    let log = unescape(&log);
    assert!(
        log.contains(
            "<td>role changed</td><td></td><td>rohan@haptik.example: Reviewer → Admin</td>"
        )
    );

    // Reviewers cannot promote themselves; partners' roles and the admin's own are not for changing.
    let partner = app.signed_in("neha@acme.example", PASSWORD).await;
    assert_eq!(
        partner
            .post_form(&format!("/admin/users/{neha}/role"), &[("role", "admin")])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin
            .post_form(&format!("/admin/users/{neha}/role"), &[("role", "admin")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    admin
        .post_form(
            &format!("/admin/users/{asha}/role"),
            &[("role", "reviewer")],
        )
        .await;
    let role: String = sqlx::query_scalar("SELECT role::text FROM users WHERE id = $1")
        .bind(asha)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(role, "admin");
}
