//! `/insights` on a seeded November with fixed timestamps, every figure computed by hand:
//!
//! | integration | partner | submitted | decided | |
//! |---|---|---|---|---|
//! | OTP APIs | XYZ | Mon 2 Nov 10:00, Mon 9 Nov 10:00 | sent back Wed 4 Nov 10:00 (48 h), approved Thu 12 Nov 10:00 | 2 rounds, 240 h |
//! | KYC APIs | XYZ | Tue 3 Nov 09:00 | approved Wed 4 Nov 15:00 (30 h) | 1 round |
//! | Cards | Other Bank | Mon 16 Nov 12:00 | sent back Fri 20 Nov 12:00 (96 h) | the partner's move for 9 days |
//! | Loans | Other Bank | Tue 24 Nov 10:00 | — | Haptik's move for 8 days |
//! | Draft | XYZ | — | — | untouched for 20 days, never submitted: the partner's own, not shown |
//! | Secret plans | Drafts Only Ltd | — | — | never submitted: neither it nor its company shown |
//!
//! First review: 30, 48, 96 h → median 48 h (2.0 days), 90th percentile 86.4 h (3.6 days).
//! Approval: 30, 240 h → median 135 h (5.6 days), 90th percentile 219 h (9.1 days).
//! Rounds: one each of 1 and 2, so 50% approved first time. Send-backs: "Success response" in
//! both, "Error scenarios" and an endpoint as a whole in one each.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::json;
use sqlx::PgPool;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::helpers::*;

struct Seeded {
    xyz: Uuid,
    other: Uuid,
    cards: Uuid,
}

async fn company(db: &PgPool, name: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query("INSERT INTO companies (id, name) VALUES ($1, $2)")
        .bind(id)
        .bind(name)
        .execute(db)
        .await
        .unwrap();
    id
}

async fn integration(
    db: &PgPool,
    company: Uuid,
    name: &str,
    status: &str,
    move_since: OffsetDateTime,
) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO integrations (id, company_id, name, status, move_since) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(company)
    .bind(name)
    .bind(status)
    .bind(move_since)
    .execute(db)
    .await
    .unwrap();
    id
}

async fn submitted(db: &PgPool, id: Uuid, number: i32, by: Uuid, at: OffsetDateTime) {
    sqlx::query(
        "INSERT INTO revisions (id, integration_id, number, snapshot, submitted_by, submitted_at)
         VALUES ($1, $2, $3, '{}', $4, $5)",
    )
    .bind(Uuid::new_v4())
    .bind(id)
    .bind(number)
    .bind(by)
    .bind(at)
    .execute(db)
    .await
    .unwrap();
    // As the workflow's submit does: the integration waits for Haptik from then on.
    sqlx::query("UPDATE integrations SET waiting_since = $2 WHERE id = $1")
        .bind(id)
        .bind(at)
        .execute(db)
        .await
        .unwrap();
}

async fn decided(
    db: &PgPool,
    id: Uuid,
    revision: i32,
    by: Uuid,
    outcome: &str,
    at: OffsetDateTime,
) {
    sqlx::query(
        "INSERT INTO decisions (id, integration_id, revision, reviewer_id, outcome, summary, decided_at)
         VALUES ($1, $2, $3, $4, $5, 'Decided.', $6)",
    )
    .bind(Uuid::new_v4())
    .bind(id)
    .bind(revision)
    .bind(by)
    .bind(outcome)
    .bind(at)
    .execute(db)
    .await
    .unwrap();
}

/// A comment on `item` of an endpoint; returns its id.
async fn commented(
    db: &PgPool,
    id: Uuid,
    revision: i32,
    by: Uuid,
    item: &str,
    parent: Option<Uuid>,
    published: bool,
) -> Uuid {
    let comment = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO comments (id, integration_id, revision, endpoint_id, item, parent_id, author_id, body, published)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'Please fix.', $8)",
    )
    .bind(comment)
    .bind(id)
    .bind(revision)
    .bind(Uuid::from_u128(1))
    .bind(item)
    .bind(parent)
    .bind(by)
    .bind(published)
    .execute(db)
    .await
    .unwrap();
    comment
}

