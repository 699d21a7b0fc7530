//! What the review keeps and lists: the frozen revision a reviewer reads, the append-only audit
//! log, and the queue's filters, sorting and paging.

use crate::helpers::*;
use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test]
async fn every_step_lands_in_the_append_only_audit_log(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    create_user(&db, "asha@haptik.example", Role::Admin, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, _) = submitted(&app).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let review = format!("/review/{id}");
    reviewer.post_form(&format!("{review}/claim"), &[]).await;
    reviewer
        .post_form(
            &format!("{review}/decision"),
            &[
                ("revision", "1"),
                ("outcome", "send_back"),
                ("summary", "Add the OTP reference"),
            ],
        )
        .await;

    // Both sides see the integration's timeline, newest first.
    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    let text = unescape(&html);
    let timeline = &text[text.find("<h2>Timeline</h2>").expect("a timeline")..];
    let sent_back = timeline
        .find("sent back: revision 1: Add the OTP reference")
        .expect("the decision");
    let claimed = timeline.find("claimed").unwrap();
    let submitted_at = timeline.find("submitted: revision 1").unwrap();
    let saved = timeline
        .find("saved: endpoint API to generate OTP")
        .unwrap();
    assert!(sent_back < claimed && claimed < submitted_at && submitted_at < saved);
    let (_, html) = reviewer.page(&review).await;
    assert!(html.contains("<h2>Timeline</h2>"));

    // Admins see everything, sign-ins included; nobody else does.
    let admin = app.signed_in("asha@haptik.example", PASSWORD).await;
    let (status, html) = admin.page("/admin/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("signed in") && html.contains("sent back"));
    assert_eq!(
        partner.get("/admin/audit").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        reviewer.get("/admin/audit").await.status(),
        StatusCode::FORBIDDEN
    );

    // The database itself refuses to rewrite history.
    let changed = sqlx::query("UPDATE audit_events SET detail = 'nothing happened'")
        .execute(&db)
        .await;
    assert!(changed.unwrap_err().to_string().contains("append-only"));
    let deleted = sqlx::query("DELETE FROM audit_events").execute(&db).await;
    assert!(deleted.is_err());
}

/// A page of the queue, with the SQL statements it ran.
async fn queue_page(reviewer: &Browser, query: &str) -> (String, usize) {
    let request = Uuid::new_v4().to_string();
    let response = reviewer
        .client
        .get(reviewer.url(&format!("/review{query}")))
        .header("x-request-id", &request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    (response.text().await.unwrap(), query_count::of(&request))
}

#[sqlx::test]
async fn the_queue_filters_sorts_and_pages_in_constant_queries(db: PgPool) {
    // 120 submissions: statuses cycle 6:2:1:1, six partners, three reviewers.
    let (app, reviewer) = crate::fixtures::seeded_queue(&db, 120, 3).await;
    queue_page(&reviewer, "").await; // warm the pool's statements

    let (first, first_queries) = queue_page(&reviewer, "").await;
    assert!(
        first.contains("96 submissions · page 1 of 2"),
        "submitted or in review"
    );
    assert_eq!(first.matches("<a href=\"/review/").count(), 50);
    let oldest = first
        .find("Queued integration 117<")
        .expect("the longest waiting first");
    assert!(oldest < first.find("Queued integration 116<").unwrap());
    assert!(unescape(&first).contains("href=\"/review?status=waiting&page=2\""));

    let (second, second_queries) = queue_page(&reviewer, "?status=waiting&page=2").await;
    assert_eq!(second.matches("<a href=\"/review/").count(), 46);
    // A page may come from memory (no statement) or be read again (the page and the count),
    // depending on whether a notice moved the cache on between the views; never more.
    for queries in [first_queries, second_queries] {
        assert!(queries <= 2, "{queries} queries for one page of the queue");
    }

    let (newest, _) = queue_page(&reviewer, "?sort=newest").await;
    assert!(
        newest.find("Queued integration 1<").unwrap()
            < newest.find("Queued integration 2<").unwrap()
    );
    let (approved, _) = queue_page(&reviewer, "?status=approved").await;
    assert!(approved.contains("12 submissions"));
    let (partner, _) = queue_page(&reviewer, "?partner=partner+3").await;
    assert!(
        partner.contains("16 submissions"),
        "one of six partners, its waiting ones"
    );
    assert!(!partner.contains("Seeded Partner 4<"));
    let (mine, _) = queue_page(&reviewer, "?mine=1&status=in_review").await;
    let claimed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM integrations i JOIN users u ON u.id = i.claimed_by WHERE u.email = $1",
    )
    .bind(partner_portal::seed::REVIEWER_LOGIN)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(claimed > 0);
    assert!(mine.contains(&format!("{claimed} submissions")));
    let (nothing, _) = queue_page(&reviewer, "?partner=%25&page=999999").await;
    assert!(
        nothing.contains("Nothing matches."),
        "a literal % matches no partner"
    );

    let (outsider, _) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    assert_eq!(
        outsider.get("/review").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test]
async fn a_reviewer_reads_the_frozen_revision_with_the_partners_evidence(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    fill_otp_sections(&partner, id).await;
    let page = format!("/integrations/{id}");
    save_section(&partner, id, "partner_code", &[("partner_code", "")]).await;
    let version = current_version(&partner, &page, &format!("{page}/not-applicable")).await;
    partner
        .post_form(
            &format!("{page}/not-applicable"),
            &[
                ("version", &version),
                ("item", "partner-code"),
                ("reason", "Our APIs take no partner code"),
            ],
        )
        .await;
    let endpoint = add_endpoint(
        &partner,
        id,
        "API to generate OTP",
        "POST",
        "/pchflih/otp/v1/generateOTP",
    )
    .await;
    let strict =
        r#"{"status": "success", "status_code": "SUCC001", "message": "Request Successful"}"#;
    save_endpoint(&partner, id, endpoint, &otp_endpoint_fields(strict)).await;
    let response = partner.post_form(&format!("{page}/submit"), &[]).await;
    assert_eq!(location(&response), page);

    let review = format!("/review/{id}");
    assert_eq!(
        partner.get(&review).await.status(),
        StatusCode::FORBIDDEN,
        "partners do not review"
    );
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let (_, queue) = reviewer.page("/").await;
    assert!(queue.contains(&format!("href=\"{review}\"")));
    let (status, html) = reviewer.page(&review).await;
    assert_eq!(status, StatusCode::OK);
    let text = unescape(&html);
    assert!(text.contains("revision 1, submitted by ravi"), "{text}");
    assert!(text.contains("marked not applicable (“Our APIs take no partner code”)"));
    // The request example is laid out to read; what it says is what the partner wrote.
    let examples: String =
        crate::fixtures::texts(&html, ".endpoint-evidence pre.json-view").concat();
    let squeezed = |t: &str| t.split_whitespace().collect::<String>();
    assert!(
        squeezed(&examples).contains(&squeezed(OTP_REQUEST)),
        "{examples}"
    );
    assert!(text.contains("https://apisit.xyz.com/pchflih/otp/v1/generateOTP"));
    assert!(text.contains("17 of 17 required items complete in this revision"));

    // Something never submitted has no revision to review.
    let (_, draft) = partner_with_integration(&app, "Other Bank", "sam@other.example").await;
    assert_eq!(
        reviewer.get(&format!("/review/{draft}")).await.status(),
        StatusCode::NOT_FOUND
    );
}
