//! Body formats: what an endpoint's request and responses are written in, and the example form
//! each takes. JSON examples are JSON text (`example.rs` parses them); form bodies
//! (`application/x-www-form-urlencoded` and `multipart/form-data`) are `name=value` fields,
//! joined with `&` as on the wire or one per line as a person types them; XML and plain text are
//! kept as written.

use serde::{Deserialize, Serialize};

use super::text::shorten;

/// How many fields a form example may have: far above any real form, low enough that the work
/// done on each save stays small.
const MAX_FORM_FIELDS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BodyFormat {
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    Xml,
    Text,
    /// Anything else; the Content-Type header and the partner's reason say what.
    Other,
}

impl BodyFormat {
    pub const ALL: [BodyFormat; 6] = [
        BodyFormat::Json,
        BodyFormat::Form,
        BodyFormat::Multipart,
        BodyFormat::Xml,
        BodyFormat::Text,
        BodyFormat::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BodyFormat::Json => "json",
            BodyFormat::Form => "form",
            BodyFormat::Multipart => "multipart",
            BodyFormat::Xml => "xml",
            BodyFormat::Text => "text",
            BodyFormat::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<BodyFormat> {
        BodyFormat::ALL.into_iter().find(|f| f.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            BodyFormat::Json => "JSON",
            BodyFormat::Form => "Form fields (x-www-form-urlencoded)",
            BodyFormat::Multipart => "Multipart form (form-data)",
            BodyFormat::Xml => "XML",
            BodyFormat::Text => "Plain text",
            BodyFormat::Other => "Something else",
        }
    }

    /// The media type to declare; None for `Other`, whose Content-Type header says it.
    pub fn media_type(self) -> Option<&'static str> {
        match self {
            BodyFormat::Json => Some("application/json"),
            BodyFormat::Form => Some("application/x-www-form-urlencoded"),
            BodyFormat::Multipart => Some("multipart/form-data"),
            BodyFormat::Xml => Some("application/xml"),
            BodyFormat::Text => Some("text/plain"),
            BodyFormat::Other => None,
        }
    }

