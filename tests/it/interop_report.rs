//! What an import could not take is named in the preview, by JSON pointer or Postman item, before
//! anything is written; what it guessed (examples made from a schema, codes read from a body) is
//! marked for the partner, counts as missing until confirmed, and is confirmed on the endpoint page.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::{partner_with_integration, texts};
use crate::helpers::*;
use crate::interop_import::{endpoint_specs, fixtures, import};

fn fixture(folder: &str, name: &str) -> String {
    fixtures(folder)
        .into_iter()
        .find(|(file, _)| file == name)
        .unwrap_or_else(|| panic!("{folder}/{name} is missing"))
        .1
}

async fn authentication(db: &PgPool, id: Uuid) -> Value {
    sqlx::query_scalar(
        "SELECT data FROM integration_sections WHERE integration_id = $1 AND section = 'authentication'",
    )
    .bind(id)
    .fetch_one(db)
    .await
    .unwrap()
}

/// The endpoint form as the page would send it back unchanged.
fn unchanged_form(spec: &Value) -> Vec<(String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let mut fields: Vec<(String, String)> = [
        "name",
        "purpose",
        "method",
        "path",
        "body_format",
        "response_format",
        "non_json_reason",
        "request_example",
        "success_status",
        "success_example",
    ]
    .iter()
    .map(|key| (key.to_string(), text(&spec[key])))
    .collect();
    for h in spec["headers"].as_array().unwrap() {
        fields.push(("header_name".into(), text(&h["name"])));
        fields.push(("header_value".into(), text(&h["value"])));
    }
    for p in spec["parameters"].as_array().unwrap() {
        fields.push(("param_name".into(), text(&p["name"])));
        fields.push(("param_in".into(), text(&p["location"])));
        fields.push(("param_type".into(), text(&p["kind"])));
        let required = if p["required"] == true { "yes" } else { "no" };
        fields.push(("param_required".into(), required.into()));
        fields.push(("param_description".into(), text(&p["description"])));
        fields.push(("param_example".into(), text(&p["example"])));
    }
    for e in spec["errors"].as_array().unwrap() {
        fields.push(("error_status".into(), text(&e["http_status"])));
        fields.push(("error_code".into(), text(&e["partner_code"])));
        fields.push(("error_description".into(), text(&e["description"])));
        fields.push(("error_example".into(), text(&e["example"])));
    }
    fields
}

