//! OpenAPI 3.0 and 3.1 → a plan. A document this portal exported carries every field exactly
//! (`x-haptik-endpoint`, `x-partner-code`, …) and comes back unchanged; any other document is mapped
//! field by field.

use serde_json::Value;

use super::partner_code::partner_code;
use super::schema::{ExampleCut, Refs, as_text, param_type};
use super::{Plan, example_text};
use crate::domain::media;
use crate::domain::model::*;

const METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];

pub fn plan(doc: &Value, version: &str) -> Plan {
    let refs = Refs::new(doc);
    let info = doc.get("info").cloned().unwrap_or(Value::Null);
    let mut plan = Plan {
        source: format!("OpenAPI {version}"),
        title: text(&info, "title"),
        purpose: text(&info, "description"),
        ..Plan::default()
    };
    servers(doc, &mut plan);
    let security = authentication(doc, &refs, &mut plan);
    extensions(doc, &mut plan);

    let mut positions: Vec<Option<u64>> = Vec::new();
    let empty = serde_json::Map::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (path, item) in paths {
        let Some(item) = refs.resolve(item) else {
            plan.notes
                .push(format!("{path}: its $ref could not be followed."));
            continue;
        };
        let shared: Vec<&Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .map(|p| p.iter().collect())
            .unwrap_or_default();
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let Some(http) = HttpMethod::parse(&method.to_uppercase()) else {
                plan.notes.push(format!(
                    "{} {path}: the portal describes GET, POST, PUT, PATCH and DELETE only.",
                    method.to_uppercase()
                ));
                continue;
            };
            if let Some(exact) = operation.get("x-haptik-endpoint")
                && let Some(Ok(spec)) = exact
                    .get("spec")
                    .cloned()
                    .map(serde_json::from_value::<EndpointSpec>)
            {
                positions.push(exact.get("position").and_then(Value::as_u64));
                plan.endpoints.push(spec);
                // The endpoints this portal folded into the operation because they share its
                // method and path.
                for carried in operation
                    .get("x-haptik-endpoints")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    match carried
                        .get("spec")
                        .cloned()
                        .map(serde_json::from_value::<EndpointSpec>)
                    {
                        Some(Ok(spec)) => {
                            positions.push(carried.get("position").and_then(Value::as_u64));
                            plan.endpoints.push(spec);
                        }
                        _ => plan.notes.push(format!(
                            "{} {path}: an endpoint in x-haptik-endpoints could not be read and was not imported.",
                            http.as_str()
                        )),
                    }
                }
                continue;
            }
            positions.push(None);
            plan.endpoints.push(endpoint(
                &refs,
                http,
                path,
                operation,
                &shared,
                &security,
                &mut plan.notes,
            ));
        }
    }
    // This portal's export lists operations by path; its endpoints come back in their order.
    if let Some(order) = positions.iter().copied().collect::<Option<Vec<u64>>>() {
        let mut ordered: Vec<(u64, EndpointSpec)> =
            order.into_iter().zip(plan.endpoints.drain(..)).collect();
        ordered.sort_by_key(|(position, _)| *position);
        plan.endpoints = ordered.into_iter().map(|(_, spec)| spec).collect();
    }
    for reference in refs.external.borrow().iter() {
        plan.notes.push(format!("External reference {reference} was not imported: only references inside the file are followed."));
    }
    if plan.endpoints.is_empty() {
        plan.notes
            .push("The document describes no operations.".into());
    }
    plan
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The first server is staging unless it says it is production; a second one fills the other.
fn servers(doc: &Value, plan: &mut Plan) {
    let Some(servers) = doc.get("servers").and_then(Value::as_array) else {
        return;
    };
    let environments = &mut plan.sections.environments;
    for server in servers {
        let mut url = text(server, "url");
        if let Some(variables) = server.get("variables").and_then(Value::as_object) {
            for (name, variable) in variables {
                url = url.replace(&format!("{{{name}}}"), &text(variable, "default"));
            }
        }
        if !url.starts_with("http") {
            plan.notes.push(format!(
                "Server “{url}” is not an absolute URL and was not used as a base URL."
            ));
            continue;
        }
        let url = url.trim_end_matches('/').to_string();
        let description = text(server, "description").to_lowercase();
        let production = description.contains("prod") || description.contains("live");
        if production && environments.production_url.is_empty() {
            environments.production_url = url;
        } else if environments.staging_url.is_empty() {
            environments.staging_url = url;
        } else if environments.production_url.is_empty() {
            environments.production_url = url;
        }
    }
}

