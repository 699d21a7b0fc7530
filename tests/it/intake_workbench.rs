//! The workbench's server side, over HTTP without JavaScript: table rows added, removed and
//! replaced from `Name: value` lines without saving; a refused plain post answered with the page's
//! own address (a reload does not post again); duplicating an endpoint; the company's partner code
//! offered; and a submission with open reviewer comments confirmed first.

use reqwest::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::{
    add_endpoint, attributes, complete_otp, current_version, partner_with_integration, texts,
};
use crate::helpers::*;

async fn post_endpoint(
    partner: &Browser,
    id: Uuid,
    endpoint: Uuid,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let path = format!("/integrations/{id}/endpoints/{endpoint}");
    let version = current_version(partner, &path, &path).await;
    let mut all = vec![("version", version.as_str())];
    all.extend_from_slice(fields);
    partner.post_form(&path, &all).await
}

fn values(html: &str, name: &str) -> Vec<String> {
    attributes(html, &format!("input[name={name}]"))
        .into_iter()
        .map(|a| a.get("value").cloned().unwrap_or_default())
        .collect()
}

#[sqlx::test]
async fn table_rows_are_added_removed_and_pasted_without_a_save_and_without_javascript(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Rows Co", "dev@rows.example").await;
    let endpoint = add_endpoint(&partner, id, "Pay", "POST", "/pay").await;
    let page = format!("/integrations/{id}/endpoints/{endpoint}");
    let (_, html) = partner.page(&page).await;
    assert_eq!(
        values(&html, "header_name"),
        [""],
        "one blank row, no placeholder rows"
    );
    assert!(!html.contains("placeholder=\"Content-Type\""));

    // "Edit as text": two headers pasted as lines, shown unsaved, then added to and trimmed.
    let response = post_endpoint(
        &partner,
        id,
        endpoint,
        &[
            ("name", "Pay"),
            ("method", "POST"),
            ("path", "/pay"),
            ("action", "bulk:header"),
            (
                "bulk_header",
                "Authorization: Bearer <<token>>\n// off: 1\nContent-Type: application/json",
            ),
        ],
    )
    .await;
    let html = partner.refused(response).await;
    assert_eq!(
        values(&html, "header_name"),
        ["Authorization", "Content-Type", ""]
    );
    assert_eq!(
        values(&html, "header_value"),
        ["Bearer <<token>>", "application/json", ""]
    );
    assert!(
        html.contains("not saved yet"),
        "the partner is told nothing is saved yet"
    );
    let stored: String = sqlx::query_scalar("SELECT spec->>'headers' FROM endpoints WHERE id = $1")
        .bind(endpoint)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(stored, "[]", "a table edit saves nothing");
    // A reload shows the saved page: the kept form was shown once.
    let (_, again) = partner.page(&page).await;
    assert_eq!(values(&again, "header_name"), [""]);

    let rows = [
        ("name", "Pay"),
        ("method", "POST"),
        ("path", "/pay"),
        ("header_name", "Authorization"),
        ("header_value", "Bearer <<token>>"),
        ("header_name", "Content-Type"),
        ("header_value", "application/json"),
    ];
    let mut add = rows.to_vec();
    add.push(("action", "add_row:header"));
    let html = partner
        .refused(post_endpoint(&partner, id, endpoint, &add).await)
        .await;
    assert_eq!(
        values(&html, "header_name"),
        ["Authorization", "Content-Type", "", ""]
    );
    assert_eq!(
        attributes(&html, "input[name=header_name][autofocus]").len(),
        1,
        "the new row takes the focus"
    );
    let mut remove = rows.to_vec();
    remove.push(("action", "remove_row:header:0"));
    let html = partner
        .refused(post_endpoint(&partner, id, endpoint, &remove).await)
        .await;
    assert_eq!(values(&html, "header_name"), ["Content-Type", ""]);
    // A table this form does not have is not found.
    let mut wrong = rows.to_vec();
    wrong.push(("action", "remove_row:nonsense:0"));
    let response = post_endpoint(&partner, id, endpoint, &wrong).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // The same on the integration page: status codes pasted as CODE: message.
    let version = current_version(
        &partner,
        &format!("/integrations/{id}"),
        &format!("/integrations/{id}/sections/status_codes"),
    )
    .await;
    let response = partner
        .post_form(
            &format!("/integrations/{id}/sections/status_codes"),
            &[
                ("version", version.as_str()),
                ("action", "bulk:sc"),
                (
                    "bulk_sc",
                    "SUCC001: Request Successful\nERR001: Request Failed",
                ),
            ],
        )
        .await;
    assert_eq!(
        location(&response),
        format!("/integrations/{id}#section-status_codes")
    );
    let html = partner.refused(response).await;
    assert_eq!(values(&html, "sc_code"), ["SUCC001", "ERR001", ""]);
}

