//! Every real and hand-made document in `tests/fixtures/`, as a partner would use it: imported,
//! imported again (nothing changes, never a 409), exported as OpenAPI (linted by Spectral, its
//! YAML read by a YAML 1.1 reader) and as a Postman collection, and each export imported into a
//! new integration with no endpoint lost.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::partner_with_integration;
use crate::helpers::*;
use crate::interop::{download, validator};
use crate::interop_import::{endpoint_specs, fixtures, import, new_integration};

/// Spectral from npm; `.ci/run` installs it into target/ci-node.
fn spectral() -> PathBuf {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-node/node_modules/.bin/spectral");
    assert!(
        path.exists(),
        "the export lint needs Spectral: run .ci/run, or \
         npm install --prefix target/ci-node @stoplight/spectral-cli@6"
    );
    path
}

/// What an endpoint keeps through a Postman collection, which has no types for parameters, no
/// place for a reason the bodies are not JSON, and lists parameters by where they go. A header
/// parameter that says nothing a header row does not (no description) is that header row.
fn through_postman(spec: &Value) -> Value {
    let headers: Vec<String> = spec["headers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| h["name"].as_str().unwrap_or_default().to_lowercase())
        .collect();
    let mut parameters: Vec<Value> = spec["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| {
            !(p["location"] == "header"
                && p["description"] == ""
                && headers.contains(&p["name"].as_str().unwrap_or_default().to_lowercase()))
        })
        .map(|p| {
            // A body field's example is its value in the request example, compared there.
            let example = if p["location"] == "body" {
                Value::Null
            } else {
                p["example"].clone()
            };
            json!([
                p["location"],
                p["name"],
                p["required"],
                p["description"],
                example
            ])
        })
        .collect();
    parameters.sort_by_key(|p| p.to_string());
    let errors: Vec<Value> = spec["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| json!([e["http_status"], e["example"]]))
        .collect();
    json!({
        "method": spec["method"],
        "path": spec["path"],
        "body_format": spec["body_format"],
        "response_format": spec["response_format"],
        "headers": spec["headers"],
        "parameters": parameters,
        "request_example": spec["request_example"],
        "success_status": spec["success_status"],
        "success_example": spec["success_example"],
        "errors": errors,
    })
}

fn count_requests(items: &Value) -> usize {
    items
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| match i.get("item") {
            Some(children) => count_requests(children),
            None => 1,
        })
        .sum()
}

async fn flash(partner: &Browser, id: Uuid) -> String {
    let (_, html) = partner.page(&format!("/integrations/{id}")).await;
    crate::fixtures::texts(&html, "p.flash-success").join(" ")
}

