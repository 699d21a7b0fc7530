//! Exports of an integration: OpenAPI 3.1 that a standard validator accepts, a Postman
//! collection, the spreadsheet read back, Markdown and the printable page; who may download what.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Reader, Xlsx};
use partner_portal::accounts::Role;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::*;
use crate::interop_import::fixtures;

/// The `openapi-spec-validator` command from PyPI; `.ci/run` installs it into target/ci-venv.
pub(crate) fn validator() -> PathBuf {
    if let Ok(path) = std::env::var("OPENAPI_SPEC_VALIDATOR") {
        return path.into();
    }
    let venv =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/openapi-spec-validator");
    if venv.exists() {
        return venv;
    }
    let on_path = Command::new("openapi-spec-validator")
        .arg("--version")
        .output();
    assert!(
        on_path.is_ok_and(|o| o.status.success()),
        "the OpenAPI test needs openapi-spec-validator: run .ci/run, or \
         python3 -m venv target/ci-venv && target/ci-venv/bin/pip install openapi-spec-validator"
    );
    "openapi-spec-validator".into()
}

pub(crate) async fn download(browser: &Browser, path: &str) -> (StatusCode, String, Vec<u8>) {
    let response = browser.get(path).await;
    let status = response.status();
    let disposition = response
        .headers()
        .get("content-disposition")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        disposition,
        response.bytes().await.unwrap().to_vec(),
    )
}

#[sqlx::test]
async fn the_openapi_export_passes_the_standard_validator_and_keeps_everything(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id, _) = complete_otp(&app).await;
    // Values a YAML 1.1 reader would take for a boolean and a date if written plain.
    let saved = save_section(
        &partner,
        id,
        "test_data",
        &[
            ("td_label", "Country"),
            ("td_value", "NO"),
            ("td_note", ""),
            ("td_label", "Valid from"),
            ("td_value", "2026-01-01"),
            ("td_note", "on"),
        ],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let response = partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let (status, disposition, body) =
        download(&partner, &format!("/integrations/{id}/export/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        disposition,
        "attachment; filename=\"otp-apis-r1.openapi.json\""
    );
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["version"], "revision 1");
    assert_eq!(doc["servers"][0]["url"], "https://apisit.xyz.com");
    // The portal's mock is one more server, and a Postman environment points at it.
    let mock = format!("http://localhost:8080/mock/{id}");
    let last = doc["servers"].as_array().unwrap().last().unwrap();
    assert_eq!(last["url"], mock.as_str());
    let (status, _, environment) = download(
        &partner,
        &format!("/integrations/{id}/export/postman-mock-environment.json"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let environment: Value = serde_json::from_slice(&environment).unwrap();
    assert_eq!(environment["values"][0]["key"], "baseUrl");
    assert_eq!(environment["values"][0]["value"], mock.as_str());
    assert_eq!(doc["info"]["contact"]["email"], "ravi@xyz.example");
    assert_eq!(doc["x-partner-code"], "{partnercode}");
    let operation = &doc["paths"]["/pchflih/otp/v1/generateOTP"]["post"];
    assert_eq!(operation["summary"], "API to generate OTP");
    assert_eq!(
        operation["requestBody"]["content"]["application/json"]["example"]["Attempt id"],
        "1"
    );
    assert_eq!(
        operation["responses"]["200"]["content"]["application/json"]["example"]["status_code"],
        "SUCC001"
    );
    assert!(
        operation["responses"]["400"]["description"]
            .as_str()
            .unwrap()
            .contains("ERR002")
    );
    assert_eq!(
        operation["x-haptik-endpoint"]["spec"]["name"],
        "API to generate OTP"
    );
    assert!(doc["paths"]["/pchflih/otp/v1/verifyOTP"]["post"].is_object());

    let dir = std::env::temp_dir().join(format!("portal-openapi-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let json_file = dir.join("otp.openapi.json");
    std::fs::write(&json_file, &body).unwrap();
    let (status, _, yaml) =
        download(&partner, &format!("/integrations/{id}/export/openapi.yaml")).await;
    assert_eq!(status, StatusCode::OK);
    let from_yaml: Value = serde_yaml_ng::from_slice(&yaml).unwrap();
    assert_eq!(from_yaml, doc, "YAML and JSON say the same");
    let yaml_file = dir.join("otp.openapi.yaml");
    std::fs::write(&yaml_file, &yaml).unwrap();

    let checked = Command::new(validator())
        .arg(&json_file)
        .arg(&yaml_file)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&checked.stdout).to_string()
        + &String::from_utf8_lossy(&checked.stderr);
    // PyYAML reads YAML 1.1, where a plain NO is false and 2026-01-01 a date: it must read the
    // export exactly as the JSON says.
    let python = validator().with_file_name("python");
    let read_by_pyyaml = Command::new(if python.exists() {
        python
    } else {
        "python3".into()
    })
    .args([
        "-c",
        "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
    ])
    .arg(&yaml_file)
    .output()
    .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        checked.status.success(),
        "openapi-spec-validator refused the export: {said}"
    );
    assert!(
        read_by_pyyaml.status.success(),
        "{}",
        String::from_utf8_lossy(&read_by_pyyaml.stderr)
    );
    let pyyaml: Value = serde_json::from_slice(&read_by_pyyaml.stdout).unwrap();
    assert_eq!(pyyaml, doc, "a YAML 1.1 reader sees what the JSON says");
}

#[sqlx::test]
async fn the_postman_collection_uses_variables_and_saved_examples(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id, _) = submitted(&app).await;
    let (status, _, body) =
        download(&partner, &format!("/integrations/{id}/export/postman.json")).await;
    assert_eq!(status, StatusCode::OK);
    let collection: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        collection["info"]["schema"],
        "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    );
    let variables = collection["variable"].as_array().unwrap();
    let variable = |key: &str| variables.iter().find(|v| v["key"] == key).cloned();
    assert_eq!(
        variable("baseUrl").unwrap()["value"],
        "https://apisit.xyz.com"
    );
    assert!(variable("token").is_some(), "<<token>> became a variable");
    assert!(
        variable("consumer_key").is_some(),
        "credential names are variables"
    );
    let generate = &collection["item"][0];
    assert_eq!(generate["name"], "API to generate OTP");
    assert_eq!(
        generate["request"]["url"]["raw"],
        "{{baseUrl}}/pchflih/otp/v1/generateOTP"
    );
    // The bearer token is the collection's auth, which each request inherits, not a header row
    // that would send it twice.
    assert_eq!(collection["auth"]["type"], "bearer");
    assert_eq!(collection["auth"]["bearer"][0]["value"], "{{token}}");
    assert!(generate["request"].get("auth").is_none(), "inherits");
    assert!(
        !generate["request"]["header"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["key"] == "Authorization")
    );
    let codes: Vec<i64> = generate["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [200, 400]);
}

#[sqlx::test]
async fn the_spreadsheet_has_a_sheet_per_endpoint_in_the_samples_layout(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id, _) = submitted(&app).await;
    let (status, disposition, body) =
        download(&partner, &format!("/integrations/{id}/export/xlsx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(disposition.ends_with(".xlsx\""));
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(body)).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        ["Integration", "API to generate OTP", "Verify OTP"]
    );
    let sheet = workbook.worksheet_range("API to generate OTP").unwrap();
    let field = |label: &str| {
        sheet
            .rows()
            .find(|row| row[0] == label)
            .map(|row| row[1].to_string())
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    assert_eq!(field("API name"), "API to generate OTP");
    assert_eq!(field("Method"), "POST");
    assert_eq!(
        field("Endpoint URL"),
        "https://apisit.xyz.com/pchflih/otp/v1/generateOTP"
    );
    assert!(field("Headers").contains("Authorization: Bearer <<token>>"));
    assert!(field("Request body").contains("\"Attempt id\": \"1\""));
    assert!(field("Success response").contains("SUCC001"));
    assert!(field("Error response").contains("ERR002"));
    assert_eq!(field("Partner code"), "{partnercode}");
    assert!(field("Credential key names").contains("consumer_key"));
    assert!(field("Status codes").contains("SUCC001"));
    let details = workbook.worksheet_range("Integration").unwrap();
    let text: Vec<String> = details
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
        .collect();
    assert!(
        text.iter().any(|t| t.contains("ravi@xyz.example")),
        "the SPOC"
    );
    assert!(text.iter().any(|t| t == "9928056506"), "the test data");
}

