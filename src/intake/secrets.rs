//! The secret guard: partners name credentials, they never paste them. Finds text that looks like
//! a live secret so the form can warn and offer a placeholder such as `<<token>>` instead.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Jwt,
    BearerToken,
    BasicCredentials,
    PrivateKey,
    AwsAccessKey,
    RandomKey,
}

impl SecretKind {
    /// For the warning: "a JSON Web Token", "a bearer token", "basic-auth credentials", "a private key", "an AWS access key", "a long random key".
    pub fn describe(self) -> &'static str {
        match self {
            SecretKind::Jwt => "a JSON Web Token",
            SecretKind::BearerToken => "a bearer token",
            SecretKind::BasicCredentials => "basic-auth credentials",
            SecretKind::PrivateKey => "a private key",
            SecretKind::AwsAccessKey => "an AWS access key",
            SecretKind::RandomKey => "a long random key",
        }
    }

    /// What replaces it: "<<jwt>>", "<<token>>", "<<basic_credentials>>", "<<private_key>>", "<<aws_access_key>>", "<<api_key>>".
    pub fn placeholder(self) -> &'static str {
        match self {
            SecretKind::Jwt => "<<jwt>>",
            SecretKind::BearerToken => "<<token>>",
            SecretKind::BasicCredentials => "<<basic_credentials>>",
            SecretKind::PrivateKey => "<<private_key>>",
            SecretKind::AwsAccessKey => "<<aws_access_key>>",
            SecretKind::RandomKey => "<<api_key>>",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: SecretKind,
    /// byte range of the secret itself in the scanned text (not the word "Bearer")
    pub start: usize,
    pub end: usize,
}

fn compiled(pattern: &str) -> Regex {
    // The patterns are fixed strings in this file, so this can only fail while editing them,
    // and the tests compile every one of them.
    Regex::new(pattern).unwrap_or_else(|err| panic!("secret pattern {pattern:?}: {err}"))
}

static JWT: LazyLock<Regex> =
    LazyLock::new(|| compiled(r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"));
// Unterminated blocks run to the end of the text: half a key is still a key.
static PRIVATE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    compiled(
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)",
    )
});
static AWS_ACCESS_KEY: LazyLock<Regex> = LazyLock::new(|| compiled(r"\bAKIA[0-9A-Z]{16}\b"));
static BASIC: LazyLock<Regex> =
    LazyLock::new(|| compiled(r"\b(?i:basic)\s+([A-Za-z0-9+/]+={0,2})"));
static BEARER: LazyLock<Regex> =
    LazyLock::new(|| compiled(r"\b(?i:bearer)\s+([A-Za-z0-9._~+/=-]{16,})"));
// `=` only as trailing padding, so `api_key=…` in a query string is not swallowed into the key.
static LONG_RUN: LazyLock<Regex> = LazyLock::new(|| compiled(r"[A-Za-z0-9_+/-]{32,}={0,2}"));
static UUID: LazyLock<Regex> = LazyLock::new(|| {
    compiled(r"\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b")
});
/// `<<token>>`, `{{token}}`, `${TOKEN}`, `<your-api-key>`: how partners write a name in place of a value.
/// A URL in text: its host and path are public (ids in paths, `href`s, page links); only a query
/// value under a secret-sounding name can hold a key.
static URL: LazyLock<Regex> = LazyLock::new(|| compiled(r#"https?://[^\s"'<>\\]+"#));
static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    compiled(
        r"(?i)(key|token|secret|sig|signature|password|passwd|auth|credential|session|connect\.sid)",
    )
});

