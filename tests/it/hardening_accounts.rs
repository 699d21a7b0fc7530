//! The hardening review's findings about accounts and settings: API tokens that outlived their
//! user's access, admins who could remove each other, a sign-in lock a stranger could set off,
//! and settings that ended every sign-in at once.

use partner_portal::accounts::Role;
use partner_portal::config::Config;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::api::{api, token_for};
use crate::helpers::*;

const NEW_PASSWORD: &str = "violet harbour lamp 77";

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
            app.browser()
                .login_from("neha@acme.example", "guess guess guess", "203.0.113.9")
                .await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.browser()
            .login_from("neha@acme.example", PASSWORD, "203.0.113.9")
            .await,
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser's own address is locked"
    );
    assert_eq!(
        app.browser()
            .login_from("neha@acme.example", PASSWORD, "198.51.100.7")
            .await,
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

#[sqlx::test]
async fn whitespace_spellings_of_an_address_share_its_counter(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db).await;
    // The account lookup trims every kind of white space; so must the counter, or each spelling
    // would be a fresh allowance of guesses against the same account.
    for variant in [
        "\tneha@acme.example",
        "\n\tneha@acme.example",
        "\u{2003}neha@acme.example",
        "neha@acme.example\u{00a0}",
        "\u{3000}neha@acme.example",
    ] {
        let status = app
            .browser()
            .login(variant, "guess guess guess")
            .await
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{variant:?}");
    }
    let response = app.browser().login("neha@acme.example", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}
