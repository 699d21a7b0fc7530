//! A Postman request's body: raw text in its format, or form fields as rows (each one a body
//! parameter); and the format of a saved response.

use serde_json::Value;

use super::{Context, description, optional, placeholders, text, without_mark};
use crate::domain::media;
use crate::domain::model::*;
use crate::interop::import::example_text;
use crate::interop::import::schema::as_text;

impl Context<'_> {
    pub(super) fn body(&mut self, spec: &mut EndpointSpec, body: Option<&Value>) {
        let Some(body) = body else {
            return;
        };
        let mode = text(body.get("mode"));
        let empty = match body.get(mode.as_str()) {
            Some(Value::String(raw)) => raw.trim().is_empty(),
            Some(Value::Array(fields)) => fields.is_empty(),
            Some(Value::Object(fields)) => fields.is_empty(),
            _ => true,
        };
        // Postman keeps a mode on requests that send nothing; it says nothing about the API.
        if empty {
            return;
        }
        match mode.as_str() {
            "raw" => {
                let raw = text(body.get("raw"));
                let language = body
                    .pointer("/options/raw/language")
                    .and_then(Value::as_str)
                    .unwrap_or("json");
                let declared = spec
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("content-type"))
                    .map(|h| BodyFormat::of_media_type(&h.value));
                spec.body_format = match (declared, language) {
                    (Some(format), _)
                        if !matches!(format, BodyFormat::Json | BodyFormat::Other) =>
                    {
                        format
                    }
                    _ if serde_json::from_str::<Value>(&raw).is_ok() => BodyFormat::Json,
                    (_, "json") => BodyFormat::Json,
                    (_, "xml") => BodyFormat::Xml,
                    (_, "text") => BodyFormat::Text,
                    _ => BodyFormat::Other,
                };
                if spec.body_format != BodyFormat::Json {
                    spec.non_json_reason = format!("The request body is {language}.");
                }
                spec.request_example = placeholders(&raw);
                let strict = crate::domain::example::parse(&spec.request_example).is_some();
                if spec.body_format == BodyFormat::Json && !strict {
                    self.plan.notes.push(format!(
                        "{}: the request body is not strict JSON (comments, trailing commas or \
                         variables outside quotes?); it was kept as written, and the endpoint \
                         page offers to convert it.",
                        spec.title()
                    ));
                }
            }
            mode @ ("urlencoded" | "formdata") => {
                let mut example = Vec::new();
                for field in body
                    .get(mode)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let key = text(field.get("key"));
                    if key.is_empty() {
                        continue;
                    }
                    let file = text(field.get("type")) == "file";
                    let value = if file {
                        format!(
                            "<<file: {}>>",
                            as_text(field.get("src").unwrap_or(&Value::Null))
                        )
                    } else {
                        placeholders(&as_text(field.get("value").unwrap_or(&Value::Null)))
                    };
                    let about = description(field.get("description"));
                    let required = !optional(field, &about);
                    if about != crate::interop::postman_fields::EXAMPLE_ONLY {
                        spec.parameters.push(Parameter {
                            name: key.clone(),
                            location: Location::Body,
                            kind: ParamType::String,
                            required,
                            description: without_mark(&about),
                            example: value.clone(),
                        });
                    }
                    // A disabled field is documented, not sent in the example.
                    if field.get("disabled").and_then(Value::as_bool) != Some(true) {
                        example.push((key, value));
                    }
                }
                spec.body_format = if mode == "urlencoded" {
                    BodyFormat::Form
                } else {
                    BodyFormat::Multipart
                };
                spec.non_json_reason = format!(
                    "The request body is sent as {} fields.",
                    spec.body_format.media_type().unwrap_or(mode)
                );
                spec.request_example = media::form_text(&example);
            }
            "graphql" => {
                spec.request_example = example_text(body.get("graphql").unwrap_or(&Value::Null));
            }
            "" | "none" => {}
            other => self.plan.notes.push(format!(
                "{}: a {other} body was not imported.",
                spec.title()
            )),
        }
    }
}

/// The format of a saved response: its Content-Type header, else (for a body that is not JSON)
/// the language Postman previews it in; None when neither says anything but JSON.
pub(super) fn saved_format(response: &Value, not_json: bool) -> Option<BodyFormat> {
    let content_type = response
        .get("header")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|h| text(h.get("key")).eq_ignore_ascii_case("content-type"))
        .map(|h| text(h.get("value")))
        .filter(|media| media.contains('/'));
    match content_type {
        Some(media) => Some(BodyFormat::of_media_type(&media)),
        None if not_json && !text(response.get("body")).trim().is_empty() => Some(
            match text(response.get("_postman_previewlanguage")).as_str() {
                "xml" => BodyFormat::Xml,
                "text" => BodyFormat::Text,
                "json" => BodyFormat::Json,
                _ => BodyFormat::Other,
            },
        ),
        None => None,
    }
}
