//! Importing OpenAPI and Postman files: round trips, foreign files, hostile files, real public documents.

use crate::helpers::*;
use crate::interop::*;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use std::path::Path;
use uuid::Uuid;

/// Posts the import form as a browser does (multipart), with or without the page's CSRF token.
pub(crate) async fn import(
    browser: &Browser,
    id: Uuid,
    text: &str,
    action: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", browser.csrf_token().await)
        .text("text", text.to_string())
        .text("action", action.to_string());
    browser
        .client
        .post(browser.url(&format!("/integrations/{id}/import")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn endpoint_specs(db: &PgPool, id: Uuid) -> Vec<Value> {
    sqlx::query_scalar("SELECT spec FROM endpoints WHERE integration_id = $1 ORDER BY position")
        .bind(id)
        .fetch_all(db)
        .await
        .unwrap()
}

pub(crate) async fn new_integration(partner: &Browser, name: &str) -> Uuid {
    let response = partner
        .post_form("/integrations", &[("name", name), ("purpose", "")])
        .await;
    location(&response)
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[sqlx::test]
async fn exporting_then_importing_gives_back_the_same_integration(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id, _) = submitted(&app).await;
    let (_, _, exported) =
        download(&partner, &format!("/integrations/{id}/export/openapi.yaml")).await;
    let exported = String::from_utf8(exported).unwrap();
    let copy = new_integration(&partner, "OTP copy").await;

    // The preview says what will happen and writes nothing.
    let response = import(&partner, copy, &exported, "preview").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = unescape(&response.text().await.unwrap());
    assert!(html.contains("Read as OpenAPI 3.1.0"), "{html}");
    assert!(html.contains("2 new endpoints"));
    assert!(html.contains("/pchflih/otp/v1/generateOTP"));
    assert!(
        endpoint_specs(&db, copy).await.is_empty(),
        "nothing written before confirming"
    );

    let response = import(&partner, copy, &exported, "apply").await;
    assert_eq!(location(&response), format!("/integrations/{copy}"));
    assert_eq!(
        endpoint_specs(&db, copy).await,
        endpoint_specs(&db, id).await,
        "the same endpoints, field for field"
    );
    let sections = |integration: Uuid| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, Value>(
                "SELECT jsonb_object_agg(section, data) FROM integration_sections WHERE integration_id = $1",
            )
            .bind(integration)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    assert_eq!(
        sections(copy).await,
        sections(id).await,
        "the same sections"
    );
    let (_, page) = partner.page(&format!("/integrations/{copy}")).await;
    assert!(
        page.contains("26 of 26 required items complete"),
        "complete after the import"
    );

    // Or straight into a new integration, named after the file's title.
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", partner.csrf_token().await)
        .text("text", exported.clone())
        .text("action", "apply");
    let response = partner
        .client
        .post(partner.url("/integrations/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let created: Uuid = location(&response)
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        endpoint_specs(&db, created).await,
        endpoint_specs(&db, id).await
    );
    let name: String = sqlx::query_scalar("SELECT name FROM integrations WHERE id = $1")
        .bind(created)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(name, "OTP APIs");

    // Importing again updates in place: no duplicates.
    let response = import(&partner, copy, &exported, "preview").await;
    let html = unescape(&response.text().await.unwrap());
    assert!(html.contains("Nothing would change"), "{html}");
    import(&partner, copy, &exported, "apply").await;
    assert_eq!(endpoint_specs(&db, copy).await.len(), 2);
}

#[sqlx::test]
async fn a_foreign_openapi_file_fills_the_gaps_and_says_what_it_left_out(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let document = r##"
openapi: 3.0.3
info: {title: Orders, version: "1"}
servers:
  - url: https://sandbox.shop.example/v1
    description: Sandbox
  - url: https://api.shop.example/v1
    description: Production
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer, description: "POST /token first."}
  schemas:
    Order:
      type: object
      required: [id]
      properties:
        id: {type: integer, example: 7}
        note: {type: string}
        parent: {$ref: "#/components/schemas/Order"}
security: [{bearer: []}]
paths:
  /orders/{orderId}:
    parameters:
      - {name: orderId, in: path, required: true, schema: {type: integer}, example: 7}
    get:
      summary: Get an order
      parameters:
        - {name: session, in: cookie, schema: {type: string}}
      responses:
        "200":
          description: Found
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Order"}
        "404":
          description: No such order
          content:
            application/json:
              example: {status_code: ORD404, message: Not found}
        default: {description: Anything else}
  /orders:
    post:
      operationId: createOrder
      requestBody:
        content:
          application/json:
            schema: {$ref: "remote.yaml#/Order"}
      responses:
        "201": {description: Created}
"##;
    let response = import(&partner, id, document, "preview").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = unescape(&response.text().await.unwrap());
    for note in [
        "#/paths/~1orders~1{orderId}/get/parameters: the cookie parameter “session” has no place",
        "#/paths/~1orders~1{orderId}/get/responses/default: not imported: “default” names no HTTP status",
        "External reference remote.yaml#/Order was not imported",
        "#/paths/~1orders/post/responses/201: no success example",
    ] {
        assert!(html.contains(note), "{note} in {html}");
    }
    import(&partner, id, document, "apply").await;
    let specs = endpoint_specs(&db, id).await;
    let get = specs
        .iter()
        .find(|s| s["path"] == "/orders/{orderId}")
        .unwrap();
    assert_eq!(get["name"], "Get an order");
    assert_eq!(get["headers"][0]["value"], "Bearer <<token>>");
    assert_eq!(get["parameters"][0]["kind"], "integer");
    let success: Value = serde_json::from_str(get["success_example"].as_str().unwrap()).unwrap();
    assert_eq!(
        success["id"], 7,
        "an example made from the schema, cycle and all"
    );
    assert_eq!(get["errors"][0]["partner_code"], "ORD404");
    let environments: Value = sqlx::query_scalar(
        "SELECT data FROM integration_sections WHERE integration_id = $1 AND section = 'environments'",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        environments["staging_url"],
        "https://sandbox.shop.example/v1"
    );
    assert_eq!(
        environments["production_url"],
        "https://api.shop.example/v1"
    );
}

#[sqlx::test]
async fn bad_and_hostile_files_get_a_clear_message_and_change_nothing(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "XYZ Finance", "ravi@xyz.example").await;
    let cycle = "openapi: 3.1.0\ninfo: {title: c, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/A'}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n";
    let deep = format!(
        "{{\"openapi\": \"3.0.0\", \"x\": {}{}}}",
        "[".repeat(1000),
        "]".repeat(1000)
    );
    for (file, says, status) in [
        (
            "openapi: 3.0.0\ninfo:\n  title: [broken\n",
            "line",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "{\"hello\": 1}",
            "neither an OpenAPI 3 document",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            deep.as_str(),
            "nests deeper",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (cycle, "no success example", StatusCode::OK),
    ] {
        let response = import(&partner, id, file, "preview").await;
        assert_eq!(response.status(), status, "{says}");
        let html = unescape(&response.text().await.unwrap());
        assert!(html.contains(says), "{says}: {html}");
    }
    let big = format!("openapi: 3.0.0\nx: \"{}\"\n", "a".repeat(5 * 1024 * 1024));
    let response = import(&partner, id, &big, "preview").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("5 MiB"));
    assert!(endpoint_specs(&db, id).await.is_empty());

    // The form needs its CSRF token like any other, and another company's integration is not found.
    let no_token = reqwest::multipart::Form::new()
        .text("text", cycle)
        .text("action", "apply");
    let response = partner
        .client
        .post(partner.url(&format!("/integrations/{id}/import")))
        .multipart(no_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (stranger, _) = partner_with_integration(&app, "Other Bank", "sam@other.example").await;
    assert_eq!(
        import(&stranger, id, cycle, "apply").await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(endpoint_specs(&db, id).await.is_empty());
}

/// Every file in a fixture folder, with its text.
pub(crate) fn fixtures(folder: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(folder);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|_| panic!("{} is missing", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json" || e == "yaml"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_openapi_specifications_own_examples_import_without_error() {
    let files = fixtures("openapi");
    assert!(files.iter().any(|(name, _)| name == "petstore.yaml"));
    for (name, text) in files {
        let plan =
            partner_portal::interop::import::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let describes_paths =
            text.contains("paths") && !name.contains("webhook") && !name.contains("non-oauth");
        if describes_paths {
            assert!(
                !plan.endpoints.is_empty(),
                "{name} gave no endpoints: {:?}",
                plan.notes
            );
        }
        if name.starts_with("petstore.") {
            let list = plan
                .endpoints
                .iter()
                .find(|e| e.path == "/pets" && e.method.map(|m| m.as_str()) == Some("GET"))
                .unwrap();
            assert_eq!(list.name, "List all pets");
            assert!(list.parameters.iter().any(|p| p.name == "limit"));
            assert_eq!(
                plan.sections.environments.staging_url,
                "http://petstore.swagger.io/v1"
            );
        }
    }
}

/// Postman collections often hold several requests on one method and path ("Generate token" and
/// "Refresh token", both POST /oauth/token). Each stays its own endpoint: re-importing the same
/// file changes nothing and is never refused as a teammate's change; a changed file updates
/// exactly the endpoint that changed.
#[sqlx::test]
async fn requests_sharing_a_method_and_path_stay_apart_on_every_import(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "PayCo", "dev@payco.example").await;
    let collection = |refresh_example: &str| {
        serde_json::json!({
            "info": {"name": "PayCo", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "item": [{"name": "Auth", "item": [
                {"name": "Generate token from code", "request": {"method": "POST",
                    "url": "https://api.payco.example/oauth/token",
                    "body": {"mode": "raw", "raw": "{\"grant_type\": \"authorization_code\"}"}},
                 "response": [{"name": "ok", "code": 200, "body": "{\"access_token\": \"a\"}"}]},
                {"name": "Refresh token", "request": {"method": "POST",
                    "url": "https://api.payco.example/oauth/token",
                    "body": {"mode": "raw", "raw": "{\"grant_type\": \"refresh_token\"}"}},
                 "response": [{"name": "ok", "code": 200, "body": refresh_example}]}
            ]}]
        })
        .to_string()
    };
    let names = |specs: &[Value]| -> Vec<String> {
        specs
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };

    let first = import(
        &partner,
        id,
        &collection(r#"{"access_token": "b"}"#),
        "apply",
    )
    .await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert!(
        flash_on(&partner, id)
            .await
            .contains("2 endpoints added, 0 updated")
    );
    let after_first = endpoint_specs(&db, id).await;
    assert_eq!(
        names(&after_first),
        ["Auth / Generate token from code", "Auth / Refresh token"]
    );

    let again = import(
        &partner,
        id,
        &collection(r#"{"access_token": "b"}"#),
        "apply",
    )
    .await;
    assert_eq!(
        again.status(),
        StatusCode::SEE_OTHER,
        "never a 409 with no teammate"
    );
    assert!(
        flash_on(&partner, id)
            .await
            .contains("0 endpoints added, 0 updated")
    );
    assert_eq!(
        endpoint_specs(&db, id).await,
        after_first,
        "nothing changed"
    );

    let changed = import(
        &partner,
        id,
        &collection(r#"{"access_token": "c"}"#),
        "apply",
    )
    .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert!(
        flash_on(&partner, id)
            .await
            .contains("0 endpoints added, 1 updated")
    );
    let after_change = endpoint_specs(&db, id).await;
    assert_eq!(
        after_change[0], after_first[0],
        "the other endpoint is untouched"
    );
    assert!(
        after_change[1]["success_example"]
            .as_str()
            .unwrap()
            .contains("\"c\""),
        "{}",
        after_change[1]
    );
}

/// The success message the integration page shows after an action.
async fn flash_on(partner: &Browser, id: Uuid) -> String {
    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    texts(&html, "p.flash-success").join(" ")
}
