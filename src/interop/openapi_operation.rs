//! One endpoint as an OpenAPI operation: parameters, the request body in its own media type, and
//! a response per status. Endpoints that share a method and path (OpenAPI has one operation for
//! them) are folded into the first one's operation as named examples, and each is carried whole
//! in `x-haptik-endpoints` so an import of the export gives every endpoint back.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::examples::{schema_of, typed_example};
use crate::domain::example::parse as parse_example;
use crate::domain::media::{BodyFormat, form_fields};
use crate::domain::model::{EndpointSpec, Location, row_key};
use crate::domain::schema_check;

/// Headers OpenAPI describes elsewhere (security, media types) and tells tools to ignore as
/// parameters.
const RESERVED_HEADERS: [&str; 3] = ["authorization", "content-type", "accept"];

pub fn is_reserved(header: &str) -> bool {
    RESERVED_HEADERS.contains(&header.trim().to_ascii_lowercase().as_str())
}

pub use crate::domain::cross_check::path_templates;

pub fn operation(spec: &EndpointSpec, path: &str, taken: &mut BTreeSet<String>) -> Value {
    let mut operation = json!({
        "operationId": operation_id(spec, taken),
        "summary": spec.title(),
        "responses": {},
    });
    if !spec.purpose.is_empty() {
        operation["description"] = json!(spec.purpose);
    }
    let parameters = parameters(spec, path);
    if !parameters.is_empty() {
        operation["parameters"] = Value::Array(parameters);
    }
    if let Some(body) = request_body(spec) {
        operation["requestBody"] = body;
    }
    let mut responses = Map::new();
    for answer in responses_of(spec) {
        add_response(&mut responses, &answer, spec);
    }
    operation["responses"] = Value::Object(responses);
    operation
}

/// Folds another endpoint with the same method and path into `operation`: its parameters, its
/// request and response examples (named by its title), and a line in the description.
pub fn fold_in(operation: &mut Value, spec: &EndpointSpec, path: &str) {
    let key = example_key(&spec.title());
    let mut known: BTreeSet<(String, String)> = operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| (text(&p["in"]), text(&p["name"])))
        .collect();
    for parameter in parameters(spec, path) {
        if known.insert((text(&parameter["in"]), text(&parameter["name"]))) {
            let mut parameter = parameter;
            // Only some of the endpoints sharing the operation need it.
            if parameter["in"] != "path" {
                parameter["required"] = json!(false);
            }
            push(&mut operation["parameters"], parameter);
        }
    }
    if let Some(body) = request_body(spec) {
        let (media, content) = first_content(&body);
        merge_content(
            &mut operation["requestBody"],
            &media,
            content,
            &key,
            &spec.title(),
        );
    }
    for answer in responses_of(spec) {
        let responses = operation["responses"]
            .as_object_mut()
            .expect("operations have responses");
        match responses.get_mut(&answer.status) {
            None => add_response(responses, &answer, spec),
            Some(existing) => {
                let mut single = Map::new();
                add_response(&mut single, &answer, spec);
                let added = single.remove(&answer.status).unwrap_or(Value::Null);
                let described = format!(
                    "{}; {}: {}",
                    text(&existing["description"]),
                    spec.title(),
                    answer.description
                );
                existing["description"] = json!(described);
                if added.get("content").is_some() {
                    let (media, content) = first_content(&added);
                    merge_content(existing, &media, content, &key, &spec.title());
                }
            }
        }
    }
    let note = format!(
        "Also “{}” ({}): endpoints sharing a method and path are one operation in OpenAPI; \
         x-haptik-endpoints keeps each one whole.",
        spec.title(),
        key
    );
    let description = match text(&operation["description"]) {
        d if d.is_empty() => note,
        d => format!("{d}\n\n{note}"),
    };
    operation["description"] = json!(description);
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn push(list: &mut Value, item: Value) {
    if !list.is_array() {
        *list = json!([]);
    }
    list.as_array_mut().expect("just made").push(item);
}

