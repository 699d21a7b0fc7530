//! The portal's mock side by side with Stoplight Prism serving the portal's own OpenAPI export:
//! for every operation of the sample integration and of each real spec in `tests/fixtures/`
//! (imported, then exported), the success example and each error scenario chosen with `Prefer`
//! give the same status and the same body from both. Prism comes from npm (`.ci/run` installs
//! it into target/ci-node, as it does newman).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::api::token_for;
use crate::fixtures::partner_with_integration;
use crate::helpers::*;
use crate::interop::download;
use crate::interop_import::{fixtures, import, new_integration};

fn prism() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-node/node_modules/.bin/prism");
    assert!(
        path.exists(),
        "the side-by-side test needs Prism: run .ci/run, or \
         npm install --prefix target/ci-node @stoplight/prism-cli@5"
    );
    path
}

/// Prism serving one OpenAPI file on a free loopback port; stopped when dropped.
struct Prism {
    child: Child,
    base: String,
}

impl Prism {
    async fn serve(file: &Path) -> Prism {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(prism())
            .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg(file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "Prism did not start for {}",
                file.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Prism {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request to make of both, and the response it asks for.
struct Case {
    method: reqwest::Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<(String, String)>,
    prefer: String,
    what: String,
}

fn example_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => "1".into(),
    }
}

fn parameter_value(parameter: &Value) -> String {
    let example = parameter
        .get("example")
        .or_else(|| parameter["schema"].get("example"))
        .or_else(|| parameter["schema"].get("default"))
        .or_else(|| parameter["schema"]["enum"].get(0))
        .filter(|e| !e.is_null() && !e.as_str().is_some_and(str::is_empty));
    match example {
        Some(example) => example_text(example),
        None => match parameter["schema"]["type"].as_str() {
            Some("integer" | "number") => "1".into(),
            Some("boolean") => "true".into(),
            _ => "abc".into(),
        },
    }
}

/// Every (operation, documented response with an example) of an exported document, and what was
/// left out and why.
fn cases(doc: &Value) -> (Vec<Case>, Vec<String>) {
    let mut cases = Vec::new();
    let mut skipped = Vec::new();
    let security: Vec<(String, String, String)> = doc["components"]["securitySchemes"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, scheme)| {
            (
                scheme["type"].as_str().unwrap_or_default().to_string(),
                scheme["in"]
                    .as_str()
                    .or(scheme["scheme"].as_str())
                    .unwrap_or_default()
                    .to_lowercase(),
                scheme["name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    for (template, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let Ok(method) = method.to_uppercase().parse::<reqwest::Method>() else {
                continue;
            };
            if !matches!(method.as_str(), "GET" | "POST" | "PUT" | "PATCH" | "DELETE") {
                continue;
            }
            let mut path = template.clone();
            let mut query = Vec::new();
            let mut headers = vec![("authorization".to_string(), "Bearer abc".to_string())];
            for (kind, place, name) in &security {
                match (kind.as_str(), place.as_str()) {
                    ("apiKey", "header") => headers.push((name.to_lowercase(), "abc".into())),
                    ("apiKey", "query") => query.push(format!("{name}=abc")),
                    ("http", "basic") => headers[0].1 = "Basic YWJjOmRlZg==".into(),
                    _ => {}
                }
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap_or_default();
                let value = parameter_value(parameter);
                match parameter["in"].as_str() {
                    Some("path") => path = path.replace(&format!("{{{name}}}"), &value),
                    Some("query") => query.push(format!("{name}={}", urlencode(&value))),
                    Some("header") if !name.eq_ignore_ascii_case("authorization") => {
                        headers.push((name.to_lowercase(), value))
                    }
                    _ => {}
                }
            }
            if !query.is_empty() {
                path = format!("{path}?{}", query.join("&"));
            }
            let body = operation["requestBody"]["content"]
                .as_object()
                .and_then(|content| content.iter().next())
                .and_then(|(media, content)| {
                    let example = content.get("example").or_else(|| {
                        content["examples"]
                            .as_object()?
                            .values()
                            .next()?
                            .get("value")
                    })?;
                    let text = match (media.as_str(), example) {
                        ("application/json", value) => value.to_string(),
                        ("application/x-www-form-urlencoded", Value::Object(fields)) => fields
                            .iter()
                            .map(|(k, v)| {
                                format!("{}={}", urlencode(k), urlencode(&example_text(v)))
                            })
                            .collect::<Vec<_>>()
                            .join("&"),
                        (_, Value::String(text)) => text.clone(),
                        (_, value) => value.to_string(),
                    };
                    Some((media.clone(), text))
                });
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                let what = format!("{method} {template} {status}");
                if status.parse::<u16>().is_err() {
                    skipped.push(format!("{what}: not a status"));
                    continue;
                }
                let Some((media, content)) = response["content"]
                    .as_object()
                    .and_then(|c| c.iter().next())
                else {
                    skipped.push(format!("{what}: no body"));
                    continue;
                };
                if !media.contains("json") {
                    skipped.push(format!("{what}: {media}, compared as JSON only"));
                    continue;
                }
                let mut names: Vec<Option<String>> = Vec::new();
                if content.get("example").is_some() {
                    names.push(None);
                }
                for key in content["examples"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k)
                {
                    names.push(Some(key.clone()));
                }
                if names.is_empty() {
                    skipped.push(format!("{what}: no example the export vouches for"));
                    continue;
                }
                if names.iter().any(|n| n.is_none()) && content["example"].is_string() {
                    skipped.push(format!("{what}: the example is not strict JSON"));
                    continue;
                }
                for name in names {
                    let prefer = match &name {
                        None => format!("code={status}"),
                        Some(key) => format!("code={status}, example={key}"),
                    };
                    cases.push(Case {
                        method: method.clone(),
                        path: path.clone(),
                        headers: headers.clone(),
                        body: body.clone(),
                        prefer,
                        what: format!("{what} {}", name.unwrap_or_default()),
                    });
                }
            }
        }
    }
    (cases, skipped)
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The status and body, and Prism's `sl-violations` header: what it found wrong with the request.
async fn send(base: &str, case: &Case, extra: &[(&str, &str)]) -> ((StatusCode, Value), String) {
    let mut request = reqwest::Client::new()
        .request(case.method.clone(), format!("{base}{}", case.path))
        .header("prefer", &case.prefer);
    for (name, value) in &case.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    if let Some((media, text)) = &case.body {
        request = request
            .header("content-type", media.as_str())
            .body(text.clone());
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let violations = response
        .headers()
        .get("sl-violations")
        .map(|v| v.to_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    let bytes = response.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).trim().to_string()));
    ((status, body), violations)
}

/// Serves the integration's OpenAPI export with Prism and compares every case; returns how many
/// agreed, and fails on any that did not.
async fn side_by_side(
    app: &TestApp,
    partner: &Browser,
    id: Uuid,
    extra: &[(&str, &str)],
    label: &str,
) -> (usize, usize) {
    let (status, _, exported) =
        download(partner, &format!("/integrations/{id}/export/openapi.json")).await;
    assert_eq!(status, StatusCode::OK, "{label}");
    let doc: Value = serde_json::from_slice(&exported).unwrap();
    let (cases, mut skipped) = cases(&doc);
    if cases.is_empty() {
        return (0, skipped.len());
    }
    let dir = std::env::temp_dir().join(format!("portal-prism-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("export.openapi.json");
    std::fs::write(&file, &exported).unwrap();
    let prism = Prism::serve(&file).await;
    let mock = format!("http://{}/mock/{id}", app.addr);
    let mut differences = Vec::new();
    let mut compared = 0;
    for case in &cases {
        let (theirs, violations) = send(&prism.base, case, &[]).await;
        // A request made from the examples that the export's schemas refuse (a multipart body,
        // a pattern the example misses): Prism answers its refusal, which says nothing of ours.
        let own_error = theirs.1["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("https://stoplight.io/prism/errors#"));
        if violations.contains("\"request") || own_error {
            let why = if violations.is_empty() {
                theirs.1.to_string()
            } else {
                violations
            };
            skipped.push(format!("{}: Prism refuses the request: {why}", case.what));
            continue;
        }
        compared += 1;
        let (ours, _) = send(&mock, case, extra).await;
        if theirs != ours {
            differences.push(format!(
                "{label} {}: Prism {} {}, portal {} {}",
                case.what, theirs.0, theirs.1, ours.0, ours.1
            ));
        }
    }
    drop(prism);
    std::fs::remove_dir_all(&dir).unwrap();
    let shown: Vec<String> = differences
        .iter()
        .take(5)
        .map(|d| d.chars().take(600).collect())
        .collect();
    assert!(
        differences.is_empty(),
        "{} differ:\n{}",
        differences.len(),
        shown.join("\n")
    );
    for reason in skipped.iter().take(3) {
        eprintln!(
            "  not compared: {}",
            reason.chars().take(300).collect::<String>()
        );
    }
    (compared, skipped.len())
}

#[sqlx::test]
async fn the_mock_answers_as_prism_does_from_the_same_export(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    // The sample integration, submitted: the mock answers from revision 1 with a key.
    let (partner, id, _) = crate::fixtures::submitted(&app).await;
    let key = crate::mock::mock_key(&partner, id, "side by side").await;
    let (compared, _) = side_by_side(&app, &partner, id, &[("x-mock-key", &key)], "sample").await;
    assert!(
        compared >= 4,
        "the sample's successes and errors are compared: {compared}"
    );

    // Every real spec, imported into a draft: its team calls the draft with a token.
    let (partner, _) = partner_with_integration(&app, "Real Specs", "ana@real.example").await;
    let token = token_for(&partner, "prism").await;
    let draft = [("x-mock-key", token.as_str()), ("x-mock-revision", "draft")];
    let mut total = (0, 0);
    for folder in ["openapi", "postman"] {
        for (name, text) in fixtures(folder) {
            if name.starts_with("handmade") {
                continue;
            }
            let id = new_integration(&partner, &name).await;
            let response = import(&partner, id, &text, "apply").await;
            assert!(
                response.status().is_success() || response.status().is_redirection(),
                "{name}"
            );
            let (compared, skipped) = side_by_side(&app, &partner, id, &draft, &name).await;
            eprintln!("{name}: {compared} answers the same as Prism's, {skipped} not comparable");
            total = (total.0 + compared, total.1 + skipped);
        }
    }
    eprintln!(
        "real specs: {} answers compared and equal, {} not comparable",
        total.0, total.1
    );
    assert!(
        total.0 >= 20,
        "real specs give answers to compare: {total:?}"
    );
}