/// A field that names an identifier or a link (`id`, `sid`, `order_id`, `paymentId`,
/// `transcript_ids`, `href`, `next_page_url`): its value is public example data, however random
/// it looks. A secret-sounding name (`client_secret_id`) still wins.
static ID_NAME: LazyLock<Regex> = LazyLock::new(|| {
    compiled(
        r"(?:^|[_.\-])(?i:ids?|sids?|uuids?|guids?|refs?|reference|etag|href|urls?|uris?|links?)$|[a-z0-9](?:Ids?|Sids?|Uuids?|Ref|Refs|Url|Urls|Uri|Href)$|^(?i:ids?|sids?|uuids?|guids?|href|url|uri|link|etag)$",
    )
});
/// A JSON member whose value is a string or a list of strings: `"sid": "VA…"`, `"ids": ["…"]`.
static JSON_MEMBER: LazyLock<Regex> = LazyLock::new(|| {
    compiled(
        r#""([A-Za-z0-9_.\-]{1,64})"\s*:\s*("(?:[^"\\\n]|\\.)*"|\[(?:\s*"(?:[^"\\\n]|\\.)*"\s*,?)*\s*\])"#,
    )
});
/// A form field on its own line or after `&`: `sid=VA…`. Its value ends where a form value, a
/// quoted string or a cookie pair would, so nothing after it on the line is taken for it.
static FORM_FIELD: LazyLock<Regex> =
    LazyLock::new(|| compiled(r#"(?m)(?:^|&)([A-Za-z0-9_.\-]{1,64})=([^&;"\s]*)"#));

/// Whether a field named so holds public identifiers rather than credentials.
pub fn names_an_identifier(name: &str) -> bool {
    ID_NAME.is_match(name) && !SECRET_NAME.is_match(name)
}

static WRAPPED_PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| compiled(r"<<[^<>\n]*>>|\{\{[^{}\n]*\}\}|\$\{[^{}\n]*\}|<[^<>\s]+>"));

/// Everything in `text` that looks like a live secret, in order, non-overlapping.
pub fn scan(text: &str) -> Vec<Finding> {
    // Keyed by start. Findings never overlap, so the one starting last before a candidate's end
    // is the only one that can overlap it.
    let mut found: BTreeMap<usize, Finding> = BTreeMap::new();
    let mut add = |kind: SecretKind, start: usize, end: usize| {
        let overlaps = found
            .range(..end)
            .next_back()
            .is_some_and(|(_, earlier)| earlier.end > start);
        if !overlaps {
            found.insert(start, Finding { kind, start, end });
        }
    };

    // Most specific first, so a JWT after "Bearer" is reported as a JWT, not as a bearer token.
    for m in PRIVATE_KEY.find_iter(text) {
        add(SecretKind::PrivateKey, m.start(), m.end());
    }
    for m in JWT.find_iter(text) {
        add(SecretKind::Jwt, m.start(), m.end());
    }
    for m in AWS_ACCESS_KEY.find_iter(text) {
        add(SecretKind::AwsAccessKey, m.start(), m.end());
    }
    for value in BASIC.captures_iter(text).filter_map(|c| c.get(1)) {
        if decodes_to_user_and_password(value.as_str()) {
            add(SecretKind::BasicCredentials, value.start(), value.end());
        }
    }
    for value in BEARER.captures_iter(text).filter_map(|c| c.get(1)) {
        if !is_placeholder(value.as_str()) {
            add(SecretKind::BearerToken, value.start(), value.end());
        }
    }
    // A key in a URL's query is one value, however its percent-escapes cut it into runs.
    for url in URL.find_iter(text) {
        for value in url_parts(url.as_str()).secret_values {
            let random = LONG_RUN
                .find_iter(&url.as_str()[value.clone()])
                .any(|run| looks_random(run.as_str()));
            if random {
                add(
                    SecretKind::RandomKey,
                    url.start() + value.start,
                    url.start() + value.end,
                );
            }
        }
    }
    for m in LONG_RUN.find_iter(&without_public_parts(text)) {
        if looks_random(m.as_str()) {
            add(SecretKind::RandomKey, m.start(), m.end());
        }
    }
    found.into_values().collect()
}

/// What `scan` finds in the value of a field named `name`: a field that names an identifier
/// (a parameter `ServiceSid`, `order_id`) holds no random key, whatever its value looks like,
/// though a token or a private key in it is still one.
pub fn scan_named(name: &str, text: &str) -> Vec<Finding> {
    let mut findings = scan(text);
    if names_an_identifier(name) {
        findings.retain(|f| f.kind != SecretKind::RandomKey);
    }
    findings
}

/// `text` with every finding replaced by its kind's placeholder (the "Replace with placeholder" button).
pub fn redact(text: &str) -> String {
    redact_findings(text, scan(text))
}

/// `text` with these findings replaced by their placeholders.
pub fn redact_findings(text: &str, findings: Vec<Finding>) -> String {
    let mut redacted = String::with_capacity(text.len());
    let mut copied_to = 0;
    for finding in findings {
        redacted.push_str(text.get(copied_to..finding.start).unwrap_or_default());
        redacted.push_str(finding.kind.placeholder());
        copied_to = finding.end;
    }
    redacted.push_str(text.get(copied_to..).unwrap_or_default());
    redacted
}

/// One sentence for the form: "This looks like a JSON Web Token. Credentials are named, never pasted: replace it with <<jwt>>, or tick “It is not a secret” to keep it." or None when scan finds nothing.
pub fn warning(text: &str) -> Option<String> {
    warning_for(&scan(text))
}

/// The warning for findings already made (by `scan` or `scan_named`).
pub fn warning_for(findings: &[Finding]) -> Option<String> {
    match findings {
        [] => None,
        [only] => Some(format!(
            "This looks like {}. Credentials are named, never pasted: replace it with {}, \
             or tick “It is not a secret” to keep it.",
            only.kind.describe(),
            only.kind.placeholder()
        )),
        several => {
            let mut kinds: Vec<&str> = Vec::new();
            for finding in several {
                let kind = finding.kind.describe();
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
            Some(format!(
                "This contains {} things that look like credentials ({}). Credentials are named, \
                 never pasted: replace them with placeholders, or tick “It is not a secret” to keep them.",
                several.len(),
                and_list(&kinds)
            ))
        }
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [only] => only.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn decodes_to_user_and_password(base64: &str) -> bool {
    STANDARD
        .decode(base64)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .is_some_and(|decoded| decoded.contains(':'))
}

/// A name standing in for a value (`YOUR_ACCESS_TOKEN`, `xxxxxxxxxxxxxxxx`): real tokens carry
/// digits, and a single repeated character is a mask.
fn is_placeholder(value: &str) -> bool {
    let mut chars = value.chars();
    let first = chars.next();
    !value.bytes().any(|b| b.is_ascii_digit()) || chars.all(|c| Some(c) == first)
}

/// The text with UUIDs, wrapped placeholders and the public parts of URLs blanked out (same byte
/// length, so offsets still match), so that none can be taken for, or be glued onto, a random key.
fn without_public_parts(text: &str) -> String {
    let mut blanked = text.to_string();
    for pattern in [&*UUID, &*WRAPPED_PLACEHOLDER] {
        let ranges: Vec<_> = pattern.find_iter(&blanked).map(|m| m.range()).collect();
        blank(&mut blanked, ranges);
    }
    // Values of fields that name identifiers (`"sid": "VA0123…"`, `order_id=…`).
    let identifiers: Vec<_> = JSON_MEMBER
        .captures_iter(&blanked)
        .chain(FORM_FIELD.captures_iter(&blanked))
        .filter(|c| names_an_identifier(&c[1]))
        .filter_map(|c| c.get(2).map(|m| m.range()))
        .collect();
    blank(&mut blanked, identifiers);
    let in_urls: Vec<_> = URL
        .find_iter(&blanked)
        .flat_map(|m| {
            url_parts(m.as_str())
                .public
                .into_iter()
                .map(move |r| m.start() + r.start..m.start() + r.end)
        })
        .collect();
    blank(&mut blanked, in_urls);
    blanked
}

fn blank(text: &mut String, ranges: Vec<std::ops::Range<usize>>) {
    for range in ranges {
        let spaces = " ".repeat(range.len());
        // Regex matches start and end on character boundaries, and so do the URL's `?`, `&`, `=`
        // and `#` that `url_parts` cuts at, so this cannot split a character.
        text.replace_range(range, &spaces);
    }
}

/// A URL cut into what is public (host, path, ordinary query pairs, the names of secret ones) and
/// the values of query parameters with a secret-sounding name (`?api_key=…`, `&signature=…`), as
/// ranges within it.
struct UrlParts {
    public: Vec<std::ops::Range<usize>>,
    secret_values: Vec<std::ops::Range<usize>>,
}

fn url_parts(url: &str) -> UrlParts {
    let query_at = url.find('?').unwrap_or(url.len());
    let mut parts = UrlParts {
        public: Vec::new(),
        secret_values: Vec::new(),
    };
    parts.public.push(0..query_at);
    let mut at = query_at + 1;
    while at < url.len() {
        let end = url[at..].find(['&', '#']).map_or(url.len(), |i| at + i);
        match url[at..end].split_once('=') {
            Some((name, _)) if SECRET_NAME.is_match(name) => {
                let value_at = at + name.len() + 1;
                parts.public.push(at..value_at);
                parts.secret_values.push(value_at..end);
            }
            _ => parts.public.push(at..end),
        }
        at = end + 1;
    }
    parts
}

/// Whether a long run of key characters reads as random rather than as a name or a number.
fn looks_random(run: &str) -> bool {
    const MIN_BITS_PER_CHAR: f64 = 3.5;
    if run.bytes().all(|b| b.is_ascii_digit()) || looks_like_a_name(run) {
        return false;
    }
    // Hex has only 16 symbols, so its entropy stays under the bar however random it is.
    run.bytes().all(|b| b.is_ascii_hexdigit()) || bits_per_char(run) >= MIN_BITS_PER_CHAR
}

/// Whether a run is made of words, as names and paths are (`getCustomerOrders`,
/// `partner_api_spec_v2`, `/otp/v1/generateOTP`, `ORD123456789`, `YOUR_API_KEY`), where a
/// generated key puts digits and capitals anywhere.
fn looks_like_a_name(run: &str) -> bool {
    if !run.bytes().any(|b| b.is_ascii_digit()) {
        // Real keys carry digits; a long run of letters alone is a name or a mask like xxxxxxxx.
        return true;
    }
    run.split(|c: char| !c.is_ascii_alphanumeric())
        .flat_map(camel_case_parts)
        .all(is_word)
}

/// `getV2OTPCode` → `get`, `V2`, `OTP`, `Code`: a part starts at a capital that follows a small
/// letter or a digit, or that begins a capitalised word right after an acronym of two or more
/// capitals. (Keys have short runs of capitals too, so a single capital is not an acronym.)
fn camel_case_parts(identifier: &str) -> Vec<&str> {
    let bytes = identifier.as_bytes();
    let upper_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_uppercase);
    let lower_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_lowercase);
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 1..bytes.len() {
        let after_word = !upper_at(i - 1) && upper_at(i);
        let after_acronym =
            i >= 2 && upper_at(i - 2) && upper_at(i - 1) && upper_at(i) && lower_at(i + 1);
        if after_word || after_acronym {
            parts.push(identifier.get(start..i).unwrap_or_default());
            start = i;
        }
    }
    parts.push(identifier.get(start..).unwrap_or_default());
    parts
}

/// `order`, `Order`, `ORDER`, optionally followed by a number: `v2`, `ORD123456789`.
fn is_word(part: &str) -> bool {
    let letters = part.trim_end_matches(|c: char| c.is_ascii_digit());
    let mut rest = letters.chars();
    let capitalised = rest.next().is_some_and(|c| c.is_ascii_alphabetic())
        && rest.all(|c| c.is_ascii_lowercase());
    letters.is_empty() || capitalised || letters.bytes().all(|b| b.is_ascii_uppercase())
}

/// Shannon entropy of the run's characters (all ASCII here), in bits per character.
fn bits_per_char(run: &str) -> f64 {
    let mut counts = [0u32; 256];
    for byte in run.bytes() {
        counts[usize::from(byte)] += 1;
    }
    let len = run.len() as f64;
    counts
        .iter()
        .filter(|&&count| count > 0)
        .map(|&count| {
            let p = f64::from(count) / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
#[path = "secrets_tests.rs"]
mod tests;