/// The header each request carries for the document's security scheme, if any.
fn authentication(doc: &Value, refs: &Refs, plan: &mut Plan) -> Option<Header> {
    let schemes = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)?;
    let used = doc
        .get("security")
        .and_then(Value::as_array)
        .and_then(|s| s.first())
        .and_then(Value::as_object)
        .and_then(|s| s.keys().next().cloned())
        .or_else(|| schemes.keys().next().cloned())?;
    let scheme = refs.resolve(schemes.get(&used)?)?;
    let auth = &mut plan.sections.authentication;
    auth.steps = text(scheme, "description");
    let credentials = &mut plan.sections.credentials.items;
    let kind = text(scheme, "type");
    match (
        kind.as_str(),
        text(scheme, "scheme").to_lowercase().as_str(),
    ) {
        ("http", "bearer") => {
            auth.scheme = Some(AuthScheme::BearerToken);
            Some(Header {
                name: "Authorization".into(),
                value: "Bearer <<token>>".into(),
            })
        }
        ("http", "basic") => {
            auth.scheme = Some(AuthScheme::Basic);
            Some(Header {
                name: "Authorization".into(),
                value: "Basic <<credentials>>".into(),
            })
        }
        ("apiKey", _) => {
            auth.scheme = Some(AuthScheme::ApiKey);
            let name = text(scheme, "name");
            let location = Location::parse(&text(scheme, "in")).unwrap_or(Location::Header);
            credentials.push(CredentialName {
                name: name.clone(),
                location,
                description: "API key".into(),
            });
            (location == Location::Header).then(|| Header {
                value: format!("<<{name}>>"),
                name,
            })
        }
        ("oauth2", _) => {
            auth.scheme = Some(AuthScheme::Oauth2ClientCredentials);
            if let Some(url) = scheme
                .pointer("/flows/clientCredentials/tokenUrl")
                .and_then(Value::as_str)
            {
                auth.steps = format!("Get a token from {url} with the client credentials, then send it as a bearer token.\n{}", auth.steps).trim().to_string();
            }
            for name in ["client_id", "client_secret"] {
                credentials.push(CredentialName {
                    name: name.into(),
                    location: Location::Body,
                    description: String::new(),
                });
            }
            Some(Header {
                name: "Authorization".into(),
                value: "Bearer <<token>>".into(),
            })
        }
        _ => {
            auth.scheme = Some(AuthScheme::Other);
            None
        }
    }
}

/// What this portal's own export put in `x-` extensions.
fn extensions(doc: &Value, plan: &mut Plan) {
    let sections = &mut plan.sections;
    let read = |key: &str| doc.get(key).cloned();
    if let Some(code) = read("x-partner-code").and_then(|v| v.as_str().map(str::to_string)) {
        sections.partner_code.code = code;
    }
    if let Some(v) = read("x-reachability").and_then(|v| serde_json::from_value(v).ok()) {
        sections.reachability = v;
    }
    if let Some(v) = read("x-authentication").and_then(|v| serde_json::from_value(v).ok()) {
        sections.authentication = v;
    }
    if let Some(v) = read("x-credentials").and_then(|v| serde_json::from_value(v).ok()) {
        sections.credentials.items = v;
    }
    if let Some(v) = read("x-status-codes").and_then(|v| serde_json::from_value(v).ok()) {
        sections.status_codes.items = v;
    }
    if let Some(v) = read("x-test-data").and_then(|v| serde_json::from_value(v).ok()) {
        sections.test_data.items = v;
    }
    if let Some(v) = read("x-contacts").and_then(|v| serde_json::from_value(v).ok()) {
        sections.contacts = v;
    } else if let Some(contact) = doc.pointer("/info/contact") {
        sections.contacts.primary.name = text(contact, "name");
        sections.contacts.primary.email = text(contact, "email");
    }
    if let Some(v) = read("x-not-applicable").and_then(|v| serde_json::from_value(v).ok()) {
        sections.not_applicable = v;
    }
}

