//! The whole integration as Markdown, and the printable HTML page made from it. Everything the
//! partner typed is text: raw HTML in it is escaped in the Markdown (so any renderer shows it)
//! and shown as text on the page, and only http, https and mailto links become links.

use std::fmt::Write;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

use crate::domain::curl;
use crate::domain::model::{BodyFormat, Contact, ReachMode};
use crate::domain::revision::Snapshot;

pub fn document(s: &Snapshot, version: &str) -> String {
    let mut md = String::new();
    let sections = &s.sections;
    let _ = writeln!(md, "# {}\n", text(&one_line(&s.name)));
    let _ = writeln!(md, "{} · {}\n", text(&one_line(&s.company)), version);
    if !s.purpose.is_empty() {
        let _ = writeln!(md, "{}\n", text(&s.purpose));
    }

    md.push_str("## Environments and reachability\n\n");
    let _ = writeln!(
        md,
        "- Staging base URL: {}",
        code(&sections.environments.staging_url)
    );
    let _ = writeln!(
        md,
        "- Production base URL: {}",
        code(&sections.environments.production_url)
    );
    let reach = match sections.reachability.mode {
        Some(ReachMode::Public) => "publicly reachable",
        Some(ReachMode::Whitelisting) if sections.reachability.whitelist_confirmed => {
            "whitelisting Haptik's egress IPs (confirmed on staging)"
        }
        Some(ReachMode::Whitelisting) => "whitelisting Haptik's egress IPs (not yet confirmed)",
        None => "not answered",
    };
    let _ = writeln!(md, "- Reachability: {reach}\n");

    md.push_str("## Authentication and credentials\n\n");
    let scheme = sections
        .authentication
        .scheme
        .map_or("not answered", |a| a.label());
    let _ = writeln!(md, "Scheme: {scheme}\n");
    if !sections.authentication.steps.is_empty() {
        md.push_str(&fenced("", &sections.authentication.steps));
    }
    let _ = writeln!(md, "Partner code: {}\n", code(&sections.partner_code.code));
    table(
        &mut md,
        &["Credential key name", "Goes in", "What it is"],
        sections.credentials.items.iter().map(|c| {
            vec![
                code(&c.name),
                c.location.as_str().to_string(),
                text(&c.description),
            ]
        }),
    );

    md.push_str("## Status codes\n\n");
    table(
        &mut md,
        &["Code", "Message", "HTTP", "Meaning"],
        sections.status_codes.items.iter().map(|c| {
            vec![
                code(&c.code),
                text(&c.message),
                text(&c.http_status),
                text(&c.meaning),
            ]
        }),
    );
    md.push_str("## Test data\n\n");
    table(
        &mut md,
        &["Label", "Value", "Note"],
        sections
            .test_data
            .items
            .iter()
            .map(|d| vec![text(&d.label), code(&d.value), text(&d.note)]),
    );

    md.push_str("## Technical SPOC\n\n");
    for (label, contact) in [
        ("Primary", &sections.contacts.primary),
        ("Backup", &sections.contacts.backup),
    ] {
        if !contact.is_empty() {
            let _ = writeln!(md, "- {label}: {}", text(&contact_line(contact)));
        }
    }
    md.push('\n');

    for endpoint in &s.endpoints {
        let spec = &endpoint.spec;
        let method = spec.method.map_or("(no method)", |m| m.as_str());
        let _ = writeln!(md, "## Endpoint: {}\n", text(&one_line(&spec.title())));
        if !spec.purpose.is_empty() {
            let _ = writeln!(md, "{}\n", text(&spec.purpose));
        }
        let _ = writeln!(md, "{} {}\n", code(method), code(&spec.path));
        if let Some(url) = curl::full_url(&sections.environments.staging_url, spec) {
            let _ = writeln!(md, "Staging URL: {}\n", code(&url));
        }
        if !spec.headers.is_empty() {
            md.push_str("### Headers\n\n");
            table(
                &mut md,
                &["Name", "Value"],
                spec.headers
                    .iter()
                    .map(|h| vec![code(&h.name), code(&h.value)]),
            );
        }
        if !spec.parameters.is_empty() {
            md.push_str("### Parameters\n\n");
            table(
                &mut md,
                &["Name", "In", "Type", "Required", "Description", "Example"],
                spec.parameters.iter().map(|p| {
                    vec![
                        code(&p.name),
                        p.location.as_str().to_string(),
                        p.kind.as_str().to_string(),
                        if p.required { "mandatory" } else { "optional" }.to_string(),
                        text(&p.description),
                        code(&p.example),
                    ]
                }),
            );
        }
        if !spec.request_example.is_empty() {
            md.push_str("### Request example\n\n");
            md.push_str(&fenced(
                fence_language(spec.body_format),
                &spec.request_example,
            ));
        }
        let _ = writeln!(
            md,
            "### Success response ({})\n",
            text(&one_line(&spec.success_status))
        );
        md.push_str(&fenced(
            fence_language(spec.response_format()),
            &spec.success_example,
        ));
        for error in &spec.errors {
            let _ = writeln!(
                md,
                "### Error: HTTP {} · {}\n\n{}\n",
                text(&one_line(&error.http_status)),
                text(&one_line(&error.partner_code)),
                text(&error.description)
            );
            if !error.example.is_empty() {
                md.push_str(&fenced(
                    fence_language(spec.response_format()),
                    &error.example,
                ));
            }
        }
        if !spec.not_applicable.0.is_empty() {
            md.push_str("### Marked not applicable\n\n");
            for (item, why) in &spec.not_applicable.0 {
                let _ = writeln!(md, "- {item}: {}", text(why));
            }
            md.push('\n');
        }
    }
    md
}

