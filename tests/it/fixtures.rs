//! The fixtures every area's tests share: the sample OTP API from REQUIREMENTS.md, typed into the
//! forms as a partner would, and the HTML readers (by CSS selector) the tests check pages with.

use partner_portal::accounts::Role;
use reqwest::StatusCode;
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

/// "n of m required items complete" as the integration or endpoint page shows it: the
/// `<progress>` bar's value and max.
pub async fn progress(browser: &Browser, path: &str) -> (usize, usize) {
    let (status, html) = browser.page(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    let bar = &attributes(&html, "progress#overall-progress, progress#endpoint-bar")[0];
    let label = texts(
        &html,
        "label[for=overall-progress], label[for=endpoint-bar]",
    );
    let (done, total) = (bar["value"].parse().unwrap(), bar["max"].parse().unwrap());
    assert_eq!(
        label,
        [format!("{done} of {total} required items complete")],
        "the label says what the bar shows"
    );
    (done, total)
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
    let selector = format!("form[action=\"{action}\"] input[name=version]");
    let found = attributes(&html, &selector);
    let version = found
        .first()
        .unwrap_or_else(|| panic!("no form for {action}"));
    version["value"].clone()
}

/// The text of each element `css` selects, whitespace collapsed.
pub fn texts(html: &str, css: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(css).unwrap_or_else(|_| panic!("bad selector {css}"));
    document
        .select(&selector)
        .map(|element| element.text().collect::<Vec<_>>().join(" "))
        .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The attributes of each element `css` selects.
pub fn attributes(html: &str, css: &str) -> Vec<std::collections::HashMap<String, String>> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(css).unwrap_or_else(|_| panic!("bad selector {css}"));
    document
        .select(&selector)
        .map(|element| {
            element
                .value()
                .attrs()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect()
        })
        .collect()
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

/// A partner's complete OTP integration with two endpoints, not submitted yet; the generate
/// endpoint's id.
pub async fn complete_otp(app: &TestApp) -> (Browser, Uuid, Uuid) {
    let (partner, id) = partner_with_integration(app, "XYZ Finance", "ravi@xyz.example").await;
    fill_otp_sections(&partner, id).await;
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
    let verify = add_endpoint(
        &partner,
        id,
        "Verify OTP",
        "POST",
        "/pchflih/otp/v1/verifyOTP",
    )
    .await;
    let mut fields = otp_endpoint_fields(strict);
    fields[0] = ("name", "Verify OTP");
    fields[3] = ("path", "/pchflih/otp/v1/verifyOTP");
    save_endpoint(&partner, id, verify, &fields).await;
    (partner, id, endpoint)
}

/// The same, submitted as revision 1.
pub async fn submitted(app: &TestApp) -> (Browser, Uuid, Uuid) {
    let (partner, id, endpoint) = complete_otp(app).await;
    let response = partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    (partner, id, endpoint)
}

/// Grows the integration to 20 endpoints (copies of one), as a partner with many APIs would.
pub async fn grow_to_twenty(db: &sqlx::PgPool, id: Uuid, endpoint: Uuid) {
    let (spec, author): (
        sqlx::types::Json<partner_portal::domain::model::EndpointSpec>,
        Uuid,
    ) = sqlx::query_as("SELECT spec, updated_by FROM endpoints WHERE id = $1")
        .bind(endpoint)
        .fetch_one(db)
        .await
        .unwrap();
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM endpoints WHERE integration_id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap();
    let mut conn = db.acquire().await.unwrap();
    for n in count + 1..=20 {
        let mut copy = spec.0.clone();
        copy.name = format!("{} {n}", spec.0.name);
        copy.path = format!("{}/{n}", spec.0.path);
        partner_portal::intake::store::add_endpoint(&mut conn, id, &copy, author)
            .await
            .unwrap();
    }
}

/// A queue of `submissions` seeded by `seed::queue` over `reviewers` reviewers, an instance on it,
/// and the first seeded reviewer signed in; SQL statements are counted by request id.
pub async fn seeded_queue(
    db: &sqlx::PgPool,
    submissions: usize,
    reviewers: usize,
) -> (TestApp, Browser) {
    query_count::install();
    partner_portal::db::prepare(db).await.unwrap();
    partner_portal::seed::queue(db, submissions, reviewers)
        .await
        .unwrap();
    let app = TestApp::spawn(db.clone()).await;
    let reviewer = app
        .signed_in(
            partner_portal::seed::REVIEWER_LOGIN,
            partner_portal::seed::PASSWORD,
        )
        .await;
    (app, reviewer)
}