fn endpoint(
    refs: &Refs,
    method: HttpMethod,
    path: &str,
    operation: &Value,
    shared: &[&Value],
    security: &Option<Header>,
    notes: &mut Vec<String>,
) -> EndpointSpec {
    let summary = text(operation, "summary");
    let name = if !summary.is_empty() {
        summary
    } else if !text(operation, "operationId").is_empty() {
        text(operation, "operationId")
    } else {
        format!("{} {path}", method.as_str())
    };
    let mut spec = EndpointSpec {
        name: name.clone(),
        purpose: text(operation, "description"),
        method: Some(method),
        path: path.to_string(),
        // One operation per method and path in OpenAPI: either names it for the next import.
        source_id: match text(operation, "operationId") {
            id if id.is_empty() => format!("{} {path}", method.as_str()),
            id => id,
        },
        ..EndpointSpec::default()
    };
    let secured = operation
        .get("security")
        .and_then(Value::as_array)
        .is_none_or(|s| !s.is_empty());
    if let (Some(header), true) = (security, secured) {
        spec.headers.push(header.clone());
    }

    let own: Vec<&Value> = operation
        .get("parameters")
        .and_then(Value::as_array)
        .map(|p| p.iter().collect())
        .unwrap_or_default();
    for parameter in shared.iter().chain(own.iter()) {
        let Some(parameter) = refs.resolve(parameter) else {
            continue;
        };
        let location = match text(parameter, "in").as_str() {
            "query" => Location::Query,
            "header" => Location::Header,
            "path" => Location::Path,
            other => {
                notes.push(format!(
                    "{name}: the {other} parameter “{}” has no place in the portal.",
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
        if location == Location::Header
            && param.required
            && !spec
                .headers
                .iter()
                .any(|h| h.name.eq_ignore_ascii_case(&param.name))
        {
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

    if let Some(body) = operation.get("requestBody").and_then(|b| refs.resolve(b))
        && let Some((media, content)) = pick_content(body)
    {
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
        let schema = content.get("schema").and_then(|s| refs.resolve(s));
        let example = media_example(refs, content, &format!("{name}, request"), notes);
        if !example.is_null() {
            spec.request_example = body_text(spec.body_format, &example)
                .unwrap_or_else(|| not_text(&name, "request", media, notes));
        }
        if let Some(schema) = schema {
            body_parameters(refs, schema, &mut spec);
        }
    }
    let empty = serde_json::Map::new();
    let responses = operation
        .get("responses")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (status, response) in responses {
        let Some(response) = refs.resolve(response) else {
            continue;
        };
        let content = pick_content(response);
        let example = content
            .map(|(_, c)| media_example(refs, c, &format!("{name}, response {status}"), notes))
            .unwrap_or(Value::Null);
        let code = status.trim();
        if code.starts_with('2') && spec.success_status.is_empty() {
            spec.success_status = code.to_string();
            if let Some((media, _)) = content {
                spec.response_format = BodyFormat::of_media_type(media);
                if spec.response_format != BodyFormat::Json {
                    let reason = format!("Responses are {media}.");
                    spec.non_json_reason = format!("{} {reason}", spec.non_json_reason)
                        .trim()
                        .to_string();
                }
            }
            let media = content.map_or("", |(media, _)| media);
            spec.success_example = if example.is_null() {
                String::new()
            } else {
                body_text(spec.response_format, &example)
                    .unwrap_or_else(|| not_text(&name, &format!("response {code}"), media, notes))
            };
        } else if code.starts_with('4') || code.starts_with('5') {
            spec.errors.push(ErrorScenario {
                http_status: code.to_string(),
                partner_code: partner_code(&example),
                description: text(response, "description"),
                example: if example.is_null() {
                    String::new()
                } else {
                    let media = content.map_or("", |(media, _)| media);
                    body_text(spec.response_format, &example).unwrap_or_else(|| {
                        not_text(&name, &format!("response {code}"), media, notes)
                    })
                },
            });
        } else if code == "default" {
            notes.push(format!(
                "{name}: the “default” response has no HTTP status and was not imported."
            ));
        }
    }
    if spec.success_example.is_empty() {
        notes.push(format!("{name}: no success response example; add one."));
    }
    spec
}

/// An example value as the text kept for a body in `format`: JSON as JSON text, a form's object
/// as `name=value` lines, a string (XML, text) as itself. None when the value cannot be written
/// in the format (an object made from the schema of an XML body).
fn body_text(format: BodyFormat, example: &Value) -> Option<String> {
    match (format, example) {
        (BodyFormat::Json, _) => Some(example_text(example)),
        (BodyFormat::Form | BodyFormat::Multipart, Value::Object(_)) => Some(media::form_text(
            &media::form_of_json(example).unwrap_or_default(),
        )),
        (_, Value::String(text)) => Some(text.clone()),
        _ => None,
    }
}

/// Notes an example that is not text in its body's format, and keeps none.
fn not_text(name: &str, part: &str, media: &str, notes: &mut Vec<String>) -> String {
    notes.push(format!(
        "{name}, {part}: the document gives no {media} example the portal can show as written (only a schema); add one."
    ));
    String::new()
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

/// The media type's example, given or made from its schema; Null (and a note) when none fits
/// the budgets.
fn media_example(refs: &Refs, content: &Value, what: &str, notes: &mut Vec<String>) -> Value {
    let given = content.get("example").or_else(|| {
        content
            .get("examples")
            .and_then(Value::as_object)
            .and_then(|e| e.values().next())
            .and_then(|first| refs.resolve(first))
            .and_then(|e| e.get("value"))
    });
    let made = match (given, content.get("schema")) {
        (Some(given), _) => refs.copy(given),
        (None, Some(schema)) => refs.example(schema),
        (None, None) => Ok(Value::Null),
    };
    const SPENT: &str = "this file's examples reached 8 MiB together, so no more were made";
    made.unwrap_or_else(|cut| {
        match cut {
            ExampleCut::TooLarge => notes.push(format!(
                "{what}: the example would be over 64 KiB and was left out; add a shorter one."
            )),
            // Said once, where it happened: the endpoints after it have no example either.
            ExampleCut::ImportBudgetSpent if !notes.iter().any(|n| n.ends_with(SPENT)) => {
                notes.push(format!("From {what} on: {SPENT}"));
            }
            ExampleCut::ImportBudgetSpent => {}
        }
        Value::Null
    })
}
