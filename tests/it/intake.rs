//! Partner intake through HTTP: the sample OTP API from REQUIREMENTS.md is the first fixture.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::*;

pub const OTP_SUCCESS_AS_TYPED: &str =
    r#"{ status:"success", status_code:"SUCC001", message:"Request Successful" }"#;
pub const OTP_REQUEST: &str = r#"{"mobileNo": "9928056506", "Attempt id": "1"}"#;
pub const OTP_ERROR: &str =
    r#"{"status": "error", "status_code": "ERR002", "message": "Request Failed"}"#;

/// A signed-in partner of a fresh company, and an empty integration of theirs.
pub async fn partner_with_integration(
    app: &TestApp,
    company: &str,
    email: &str,
) -> (Browser, Uuid) {
    let company_id = create_company(&app.db, company).await;
    create_user(&app.db, email, Role::Partner, Some(company_id)).await;
    let partner = app.signed_in(email, PASSWORD).await;
    let response = partner
        .post_form(
            "/integrations",
            &[("name", "OTP APIs"), ("purpose", "Verify customers by OTP")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let id = location(&response)
        .trim_start_matches("/integrations/")
        .parse()
        .unwrap();
    (partner, id)
}

/// "n of m required items complete" as the integration page shows it.
pub async fn progress(browser: &Browser, path: &str) -> (usize, usize) {
    let (status, html) = browser.page(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    let marker = " required items complete";
    let end = html.find(marker).expect("the page shows progress");
    let start = html[..end].rfind('>').unwrap() + 1;
    let text = &html[start..end];
    let (done, total) = text.split_once(" of ").unwrap();
    (done.trim().parse().unwrap(), total.trim().parse().unwrap())
}

pub async fn save_section(
    browser: &Browser,
    id: Uuid,
    section: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let version = current_version(
        browser,
        &format!("/integrations/{id}"),
        &format!("/integrations/{id}/sections/{section}"),
    )
    .await;
    let mut all = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    browser
        .post_form(&format!("/integrations/{id}/sections/{section}"), &all)
        .await
}

/// The version a form on `page` carries, as a browser would submit it.
pub async fn current_version(browser: &Browser, page: &str, action: &str) -> String {
    let (_, html) = browser.page(page).await;
    let form = html
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form for {action}"));
    let marker = "name=\"version\" value=\"";
    let start = html[form..].find(marker).unwrap() + form + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// Every integration-level section of the sample, filled through the forms.
pub async fn fill_otp_sections(partner: &Browser, id: Uuid) {
    let ok = |r: reqwest::Response| assert_eq!(r.status(), StatusCode::SEE_OTHER, "section saved");
    ok(save_section(
        partner,
        id,
        "environments",
        &[
            ("staging_url", "https://apisit.xyz.com"),
            ("production_url", ""),
        ],
    )
    .await);
    ok(save_section(
        partner,
        id,
        "reachability",
        &[("reach_mode", "whitelisting"), ("whitelist_confirmed", "1")],
    )
    .await);
    ok(save_section(partner, id, "authentication", &[
        ("auth_scheme", "bearer_token"),
        ("auth_steps", "1. POST /oauth/token with consumer_key and consumer_secret.\n2. Send Authorization: Bearer <<token>> on every call."),
    ]).await);
    ok(save_section(
        partner,
        id,
        "credentials",
        &[
            ("cred_name", "consumer_key"),
            ("cred_location", "body"),
            ("cred_description", "Issued by our team"),
            ("cred_name", "consumer_secret"),
            ("cred_location", "body"),
            ("cred_description", ""),
        ],
    )
    .await);
    ok(save_section(
        partner,
        id,
        "partner_code",
        &[("partner_code", "{partnercode}")],
    )
    .await);
    ok(save_section(
        partner,
        id,
        "status_codes",
        &[
            ("sc_code", "SUCC001"),
            ("sc_message", "Request Successful"),
            ("sc_http_status", "200"),
            ("sc_meaning", "OTP sent"),
            ("sc_code", "ERR001"),
            ("sc_message", "Request Failed"),
            ("sc_http_status", "400"),
            ("sc_meaning", ""),
        ],
    )
    .await);
    ok(save_section(
        partner,
        id,
        "test_data",
        &[
            ("td_label", "Dummy mobile number"),
            ("td_value", "9928056506"),
            ("td_note", ""),
        ],
    )
    .await);
    ok(save_section(
        partner,
        id,
        "contacts",
        &[
            ("primary_name", "Ravi Kumar"),
            ("primary_email", "ravi@xyz.example"),
            ("primary_phone", "+91 98765 43210"),
            ("primary_role", "Backend lead"),
            ("primary_hours", "IST, 10:00-19:00 Mon-Fri"),
        ],
    )
    .await);
}

pub async fn add_endpoint(
    partner: &Browser,
    id: Uuid,
    name: &str,
    method: &str,
    path: &str,
) -> Uuid {
    let response = partner
        .post_form(
            &format!("/integrations/{id}/endpoints"),
            &[("name", name), ("method", method), ("path", path)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    location(&response)
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

pub fn otp_endpoint_fields(success_example: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", "API to generate OTP"),
        (
            "purpose",
            "Sends a one-time password to the customer's mobile number.",
        ),
        ("method", "POST"),
        ("path", "/pchflih/otp/v1/generateOTP"),
        ("body_format", "json"),
        ("header_name", "Authorization"),
        ("header_value", "Bearer <<token>>"),
        ("header_name", "Content-Type"),
        ("header_value", "application/json"),
        ("param_name", "mobileNo"),
        ("param_in", "body"),
        ("param_type", "string"),
        ("param_required", "yes"),
        ("param_description", "Customer mobile number"),
        ("param_example", "9928056506"),
        ("param_name", "Attempt id"),
        ("param_in", "body"),
        ("param_type", "string"),
        ("param_required", "no"),
        ("param_description", "Retry counter"),
        ("param_example", "1"),
        ("request_example", OTP_REQUEST),
        ("success_status", "200"),
        ("success_example", success_example),
        ("error_status", "400"),
        ("error_code", "ERR002"),
        ("error_description", "Invalid mobile number"),
        ("error_example", OTP_ERROR),
    ]
}

pub async fn save_endpoint(
    partner: &Browser,
    id: Uuid,
    endpoint: Uuid,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let path = format!("/integrations/{id}/endpoints/{endpoint}");
    let version = current_version(partner, &path, &path).await;
    let mut all = vec![("version", version.as_str()), ("action", "save")];
    all.extend_from_slice(fields);
    partner.post_form(&path, &all).await
}

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
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
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

    // Converting gives strict JSON back in the form, unsaved; saving it completes the endpoint.
    let mut convert = otp_endpoint_fields(OTP_SUCCESS_AS_TYPED);
    convert.retain(|(k, _)| *k != "action");
    let version = current_version(&partner, &endpoint_page, &endpoint_page).await;
    let mut fields = vec![
        ("version", version.as_str()),
        ("action", "convert:success_example"),
    ];
    fields.extend_from_slice(&convert);
    let html = partner
        .post_form(&endpoint_page, &fields)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        unescape(&html).contains("\"status\": \"success\""),
        "{html}"
    );

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
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
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

    // "Replace with placeholders" shows the form again with the token replaced.
    let path = format!("/integrations/{id}/endpoints/{endpoint}");
    let version = current_version(&partner, &path, &path).await;
    let mut redact = vec![("version", version.as_str()), ("action", "redact")];
    redact.extend_from_slice(&fields);
    let html = partner
        .post_form(&path, &redact)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        unescape(&html).contains("value=\"Bearer <<jwt>>\""),
        "{html}"
    );

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
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
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
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
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
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("100 to 599"));

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

#[sqlx::test]
async fn the_integration_page_runs_the_same_queries_for_1_or_50_endpoints(db: PgPool) {
    query_count::install();
    partner_portal::db::prepare(&db).await.unwrap();
    let small = partner_portal::seed::run(&db, 1, 1)
        .await
        .unwrap()
        .integrations[0];
    let large = partner_portal::seed::run(&db, 1, 50)
        .await
        .unwrap()
        .integrations[0];
    let app = TestApp::spawn(db).await;
    let partner = app
        .signed_in(partner_portal::seed::LOGIN, partner_portal::seed::PASSWORD)
        .await;
    // Warm the session and the pool's prepared statements, so only the page's own work is counted.
    for _ in 0..3 {
        partner.page(&format!("/integrations/{small}")).await;
        partner.page(&format!("/integrations/{large}")).await;
    }

    let mut counts = Vec::new();
    for (id, marker) in [
        (small, "API 1 to generate OTP"),
        (large, "API 50 to generate OTP"),
    ] {
        let request = Uuid::new_v4().to_string();
        let response = partner
            .client
            .get(partner.url(&format!("/integrations/{id}")))
            .header("x-request-id", &request)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.text().await.unwrap().contains(marker));
        counts.push(query_count::of(&request));
    }
    assert!(counts[0] > 0, "the counter sees the server's queries");
    assert_eq!(
        counts[0], counts[1],
        "queries per page must not grow with endpoints"
    );
    assert!(counts[1] <= 12, "{} queries for one page", counts[1]);
}

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
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("at most 100 rows"));
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
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
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
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
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
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
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
    assert!(
        text.contains(OTP_REQUEST)
            && text.contains("https://apisit.xyz.com/pchflih/otp/v1/generateOTP")
    );
    assert!(text.contains("17 of 17 required items complete in this revision"));

    // Something never submitted has no revision to review.
    let (_, draft) = partner_with_integration(&app, "Other Bank", "sam@other.example").await;
    assert_eq!(
        reviewer.get(&format!("/review/{draft}")).await.status(),
        StatusCode::NOT_FOUND
    );
}