async fn seed(db: &PgPool) -> Seeded {
    let rohan = create_user(db, "rohan@haptik.example", Role::Reviewer, None).await;
    let xyz = company(db, "XYZ Finance").await;
    let other = company(db, "Other Bank").await;
    let ravi = create_user(db, "ravi@xyz.example", Role::Partner, Some(xyz)).await;
    let sam = create_user(db, "sam@other.example", Role::Partner, Some(other)).await;
    let now = OffsetDateTime::now_utc();

    let otp = integration(
        db,
        xyz,
        "OTP APIs",
        "approved",
        datetime!(2026-11-12 10:00 UTC),
    )
    .await;
    submitted(db, otp, 1, ravi, datetime!(2026-11-02 10:00 UTC)).await;
    commented(db, otp, 1, rohan, "response-example", None, true).await;
    commented(db, otp, 1, rohan, "", None, true).await;
    decided(
        db,
        otp,
        1,
        rohan,
        "sent_back",
        datetime!(2026-11-04 10:00 UTC),
    )
    .await;
    submitted(db, otp, 2, ravi, datetime!(2026-11-09 10:00 UTC)).await;
    decided(
        db,
        otp,
        2,
        rohan,
        "approved",
        datetime!(2026-11-12 10:00 UTC),
    )
    .await;

    let kyc = integration(
        db,
        xyz,
        "KYC APIs",
        "approved",
        datetime!(2026-11-04 15:00 UTC),
    )
    .await;
    submitted(db, kyc, 1, ravi, datetime!(2026-11-03 09:00 UTC)).await;
    decided(
        db,
        kyc,
        1,
        rohan,
        "approved",
        datetime!(2026-11-04 15:00 UTC),
    )
    .await;

    let cards = integration(
        db,
        other,
        "Cards",
        "changes_requested",
        now - Duration::days(9) - Duration::hours(1),
    )
    .await;
    submitted(db, cards, 1, sam, datetime!(2026-11-16 12:00 UTC)).await;
    let thread = commented(db, cards, 1, rohan, "response-example", None, true).await;
    commented(db, cards, 1, rohan, "errors", None, true).await;
    // Not what the send-back was about: a reply, a partner's answer, a draft never sent.
    commented(db, cards, 1, rohan, "errors", Some(thread), true).await;
    commented(db, cards, 1, sam, "", Some(thread), true).await;
    commented(db, cards, 1, rohan, "headers", None, false).await;
    decided(
        db,
        cards,
        1,
        rohan,
        "sent_back",
        datetime!(2026-11-20 12:00 UTC),
    )
    .await;

    let loans = integration(
        db,
        other,
        "Loans",
        "submitted",
        now - Duration::days(8) - Duration::hours(1),
    )
    .await;
    submitted(db, loans, 1, sam, datetime!(2026-11-24 10:00 UTC)).await;

    integration(db, xyz, "Draft", "draft", now - Duration::days(20)).await;
    let drafts_only = company(db, "Drafts Only Ltd").await;
    integration(
        db,
        drafts_only,
        "Secret plans",
        "draft",
        now - Duration::days(20),
    )
    .await;
    Seeded { xyz, other, cards }
}