fn first_content(holder: &Value) -> (String, Value) {
    holder["content"]
        .as_object()
        .and_then(|c| c.iter().next())
        .map(|(media, content)| (media.clone(), content.clone()))
        .unwrap_or_else(|| (String::new(), Value::Null))
}

/// Adds `content` (one media type's schema and example) to a request body or response as a
/// named example; a schema that differs becomes one of several the media type accepts.
fn merge_content(holder: &mut Value, media: &str, content: Value, key: &str, title: &str) {
    if media.is_empty() {
        return;
    }
    if holder.get("content").is_none() {
        if holder.is_null() {
            *holder = json!({ "content": {} });
        } else {
            holder["content"] = json!({});
        }
    }
    let existing = &mut holder["content"][media];
    if existing.is_null() {
        *existing = content;
        return;
    }
    if let Some(first) = existing.as_object_mut().and_then(|m| m.remove("example")) {
        existing["examples"] = json!({ "first": { "value": first } });
    }
    if let Some(value) = content.get("example") {
        if existing.get("examples").is_none() {
            existing["examples"] = json!({});
        }
        existing["examples"][key] = json!({ "summary": title, "value": value });
    }
    if let Some(value) = content.get("x-example") {
        existing["x-examples"][key] = json!({
            "summary": title,
            "value": value,
            "problem": content["x-example-problem"],
        });
    }
    let schema = content.get("schema").cloned().unwrap_or(json!({}));
    if existing["schema"] != schema {
        let current = existing["schema"].take();
        existing["schema"] = match current.get("anyOf").and_then(Value::as_array) {
            Some(options) if !options.contains(&schema) => {
                let mut options = options.clone();
                options.push(schema);
                json!({ "anyOf": options })
            }
            Some(_) => current,
            None => json!({ "anyOf": [current, schema] }),
        };
    }
}

/// An example key as OpenAPI tools like them: letters, digits, `-`, `_` and `.`.
fn example_key(title: &str) -> String {
    let key: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if key.is_empty() {
        "endpoint".into()
    } else {
        key
    }
}

fn operation_id(spec: &EndpointSpec, taken: &mut BTreeSet<String>) -> String {
    let mut base: String = spec
        .title()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    base = base
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if base.is_empty() {
        base = "endpoint".into();
    }
    let mut id = base.clone();
    let mut n = 2;
    while !taken.insert(id.clone()) {
        id = format!("{base}_{n}");
        n += 1;
    }
    id
}

