//! Partner intake through HTTP: the sample OTP API from REQUIREMENTS.md is the first fixture.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::*;

#[sqlx::test]
async fn the_sample_otp_api_reaches_100_percent_exactly_when_filled_and_is_submitted(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let page = format!("/integrations/{id}");

    let (done, total) = progress(&partner, &page).await;
    assert_eq!((done, total), (0, 10), "nothing is there yet");
    fill_otp_sections(&partner, id).await;
    let (done, total) = progress(&partner, &page).await;
    assert_eq!(total, 10);
    assert_eq!(done, 8, "rest-https and json wait for an endpoint");

    let endpoint = add_endpoint(
        &partner,
        id,
        "API to generate OTP",
        "POST",
        "/pchflih/otp/v1/generateOTP",
    )
    .await;
    let endpoint_page = format!("/integrations/{id}/endpoints/{endpoint}");
    let (done, total) = progress(&partner, &endpoint_page).await;
    assert_eq!(
        (done, total),
        (2, 8),
        "method and URL came with the new endpoint"
    );

    // The sample's success body exactly as partners type it: refused, with where and how to fix it.
    let response = save_endpoint(
        &partner,
        id,
        endpoint,
        &otp_endpoint_fields(OTP_SUCCESS_AS_TYPED),
    )
    .await;
    let html = partner.refused(response).await;
    assert!(
        html.contains("line 1, column 3"),
        "the message gives line and column"
    );
    assert!(
        html.contains("value=\"convert:success_example\""),
        "an offer to convert"
    );
    assert!(
        html.contains("Ravi") || html.contains("9928056506"),
        "what was typed is still there"
    );
    assert_eq!(
        progress(&partner, &endpoint_page).await,
        (2, 8),
        "nothing was saved"
    );

    // Converting fixes the field and saves in the same step: the endpoint is complete.
    let mut convert = otp_endpoint_fields(OTP_SUCCESS_AS_TYPED);
    convert.retain(|(k, _)| *k != "action");
    let version = current_version(&partner, &endpoint_page, &endpoint_page).await;
    let mut fields = vec![
        ("version", version.as_str()),
        ("action", "convert:success_example"),
    ];
    fields.extend_from_slice(&convert);
    let response = partner.post_form(&endpoint_page, &fields).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "converted and saved"
    );
    let (_, html) = partner.page(&endpoint_page).await;
    assert!(
        unescape(&html).contains("Converted to strict JSON; API to generate OTP saved."),
        "the outcome is said"
    );
    assert!(
        unescape(&html).contains("\"status\": \"success\""),
        "{html}"
    );
    assert_eq!(progress(&partner, &endpoint_page).await, (8, 8));

    let strict =
        r#"{"status": "success", "status_code": "SUCC001", "message": "Request Successful"}"#;
    let response = save_endpoint(&partner, id, endpoint, &otp_endpoint_fields(strict)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(progress(&partner, &endpoint_page).await, (8, 8));
    assert_eq!(progress(&partner, &page).await, (18, 18));
    let (_, html) = partner.page(&endpoint_page).await;
    assert!(
        unescape(&html)
            .contains("curl -X POST 'https://apisit.xyz.com/pchflih/otp/v1/generateOTP'"),
        "a ready-to-run curl"
    );

    let response = partner.post_form(&format!("{page}/submit"), &[]).await;
    assert_eq!(location(&response), page);
    let (_, html) = partner.page(&page).await;
    assert!(html.contains("Submitted as revision 1"), "{html}");
    let (number, snapshot): (i32, serde_json::Value) =
        sqlx::query_as("SELECT number, snapshot FROM revisions WHERE integration_id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(number, 1);
    assert_eq!(
        snapshot["endpoints"][0]["spec"]["request_example"],
        OTP_REQUEST
    );
    assert_eq!(
        mail_count(&db, "rohan@haptik.example").await,
        1,
        "reviewers are told"
    );
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let (_, queue) = reviewer.page("/").await;
    assert!(
        queue.contains(&format!(
            "<td>XYZ Finance</td><td><a href=\"/review/{id}\">OTP APIs</a></td><td>1</td>"
        )),
        "the reviewer's dashboard lists it: {queue}"
    );

    // Under review it can be read but not changed.
    let response = save_section(&partner, id, "partner_code", &[("partner_code", "OTHER")]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let response = partner.post_form(&format!("{page}/submit"), &[]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(partner.page(&endpoint_page).await.0, StatusCode::OK);
}

#[sqlx::test]
async fn submit_is_refused_while_anything_required_is_missing(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    assert!(html.contains("Before you can submit"));
    assert!(!html.contains("action=\"/integrations/{id}/submit\""));
    let response = partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let revisions: i64 = sqlx::query_scalar("SELECT count(*) FROM revisions")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(revisions, 0);
}

#[sqlx::test]
async fn a_get_endpoint_is_not_asked_for_a_request_body(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let endpoint = add_endpoint(&partner, id, "Track order", "GET", "/orders/{orderId}").await;
    let (_, total) = progress(
        &partner,
        &format!("/integrations/{id}/endpoints/{endpoint}"),
    )
    .await;
    assert_eq!(total, 7);
    let (_, html) = partner
        .page(&format!("/integrations/{id}/endpoints/{endpoint}"))
        .await;
    assert!(html.contains("normally sends no body"));
}

#[sqlx::test]
async fn a_stale_save_is_refused_and_both_versions_are_shown(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (priya, id) = partner_with_integration(&app, "XYZ Finance", "priya@xyz.example").await;
    let company: Uuid = sqlx::query_scalar("SELECT company_id FROM integrations")
        .fetch_one(&db)
        .await
        .unwrap();
    create_user(&db, "arjun@xyz.example", Role::Partner, Some(company)).await;
    let arjun = app.signed_in("arjun@xyz.example", PASSWORD).await;
    let page = format!("/integrations/{id}");
    let action = format!("/integrations/{id}/sections/environments");

    // Both open the page; Priya saves first.
    let priya_version = current_version(&priya, &page, &action).await;
    let arjun_version = current_version(&arjun, &page, &action).await;
    let response = priya
        .post_form(
            &action,
            &[
                ("version", &priya_version),
                ("staging_url", "https://sit.priya.example"),
                ("production_url", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let response = arjun
        .post_form(
            &action,
            &[
                ("version", &arjun_version),
                ("staging_url", "https://sit.arjun.example"),
                ("production_url", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("https://sit.priya.example"),
        "theirs is shown"
    );
    assert!(
        html.contains("value=\"https://sit.arjun.example\""),
        "his own text is kept in the form"
    );
    let saved: serde_json::Value =
        sqlx::query_scalar("SELECT data FROM integration_sections WHERE section = 'environments'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        saved["staging_url"], "https://sit.priya.example",
        "the stale save was not applied"
    );

    // He chooses his: the re-shown form carries the current version, so saving again wins.
    let marker = "name=\"version\" value=\"";
    let form_at = html.find(&format!("action=\"{action}\"")).unwrap();
    let start = html[form_at..].find(marker).unwrap() + form_at + marker.len();
    let version = &html[start..start + html[start..].find('"').unwrap()];
    let response = arjun
        .post_form(
            &action,
            &[
                ("version", version),
                ("staging_url", "https://sit.arjun.example"),
                ("production_url", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn a_partner_cannot_read_or_change_another_companys_integrations(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (owner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let endpoint = add_endpoint(&owner, id, "Generate OTP", "POST", "/otp").await;
    let (other, _) = partner_with_integration(&app, "Other Bank", "sam@other.example").await;

    let page = format!("/integrations/{id}");
    let endpoint_page = format!("{page}/endpoints/{endpoint}");
    assert_eq!(other.get(&page).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        other.get(&endpoint_page).await.status(),
        StatusCode::NOT_FOUND
    );
    for (path, fields) in [
        (
            format!("{page}/sections/partner_code"),
            vec![("version", "0"), ("partner_code", "HIJACK")],
        ),
        (
            format!("{page}/overview"),
            vec![("version", "1"), ("name", "Hijacked")],
        ),
        (
            format!("{page}/endpoints"),
            vec![("name", "Sneaky"), ("method", "GET"), ("path", "/x")],
        ),
        (
            endpoint_page.clone(),
            vec![("version", "1"), ("name", "Hijacked")],
        ),
        (format!("{endpoint_page}/delete"), vec![]),
        (format!("{endpoint_page}/move"), vec![("direction", "up")]),
        (format!("{page}/submit"), vec![]),
        (
            format!("{page}/not-applicable"),
            vec![("version", "0"), ("item", "partner-code"), ("reason", "x")],
        ),
    ] {
        let response = other.post_form(&path, &fields).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let (_, html) = owner.page(&page).await;
    assert!(
        !html.contains("Hijacked") && !html.contains("Sneaky") && html.contains("Generate OTP")
    );
    let (_, dashboard) = other.page("/").await;
    assert!(!dashboard.contains(&id.to_string()));
}

#[sqlx::test]
async fn reviewers_and_admins_do_not_use_the_partner_forms(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db).await;
    let (_, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    assert_eq!(
        reviewer.get(&format!("/integrations/{id}")).await.status(),
        StatusCode::FORBIDDEN
    );
    let response = reviewer
        .post_form(
            &format!("/integrations/{id}/sections/partner_code"),
            &[("version", "0"), ("partner_code", "X")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn a_pasted_live_token_is_caught_and_kept_out_unless_the_user_insists(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let endpoint = add_endpoint(&partner, id, "Generate OTP", "POST", "/otp").await;
    let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    let bearer = format!("Bearer {jwt}");
    let fields = [
        ("name", "Generate OTP"),
        ("method", "POST"),
        ("path", "/otp"),
        ("header_name", "Authorization"),
        ("header_value", bearer.as_str()),
    ];

    let response = save_endpoint(&partner, id, endpoint, &fields).await;
    let html = partner.refused(response).await;
    assert!(html.contains("JSON Web Token"), "{html}");
    assert!(html.contains("value=\"redact\""), "offers placeholders");
    let stored: serde_json::Value = sqlx::query_scalar("SELECT spec FROM endpoints")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(
        !stored.to_string().contains(jwt),
        "the secret did not reach the database"
    );

    // "Replace with placeholders" replaces the token and saves in the same step.
    let path = format!("/integrations/{id}/endpoints/{endpoint}");
    let version = current_version(&partner, &path, &path).await;
    let mut redact = vec![("version", version.as_str()), ("action", "redact")];
    redact.extend_from_slice(&fields);
    let response = partner.post_form(&path, &redact).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "replaced and saved"
    );
    let stored: serde_json::Value = sqlx::query_scalar("SELECT spec FROM endpoints")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(stored.to_string().contains("Bearer <<jwt>>"), "{stored}");

    // Insisting saves it, and the choice is recorded.
    let mut insist = fields.to_vec();
    insist.push(("insist", "1"));
    let response = save_endpoint(&partner, id, endpoint, &insist).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let audit: (String, String) = sqlx::query_as("SELECT field, kind FROM secret_overrides")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(audit.0, "header_value_0");
}

#[sqlx::test]
async fn bad_input_comes_back_beside_its_field_with_everything_typed(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let response = save_section(
        &partner,
        id,
        "environments",
        &[
            ("staging_url", "apisit.xyz.com"),
            ("production_url", "http://api.xyz.com"),
        ],
    )
    .await;
    let html = partner.refused(response).await;
    assert!(
        html.contains("id=\"staging_url-error\"") && html.contains("id=\"production_url-error\"")
    );
    assert!(
        html.contains("value=\"apisit.xyz.com\"") && html.contains("value=\"http://api.xyz.com\"")
    );

    let response = save_section(
        &partner,
        id,
        "contacts",
        &[
            ("primary_name", "Ravi"),
            ("primary_email", "ravi@"),
            ("primary_phone", "call me"),
            ("primary_role", "Lead"),
            ("primary_hours", "IST"),
        ],
    )
    .await;
    let html = partner.refused(response).await;
    assert!(html.contains("phone number with country code") && html.contains("value=\"call me\""));

    let response = save_section(
        &partner,
        id,
        "status_codes",
        &[
            ("sc_code", "SUCC001"),
            ("sc_message", "OK"),
            ("sc_http_status", "700"),
            ("sc_meaning", ""),
        ],
    )
    .await;
    assert!(partner.refused(response).await.contains("100 to 599"));

    // An http staging URL is accepted, with a visible warning, and keeps "REST over HTTPS" open.
    let response = save_section(
        &partner,
        id,
        "environments",
        &[
            ("staging_url", "http://sit.xyz.com"),
            ("production_url", ""),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    assert!(html.contains("uses plain http"));
}

#[sqlx::test]
async fn endpoints_reorder_and_delete_after_confirmation(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let first = add_endpoint(&partner, id, "Generate OTP", "POST", "/otp/generate").await;
    let second = add_endpoint(&partner, id, "Validate OTP", "POST", "/otp/validate").await;
    partner
        .post_form(
            &format!("/integrations/{id}/endpoints/{second}/move"),
            &[("direction", "up")],
        )
        .await;
    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    assert!(html.find(">Validate OTP</a>").unwrap() < html.find(">Generate OTP</a>").unwrap());

    let (status, html) = partner
        .page(&format!("/integrations/{id}/endpoints/{first}/delete"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Delete “Generate OTP”?"));
    partner
        .post_form(&format!("/integrations/{id}/endpoints/{first}/delete"), &[])
        .await;
    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    assert!(!html.contains(">Generate OTP</a>") && html.contains(">Validate OTP</a>"));
}

/// htmx gets the page's content without the layout (smaller, and nothing to re-parse twice); a
/// plain form post is redirected. Both carry what the form's `hx-select` and `hx-select-oob` pick.
#[sqlx::test]
async fn an_htmx_save_answers_with_the_content_alone_and_a_plain_save_redirects(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let path = format!("/integrations/{id}/sections/environments");
    let version = current_version(&partner, &format!("/integrations/{id}"), &path).await;
    let token = partner.csrf_token().await;
    let response = partner
        .client
        .post(partner.url(&path))
        .header("hx-request", "true")
        .header("x-csrf-token", &token)
        .form(&[
            ("version", version.as_str()),
            ("staging_url", "https://apisit.xyz.com"),
            ("production_url", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    // (An HTML parser adds html, head and body to any fragment; the layout's are not there.)
    assert!(!html.contains("<html"), "no layout");
    assert!(texts(&html, "nav[aria-label=Main], body > header").is_empty());
    // What the form swaps in place, and what it updates out of band.
    let section = attributes(&html, "#section-environments input[name=staging_url]");
    assert_eq!(section[0]["value"], "https://apisit.xyz.com");
    assert_eq!(texts(&html, "#progress label").len(), 1);
    assert_eq!(texts(&html, "#submit-panel").len(), 1);

    let full = save_section(
        &partner,
        id,
        "environments",
        &[
            ("staging_url", "https://apisit2.xyz.com"),
            ("production_url", ""),
        ],
    )
    .await;
    assert_eq!(full.status(), StatusCode::SEE_OTHER);
    let (_, page) = partner.page(&format!("/integrations/{id}")).await;
    assert_eq!(
        texts(&page, "nav[aria-label=Main]").len(),
        1,
        "the whole page"
    );
    assert_eq!(
        texts(&page, "p.flash-success"),
        ["Environments saved."],
        "the flash appears once, where the user lands"
    );
}