fn texts(html: &Html, selector: &str) -> Vec<String> {
    let selector = Selector::parse(selector).unwrap();
    html.select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

const NOVEMBER: &str = "/insights?from=2026-11-01&until=2026-11-30";

#[sqlx::test]
async fn the_figures_equal_those_computed_by_hand(db: PgPool) {
    let seeded = seed(&db).await;
    let app = TestApp::spawn(db.clone()).await;
    let rohan = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let (status, page) = rohan.page(NOVEMBER).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let html = Html::parse_document(&page);
    let figures = texts(&html, ".figures dl");
    assert!(
        figures[0].contains("2.0 days") && figures[0].contains("3.6 days"),
        "{figures:?}"
    );
    assert!(figures[0].contains("3 first submitted"), "{figures:?}");
    assert!(
        figures[1].contains("5.6 days") && figures[1].contains("9.1 days"),
        "{figures:?}"
    );
    assert!(
        figures[2].contains("50%") && figures[2].contains("1 of 2"),
        "{figures:?}"
    );
    // Interpolated as PostgreSQL's percentile_cont.
    let postgres: f64 = sqlx::query_scalar(
        "SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY h) FROM unnest(ARRAY[30.0, 48.0, 96.0]) h",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!((postgres - 86.4).abs() < 1e-9);

    assert_eq!(
        texts(&html, "#items-table tbody tr"),
        [
            "Success response2",
            "An endpoint as a whole1",
            "Error scenarios1"
        ]
    );
    // The chart says what the table says: each bar's title and the description.
    let bars = texts(&html, "svg.chart-items rect title");
    assert_eq!(
        bars,
        [
            "Success response: send-backs 2",
            "An endpoint as a whole: send-backs 1",
            "Error scenarios: send-backs 1"
        ]
    );
    let weeks = texts(&html, "#weeks-table tbody tr");
    assert_eq!(weeks.len(), 6);
    assert_eq!(weeks[1], "2 November 202621");
    let week_bars = texts(&html, "svg.chart-weekly rect title");
    let desc = texts(&html, "svg.chart-weekly desc").join("");
    let table = Selector::parse("#weeks-table tbody tr").unwrap();
    let cell = Selector::parse("td").unwrap();
    for (index, row) in html.select(&table).enumerate() {
        let cells: Vec<String> = row.select(&cell).map(|c| c.text().collect()).collect();
        let said = format!(
            "Week of {}: submissions {}, approvals {}",
            cells[0], cells[1], cells[2]
        );
        assert!(desc.contains(&said), "{said} not in {desc}");
        assert_eq!(
            week_bars[index * 2],
            format!("Week of {}: submissions {}", cells[0], cells[1])
        );
        assert_eq!(
            week_bars[index * 2 + 1],
            format!("Week of {}: approvals {}", cells[0], cells[2])
        );
    }

    // Stalled by whose move, longest first; the draft of two days is not.
    let stalled = texts(&html, "#stalled ~ h3");
    assert_eq!(stalled, ["The partner's move: 1", "Haptik's move: 1"]);
    assert!(page.contains(&format!("href=\"/review/{}\"", seeded.cards)));
    assert!(page.contains("9 days") && page.contains("8 days"));
    // Staff see what was submitted: never-submitted drafts and their companies stay the partner's.
    assert!(!page.contains(">Draft<") && !page.contains("Secret plans"));
    assert!(
        !page.contains("Drafts Only Ltd"),
        "not among the partners to filter by"
    );

    // One partner: only its integrations.
    let (_, page) = rohan
        .page(&format!("{NOVEMBER}&partner={}", seeded.other))
        .await;
    let html = Html::parse_document(&page);
    let figures = texts(&html, ".figures dl");
    assert!(
        figures[0].contains("4.0 days") && figures[0].contains("1 first submitted"),
        "{figures:?}"
    );
    assert!(figures[2].contains("0 of 0"), "{figures:?}");
    let _ = seeded.xyz;
}

#[sqlx::test]
async fn each_table_downloads_as_csv_and_the_api_says_the_same(db: PgPool) {
    let seeded = seed(&db).await;
    let app = TestApp::spawn(db.clone()).await;
    let rohan = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let weeks = rohan
        .get("/insights/weeks.csv?from=2026-11-01&until=2026-11-30")
        .await;
    assert_eq!(weeks.status(), StatusCode::OK);
    assert!(
        weeks.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("insights-weeks-2026-11-01-2026-11-30.csv")
    );
    let body = weeks.text().await.unwrap();
    assert!(
        body.starts_with("week_of,submissions,approvals\n2026-10-26,0,0\n2026-11-02,2,1\n"),
        "{body}"
    );
    let times = rohan
        .get("/insights/times.csv?from=2026-11-01&until=2026-11-30")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        times.contains("first review,3,48.00,86.40") && times.contains("approval,2,135.00,219.00"),
        "{times}"
    );
    let stalled = rohan
        .get("/insights/stalled.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        stalled.contains(&format!("{},Cards,Other Bank,partner,", seeded.cards)),
        "{stalled}"
    );
    assert_eq!(
        rohan.get("/insights/secrets.csv").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        rohan.get("/insights/weeks.csv?from=nope").await.status(),
        StatusCode::BAD_REQUEST
    );

    let token = crate::api::token_for(&rohan, "insights").await;
    let (status, figures) = crate::api::api(
        &app,
        &token,
        "/api/v1/insights?from=2026-11-01&until=2026-11-30",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    assert_eq!(figures["first_review"]["median_hours"], json!(48.0));
    assert_eq!(figures["approval"]["p90_hours"], json!(219.0));
    assert_eq!(figures["first_time_percent"], json!(50));
    assert_eq!(
        figures["rounds"],
        json!([{"rounds": 1, "integrations": 1}, {"rounds": 2, "integrations": 1}])
    );
    assert_eq!(
        figures["send_back_items"][0],
        json!({"checklist_item": "Success response", "send_backs": 2})
    );
    assert_eq!(
        figures["weeks"][1],
        json!({"week_of": "2026-11-02", "submissions": 2, "approvals": 1})
    );
    assert_eq!(figures["stalled"].as_array().unwrap().len(), 2);
    let (status, refused) = crate::api::api(
        &app,
        &token,
        "/api/v1/insights?from=2026-11-30&until=2026-11-01",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    let (status, _) = crate::api::api(&app, &token, "/api/v1/insights?partner=nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = crate::api::api(
        &app,
        &token,
        &format!("/api/v1/insights?partner={}", Uuid::new_v4()),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn partners_see_no_insights_and_a_bad_filter_is_named_beside_its_field(db: PgPool) {
    seed(&db).await;
    let app = TestApp::spawn(db.clone()).await;
    let ravi = app.signed_in("ravi@xyz.example", PASSWORD).await;
    assert_eq!(ravi.get("/insights").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        ravi.get("/insights/weeks.csv").await.status(),
        StatusCode::FORBIDDEN
    );
    let token = crate::api::token_for(&ravi, "mine").await;
    let (status, _) = crate::api::api(&app, &token, "/api/v1/insights").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let rohan = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let (status, page) = rohan
        .page("/insights?from=1+Nov&until=2026-11-30&partner=someone")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"id="from-error""#) && page.contains("Give the day as a date"));
    assert!(page.contains(r#"value="1 Nov""#), "what was typed stays");
    assert!(page.contains(r#"id="partner-error""#));
}

/// The page with a month of figures, as a person sees it at both widths: no overflow, no console
/// error under the CSP, no serious axe-core violation; the charts are screenshotted in view.
#[sqlx::test]
async fn the_page_with_charts_fits_and_is_accessible(db: PgPool) {
    seed(&db).await;
    let app = TestApp::spawn(db.clone()).await;
    let base = format!("http://{}", app.addr);
    let driver = crate::browser::Driver::start().await;
    crate::browser::sign_in_as(&driver, &base, "rohan@haptik.example", PASSWORD).await;
    for (width, height, screen) in crate::browser_screens::SCREENS {
        driver.client.set_window_size(width, height).await.unwrap();
        crate::browser_workbench::judge(&driver, &base, NOVEMBER, "insights-november", screen)
            .await;
        for part in ["weeks", "items"] {
            crate::browser_workbench::js(
                &driver.client,
                &format!("document.getElementById('{part}').scrollIntoView()"),
            )
            .await;
            driver
                .screenshot(&format!("insights-{screen}-{part}"))
                .await;
        }
        // The chart is drawn at the column's width, not wider.
        let chart = crate::browser_workbench::js(
            &driver.client,
            "const r = document.querySelector('svg.chart-weekly').getBoundingClientRect(); return r.right <= document.documentElement.clientWidth && r.width > 200",
        )
        .await;
        assert_eq!(chart, serde_json::json!(true), "on a {screen}");
    }
    driver.client.clone().close().await.unwrap();
}
