//! What a check found, judged against what the partner promised: one line per fact, each passed,
//! flagged or failed. The report is what is stored and shown; it holds no response data beyond
//! status, headers named here, and key paths.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::probe::{Failure, Observed};
use super::shape;

/// Worst last, so the worst line is the check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
    Refused,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Refused => "refused",
        }
    }

    pub fn parse(text: &str) -> Option<Verdict> {
        [
            Verdict::Pass,
            Verdict::Warn,
            Verdict::Fail,
            Verdict::Refused,
        ]
        .into_iter()
        .find(|v| v.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "Passed",
            Verdict::Warn => "Passed with warnings",
            Verdict::Fail => "Failed",
            Verdict::Refused => "Not checked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub verdict: Verdict,
    pub topic: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Report {
    /// Method and URL with <<placeholders>> as the partner wrote them, never the typed values.
    pub target: String,
    pub lines: Vec<Line>,
    pub status: Option<u16>,
    pub first_byte_ms: Option<u64>,
    pub total_ms: Option<u64>,
}

impl Report {
    pub fn verdict(&self) -> Verdict {
        self.lines
            .iter()
            .map(|l| l.verdict)
            .max()
            .unwrap_or(Verdict::Fail)
    }

    pub fn refused(target: String, why: &str) -> Report {
        let mut report = Report {
            target,
            ..Report::default()
        };
        report.push(Verdict::Refused, "Safety", format!("Not checked: {why}."));
        report
    }

    fn push(&mut self, verdict: Verdict, topic: &str, text: String) -> &mut Line {
        self.lines.push(Line {
            verdict,
            topic: topic.into(),
            text,
            details: Vec::new(),
        });
        self.lines.last_mut().expect("just pushed")
    }

    /// Replaces every typed credential value that came back in the report (a server may echo a
    /// header into a redirect or an error) with its placeholder.
    /// URL-encoded copies (a redirect's query) and lower-cased ones (a host name) go too.
    pub fn scrub(&mut self, values: &[(String, String)]) {
        let forms: Vec<(String, String)> = values
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .flat_map(|(name, value)| {
                let encoded: String =
                    url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
                let percent = encoded.replace('+', "%20");
                let lower = value.to_lowercase();
                [value.clone(), encoded, percent, lower].map(|form| (name.clone(), form))
            })
            .collect();
        // Longest first, so a short value inside a longer one leaves nothing of the longer.
        let mut forms = forms;
        forms.sort_by_key(|(_, form)| std::cmp::Reverse(form.len()));
        let clean = |text: &mut String| {
            for (name, form) in &forms {
                if text.contains(form.as_str()) {
                    *text = text.replace(form.as_str(), &format!("<<{name}>>"));
                }
            }
        };
        clean(&mut self.target);
        for line in &mut self.lines {
            clean(&mut line.text);
            line.details.iter_mut().for_each(clean);
        }
    }
}

/// What the partner promised for the request that was sent.
pub struct Expectation {
    pub status: Option<u16>,
    /// The endpoint's bodies are JSON (the checklist's default).
    pub json: bool,
    pub example: Option<Value>,
    /// For an error scenario: the partner's own status code the body should carry.
    pub partner_code: Option<String>,
    /// Haptik's bots give up after about this long.
    pub slow_after: Duration,
}

pub fn judge(
    target: String,
    observed: &Observed,
    expect: &Expectation,
    now: OffsetDateTime,
) -> Report {
    let mut report = Report {
        target,
        first_byte_ms: observed.first_byte.map(millis),
        total_ms: observed.total_time.map(millis),
        ..Report::default()
    };
    let refused = matches!(observed.failure, Some(Failure::Refused(_)));
    if !observed.addresses.is_empty() && !refused {
        let list: Vec<String> = observed.addresses.iter().map(|a| a.to_string()).collect();
        report.push(
            Verdict::Pass,
            "DNS",
            format!("Resolves to {}.", list.join(", ")),
        );
    }
    if let Some(tls) = &observed.tls {
        report.push(Verdict::Pass, "TLS", format!("{} handshake.", tls.version));
        if let Some(not_after) = tls.not_after {
            let days = (not_after - now).whole_days();
            let text = format!(
                "Valid, issued for this host, until {} ({days} days left).",
                crate::web::dates::short_date(not_after)
            );
            let verdict = if days < 14 {
                Verdict::Warn
            } else {
                Verdict::Pass
            };
            report.push(verdict, "Certificate", text);
        }
    }
    if let Some(failure) = &observed.failure {
        let (verdict, topic) = match failure {
            Failure::Refused(_) => (Verdict::Refused, "Safety"),
            Failure::Dns(_) => (Verdict::Fail, "DNS"),
            Failure::Connect(_) => (Verdict::Fail, "Connection"),
            Failure::Certificate(_) => (Verdict::Fail, "Certificate"),
            Failure::Tls(_) => (Verdict::Fail, "TLS"),
            Failure::Request(_) => (Verdict::Fail, "HTTP"),
            Failure::Timeout(_) => (Verdict::Fail, "Timing"),
        };
        report.push(verdict, topic, failure.message());
    }
    let Some(response) = &observed.response else {
        return report;
    };
    report.status = Some(response.status);

    if (300..400).contains(&response.status) {
        let to = response.location.as_deref().unwrap_or("nowhere named");
        report.push(
            Verdict::Fail,
            "Redirect",
            format!(
                "Answered {} redirecting to {to}. Redirects are not followed: Haptik's bots call the documented URL.",
                response.status
            ),
        );
        return report;
    }
    match expect.status {
        Some(want) if want == response.status => {
            report.push(
                Verdict::Pass,
                "HTTP status",
                format!("{}, as documented.", response.status),
            );
        }
        Some(want) => {
            report.push(
                Verdict::Fail,
                "HTTP status",
                format!(
                    "Answered {}; the documented status is {want}.",
                    response.status
                ),
            );
        }
        None => {
            report.push(
                Verdict::Warn,
                "HTTP status",
                format!(
                    "Answered {}; no status is documented to compare with.",
                    response.status
                ),
            );
        }
    }
    if let (Some(first), Some(total)) = (observed.first_byte, observed.total_time) {
        let text = format!(
            "First byte after {}, complete after {}.",
            seconds(first),
            seconds(total)
        );
        if total > expect.slow_after {
            report.push(
                Verdict::Fail,
                "Timing",
                format!(
                    "{text} Too slow: Haptik's bots wait about {}.",
                    seconds(expect.slow_after)
                ),
            );
        } else {
            report.push(Verdict::Pass, "Timing", text);
        }
    }
    if !expect.json {
        return report;
    }
    judge_json(&mut report, response, expect);
    report
}

fn judge_json(report: &mut Report, response: &super::probe::ResponseFacts, expect: &Expectation) {
    let content_type = response.content_type.as_deref().unwrap_or("");
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media == "application/json" || media.ends_with("+json") {
        report.push(Verdict::Pass, "Content-Type", format!("{content_type}."));
    } else if content_type.is_empty() {
        report.push(
            Verdict::Fail,
            "Content-Type",
            "No Content-Type header; the endpoint promises JSON.".into(),
        );
    } else {
        report.push(
            Verdict::Fail,
            "Content-Type",
            format!("{content_type}; the endpoint promises JSON (application/json)."),
        );
    }
    if response.truncated {
        report.push(
            Verdict::Fail,
            "Body",
            format!(
                "Larger than {} KiB; only that much was read.",
                response.body.len() / 1024
            ),
        );
        return;
    }
    let body: Value = match serde_json::from_slice(&response.body) {
        Ok(body) => {
            report.push(
                Verdict::Pass,
                "JSON",
                format!("The body parses as JSON ({} bytes).", response.body.len()),
            );
            body
        }
        Err(err) => {
            let text = if response.body.is_empty() {
                "The body is empty, not JSON.".to_string()
            } else {
                format!(
                    "The body is not JSON: {err} (line {}, column {}).",
                    err.line(),
                    err.column()
                )
            };
            report.push(Verdict::Fail, "JSON", text);
            return;
        }
    };
    match &expect.example {
        Some(example) => {
            let found = shape::differences(example, &body);
            if found.is_empty() {
                report.push(
                    Verdict::Pass,
                    "Shape",
                    "Same keys and JSON types as the example.".into(),
                );
            } else {
                let count = found.len();
                report
                    .push(
                        Verdict::Fail,
                        "Shape",
                        format!(
                            "Differs from the example in {count} place{}:",
                            if count == 1 { "" } else { "s" }
                        ),
                    )
                    .details = found;
            }
        }
        None => {
            report.push(
                Verdict::Warn,
                "Shape",
                "There is no JSON example to compare with.".into(),
            );
        }
    }
    if let Some(code) = &expect.partner_code {
        if carries(&body, code) {
            report.push(
                Verdict::Pass,
                "Partner status code",
                format!("The body carries {code}."),
            );
        } else {
            report.push(
                Verdict::Fail,
                "Partner status code",
                format!("The body does not carry the documented status code {code}."),
            );
        }
    }
}

/// Whether any string (or number) in the body equals the partner's code.
fn carries(body: &Value, code: &str) -> bool {
    match body {
        Value::String(text) => text == code,
        Value::Number(number) => number.to_string() == code,
        Value::Array(items) => items.iter().any(|item| carries(item, code)),
        Value::Object(map) => map.values().any(|item| carries(item, code)),
        _ => false,
    }
}

fn millis(duration: Duration) -> u64 {
    duration.as_millis().try_into().unwrap_or(u64::MAX)
}

/// "180 ms", "5 s", "6.20 s".
fn seconds(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{} ms", duration.as_millis())
    } else if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{:.2} s", duration.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staging::probe::ResponseFacts;
    use serde_json::json;

    fn answered(status: u16, content_type: &str, body: &str, took: Duration) -> Observed {
        Observed {
            addresses: vec!["203.0.113.10".parse().unwrap()],
            response: Some(ResponseFacts {
                status,
                location: None,
                content_type: Some(content_type.into()),
                body: body.as_bytes().to_vec(),
                truncated: false,
            }),
            first_byte: Some(took / 2),
            total_time: Some(took),
            ..Observed::default()
        }
    }

    fn expect(example: Value, code: Option<&str>) -> Expectation {
        Expectation {
            status: Some(200),
            json: true,
            example: Some(example),
            partner_code: code.map(str::to_string),
            slow_after: Duration::from_secs(5),
        }
    }

    fn topics(report: &Report, verdict: Verdict) -> Vec<&str> {
        report
            .lines
            .iter()
            .filter(|l| l.verdict == verdict)
            .map(|l| l.topic.as_str())
            .collect()
    }

    #[test]
    fn a_documented_answer_passes_every_line() {
        let observed = answered(
            200,
            "application/json; charset=utf-8",
            r#"{"status":"ok","status_code":"SUCC001"}"#,
            Duration::from_millis(300),
        );
        let report = judge(
            "POST https://x".into(),
            &observed,
            &expect(json!({"status": "success", "status_code": "SUCC001"}), None),
            OffsetDateTime::now_utc(),
        );
        assert_eq!(report.verdict(), Verdict::Pass, "{report:#?}");
        assert_eq!(report.status, Some(200));
        assert_eq!(report.total_ms, Some(300));
    }

    #[test]
    fn each_broken_promise_fails_its_own_line() {
        let now = OffsetDateTime::now_utc();
        let promise = expect(json!({"status": "success"}), Some("ERR001"));
        let slow = answered(
            200,
            "application/json",
            r#"{"status":"x","status_code":"ERR001"}"#,
            Duration::from_secs(6),
        );
        assert_eq!(
            topics(&judge(String::new(), &slow, &promise, now), Verdict::Fail),
            vec!["Timing", "Shape"]
        );
        let html = answered(200, "text/html", "<html></html>", Duration::from_millis(10));
        assert_eq!(
            topics(&judge(String::new(), &html, &promise, now), Verdict::Fail),
            vec!["Content-Type", "JSON"]
        );
        let wrong = answered(
            500,
            "application/json",
            r#"{"status":"x"}"#,
            Duration::from_millis(10),
        );
        assert_eq!(
            topics(&judge(String::new(), &wrong, &promise, now), Verdict::Fail),
            vec!["HTTP status", "Partner status code"]
        );
    }

    #[test]
    fn a_redirect_is_reported_as_one_and_echoed_credentials_are_scrubbed() {
        let mut observed = answered(302, "text/plain", "", Duration::from_millis(10));
        observed.response.as_mut().unwrap().location =
            Some("https://127.0.0.1/login?key=s3cret-value".into());
        let mut report = judge(
            "GET https://x".into(),
            &observed,
            &expect(json!({}), None),
            OffsetDateTime::now_utc(),
        );
        assert_eq!(topics(&report, Verdict::Fail), vec!["Redirect"]);
        report.scrub(&[("api_key".into(), "s3cret-value".into())]);
        let text = serde_json::to_string(&report).unwrap();
        assert!(
            !text.contains("s3cret-value") && text.contains("key=<<api_key>>"),
            "{text}"
        );
        let mut encoded = Report::refused("GET https://x/?k=a%2Fb%20c".into(), "a/b c");
        encoded.scrub(&[("k".into(), "a/b c".into())]);
        assert_eq!(encoded.target, "GET https://x/?k=<<k>>");
        assert!(
            encoded.lines[0].text.contains("<<k>>"),
            "{:?}",
            encoded.lines
        );
    }
}