#[sqlx::test]
async fn the_preview_names_what_is_not_imported_and_guesses_wait_for_the_partner(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Verify Co", "dev@verify.example").await;
    let document = fixture("openapi", "handmade-shapes.yaml");

    let preview = import(&partner, id, &document, "preview").await;
    assert_eq!(preview.status(), StatusCode::OK);
    let html = unescape(&preview.text().await.unwrap());
    for said in [
        "#/components/securitySchemes/OAuth2ClientCredentials: a second scheme, OAuth 2 (clientCredentials), is used by POST /documents",
        "#/paths/~1verifications~1{verificationId}/get/responses/404: its $ref #/components/responses/DoesNotExist points nowhere",
        "#/paths/~1verifications/get/responses/203: a second success response (203)",
        "#/paths/~1verifications~1{verificationId}/get/responses/302: not imported: a 302 redirect",
        "#/paths/~1verifications/post/callbacks: callbacks (verificationStatus)",
        "#/paths/~1documents/post/servers: “Upload a KYC document (file server, OAuth2 only)” is served from https://files.example.com/v1",
        "#/paths/~1reports~1{reportId}/put/responses/200/content/application~1xml: no application/xml example",
    ] {
        assert!(html.contains(said), "the preview says {said}\n{html}");
    }
    assert!(
        endpoint_specs(&db, id).await.is_empty(),
        "a preview writes nothing"
    );

    let applied = import(&partner, id, &document, "apply").await;
    assert_eq!(applied.status(), StatusCode::SEE_OTHER);
    let specs = endpoint_specs(&db, id).await;
    let by_name = |name: &str| -> Value {
        specs
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    // The operation's own security wins over the document's.
    let upload = by_name("Upload a KYC document (file server, OAuth2 only)");
    assert_eq!(upload["headers"][0]["value"], "Bearer <<token>>");
    assert_eq!(upload["body_format"], "multipart");
    let start = by_name("Start a phone verification (send an OTP)");
    assert_eq!(start["headers"][0]["name"], "X-API-Key");
    assert_eq!(start["body_format"], "form");
    // A code in the operation's own example is read, and marked for the partner to check; the
    // shared Error schema's example gives its code to no scenario.
    let codes: Vec<(&str, &str)> = start["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["http_status"].as_str().unwrap(),
                e["partner_code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(codes, [("400", "E42"), ("401", ""), ("429", "")]);
    let marks: Vec<&str> = start["unconfirmed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert_eq!(
        marks,
        ["error_code_0", "error_example_1", "error_example_2"]
    );

    let sections = authentication(&db, id).await;
    assert_eq!(sections["scheme"], "api_key");
    assert!(
        sections["steps"]
            .as_str()
            .unwrap()
            .contains("Get an access token from https://auth.example.com/oauth/token"),
        "{sections}"
    );

    // A success example made from the schema counts as missing until the partner confirms it.
    let fetch = by_name("Fetch a verification");
    let endpoint: Uuid = sqlx::query_scalar(
        "SELECT id FROM endpoints WHERE integration_id = $1 AND spec->>'name' = 'Fetch a verification'",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    let page = format!("/integrations/{id}/endpoints/{endpoint}");
    let (_, html) = partner.page(&page).await;
    let html = unescape(&html);
    assert!(
        html.contains("The import made this example from the file's schema"),
        "the checklist says why the example is not done"
    );
    assert_eq!(
        texts(&html, "p.unconfirmed").len(),
        1,
        "one mark, beside the success example"
    );
    let mut form = unchanged_form(&fetch);
    form.push(("confirm".into(), "success_example".into()));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = crate::fixtures::save_endpoint(&partner, id, endpoint, &fields).await;
    assert_eq!(
        saved.status(),
        StatusCode::SEE_OTHER,
        "{}",
        saved.text().await.unwrap()
    );
    let stored: Value = sqlx::query_scalar("SELECT spec FROM endpoints WHERE id = $1")
        .bind(endpoint)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(stored.get("unconfirmed").is_none(), "{stored}");
    assert_eq!(
        stored["success_example"], fetch["success_example"],
        "kept as it was"
    );
    let (_, html) = partner.page(&page).await;
    assert!(texts(&html, "p.unconfirmed").is_empty());
    assert!(!unescape(&html).contains("The import made this example from the file's schema"));
}

#[sqlx::test]
async fn a_collection_names_other_hosts_and_saved_responses_it_did_not_keep(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Shop Co", "dev@shop.example").await;
    let collection = fixture("postman", "handmade-shapes.postman_collection.json");
    let preview = import(&partner, id, &collection, "preview").await;
    let html = unescape(&preview.text().await.unwrap());
    assert!(
        html.contains(
            "Other hosts / Ping other host: its host https://other.example.com is not the base URL the other requests use (https://api.example.com)"
        ),
        "{html}"
    );
    import(&partner, id, &collection, "apply").await;
    let specs = endpoint_specs(&db, id).await;
    let create = specs
        .iter()
        .find(|s| s["name"] == "Orders / Create order")
        .unwrap();
    let codes: Vec<&str> = create["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["partner_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["INVALID_REQUEST", "E1001", "invalid_token"]);
    assert_eq!(
        create["unconfirmed"],
        serde_json::json!(["error_code_0", "error_code_1", "error_code_2"])
    );
}

/// Posts the import form with the values the partner ticked as not secrets.
async fn import_keeping(
    partner: &Browser,
    id: Uuid,
    text: &str,
    keep: &[&str],
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new()
        .text("csrf_token", partner.csrf_token().await)
        .text("text", text.to_string())
        .text("action", "apply");
    for key in keep {
        form = form.text("keep", key.to_string());
    }
    partner
        .client
        .post(partner.url(&format!("/integrations/{id}/import")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn each_replaced_value_is_named_and_the_partner_can_keep_one_that_is_not_a_secret(
    db: PgPool,
) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Pay Co", "dev@pay.example").await;
    let document = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "Pay", "version": "1"},
        "paths": {"/charges": {"post": {
            "summary": "Create a charge",
            "requestBody": {"content": {"application/json": {"example": {
                "amount": 100,
                "api_key": "sk_live_51H8s9dKf02jdL9sd8f7GhQ2mZ0pX4"
            }}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"example": {
                "id": "ch_3MmlLrLkdIwHu7ix0snN0B15",
                "receipt": "rcpt0123456789abcdef0123456789abcdef99"
            }}}}}
        }}}
    })
    .to_string();
    let preview = import(&partner, id, &document, "preview").await;
    let html = unescape(&preview.text().await.unwrap());
    let keep: Vec<String> =
        crate::fixtures::attributes(&html, "#replaced-secrets input[name=keep]")
            .into_iter()
            .map(|a| a["value"].clone())
            .collect();
    assert_eq!(keep, ["0/request_example", "0/success_example"], "{html}");
    assert!(html.contains(
        "It is not a secret: “Create a charge”, success example: <code>rcpt…ef99</code> (looked like a long random key)"
    ), "the value is shown for the partner to judge");

    // The receipt number is public; the live key is not.
    let applied = import_keeping(&partner, id, &document, &["0/success_example"]).await;
    assert_eq!(applied.status(), StatusCode::SEE_OTHER);
    let spec = &endpoint_specs(&db, id).await[0];
    let request = spec["request_example"].as_str().unwrap();
    assert!(
        request.contains("\"api_key\": \"<<api_key>>\""),
        "{request}"
    );
    let success = spec["success_example"].as_str().unwrap();
    assert!(
        success.contains("rcpt0123456789abcdef0123456789abcdef99"),
        "{success}"
    );
    assert!(
        success.contains("ch_3MmlLrLkdIwHu7ix0snN0B15"),
        "an id is never a secret"
    );
}

/// The file's own schemas are kept: the export describes the bodies with them, an example they
/// refuse is a warning beside the field (and kept out of the export's checked examples), and an
/// edit on the endpoint page keeps them.
#[sqlx::test]
async fn source_schemas_are_kept_exported_and_check_the_examples(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Disputes Co", "dev@disputes.example").await;
    let document = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "Disputes", "version": "1"},
        "paths": {"/disputes/{id}/escalate": {"post": {
            "summary": "Escalate a dispute",
            "parameters": [{"name": "id", "in": "path", "required": true,
                            "schema": {"type": "string", "pattern": "^PP-D-[0-9]+$"}}],
            "requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Escalate"},
                "example": {"reason": "Escalating to a claim."}
            }}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"status": {"type": "string", "nullable": true}}},
                "example": {"status": null}
            }}}}
        }}},
        "components": {"schemas": {"Escalate": {
            "type": "object", "required": ["note"],
            "properties": {"note": {"type": "string", "maxLength": 2000}, "reason": {"type": "string"}}
        }}}
    })
    .to_string();
    import(&partner, id, &document, "apply").await;
    let spec = endpoint_specs(&db, id).await.remove(0);
    assert_eq!(
        spec["schemas"]["request"]["required"],
        serde_json::json!(["note"])
    );
    assert_eq!(
        spec["schemas"]["success"]["properties"]["status"]["type"],
        serde_json::json!(["string", "null"]),
        "3.0's nullable, as 3.1 writes it"
    );

    let endpoint: Uuid = sqlx::query_scalar("SELECT id FROM endpoints WHERE integration_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    let page = format!("/integrations/{id}/endpoints/{endpoint}");
    let (_, html) = partner.page(&page).await;
    let warnings = texts(&unescape(&html), "p.schema-warning");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("\"note\" is a required property"),
        "{warnings:?}"
    );

    // Saved unchanged: the schemas stay; the warning does not stop the save.
    let form = unchanged_form(&spec);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = crate::fixtures::save_endpoint(&partner, id, endpoint, &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let stored = endpoint_specs(&db, id).await.remove(0);
    assert_eq!(stored["schemas"], spec["schemas"]);

    let (_, _, exported) =
        crate::interop::download(&partner, &format!("/integrations/{id}/export/openapi.json"))
            .await;
    let doc: Value = serde_json::from_slice(&exported).unwrap();
    let operation = &doc["paths"]["/disputes/{id}/escalate"]["post"];
    let body = &operation["requestBody"]["content"]["application/json"];
    assert_eq!(body["schema"]["required"], serde_json::json!(["note"]));
    assert!(body.get("example").is_none(), "{body}");
    assert_eq!(body["x-example"]["reason"], "Escalating to a claim.");
    assert!(body["x-example-problem"].as_str().unwrap().contains("note"));
    assert_eq!(
        operation["parameters"][0]["schema"]["pattern"],
        "^PP-D-[0-9]+$"
    );
    assert_eq!(
        operation["responses"]["200"]["content"]["application/json"]["example"],
        serde_json::json!({"status": null})
    );
}