    /// The format a media type (as a Content-Type header or an OpenAPI content key) is in.
    pub fn of_media_type(media: &str) -> BodyFormat {
        let essence = media
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/json" | "text/json" | "*/*" | "" => BodyFormat::Json,
            m if m.ends_with("+json") => BodyFormat::Json,
            "application/x-www-form-urlencoded" => BodyFormat::Form,
            "multipart/form-data" => BodyFormat::Multipart,
            "application/xml" | "text/xml" => BodyFormat::Xml,
            m if m.ends_with("+xml") => BodyFormat::Xml,
            "text/plain" => BodyFormat::Text,
            _ => BodyFormat::Other,
        }
    }

    pub fn is_json(self) -> bool {
        self == BodyFormat::Json
    }

    pub fn is_form(self) -> bool {
        matches!(self, BodyFormat::Form | BodyFormat::Multipart)
    }

    /// Checks an example written in this format; the message says what is wrong and how to
    /// write it. JSON is checked by `example::check`, which can also offer a strict form.
    pub fn check_example(self, text: &str) -> Result<(), String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(());
        }
        match self {
            BodyFormat::Form | BodyFormat::Multipart => form_fields(text).map(|_| ()),
            BodyFormat::Xml => check_xml(text),
            BodyFormat::Json | BodyFormat::Text | BodyFormat::Other => Ok(()),
        }
    }
}

/// The `name=value` fields of a form example, decoded. Fields are separated by `&` or by line
/// breaks; `%XX` is decoded as in a form body, but `+` is kept as itself.
pub fn form_fields(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut fields = Vec::new();
    for piece in text.split(['&', '\n']) {
        let piece = piece.trim_end_matches('\r');
        if piece.trim().is_empty() {
            continue;
        }
        let Some((name, _)) = piece.split_once('=') else {
            return Err(format!(
                "“{}” has no “=”: write each field as name=value, one per line or joined with &.",
                shorten(piece.trim(), 40)
            ));
        };
        if name.trim().is_empty() {
            return Err(format!(
                "“{}” has no field name before “=”.",
                shorten(piece.trim(), 40)
            ));
        }
        if fields.len() == MAX_FORM_FIELDS {
            return Err(format!(
                "A form example may have at most {MAX_FORM_FIELDS} fields."
            ));
        }
        // A `+` stays a plus (a phone number's, as people type them), not a space.
        let piece = piece.trim().replace('+', "%2B");
        let decoded = url::form_urlencoded::parse(piece.as_bytes())
            .next()
            .map(|(n, v)| (n.trim().to_string(), v.into_owned()))
            .unwrap_or_default();
        fields.push(decoded);
    }
    Ok(fields)
}

/// A form example as the body a client sends: `application/x-www-form-urlencoded` encoding.
pub fn form_body(fields: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// A JSON object's members as form fields (nested values as their JSON text); None for anything
/// but an object.
pub fn form_of_json(value: &serde_json::Value) -> Option<Vec<(String, String)>> {
    let object = value.as_object()?;
    Some(
        object
            .iter()
            .map(|(name, value)| {
                let text = match value {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                (name.clone(), text)
            })
            .collect(),
    )
}

/// Form fields as the text the portal keeps: one `name=value` per line, readable and editable;
/// `&`, `%` and line breaks inside a value are escaped so it reads back the same (a `+` is
/// itself: `form_fields` reads it as a plus).
pub fn form_text(fields: &[(String, String)]) -> String {
    // `=` is escaped in names only: the first one splits a field's name from its value.
    fn escape(text: &str, in_name: bool) -> String {
        text.chars()
            .map(|c| match c {
                '%' => "%25".to_string(),
                '&' => "%26".to_string(),
                '=' if in_name => "%3D".to_string(),
                '\n' => "%0A".to_string(),
                '\r' => "%0D".to_string(),
                c => c.to_string(),
            })
            .collect()
    }
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", escape(name, true), escape(value, false)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a client sends for an example: the body and the Content-Type it needs. A form example
/// is encoded as its format says; a multipart body names its own boundary, so its type is
/// `forced` over any Content-Type header the partner listed, while the others only fill a gap.
pub struct WireBody {
    pub body: String,
    pub content_type: Option<String>,
    pub forced: bool,
}

pub fn wire_body(format: BodyFormat, example: &str) -> WireBody {
    let plain = |body: String| WireBody {
        body,
        content_type: format.media_type().map(str::to_string),
        forced: false,
    };
    match (format, form_fields(example)) {
        (BodyFormat::Form, Ok(fields)) => plain(form_body(&fields)),
        (BodyFormat::Multipart, Ok(fields)) => {
            let mut boundary = String::from("haptik-portal-boundary");
            while example.contains(&boundary) {
                boundary.push('x');
            }
            let mut body = String::new();
            for (name, value) in &fields {
                let name = name.replace(['"', '\r', '\n'], "_");
                body.push_str(&format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                ));
            }
            body.push_str(&format!("--{boundary}--\r\n"));
            WireBody {
                body,
                content_type: Some(format!("multipart/form-data; boundary={boundary}")),
                forced: true,
            }
        }
        _ => plain(example.to_string()),
    }
}

/// Well-formed XML, read as a stream (no recursion, so depth costs nothing).
fn check_xml(text: &str) -> Result<(), String> {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut open = 0usize;
    let mut roots = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                if open == 0 {
                    roots += 1;
                }
                open += 1;
            }
            Ok(Event::Empty(_)) if open == 0 => roots += 1,
            Ok(Event::End(_)) => open = open.saturating_sub(1),
            Ok(Event::Text(t)) if open == 0 && !t.as_ref().trim().is_empty() => {
                return Err("The XML has text outside its root element.".into());
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(error) => {
                return Err(format!(
                    "The XML is not well-formed near byte {}: {error}.",
                    reader.error_position()
                ));
            }
        }
    }
    match (open, roots) {
        (0, 1) => Ok(()),
        (0, 0) => Err("The XML has no element.".into()),
        (0, _) => Err("The XML has more than one root element.".into()),
        _ => Err("The XML ends before every element is closed.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn media_types_map_to_formats_and_back() {
        for format in BodyFormat::ALL {
            assert_eq!(BodyFormat::parse(format.as_str()), Some(format));
            if let Some(media) = format.media_type() {
                assert_eq!(BodyFormat::of_media_type(media), format);
            }
        }
        assert_eq!(
            BodyFormat::of_media_type("application/x-www-form-urlencoded; charset=utf-8"),
            BodyFormat::Form
        );
        assert_eq!(
            BodyFormat::of_media_type("application/problem+json"),
            BodyFormat::Json
        );
        assert_eq!(
            BodyFormat::of_media_type("application/soap+xml"),
            BodyFormat::Xml
        );
        assert_eq!(
            BodyFormat::of_media_type("application/pdf"),
            BodyFormat::Other
        );
    }

    #[test]
    fn form_fields_read_both_the_wire_form_and_one_per_line() {
        let wire = form_fields("To=%2B919928056506&Channel=sms&CustomMessage=Your%20code").unwrap();
        let lines =
            form_fields("To=+919928056506\r\nChannel=sms\n\nCustomMessage=Your code").unwrap();
        assert_eq!(wire, lines);
        assert_eq!(wire[0], ("To".into(), "+919928056506".into()));
        assert_eq!(
            form_body(&wire),
            "To=%2B919928056506&Channel=sms&CustomMessage=Your+code"
        );
    }

    #[test]
    fn form_text_reads_back_as_the_same_fields() {
        let fields = vec![
            ("a&b".to_string(), "1+1=2 & 50%".to_string()),
            ("multi".to_string(), "line\none".to_string()),
            ("empty".to_string(), String::new()),
        ];
        assert_eq!(form_fields(&form_text(&fields)).unwrap(), fields);
        let from_json = form_of_json(&json!({"To": "+91", "n": 2, "o": {"k": 1}})).unwrap();
        assert_eq!(from_json[1], ("n".into(), "2".into()));
        assert_eq!(from_json[2], ("o".into(), r#"{"k":1}"#.into()));
        assert!(form_of_json(&json!([1])).is_none());
    }

    #[test]
    fn broken_examples_are_named_with_what_to_do() {
        let no_equals = BodyFormat::Form.check_example("To=1&Channel").unwrap_err();
        assert!(no_equals.contains("“Channel” has no “=”"), "{no_equals}");
        assert!(BodyFormat::Multipart.check_example("=x").is_err());
        assert!(BodyFormat::Form.check_example("").is_ok());
        assert!(
            BodyFormat::Xml
                .check_example("<?xml version=\"1.0\"?><a><b/>t</a>")
                .is_ok()
        );
        assert!(BodyFormat::Xml.check_example("<a><b></a>").is_err());
        assert!(BodyFormat::Xml.check_example("<a/><b/>").is_err());
        assert!(BodyFormat::Xml.check_example("plain").is_err());
        assert!(BodyFormat::Text.check_example("anything <at> all").is_ok());
        let many = vec!["a=1"; MAX_FORM_FIELDS + 1].join("&");
        assert!(BodyFormat::Form.check_example(&many).is_err());
    }

    #[test]
    fn examples_become_the_bodies_a_client_sends() {
        let form = wire_body(BodyFormat::Form, "To=+91 99\nChannel=sms");
        assert_eq!(form.body, "To=%2B91+99&Channel=sms", "a typed + is a plus");
        assert_eq!(
            form.content_type.as_deref(),
            Some("application/x-www-form-urlencoded")
        );
        assert!(!form.forced);
        let multipart = wire_body(BodyFormat::Multipart, "file=haptik-portal-boundary");
        let content_type = multipart.content_type.unwrap();
        let boundary = content_type.split("boundary=").nth(1).unwrap();
        assert_eq!(boundary, "haptik-portal-boundaryx");
        assert!(multipart.forced);
        assert!(multipart.body.starts_with(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nhaptik-portal-boundary\r\n"
        )));
        assert!(multipart.body.ends_with(&format!("--{boundary}--\r\n")));
        let other = wire_body(BodyFormat::Other, "%PDF");
        assert_eq!((other.body.as_str(), other.content_type), ("%PDF", None));
    }

    #[test]
    fn deep_xml_is_read_without_recursion() {
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        assert!(BodyFormat::Xml.check_example(&deep).is_ok());
    }
}
