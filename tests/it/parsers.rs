//! Every parser of partner text fed generated and hostile text: deep nesting, long runs, NUL,
//! broken UTF-8 made text, huge numbers. None may panic or overflow the stack (which would abort
//! this whole test binary), and each must finish. A fixed number of cases keeps the suite's time
//! fixed; no failure file is written into the source tree.

use partner_portal::domain::curl;
use partner_portal::domain::example;
use partner_portal::domain::model::{EndpointSpec, Header, Location, Parameter};
use partner_portal::intake::secrets;
use partner_portal::interop::{import, markdown};
use partner_portal::staging::shape;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

fn config() -> Config {
    Config {
        cases: 48,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// Pieces that parsers treat specially, to be repeated and mixed.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "{a:",
    "\"",
    "'",
    "\\",
    "\\u0000",
    "\u{0}",
    "/*",
    "*/",
    "//",
    ":",
    ",",
    "\n",
    "\r",
    "\u{2028}",
    "\u{feff}",
    "-",
    "1e999",
    "9",
    "0x",
    "NaN",
    "<",
    ">",
    "&",
    "`",
    "<script>",
    "](javascript:",
    "[x](",
    "$ref",
    "#/components/schemas/S",
    "openapi: 3.0.0\n",
    "  - ",
    "&a ",
    "*a ",
    "!!",
    "? ",
    "|\n",
    "Bearer ",
    "sk_live_",
    "AKIA",
    "eyJ",
    "ghp_",
    "é",
    "\u{10ffff}",
    "\u{fffd}",
    "%00",
    "%",
    "{{",
    "}}",
    "<<token>>",
];

/// Hostile text: a long run of one piece, a mixture, random Unicode, broken UTF-8 made text,
/// or a huge number.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        (prop::sample::select(TOKENS), 1usize..12_000).prop_map(|(piece, n)| piece.repeat(n)),
        prop::collection::vec(prop::sample::select(TOKENS), 0..600).prop_map(|v| v.concat()),
        any::<String>(),
        prop::collection::vec(any::<u8>(), 0..4_000)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        "-?[0-9]{200,3000}(\\.[0-9]{1,400})?(e[+-]?[0-9]{1,6})?",
        // Deep nesting inside an otherwise plausible document.
        (1usize..20_000).prop_map(|n| format!(
            "{{\"openapi\": \"3.0.0\", \"info\": {}\"x\"{}}}",
            "[".repeat(n),
            "]".repeat(n)
        )),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn example_checks_answer_every_text(text in hostile()) {
        let checked = example::check(&text);
        let _ = checked.message();
        let strict = example::parse(&text);
        let relaxed = example::parse_relaxed(&text);
        if strict.is_some() {
            prop_assert_eq!(&strict, &relaxed, "strict JSON reads the same either way");
        }
        if let (Some(a), Some(b)) = (&relaxed, &example::parse_relaxed("{\"a\": [1, \"x\"]}")) {
            let _ = shape::differences(a, b);
            let _ = shape::differences(b, a);
            let _ = shape::differences(a, a);
        }
    }

    #[test]
    fn imports_answer_every_text(text in hostile()) {
        match import::parse(&text) {
            Ok(plan) => prop_assert!(plan.endpoints.len() <= import::MAX_ENDPOINTS),
            Err(message) => prop_assert!(!message.is_empty()),
        }
    }

    #[test]
    fn the_secret_guard_answers_every_text(text in hostile()) {
        let _ = secrets::scan(&text);
        let _ = secrets::warning(&text);
        let redacted = secrets::redact(&text);
        prop_assert!(secrets::scan(&redacted).is_empty(), "redacted text has no finding left");
    }

    #[test]
    fn markdown_renders_every_text_without_links_that_run(text in hostile()) {
        let html = markdown::to_html(&text);
        prop_assert!(!html.to_lowercase().contains("href=\"javascript"), "{}", html);
        prop_assert!(!html.contains("<script"), "{}", html);
    }

    #[test]
    fn curl_commands_answer_every_text(base in hostile(), path in hostile(), value in hostile()) {
        let spec = EndpointSpec {
            path: path.clone(),
            headers: vec![Header { name: "Authorization".into(), value: value.clone() }],
            parameters: vec![Parameter {
                name: value.chars().take(40).collect(),
                location: Location::Query,
                example: value.clone(),
                ..Parameter::default()
            }],
            request_example: value.clone(),
            ..EndpointSpec::default()
        };
        let _ = curl::full_url(&base, &spec);
        let _ = curl::command(&base, &spec);
        let _ = curl::command("https://apisit.xyz.com", &spec);
    }

    #[test]
    fn the_nul_scan_answers_every_body(bytes in prop::collection::vec(any::<u8>(), 0..4_000)) {
        let _ = partner_portal::api::has_nul_escape(&bytes);
    }
}

#[test]
fn the_worst_known_inputs_are_answered() {
    for text in [
        "[".repeat(6_000),
        "{a:[".repeat(20_000),
        format!("{}1{}", "[".repeat(64), "]".repeat(64)),
        "\u{0}".repeat(10_000),
        "9".repeat(60_000),
    ] {
        let _ = example::check(&text);
        let _ = example::parse_relaxed(&text);
        let _ = import::parse(&text);
        let _ = markdown::to_html(&text);
        let _ = secrets::scan(&text);
    }
    let blockquotes = "> ".repeat(50_000);
    let lists = "- ".repeat(50_000);
    assert!(!markdown::to_html(&blockquotes).is_empty());
    assert!(!markdown::to_html(&lists).is_empty());
}
