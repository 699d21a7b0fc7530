//! Two real `portal serve` processes on one database behave as one portal: sessions started on
//! one are valid on the other, and each queued e-mail is delivered exactly once.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use partner_portal::accounts::Role;
use partner_portal::mail::{self, Email};
use reqwest::StatusCode;
use sqlx::PgPool;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::*;

struct Portal {
    child: Child,
    base: String,
}

impl Drop for Portal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_portal(database_url: &str, smtp_port: Option<u16>) -> Portal {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_portal"));
    command
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", database_url)
        .env("PORTAL_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(smtp) = smtp_port {
        command.env("PORTAL_SMTP_URL", format!("smtp://127.0.0.1:{smtp}"));
    }
    let portal = Portal {
        child: command.spawn().unwrap(),
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(response) = reqwest::get(format!("{}/healthz", portal.base)).await
            && response.status() == StatusCode::OK
        {
            return portal;
        }
        assert!(
            Instant::now() < deadline,
            "portal on port {port} did not come up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Just enough SMTP to accept messages and remember each one's subject (and, in
/// `message_ids`, its Message-ID).
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let (port, subjects, _) = smtp_sink_with_ids().await;
    (port, subjects)
}

type Received = Arc<Mutex<Vec<String>>>;

async fn smtp_sink_with_ids() -> (u16, Received, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let subjects = Arc::new(Mutex::new(Vec::new()));
    let message_ids = Arc::new(Mutex::new(Vec::new()));
    let received = subjects.clone();
    let ids = message_ids.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let received = received.clone();
            let ids = ids.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut in_data = false;
                let mut subject = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            received.lock().unwrap().push(std::mem::take(&mut subject));
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else if let Some(s) = line.strip_prefix("Subject: ") {
                            subject = s.to_string();
                        } else if let Some(id) = line.strip_prefix("Message-ID: ") {
                            ids.lock().unwrap().push(id.to_string());
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, subjects, message_ids)
}

#[sqlx::test]
async fn a_session_started_on_one_instance_is_valid_on_the_other(db: PgPool) {
    let company = create_company(&db, "Acme Loans").await;
    create_user(&db, "neha@acme.example", Role::Partner, Some(company)).await;
    let url = database_url(&db);
    let first = start_portal(&url, None).await;
    let second = start_portal(&url, None).await;

    let on_first = Browser::new(first.base.clone());
    assert_eq!(
        on_first.login("neha@acme.example", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let cookie = on_first.session_cookie().unwrap();

    let on_second = Browser::new(second.base.clone());
    on_second.jar.add_cookie_str(
        &format!("portal_session={cookie}"),
        &second.base.parse().unwrap(),
    );
    let (status, html) = on_second.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Acme Loans</h1>"));

    // Signing out on the second ends the session on the first too.
    on_second.post_form("/logout", &[]).await;
    assert_eq!(on_first.get("/").await.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn each_queued_message_is_sent_exactly_once_by_two_instances(db: PgPool) {
    partner_portal::db::prepare(&db).await.unwrap();
    let count = 40;
    let mut conn = db.acquire().await.unwrap();
    for i in 0..count {
        let email = Email {
            to: format!("p{i}@partner.example"),
            subject: format!("message {i}"),
            body: "hello".into(),
        };
        mail::enqueue(&mut conn, &email).await.unwrap();
    }
    drop(conn);
    let (smtp_port, subjects) = smtp_sink().await;
    let url = database_url(&db);
    let (_first, _second) = tokio::join!(
        start_portal(&url, Some(smtp_port)),
        start_portal(&url, Some(smtp_port))
    );

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let unsent: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&db)
            .await
            .unwrap();
        if unsent == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{unsent} messages still unsent");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Give a double delivery, if there were one, time to arrive before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = subjects.lock().unwrap().clone();
    let distinct: BTreeSet<_> = received.iter().cloned().collect();
    let expected: BTreeSet<_> = (0..count).map(|i| format!("message {i}")).collect();
    assert_eq!(received.len(), count, "{received:?}");
    assert_eq!(distinct, expected);
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE body_text <> ''")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(
        kept, 0,
        "sent bodies (which hold single-use links) are not kept"
    );
}

#[sqlx::test]
async fn a_failed_delivery_is_kept_and_retried_later(db: PgPool) {
    partner_portal::db::prepare(&db).await.unwrap();
    let mut conn = db.acquire().await.unwrap();
    let email = Email {
        to: "p@partner.example".into(),
        subject: "hello".into(),
        body: "hello".into(),
    };
    mail::enqueue(&mut conn, &email).await.unwrap();
    drop(conn);
    let closed_port = free_port();
    let _portal = start_portal(&database_url(&db), Some(closed_port)).await;

    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (attempts, error, sent): (i32, Option<String>, bool) =
            sqlx::query_as("SELECT attempts, last_error, sent_at IS NOT NULL FROM outbox")
                .fetch_one(&db)
                .await
                .unwrap();
        if attempts > 0 {
            assert!(!sent);
            assert!(error.is_some());
            let later: bool = sqlx::query_scalar(
                "SELECT next_attempt_at > now() + interval '20 seconds' FROM outbox",
            )
            .fetch_one(&db)
            .await
            .unwrap();
            assert!(later, "the retry waits");
            break;
        }
        assert!(Instant::now() < deadline, "no delivery attempt was made");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[sqlx::test]
async fn sigterm_stops_the_portal_gracefully(db: PgPool) {
    let mut portal = start_portal(&database_url(&db), None).await;
    let pid = portal.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = portal.child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "portal did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn queue_one(db: &PgPool, subject: &str) -> uuid::Uuid {
    partner_portal::db::prepare(db).await.unwrap();
    let mut conn = db.acquire().await.unwrap();
    let email = Email {
        to: "p@partner.example".into(),
        subject: subject.into(),
        body: "Your link: http://localhost:8080/password/reset/abc".into(),
    };
    mail::enqueue(&mut conn, &email).await.unwrap()
}

#[sqlx::test]
async fn an_instance_that_cannot_deliver_leaves_the_outbox_alone(db: PgPool) {
    let id = queue_one(&db, "reset").await;
    // No --smtp-url and no --mail-log, with an https public URL, as a careless operator starts it.
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_portal"));
    command
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", database_url(&db))
        .env("PORTAL_PUBLIC_URL", "https://portal.example")
        .env_remove("PORTAL_SMTP_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _portal = Portal {
        child: command.spawn().unwrap(),
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "portal did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Several of the worker's polling rounds.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (sent, attempts, body): (bool, i32, String) =
        sqlx::query_as("SELECT sent_at IS NOT NULL, attempts, body_text FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(!sent, "not marked sent");
    assert_eq!(attempts, 0, "not even tried");
    assert!(
        body.contains("/password/reset/abc"),
        "the link is kept for a real sender"
    );
}

#[sqlx::test]
async fn every_message_carries_a_message_id_derived_from_its_outbox_row(db: PgPool) {
    let id = queue_one(&db, "invitation").await;
    let (smtp_port, subjects, message_ids) = smtp_sink_with_ids().await;
    let _portal = start_portal(&database_url(&db), Some(smtp_port)).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while subjects.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "nothing was delivered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        message_ids.lock().unwrap().clone(),
        vec![format!("<outbox.{id}@localhost>")],
        "the same id on every attempt, so a resend is recognisable"
    );
}
