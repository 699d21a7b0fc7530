//! Intake's limits and checks on what partners type: table and list sizes, free-text checks, waivable items, pasted URLs.

use crate::helpers::*;
use reqwest::StatusCode;
use sqlx::PgPool;

#[sqlx::test]
async fn tables_and_endpoint_lists_have_limits(db: PgPool) {
    partner_portal::db::prepare(&db).await.unwrap();
    let full = partner_portal::seed::run(&db, 1, 200)
        .await
        .unwrap()
        .integrations[0];
    let app = TestApp::spawn(db).await;
    let partner = app
        .signed_in(partner_portal::seed::LOGIN, partner_portal::seed::PASSWORD)
        .await;

    let response = partner
        .post_form(
            &format!("/integrations/{full}/endpoints"),
            &[("name", "One too many"), ("method", "GET"), ("path", "/x")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("at most 200 endpoints")
    );

    // 100 rows plus the two blank rows every page renders save fine; a 101st row is refused
    // with a message, not a silent failure.
    let (other, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let action = format!("/integrations/{id}/sections/credentials");
    let rows = |n: usize| -> Vec<(String, String)> {
        let mut fields = vec![("version".to_string(), "0".to_string())];
        for i in 0..n {
            fields.push(("cred_name".into(), format!("key_{i}")));
            fields.push(("cred_location".into(), "header".into()));
        }
        for _ in 0..2 {
            fields.push(("cred_name".into(), String::new()));
            fields.push(("cred_location".into(), "header".into()));
        }
        fields
    };
    let send = |fields: Vec<(String, String)>| {
        let other = &other;
        let action = action.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            other.post_form(&action, &fields).await
        }
    };
    let response = send(rows(101)).await;
    assert!(other.refused(response).await.contains("at most 100 rows"));
    assert_eq!(send(rows(100)).await.status(), StatusCode::SEE_OTHER);
    let mut again = rows(100);
    again[0].1 = "1".into();
    assert_eq!(
        send(again).await.status(),
        StatusCode::SEE_OTHER,
        "a full table can still be saved"
    );
}

#[sqlx::test]
async fn every_free_text_field_is_checked_and_every_message_is_shown(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    // A sandbox token pasted as test data is caught like one in a header.
    let response = save_section(
        &partner,
        id,
        "test_data",
        &[
            ("td_label", "Sandbox token"),
            ("td_value", jwt),
            ("td_note", ""),
        ],
    )
    .await;
    let html = partner.refused(response).await;
    assert!(html.contains("JSON Web Token") && html.contains("value=\"redact\""));

    // Too-long text in any column gets its message beside it.
    let long = "x".repeat(201);
    let response = save_section(
        &partner,
        id,
        "test_data",
        &[("td_label", "Mobile"), ("td_value", &long), ("td_note", "")],
    )
    .await;
    let html = partner.refused(response).await;
    assert!(
        html.contains("Keep this to 200 characters.") && html.contains("1 field needs attention")
    );

    // Examples are capped whatever their format.
    let endpoint = add_endpoint(&partner, id, "Upload", "POST", "/upload").await;
    let big = "a=1&".repeat(20_000);
    let fields = [
        ("name", "Upload"),
        ("method", "POST"),
        ("path", "/upload"),
        ("body_format", "other"),
        ("non_json_reason", "form posts"),
        ("request_example", big.as_str()),
    ];
    let response = save_endpoint(&partner, id, endpoint, &fields).await;
    assert!(
        partner
            .refused(response)
            .await
            .contains("larger than 64 KiB")
    );

    // A NUL character is refused with a page that says so, never a server error.
    let response = partner
        .post_form(
            &format!("/integrations/{id}/endpoints"),
            &[("name", "bad\0name"), ("method", "GET"), ("path", "/x")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[sqlx::test]
async fn only_items_that_can_truly_be_waived_take_a_not_applicable_mark(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let page = format!("/integrations/{id}");
    let version = current_version(&partner, &page, &format!("{page}/not-applicable")).await;
    for item in ["rest-https", "json", "name", "no-such-item"] {
        let response = partner
            .post_form(
                &format!("{page}/not-applicable"),
                &[("version", &version), ("item", item), ("reason", "n/a")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{item}");
    }
}

#[sqlx::test]
async fn a_pasted_full_url_becomes_the_endpoints_path(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let endpoint = add_endpoint(
        &partner,
        id,
        "Generate OTP",
        "POST",
        "https://apisit.xyz.com/pchflih/otp/v1/generateOTP",
    )
    .await;
    let (_, html) = partner
        .page(&format!("/integrations/{id}/endpoints/{endpoint}"))
        .await;
    assert!(
        html.contains("value=\"/pchflih/otp/v1/generateOTP\""),
        "{html}"
    );
}

#[sqlx::test]
async fn an_item_marked_not_applicable_stops_blocking_and_shows_why(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let page = format!("/integrations/{id}");
    let version = current_version(
        &partner,
        &page,
        &format!("/integrations/{id}/not-applicable"),
    )
    .await;
    let response = partner
        .post_form(
            &format!("{page}/not-applicable"),
            &[
                ("version", &version),
                ("item", "partner-code"),
                ("reason", "Our APIs use no partner code"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = partner.page(&page).await;
    assert!(
        html.contains("marked not applicable (“Our APIs use no partner code”)"),
        "{html}"
    );
    assert_eq!(progress(&partner, &page).await.1, 9);
}