#[sqlx::test]
async fn markdown_and_the_printable_page_show_everything_and_run_nothing(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id, _) = submitted(&app).await;
    let (status, _, body) = download(&partner, &format!("/integrations/{id}/export/md")).await;
    assert_eq!(status, StatusCode::OK);
    let md = String::from_utf8(body).unwrap();
    assert!(md.starts_with("# OTP APIs"));
    assert!(md.contains("## Endpoint: API to generate OTP") && md.contains("ERR002"));
    let (status, html) = partner
        .page(&format!("/integrations/{id}/export/html"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h2>Endpoint: Verify OTP</h2>"));
    assert!(html.contains("<table>"), "tables render");
}

#[sqlx::test]
async fn exports_follow_the_same_rules_as_the_pages(db: PgPool) {
    create_user(&db, "rohan@haptik.example", Role::Reviewer, None).await;
    let app = TestApp::spawn(db).await;
    let (partner, id, _) = complete_otp(&app).await;
    let reviewer = app.signed_in("rohan@haptik.example", PASSWORD).await;
    let path = format!("/integrations/{id}/export/openapi.json");

    // A draft: its partner can export the working copy; reviewers see only submissions.
    let (status, disposition, body) = download(&partner, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(disposition.contains("otp-apis-draft"));
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(doc["info"]["version"], "draft (not submitted)");
    assert_eq!(reviewer.get(&path).await.status(), StatusCode::NOT_FOUND);

    partner
        .post_form(&format!("/integrations/{id}/submit"), &[])
        .await;
    assert_eq!(reviewer.get(&path).await.status(), StatusCode::OK);
    let (stranger, _) = partner_with_integration(&app, "Other Bank", "sam@other.example").await;
    assert_eq!(stranger.get(&path).await.status(), StatusCode::NOT_FOUND);
    for wrong in ["?revision=9", "?revision=abc"] {
        assert_eq!(
            partner.get(&format!("{path}{wrong}")).await.status(),
            StatusCode::NOT_FOUND,
            "{wrong}"
        );
    }
    assert_eq!(
        partner
            .get(&format!("/integrations/{id}/export/exe"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.browser().get(&path).await.status(),
        StatusCode::SEE_OTHER,
        "signed out"
    );
}

/// Postman's own runner: `.ci/run` installs it into target/ci-node.
pub(crate) fn newman() -> PathBuf {
    if let Ok(path) = std::env::var("NEWMAN") {
        return path.into();
    }
    let local =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-node/node_modules/.bin/newman");
    if local.exists() {
        return local;
    }
    let on_path = Command::new("newman").arg("--version").output();
    assert!(
        on_path.is_ok_and(|o| o.status.success()),
        "the Postman test needs newman: run .ci/run, or npm install --prefix target/ci-node newman@6"
    );
    "newman".into()
}

/// Stands in for the partner's staging server: answers every request with the sample's success
/// body and remembers what it was sent.
pub(crate) async fn staging_stub() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    use axum::http::HeaderMap;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = axum::Router::new().fallback(
        move |method: axum::http::Method, uri: axum::http::Uri, headers: HeaderMap| {
            let log = log.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                log.lock()
                    .unwrap()
                    .push(format!("{method} {} {auth}", uri.path()));
                axum::Json(serde_json::json!({"status": "success", "status_code": "SUCC001"}))
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, seen)
}

/// Runs a collection with Postman's runner against `server` (token `test-token`); its JSON report.
pub(crate) async fn run_newman(collection: &Path, server: std::net::SocketAddr) -> Value {
    let report = collection.with_extension("report.json");
    let run = tokio::process::Command::new(newman())
        .arg("run")
        .arg(collection)
        .args(["--env-var", &format!("baseUrl=http://{server}")])
        .args(["--env-var", "token=test-token"])
        .args(["--reporters", "json", "--reporter-json-export"])
        .arg(&report)
        .output()
        .await
        .unwrap();
    let said =
        String::from_utf8_lossy(&run.stdout).to_string() + &String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "newman on {}: {said}",
        collection.display()
    );
    serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap()
}

#[sqlx::test]
async fn newman_loads_the_collection_and_runs_it_against_a_server(db: PgPool) {
    let app = TestApp::spawn(db).await;
    let (partner, id, _) = submitted(&app).await;
    let (_, _, body) = download(&partner, &format!("/integrations/{id}/export/postman.json")).await;
    let dir = std::env::temp_dir().join(format!("portal-newman-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let collection = dir.join("otp.postman_collection.json");
    std::fs::write(&collection, &body).unwrap();
    let (stub, seen) = staging_stub().await;
    let report = run_newman(&collection, stub).await;
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(report["run"]["stats"]["requests"]["total"], 2);
    assert_eq!(report["run"]["stats"]["requests"]["failed"], 0);
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.contains(&"POST /pchflih/otp/v1/generateOTP Bearer test-token".to_string()),
        "{seen:?}"
    );
}

#[test]
fn a_real_postman_collection_imports_with_its_folders_variables_and_examples() {
    for (name, text) in fixtures("postman") {
        let plan =
            partner_portal::interop::import::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(plan.source.starts_with("Postman collection"), "{name}");
        assert!(!plan.endpoints.is_empty(), "{name}");
        for endpoint in &plan.endpoints {
            assert!(
                endpoint.path.starts_with('/') && !endpoint.path.contains("{{"),
                "{name}: {}",
                endpoint.path
            );
            assert!(endpoint.method.is_some(), "{name}: {}", endpoint.name);
        }
        let raw: Value = serde_json::from_str(&text).unwrap();
        let codes = saved_response_codes(&raw);
        let has_folders = raw["item"]
            .as_array()
            .is_some_and(|items| items.iter().any(|i| i.get("item").is_some()));
        if has_folders {
            assert!(
                plan.endpoints.iter().any(|e| e.name.contains(" / ")),
                "{name}: folders kept in names"
            );
        }
        if codes.iter().any(|c| (200..300).contains(c)) {
            assert!(
                plan.endpoints.iter().any(|e| !e.success_example.is_empty()),
                "{name}: saved examples"
            );
        }
        if codes.iter().any(|c| *c >= 400) {
            assert!(
                plan.endpoints.iter().any(|e| !e.errors.is_empty()),
                "{name}: saved error examples"
            );
        }
    }
}

/// The status codes of every saved response in a collection, however deep its folders.
fn saved_response_codes(value: &Value) -> Vec<u64> {
    let mut codes = Vec::new();
    let mut pending = vec![value];
    while let Some(next) = pending.pop() {
        if let Some(saved) = next.get("response").and_then(Value::as_array) {
            codes.extend(saved.iter().filter_map(|r| r["code"].as_u64()));
        }
        if let Some(items) = next.get("item").and_then(Value::as_array) {
            pending.extend(items);
        }
    }
    codes
}