/// A request that authenticates otherwise than the rest keeps its own scheme in both exports,
/// OAuth 2 client credentials are exported with their token URL, and the Postman export's auth
/// comes back as the same authentication on import.
#[sqlx::test]
async fn each_request_keeps_its_scheme_through_both_exports(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Orders Co", "dev@orders.example").await;
    let collection = fixture("postman", "handmade-shapes.postman_collection.json");
    import(&partner, id, &collection, "apply").await;

    let (_, _, openapi) =
        crate::interop::download(&partner, &format!("/integrations/{id}/export/openapi.json"))
            .await;
    let doc: Value = serde_json::from_slice(&openapi).unwrap();
    assert_eq!(doc["security"], serde_json::json!([{"apiKeyAuth": []}]));
    let create = &doc["paths"]["/v2/orders"]["post"];
    assert_eq!(create["security"], serde_json::json!([{"bearerAuth": []}]));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    assert!(doc["paths"]["/v2/orders"]["get"].get("security").is_none());

    let (_, _, postman) =
        crate::interop::download(&partner, &format!("/integrations/{id}/export/postman.json"))
            .await;
    let exported: Value = serde_json::from_slice(&postman).unwrap();
    assert_eq!(exported["auth"]["type"], "apikey");
    let requests: Vec<&Value> = exported["item"].as_array().unwrap().iter().collect();
    let create = requests
        .iter()
        .find(|i| i["name"] == "Orders / Create order")
        .unwrap();
    assert_eq!(create["request"]["auth"]["type"], "bearer");

    let copy = crate::interop_import::new_integration(&partner, "Orders via Postman").await;
    import(
        &partner,
        copy,
        &String::from_utf8(postman).unwrap(),
        "apply",
    )
    .await;
    let auth = authentication(&db, copy).await;
    assert_eq!(auth["scheme"], "api_key");
    let specs = endpoint_specs(&db, copy).await;
    let create = specs
        .iter()
        .find(|s| s["name"] == "Orders / Create order")
        .unwrap();
    assert_eq!(create["headers"][0]["value"], "Bearer <<token>>");

    // PayPal's disputes API authenticates every operation with OAuth 2 client credentials.
    let paypal = crate::interop_import::new_integration(&partner, "Disputes").await;
    let document = fixture("openapi", "paypal_customer_disputes_v1.json");
    import(&partner, paypal, &document, "apply").await;
    let (_, _, openapi) = crate::interop::download(
        &partner,
        &format!("/integrations/{paypal}/export/openapi.json"),
    )
    .await;
    let doc: Value = serde_json::from_slice(&openapi).unwrap();
    assert_eq!(
        doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["tokenUrl"],
        "https://api-m.sandbox.paypal.com/v1/oauth2/token"
    );
    assert_eq!(doc["security"], serde_json::json!([{"oauth2": []}]));
}
