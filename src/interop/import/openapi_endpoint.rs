//! One OpenAPI operation → an endpoint: parameters, the request body in its format, the success
//! response and an error scenario per error response (or per named example of one). Whatever the
//! portal has no place for is named in the report by its JSON pointer.

use serde_json::Value;

use super::openapi_security::Security;
use super::partner_code::partner_code;
use super::schema::{ExampleCut, Refs, as_text, param_type};
use super::source_schema::SchemaCopier;
use super::text_of as text;
use super::{example_text, pointer};
use crate::domain::media;
use crate::domain::model::*;

/// Where an example came from: the document's own example for this body, or made from a schema
/// (also a shared schema's `example`, which says nothing about this response in particular).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Given,
    Made,
}

pub struct Operation<'a, 'n> {
    pub refs: &'a Refs<'a>,
    pub schemas: &'a SchemaCopier<'a>,
    pub method: HttpMethod,
    pub path: &'a str,
    pub operation: &'a Value,
    pub shared: &'a [&'a Value],
    pub security: &'a Security,
    pub notes: &'n mut Vec<String>,
}

impl<'a> Operation<'a, '_> {
    fn at(&self, more: &[&str]) -> String {
        let method = self.method.as_str().to_lowercase();
        let mut parts = vec!["paths", self.path, method.as_str()];
        parts.extend_from_slice(more);
        pointer(&parts)
    }

    pub fn endpoint(mut self) -> EndpointSpec {
        let operation = self.operation;
        let summary = text(operation, "summary");
        let name = if !summary.is_empty() {
            summary
        } else if !text(operation, "operationId").is_empty() {
            text(operation, "operationId")
        } else {
            format!("{} {}", self.method.as_str(), self.path)
        };
        let mut spec = EndpointSpec {
            name,
            purpose: text(operation, "description"),
            method: Some(self.method),
            path: self.path.to_string(),
            // One operation per method and path in OpenAPI: either names it for the next import.
            source_id: match text(operation, "operationId") {
                id if id.is_empty() => format!("{} {}", self.method.as_str(), self.path),
                id => id,
            },
            ..EndpointSpec::default()
        };
        if let Some(header) = self.security.header_for(operation) {
            spec.headers.push(header);
        }
        self.unmapped(&spec);
        self.parameters(&mut spec);
        self.request_body(&mut spec);
        self.responses(&mut spec);
        if spec.success_example.is_empty() && !spec.success_status.is_empty() {
            let bodiless = matches!(spec.success_status.as_str(), "204" | "205" | "304");
            if !bodiless {
                let at = self.at(&["responses", &spec.success_status]);
                self.notes.push(format!(
                    "{at}: no success example; add one on the endpoint page."
                ));
            }
        }
        spec
    }

    /// Keeps the source's schema for `key` (`request`, `success`, `error_N`, `param:…`), or
    /// says why it was not kept.
    fn keep_schema(
        &mut self,
        spec: &mut EndpointSpec,
        key: String,
        schema: Option<&'a Value>,
        at: &str,
    ) {
        let Some(schema) = schema else {
            return;
        };
        match self.schemas.copy(schema) {
            Some(kept) => {
                spec.schemas.insert(key, kept);
            }
            None => self.notes.push(format!(
                "{at}/schema: too large for the portal to keep (over 64 KiB, or the file's schemas together over 4 MiB); the exports describe this part from its example."
            )),
        }
    }

    /// Parts of an operation the portal has no place for.
    fn unmapped(&mut self, spec: &EndpointSpec) {
        let operation = self.operation;
        if let Some(callbacks) = operation.get("callbacks").and_then(Value::as_object) {
            let names: Vec<&str> = callbacks.keys().map(String::as_str).collect();
            let at = self.at(&["callbacks"]);
            self.notes.push(format!(
                "{at}: callbacks ({}) are requests the API makes back to the caller; not imported, describe them in the purpose if Haptik must receive them.",
                names.join(", ")
            ));
        }
        if let Some(servers) = operation.get("servers").and_then(Value::as_array) {
            let urls: Vec<String> = servers.iter().map(|s| text(s, "url")).collect();
            let at = self.at(&["servers"]);
            self.notes.push(format!(
                "{at}: “{}” is served from {}, not the integration's base URL; it was imported under that base URL. Check it, or describe that host's API in an integration of its own.",
                spec.name,
                urls.join(", ")
            ));
        }
    }

    fn parameters(&mut self, spec: &mut EndpointSpec) {
        let own: Vec<&Value> = self
            .operation
            .get("parameters")
            .and_then(Value::as_array)
            .map(|p| p.iter().collect())
            .unwrap_or_default();
        let refs = self.refs;
        for (index, parameter) in self.shared.iter().chain(own.iter()).enumerate() {
            let Some(parameter) = refs.resolve(parameter) else {
                let at = self.at(&[
                    "parameters",
                    &index.saturating_sub(self.shared.len()).to_string(),
                ]);
                self.notes.push(format!(
                    "{at}: its $ref {} points nowhere in the file; the parameter was not imported.",
                    text(parameter, "$ref")
                ));
                continue;
            };
            let location = match text(parameter, "in").as_str() {
                "query" => Location::Query,
                "header" => Location::Header,
                "path" => Location::Path,
                other => {
                    self.notes.push(format!(
                        "{}: the {other} parameter “{}” has no place in the portal; not imported.",
                        self.at(&["parameters"]),
                        text(parameter, "name")
                    ));
                    continue;
                }
            };
            let schema = parameter.get("schema");
            let example = parameter
                .get("example")
                .cloned()
                .or_else(|| {
                    parameter
                        .get("examples")
                        .and_then(Value::as_object)
                        .and_then(|e| e.values().next())
                        .and_then(|e| refs.resolve(e))
                        .and_then(|e| e.get("value"))
                        .cloned()
                })
                .or_else(|| {
                    schema
                        .and_then(|s| refs.resolve(s))
                        .and_then(|s| s.get("example").cloned())
                })
                .unwrap_or(Value::Null);
            let param = Parameter {
                name: text(parameter, "name"),
                location,
                kind: param_type(schema.and_then(|s| refs.resolve(s))),
                required: parameter
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(location == Location::Path),
                description: text(parameter, "description"),
                example: as_text(&example),
            };
            spec.parameters
                .retain(|p| !(p.name == param.name && p.location == param.location));
            let key = format!("param:{}:{}", param.location.as_str(), param.name);
            let at = self.at(&["parameters"]);
            self.keep_schema(spec, key, schema, &at);
            let listed = spec
                .headers
                .iter()
                .any(|h| h.name.eq_ignore_ascii_case(&param.name));
            if location == Location::Header && param.required && !listed {
                let value = if param.example.is_empty() {
                    format!("<<{}>>", param.name)
                } else {
                    param.example.clone()
                };
                spec.headers.push(Header {
                    name: param.name.clone(),
                    value,
                });
            }
            spec.parameters.push(param);
        }
    }

    fn request_body(&mut self, spec: &mut EndpointSpec) {
        let refs = self.refs;
        let Some(declared) = self.operation.get("requestBody") else {
            return;
        };
        let Some(body) = refs.resolve(declared) else {
            let at = self.at(&["requestBody"]);
            self.notes.push(format!(
                "{at}: its $ref {} points nowhere in the file; the request body was not imported.",
                text(declared, "$ref")
            ));
            return;
        };
        let Some((media, content)) = pick_content(body) else {
            return;
        };
        let others: Vec<&str> = body["content"]
            .as_object()
            .into_iter()
            .flat_map(|c| c.keys())
            .map(String::as_str)
            .filter(|m| *m != media)
            .collect();
        if !others.is_empty() {
            let at = self.at(&["requestBody", "content"]);
            self.notes.push(format!(
                "{at}: the body is also accepted as {}; the portal describes it as {media}.",
                others.join(", ")
            ));
        }
        spec.body_format = BodyFormat::of_media_type(media);
        if spec.body_format != BodyFormat::Json {
            spec.non_json_reason = format!("The request body is {media}.");
        }
        if !spec
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("content-type"))
        {
            spec.headers.push(Header {
                name: "Content-Type".into(),
                value: media.to_string(),
            });
        }
        let at = self.at(&["requestBody", "content", media]);
        if let Some((example, origin)) = self.media_example(content, &at) {
            spec.request_example = self.body_text(spec.body_format, &example, media, &at);
            if origin == Origin::Made && !spec.request_example.is_empty() {
                spec.unconfirmed.insert("request_example".into());
            }
        }
        self.keep_schema(spec, "request".into(), content.get("schema"), &at);
        if let Some(schema) = content.get("schema").and_then(|s| refs.resolve(s)) {
            body_parameters(refs, schema, spec);
        }
    }

    fn responses(&mut self, spec: &mut EndpointSpec) {
        let refs = self.refs;
        let operation: &'a Value = self.operation;
        let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
            return;
        };
        for (status, declared) in responses {
            let code = status.trim();
            let at = self.at(&["responses", status]);
            let Some(response) = refs.resolve(declared) else {
                self.notes.push(format!(
                    "{at}: its $ref {} points nowhere in the file; the response was not imported.",
                    text(declared, "$ref")
                ));
                continue;
            };
            for part in ["headers", "links"] {
                if response
                    .get(part)
                    .and_then(Value::as_object)
                    .is_some_and(|m| !m.is_empty())
                {
                    self.notes
                        .push(format!("{at}/{part}: response {part} are not imported."));
                }
            }
            let success = code.starts_with('2');
            let error = code.starts_with('4') || code.starts_with('5');
            if success && !spec.success_status.is_empty() {
                self.notes.push(format!(
                    "{at}: a second success response ({code}); the portal keeps one ({}).",
                    spec.success_status
                ));
                continue;
            }
            if !success && !error {
                let why = match code {
                    "default" => "“default” names no HTTP status".to_string(),
                    c if c.starts_with('3') => {
                        format!("a {c} redirect is not a success or an error the bot handles")
                    }
                    c => format!("a {c} response is neither a success nor an error"),
                };
                self.notes.push(format!("{at}: not imported: {why}."));
                continue;
            }
            let content = pick_content(response);
            if success {
                spec.success_status = code.to_string();
                let Some((media, content)) = content else {
                    continue;
                };
                spec.set_response_format(BodyFormat::of_media_type(media));
                if spec.response_format() != BodyFormat::Json {
                    let reason = format!("Responses are {media}.");
                    spec.non_json_reason = format!("{} {reason}", spec.non_json_reason)
                        .trim()
                        .to_string();
                }
                let at = format!(
                    "{at}/content/{}",
                    media.replace('~', "~0").replace('/', "~1")
                );
                self.keep_schema(spec, "success".into(), content.get("schema"), &at);
                self.more_examples(content, &at);
                if let Some((example, origin)) = self.media_example(content, &at) {
                    spec.success_example =
                        self.body_text(spec.response_format(), &example, media, &at);
                    if origin == Origin::Made && !spec.success_example.is_empty() {
                        spec.unconfirmed.insert("success_example".into());
                    }
                }
                continue;
            }
            let description = text(response, "description");
            let Some((media, content)) = content else {
                spec.errors.push(ErrorScenario {
                    http_status: code.to_string(),
                    description,
                    ..ErrorScenario::default()
                });
                continue;
            };
            let at = format!(
                "{at}/content/{}",
                media.replace('~', "~0").replace('/', "~1")
            );
            // Each named example of an error response is a scenario of its own.
            let named: Vec<(String, &Value)> = content
                .get("examples")
                .and_then(Value::as_object)
                .filter(|e| e.len() > 1)
                .map(|e| e.iter().map(|(k, v)| (k.clone(), v)).collect())
                .unwrap_or_default();
            if named.is_empty() {
                let found = self.media_example(content, &at);
                let body = (media, content.get("schema"));
                self.add_error(spec, code, description, found, body, &at);
            } else {
                for (key, example) in named {
                    let Some(example) = refs.resolve(example) else {
                        continue;
                    };
                    let summary = text(example, "summary");
                    let what = if summary.is_empty() {
                        key.clone()
                    } else {
                        summary
                    };
                    let found = example
                        .get("value")
                        .and_then(|v| refs.copy(v).ok())
                        .map(|v| (v, Origin::Given));
                    let at = format!("{at}/examples/{key}");
                    self.add_error(
                        spec,
                        code,
                        format!("{description}: {what}"),
                        found,
                        (media, content.get("schema")),
                        &at,
                    );
                }
            }
        }
    }

    fn add_error(
        &mut self,
        spec: &mut EndpointSpec,
        code: &str,
        description: String,
        found: Option<(Value, Origin)>,
        (media, schema): (&str, Option<&'a Value>),
        at: &str,
    ) {
        let index = spec.errors.len();
        if let Some(schema) = schema {
            self.keep_schema(spec, row_key("error", index), Some(schema), at);
        }
        let mut scenario = ErrorScenario {
            http_status: code.to_string(),
            description,
            ..ErrorScenario::default()
        };
        if let Some((example, origin)) = found {
            scenario.example = self.body_text(spec.response_format(), &example, media, at);
            match origin {
                // A code in a shared schema's example belongs to no scenario in particular.
                Origin::Made if !scenario.example.is_empty() => {
                    spec.unconfirmed.insert(row_key("error_example", index));
                }
                Origin::Made => {}
                Origin::Given => {
                    scenario.partner_code = partner_code(&example);
                    if !scenario.partner_code.is_empty() {
                        spec.unconfirmed.insert(row_key("error_code", index));
                    }
                }
            }
        }
        spec.errors.push(scenario);
    }

    /// Named examples past the first of a success response: said, not silently dropped.
    fn more_examples(&mut self, content: &Value, at: &str) {
        if let Some(examples) = content.get("examples").and_then(Value::as_object)
            && examples.len() > 1
        {
            let rest: Vec<&str> = examples.keys().skip(1).map(String::as_str).collect();
            let (count, verb) = match rest.len() {
                1 => ("1 more".to_string(), "was"),
                n => (format!("{n} more"), "were"),
            };
            self.notes.push(format!(
                "{at}/examples: the portal keeps one success example; {count} ({}) {verb} not imported.",
                rest.join(", ")
            ));
        }
    }

    /// The example as the text kept for a body in `format` (JSON text, form fields, or a string
    /// as written); empty, with a note, when the document's example cannot be written so.
    fn body_text(&mut self, format: BodyFormat, example: &Value, media: &str, at: &str) -> String {
        match (format, example) {
            // A bare string is JSON only quoted, unless it is JSON text the file wrote as a string.
            (BodyFormat::Json, Value::String(text))
                if crate::domain::example::parse_relaxed(text).is_none() =>
            {
                serde_json::to_string(text).unwrap_or_default()
            }
            (BodyFormat::Json, _) => example_text(example),
            (BodyFormat::Form | BodyFormat::Multipart, Value::Object(_)) => {
                media::form_text(&media::form_of_json(example).unwrap_or_default())
            }
            (_, Value::String(text)) => text.clone(),
            _ => {
                self.notes.push(format!(
                    "{at}: no {media} example the portal can keep as written (only a schema); add one."
                ));
                String::new()
            }
        }
    }

    /// The media type's example, given or made from its schema; None (and a note when a budget
    /// was the reason) when there is none.
    fn media_example(&mut self, content: &Value, at: &str) -> Option<(Value, Origin)> {
        let refs = self.refs;
        let given = content.get("example").or_else(|| {
            content
                .get("examples")
                .and_then(Value::as_object)
                .and_then(|e| e.values().next())
                .and_then(|first| refs.resolve(first))
                .and_then(|e| e.get("value"))
        });
        let (made, origin) = match (given, content.get("schema")) {
            (Some(given), _) => (refs.copy(given), Origin::Given),
            (None, Some(schema)) => (refs.example(schema), Origin::Made),
            (None, None) => return None,
        };
        const SPENT: &str = "this file's examples reached 8 MiB together, so no more were made";
        match made {
            Ok(Value::Null) => None,
            Ok(value) => Some((value, origin)),
            Err(ExampleCut::TooLarge) => {
                self.notes.push(format!(
                    "{at}: the example would be over 64 KiB and was left out; add a shorter one."
                ));
                None
            }
            // Said once, where it happened: the endpoints after it have no example either.
            Err(ExampleCut::ImportBudgetSpent) => {
                if !self.notes.iter().any(|n| n.ends_with(SPENT)) {
                    self.notes.push(format!("From {at} on: {SPENT}"));
                }
                None
            }
        }
    }
}

/// The body schema's properties as body parameters.
fn body_parameters(refs: &Refs, schema: &Value, spec: &mut EndpointSpec) {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (field, property) in properties {
        let property = refs.resolve(property);
        spec.parameters.push(Parameter {
            name: field.clone(),
            location: Location::Body,
            kind: param_type(property),
            required: required.contains(&field.as_str()),
            description: property.map(|p| text(p, "description")).unwrap_or_default(),
            example: property
                .and_then(|p| p.get("example"))
                .map(as_text)
                .unwrap_or_default(),
        });
    }
}

/// JSON content first, else whatever the document offers first.
fn pick_content(holder: &Value) -> Option<(&str, &Value)> {
    let content = holder.get("content")?.as_object()?;
    content
        .iter()
        .find(|(media, _)| media.contains("json"))
        .or_else(|| content.iter().next())
        .map(|(media, value)| (media.as_str(), value))
}