#[sqlx::test]
async fn a_refused_plain_save_is_shown_at_the_page_address_and_a_reload_does_not_post_again(
    db: PgPool,
) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Reload Co", "dev@reload.example").await;
    let endpoint = add_endpoint(&partner, id, "Pay", "POST", "/pay").await;
    let response = post_endpoint(
        &partner,
        id,
        endpoint,
        &[
            ("name", "Pay"),
            ("method", "POST"),
            ("path", "/pay"),
            ("success_example", "{\"ok\": tru}"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!("/integrations/{id}/endpoints/{endpoint}#endpoint-form")
    );
    let html = unescape(&partner.refused(response).await);
    assert!(html.contains("{\"ok\": tru}"), "the typed text is kept");
    assert!(
        !texts(&html, ".field-error").is_empty(),
        "with its message beside it"
    );
    assert!(
        html.contains("data-unsaved=\"true\""),
        "and marked unsaved for the guard"
    );
    // Reloading the page's own address shows what is saved; nothing is posted again.
    let (status, again) = partner
        .page(&format!("/integrations/{id}/endpoints/{endpoint}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!unescape(&again).contains("tru}"));
}

#[sqlx::test]
async fn an_endpoint_is_duplicated_and_the_company_partner_code_is_offered(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Copy Co", "dev@copy.example").await;
    sqlx::query("UPDATE companies SET partner_code = 'COPYCO' WHERE name = 'Copy Co'")
        .execute(&db)
        .await
        .unwrap();
    let endpoint = add_endpoint(&partner, id, "Pay", "POST", "/pay").await;
    let response = partner
        .post_form(
            &format!("/integrations/{id}/endpoints/{endpoint}/duplicate"),
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let copy = location(&response);
    assert_ne!(copy, format!("/integrations/{id}/endpoints/{endpoint}"));
    let (_, html) = partner.page(&copy).await;
    assert!(
        html.contains("value=\"Pay (copy)\""),
        "the copy is named as one"
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM endpoints WHERE integration_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(count, 2);
    // Another company's endpoint is not found.
    let (stranger, _) = partner_with_integration(&app, "Other Co", "dev@other.example").await;
    let response = stranger
        .post_form(
            &format!("/integrations/{id}/endpoints/{endpoint}/duplicate"),
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    assert_eq!(
        values(&html, "partner_code"),
        ["COPYCO"],
        "the field starts with the company's code"
    );
    assert!(html.contains("Haptik set your company's partner code"));
}

#[sqlx::test]
async fn submitting_with_open_reviewer_comments_asks_for_a_tick_first(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, endpoint) = complete_otp(&app).await;
    let reviewer_id = create_user(
        &db,
        "rev@haptik.example",
        partner_portal::accounts::Role::Reviewer,
        None,
    )
    .await;
    sqlx::query(
        "INSERT INTO comments (id, integration_id, revision, endpoint_id, item, author_id, body, state, published)
         VALUES ($1, $2, 1, $3, 'errors', $4, 'Add the 401 case.', 'open', true)",
    )
    .bind(Uuid::new_v4())
    .bind(id)
    .bind(endpoint)
    .bind(reviewer_id)
    .execute(&db)
    .await
    .unwrap();

    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    assert!(
        html.contains("id=\"todo\""),
        "a to-do list of open comments"
    );
    assert!(html.contains(&format!("/integrations/{id}/endpoints/{endpoint}#note-")));
    let (_, dashboard) = partner.page("/").await;
    assert!(dashboard.contains(&format!("href=\"/integrations/{id}#todo\"")));

    let submit = format!("/integrations/{id}/submit");
    let response = partner.post_form(&submit, &[]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("1 reviewer comment is still open")
    );
    let response = partner
        .post_form(&submit, &[("despite_open_comments", "1")])
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "a tick submits it"
    );
    let status: String = sqlx::query_scalar("SELECT status FROM integrations WHERE id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(status, "submitted");
}

#[sqlx::test]
async fn headers_set_once_on_the_integration_are_inherited_shown_overridable_and_exported(
    db: PgPool,
) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Defaults Co", "dev@defaults.example").await;
    let version = current_version(
        &partner,
        &format!("/integrations/{id}"),
        &format!("/integrations/{id}/sections/defaults"),
    )
    .await;
    let response = partner
        .post_form(
            &format!("/integrations/{id}/sections/defaults"),
            &[
                ("version", version.as_str()),
                ("dh_name", "Content-Type"),
                ("dh_value", "application/json"),
                ("dh_name", "Authorization"),
                ("dh_value", "Bearer <<token>>"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let plain = add_endpoint(&partner, id, "Pay", "POST", "/pay").await;
    let own = add_endpoint(&partner, id, "Upload", "POST", "/upload").await;

    // Shown as inherited, and enough for the Headers item.
    let (_, html) = partner
        .page(&format!("/integrations/{id}/endpoints/{plain}"))
        .await;
    assert_eq!(
        texts(&html, "tr.inherited code").len(),
        4,
        "both defaults, name and value"
    );
    assert!(
        texts(&html, "#endpoint-progress .item-done")
            .iter()
            .any(|t| t.contains("Headers"))
    );

    // An endpoint's own header of the same name replaces the default there.
    let response = post_endpoint(
        &partner,
        id,
        own,
        &[
            ("name", "Upload"),
            ("method", "POST"),
            ("path", "/upload"),
            ("action", "save"),
            ("header_name", "content-type"),
            ("header_value", "multipart/form-data"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = partner
        .page(&format!("/integrations/{id}/endpoints/{own}"))
        .await;
    assert_eq!(
        texts(&html, "tr.inherited code"),
        ["Authorization", "Bearer <<token>>"]
    );
    // Stored on the endpoint: only its own header.
    let stored: serde_json::Value =
        sqlx::query_scalar("SELECT spec->'headers' FROM endpoints WHERE id = $1")
            .bind(own)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        stored,
        serde_json::json!([{"name": "content-type", "value": "multipart/form-data"}])
    );

    // Exported on every operation, as a request sends them.
    let response = partner
        .get(&format!("/integrations/{id}/export/openapi.json"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    let pay = &doc["paths"]["/pay"]["post"];
    let upload = &doc["paths"]["/upload"]["post"];
    let text = |v: &serde_json::Value| v.to_string();
    assert!(text(pay).contains("application/json"), "{pay}");
    assert!(
        !text(upload).contains("application/json\""),
        "the override wins: {upload}"
    );
}