#[sqlx::test]
async fn every_fixture_survives_a_reimport_and_both_round_trips(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, _) = partner_with_integration(&app, "Corpus", "dev@corpus.example").await;
    let dir = std::env::temp_dir().join(format!("portal-corpus-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = fixtures("openapi");
    files.extend(fixtures("postman"));
    let mut exported = 0;
    for (name, text) in files {
        let plan =
            partner_portal::interop::import::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        if plan.endpoints.is_empty() {
            continue;
        }
        let id = new_integration(&partner, &name).await;
        let first = import(&partner, id, &text, "apply").await;
        assert_eq!(first.status(), StatusCode::SEE_OTHER, "{name}");
        let imported = endpoint_specs(&db, id).await;
        assert_eq!(
            imported.len(),
            plan.endpoints.len(),
            "{name}: every endpoint"
        );

        let again = import(&partner, id, &text, "apply").await;
        assert_eq!(again.status(), StatusCode::SEE_OTHER, "{name}: never a 409");
        assert!(
            flash(&partner, id)
                .await
                .contains("0 endpoints added, 0 updated"),
            "{name}: {}",
            flash(&partner, id).await
        );
        assert_eq!(endpoint_specs(&db, id).await, imported, "{name}: no change");

        let (status, _, openapi) =
            download(&partner, &format!("/integrations/{id}/export/openapi.json")).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        let stem = name.replace(['.', ' '], "_");
        std::fs::write(dir.join(format!("{stem}.openapi.json")), &openapi).unwrap();
        let (_, _, yaml) =
            download(&partner, &format!("/integrations/{id}/export/openapi.yaml")).await;
        std::fs::write(dir.join(format!("{stem}.openapi.yaml")), &yaml).unwrap();
        exported += 1;
        let copy = new_integration(&partner, &format!("{name} via OpenAPI")).await;
        let openapi = String::from_utf8(openapi).unwrap();
        let response = import(&partner, copy, &openapi, "apply").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        let round = endpoint_specs(&db, copy).await;
        assert_eq!(
            round.len(),
            imported.len(),
            "{name}: no endpoint lost via OpenAPI"
        );
        for (after, before) in round.iter().zip(&imported) {
            assert_eq!(
                after, before,
                "{name}: the OpenAPI export gives back every endpoint, field for field"
            );
        }

        let (_, _, postman) =
            download(&partner, &format!("/integrations/{id}/export/postman.json")).await;
        std::fs::write(dir.join(format!("{stem}.postman.json")), &postman).unwrap();
        let copy = new_integration(&partner, &format!("{name} via Postman")).await;
        let postman = String::from_utf8(postman).unwrap();
        let response = import(&partner, copy, &postman, "apply").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        let round: Vec<Value> = endpoint_specs(&db, copy)
            .await
            .iter()
            .map(through_postman)
            .collect();
        let kept: Vec<Value> = imported.iter().map(through_postman).collect();
        assert_eq!(
            round.len(),
            kept.len(),
            "{name}: no endpoint lost via Postman"
        );
        for (after, before) in round.iter().zip(&kept) {
            assert_eq!(after, before, "{name}: the same fields via Postman");
        }
    }
    assert!(exported >= 20, "only {exported} fixtures had endpoints");

    let lint = Command::new(spectral())
        .args(["lint", "--ruleset"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spectral.yaml"))
        .args(["--format", "json", "--quiet", "--fail-severity", "error"])
        .arg(dir.join("*.openapi.json"))
        .output()
        .unwrap();
    let findings: Vec<Value> = serde_json::from_slice(&lint.stdout).unwrap_or_else(|_| {
        panic!(
            "Spectral said: {}{}",
            String::from_utf8_lossy(&lint.stdout),
            String::from_utf8_lossy(&lint.stderr)
        )
    });
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f["severity"] == 0 || f["code"] == "unrecognized-format")
        .map(|f| {
            format!(
                "{} {} at {}: {}",
                f["source"], f["code"], f["path"], f["message"]
            )
        })
        .collect();
    assert!(errors.is_empty(), "Spectral errors:\n{}", errors.join("\n"));
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );

    // Postman's runner loads every collection export and sends each request to a server.
    let (stub, seen) = crate::interop::staging_stub().await;
    let mut sent = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".postman.json") {
            continue;
        }
        let collection: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let report = crate::interop::run_newman(&path, stub).await;
        let requests = &report["run"]["stats"]["requests"];
        assert_eq!(requests["failed"], 0, "{}", path.display());
        assert_eq!(
            requests["total"].as_u64().unwrap() as usize,
            count_requests(&collection["item"]),
            "{}: every request sent",
            path.display()
        );
        sent += requests["total"].as_u64().unwrap();
    }
    assert_eq!(
        seen.lock().unwrap().len() as u64,
        sent,
        "each reached the server"
    );

    // The YAML export, read by PyYAML (YAML 1.1), says what the JSON export says.
    let python = validator().with_file_name("python");
    let compare = Command::new(if python.exists() {
        python
    } else {
        "python3".into()
    })
    .args([
        "-c",
        "import glob, json, sys, yaml\n\
             bad = [p for p in glob.glob(sys.argv[1] + '/*.openapi.yaml')\n\
                    if yaml.safe_load(open(p)) != json.load(open(p[:-5] + '.json'))]\n\
             print(bad); sys.exit(1 if bad else 0)",
    ])
    .arg(&dir)
    .output()
    .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        compare.status.success(),
        "PyYAML reads these YAML exports differently from their JSON: {}{}",
        String::from_utf8_lossy(&compare.stdout),
        String::from_utf8_lossy(&compare.stderr)
    );
}
