//! What every page is judged by in the browser, beyond what a test clicks: the browser's console
//! (CSP refusals and script errors show there) and axe-core's WCAG 2 A/AA rules, injected from
//! npm (`target/ci-node`, installed by `.ci/run`).

use axum::http::Method;
use fantoccini::Client;
use fantoccini::wd::WebDriverCompatibleCommand;

/// Chromedriver's log endpoint: the browser's console since the last call (it drains it).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(r#"{"type":"browser"}"#.to_string()))
    }
}

/// The console's errors (level SEVERE) since the last call.
pub(crate) async fn console_errors(client: &Client) -> Vec<String> {
    let entries = client
        .issue_cmd(BrowserLog)
        .await
        .expect("chromedriver hands out the console log");
    entries
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| entry["level"] == "SEVERE")
        .map(|entry| entry["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn axe_source() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/ci-node/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: npm install --prefix target/ci-node axe-core@4 (.ci/run does it)",
            path.display()
        )
    })
}

/// axe-core's serious and critical WCAG 2 A/AA violations on the page as shown now, each as
/// "rule: the first elements it found".
pub(crate) async fn axe_violations(client: &Client) -> Vec<String> {
    let loaded = client
        .execute("return typeof window.axe !== 'undefined'", vec![])
        .await
        .unwrap();
    if loaded != true {
        client
            .execute(&format!("{}\n;return true;", axe_source()), vec![])
            .await
            .expect("axe-core loads into the page");
    }
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } })
               .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    found
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}