/// The media type a body is declared with: its format's, else the Content-Type header the
/// partner listed, else bytes.
fn media_type(spec: &EndpointSpec, format: BodyFormat) -> String {
    if let Some(media) = format.media_type() {
        return media.to_string();
    }
    spec.headers
        .iter()
        .find(|h| h.name.trim().eq_ignore_ascii_case("content-type"))
        .map(|h| {
            h.value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .filter(|m| m.contains('/') && !m.contains('<'))
        .unwrap_or_else(|| "application/octet-stream".into())
}

fn parameters(spec: &EndpointSpec, path: &str) -> Vec<Value> {
    let templates = path_templates(path);
    let mut parameters = Vec::new();
    let mut seen = BTreeSet::new();
    for p in &spec.parameters {
        let place = match p.location {
            Location::Query => "query",
            Location::Header if !is_reserved(&p.name) => "header",
            Location::Path if templates.contains(&p.name) => "path",
            _ => continue,
        };
        if p.name.is_empty() || !seen.insert((place, p.name.clone())) {
            continue;
        }
        let source = spec
            .schemas
            .get(&format!("param:{}:{}", p.location.as_str(), p.name));
        let mut parameter = json!({
            "name": p.name,
            "in": place,
            "required": p.required || place == "path",
            "schema": source.cloned().unwrap_or_else(|| json!({ "type": p.kind.as_str() })),
        });
        if source.is_none() && p.kind.as_str() == "array" {
            parameter["schema"]["items"] = json!({});
        }
        if !p.description.is_empty() {
            parameter["description"] = json!(p.description);
        }
        if !p.example.is_empty() {
            let example = typed_example(&p.example, p.kind);
            match schema_check::mismatch(&parameter["schema"], &example) {
                None => parameter["example"] = example,
                Some(problem) => {
                    parameter["x-example"] = example;
                    parameter["x-example-problem"] = json!(problem);
                }
            }
        }
        parameters.push(parameter);
    }
    for h in &spec.headers {
        if h.name.is_empty() || is_reserved(&h.name) || !seen.insert(("header", h.name.clone())) {
            continue;
        }
        parameters.push(json!({
            "name": h.name,
            "in": "header",
            "required": true,
            "schema": { "type": "string" },
            "example": h.value,
        }));
    }
    for name in templates {
        if seen.insert(("path", name.clone())) {
            parameters.push(json!({
                "name": name, "in": "path", "required": true, "schema": { "type": "string" },
            }));
        }
    }
    parameters
}

/// An example in `format` as OpenAPI's schema and example: JSON parsed, form fields as an object
/// of their values, anything else as a string.
fn schema_and_example(format: BodyFormat, example: &str) -> (Value, Option<Value>) {
    if example.trim().is_empty() {
        return (json!({}), None);
    }
    match format {
        BodyFormat::Json => match parse_example(example) {
            Some(value) => (schema_of(&value), Some(value)),
            // Almost-JSON the partner has not converted yet: shown as written.
            None => (json!({}), Some(json!(example))),
        },
        BodyFormat::Form | BodyFormat::Multipart => match form_fields(example) {
            Ok(fields) => {
                let object: Map<String, Value> = fields
                    .into_iter()
                    .map(|(name, value)| (name, Value::String(value)))
                    .collect();
                let value = Value::Object(object);
                (schema_of(&value), Some(value))
            }
            Err(_) => (json!({ "type": "string" }), Some(json!(example))),
        },
        BodyFormat::Xml | BodyFormat::Text | BodyFormat::Other => {
            (json!({ "type": "string" }), Some(json!(example)))
        }
    }
}

/// Sets the media type's example, unless it contradicts the schema beside it: then it is kept in
/// `x-example` with what is wrong, so tools that check examples against schemas are not misled
/// and nothing the partner wrote is lost.
fn attach_example(content: &mut Value, example: Value) {
    match schema_check::mismatch(&content["schema"], &example) {
        None => content["example"] = example,
        Some(problem) => {
            content["x-example"] = example;
            content["x-example-problem"] = json!(problem);
        }
    }
}

/// The source's schema for a body in `format` with the example as that schema reads it, when
/// the file gave one. XML and text bodies are described as strings: their example is text that
/// the schema of their structure cannot check (the portal still keeps that schema).
fn sourced(
    spec: &EndpointSpec,
    key: &str,
    format: BodyFormat,
    text: &str,
) -> Option<(Value, Option<Value>)> {
    let schema = spec.schemas.get(key)?;
    if !matches!(
        format,
        BodyFormat::Json | BodyFormat::Form | BodyFormat::Multipart
    ) {
        return None;
    }
    let example = if text.trim().is_empty() {
        None
    } else {
        Some(schema_check::example_value(format, text, schema).unwrap_or_else(|| json!(text)))
    };
    Some((schema.clone(), example))
}

fn request_body(spec: &EndpointSpec) -> Option<Value> {
    let takes_body = spec.documents_body();
    let body_params: Vec<_> = spec
        .parameters
        .iter()
        .filter(|p| p.location == Location::Body && !p.name.is_empty())
        .collect();
    if !takes_body || (spec.request_example.trim().is_empty() && body_params.is_empty()) {
        return None;
    }
    if let Some((schema, example)) =
        sourced(spec, "request", spec.body_format, &spec.request_example)
    {
        let mut content = json!({ "schema": schema });
        if let Some(example) = example {
            attach_example(&mut content, example);
        }
        return Some(json!({
            "required": true,
            "content": { media_type(spec, spec.body_format): content },
        }));
    }
    let (mut schema, mut example) = schema_and_example(spec.body_format, &spec.request_example);
    if !body_params.is_empty() {
        if schema.get("type").is_none() {
            schema = json!({ "type": "object" });
        }
        if schema["type"] == "object" {
            let mut required = Vec::new();
            for p in &body_params {
                let property = schema["properties"][&p.name].take();
                let mut property = if property.is_null() {
                    json!({ "type": p.kind.as_str() })
                } else {
                    property
                };
                if p.kind.as_str() == "array" && property.get("items").is_none() {
                    property["items"] = json!({});
                }
                // A form sends text; its declared type is what the text means.
                if spec.body_format.is_form()
                    && let Some(value) = example.as_mut().and_then(|e| e.get_mut(&p.name))
                    && let Some(raw) = value.as_str()
                {
                    let typed = typed_example(raw, p.kind);
                    property["type"] = json!(if typed.is_string() {
                        "string"
                    } else {
                        p.kind.as_str()
                    });
                    *value = typed;
                }
                if !p.description.is_empty() {
                    property["description"] = json!(p.description);
                }
                schema["properties"][&p.name] = property;
                if p.required {
                    required.push(json!(p.name));
                }
            }
            if !required.is_empty() {
                schema["required"] = Value::Array(required);
            }
        }
    }
    let mut content = json!({ "schema": schema });
    if let Some(example) = example {
        attach_example(&mut content, example);
    }
    Some(json!({
        "required": true,
        "content": { media_type(spec, spec.body_format): content },
    }))
}

/// (status, description, example) for the success and each error scenario with a valid status.
/// A response the export describes: its status, description, example text, and the key of the
/// source's schema for it (`success`, `error_N`).
struct Answer {
    status: String,
    description: String,
    example: String,
    schema_key: String,
}

fn responses_of(spec: &EndpointSpec) -> Vec<Answer> {
    let success = match spec.success_status.trim() {
        "" => "200".to_string(),
        status => status.to_string(),
    };
    let mut responses = vec![Answer {
        status: success,
        description: "Success".into(),
        example: spec.success_example.clone(),
        schema_key: "success".into(),
    }];
    for (index, error) in spec.errors.iter().enumerate() {
        let status = error.http_status.trim();
        if status.len() != 3 || !status.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let what = [error.partner_code.trim(), error.description.trim()]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(": ");
        let what = if what.is_empty() {
            "Error".into()
        } else {
            what
        };
        responses.push(Answer {
            status: status.to_string(),
            description: what,
            example: error.example.clone(),
            schema_key: row_key("error", index),
        });
    }
    responses
}

/// A response for `status`; several scenarios that share a status become one response whose
/// examples are named by their partner code.
fn add_response(responses: &mut Map<String, Value>, answer: &Answer, spec: &EndpointSpec) {
    let (status, description) = (answer.status.as_str(), answer.description.as_str());
    let media = media_type(spec, spec.response_format());
    let content = match sourced(
        spec,
        &answer.schema_key,
        spec.response_format(),
        &answer.example,
    ) {
        Some((schema, value)) => {
            let mut content = json!({ "schema": schema });
            if let Some(value) = value {
                attach_example(&mut content, value);
            }
            Some(content)
        }
        None => {
            let (schema, value) = schema_and_example(spec.response_format(), &answer.example);
            value.map(|value| {
                let mut content = json!({ "schema": schema });
                attach_example(&mut content, value);
                content
            })
        }
    };
    match responses.get_mut(status) {
        None => {
            let mut response = json!({ "description": description });
            if let Some(content) = content {
                response["content"] = json!({ media.as_str(): content });
            }
            responses.insert(status.to_string(), response);
        }
        Some(existing) => {
            let joined = format!("{}; {description}", text(&existing["description"]));
            existing["description"] = json!(joined);
            if let Some(content) = content {
                let key = example_key(description.split(':').next().unwrap_or(description));
                merge_content(existing, &media, content, &key, description);
            }
        }
    }
}

#[cfg(test)]
#[path = "openapi_operation_tests.rs"]
mod tests;