/// The language a fenced example is highlighted as.
fn fence_language(format: BodyFormat) -> &'static str {
    match format {
        BodyFormat::Json => "json",
        BodyFormat::Xml => "xml",
        BodyFormat::Form | BodyFormat::Multipart => "properties",
        BodyFormat::Text | BodyFormat::Other => "text",
    }
}

/// Markdown to HTML, with any HTML inside the text shown as text and links kept only when they
/// go to http, https or mailto addresses (a `javascript:` link is shown as its text).
pub fn to_html(markdown: &str) -> String {
    // Links and images do not nest, so one flag each tracks a refused one until its end.
    let (mut in_refused_link, mut in_refused_image) = (false, false);
    let parser =
        Parser::new_ext(markdown, Options::ENABLE_TABLES).filter_map(|event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
            Event::Start(Tag::Link { ref dest_url, .. }) if !safe_link(dest_url) => {
                in_refused_link = true;
                None
            }
            Event::End(TagEnd::Link) if in_refused_link => {
                in_refused_link = false;
                None
            }
            Event::Start(Tag::Image { ref dest_url, .. }) if !safe_link(dest_url) => {
                in_refused_image = true;
                None
            }
            Event::End(TagEnd::Image) if in_refused_image => {
                in_refused_image = false;
                None
            }
            other => Some(other),
        });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

fn safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

/// Partner prose for the Markdown document: `&`, `<` and `>` escaped, so HTML in it is shown by
/// any Markdown renderer, not run.
fn text(prose: &str) -> String {
    prose
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// Inline code that survives backticks in the text.
fn code(text: &str) -> String {
    if text.is_empty() {
        return "—".into();
    }
    let ticks = "`".repeat(longest_run(text, '`') + 1);
    format!("{ticks} {} {ticks}", one_line(text))
}

fn fenced(language: &str, text: &str) -> String {
    let fence = "`".repeat((longest_run(text, '`') + 1).max(3));
    format!("{fence}{language}\n{text}\n{fence}\n\n")
}

fn longest_run(text: &str, c: char) -> usize {
    text.split(|x| x != c).map(str::len).max().unwrap_or(0)
}

fn table(md: &mut String, headings: &[&str], rows: impl Iterator<Item = Vec<String>>) {
    let rows: Vec<Vec<String>> = rows.collect();
    if rows.is_empty() {
        md.push_str("Nothing entered.\n\n");
        return;
    }
    let _ = writeln!(md, "| {} |", headings.join(" | "));
    let _ = writeln!(md, "|{}", "---|".repeat(headings.len()));
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| one_line(c).replace('|', "\\|"))
            .collect();
        let _ = writeln!(md, "| {} |", cells.join(" | "));
    }
    md.push('\n');
}

fn contact_line(c: &Contact) -> String {
    one_line(&format!(
        "{}, {} · {} · {} · {}",
        c.name, c.role, c.email, c.phone, c.hours
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_typed_by_a_partner_is_shown_not_run() {
        let html = to_html("Hello <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>");
        assert!(
            !html.contains("<script>") && !html.contains("<img"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn only_web_and_mail_links_become_links() {
        let html = to_html(
            "[a](javascript:alert(1)) [b](JavaScript:alert(2)) <javascript:alert(3)> \
             [c](data:text/html,x) [d](vbscript:x) [ok](https://example.com) \
             [mail](mailto:ops@example.com) ![img](javascript:alert(4))",
        );
        assert!(
            !html.to_lowercase().contains("javascript:alert(1)\""),
            "{html}"
        );
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(!html.contains("href=\"JavaScript"), "{html}");
        assert!(!html.contains("href=\"data:"), "{html}");
        assert!(!html.contains("href=\"vbscript:"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("<a href=\"https://example.com\">ok</a>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"mailto:ops@example.com\">mail</a>"),
            "{html}"
        );
        assert!(
            html.starts_with("<p>a b javascript:alert(3) c d "),
            "the text stays: {html}"
        );
    }

    #[test]
    fn prose_html_is_escaped_for_any_renderer() {
        assert_eq!(
            text("<b>bold</b> & <script>x</script>"),
            "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;"
        );
    }

    #[test]
    fn code_survives_backticks() {
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(fenced("json", "```x"), "````json\n```x\n````\n\n");
    }
}
