//! What an import leaves on an endpoint for later: the marks on fields the partner has not
//! confirmed, and the source's JSON Schemas, which an edit keeps while they still describe it
//! and which examples are checked against.

use std::collections::{BTreeMap, BTreeSet};

use super::media::BodyFormat;
use super::model::{EndpointSpec, row_key};
use super::schema_check;

impl EndpointSpec {
    /// The text of a field `unconfirmed` names, if the endpoint has it.
    fn marked_field(&self, key: &str) -> Option<&str> {
        let row = |prefix: &str| {
            key.strip_prefix(prefix)
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| self.errors.get(i))
        };
        match key {
            "request_example" => Some(&self.request_example),
            "success_example" => Some(&self.success_example),
            _ => row("error_example_")
                .map(|e| e.example.as_str())
                .or_else(|| row("error_code_").map(|e| e.partner_code.as_str())),
        }
    }

    /// Whether a table row's field (`error_example`, row 2) is marked unconfirmed.
    pub fn unconfirmed_row(&self, field: &str, index: impl std::borrow::Borrow<usize>) -> bool {
        self.unconfirmed.contains(&row_key(field, *index.borrow()))
    }

    /// The marks of `stored` that still hold for this edit of it: a field the partner changed is
    /// their own now; one left as the import wrote it stays unconfirmed.
    pub fn marks_still_unconfirmed(&self, stored: &EndpointSpec) -> BTreeSet<String> {
        stored
            .unconfirmed
            .iter()
            .filter(|key| {
                // A browser sends a text area's lines with CRLF; the stored text has LF.
                let text = |spec: &EndpointSpec| {
                    spec.marked_field(key)
                        .map(|t| t.replace("\r\n", "\n").trim().to_string())
                };
                let now = text(self);
                now.is_some() && now == text(stored)
            })
            .cloned()
            .collect()
    }

    /// The source schemas of `stored` that still describe this edit of it: the bodies', the
    /// parameters that are still there, and the error scenarios still at their row and status.
    pub fn schemas_still_describing(
        &self,
        stored: &EndpointSpec,
    ) -> BTreeMap<String, serde_json::Value> {
        let holds = |key: &str| -> bool {
            if let Some(place) = key.strip_prefix("param:") {
                return self
                    .parameters
                    .iter()
                    .any(|p| place == format!("{}:{}", p.location.as_str(), p.name));
            }
            if let Some(row) = key
                .strip_prefix("error_")
                .and_then(|i| i.parse::<usize>().ok())
            {
                let status = |spec: &EndpointSpec| {
                    spec.errors
                        .get(row)
                        .map(|e| e.http_status.trim().to_string())
                };
                return status(self).is_some() && status(self) == status(stored);
            }
            true
        };
        stored
            .schemas
            .iter()
            .filter(|(key, _)| holds(key))
            .map(|(key, schema)| (key.clone(), schema.clone()))
            .collect()
    }

    /// What in an example (`request_example`, `success_example`, `error_example_N`) its source
    /// schema refuses, if the file gave a schema for it.
    pub fn schema_mismatch(&self, field: &str) -> Option<String> {
        let (key, format, text) = match field {
            "request_example" => (
                "request".to_string(),
                self.body_format,
                &self.request_example,
            ),
            "success_example" => (
                "success".to_string(),
                self.response_format(),
                &self.success_example,
            ),
            other => {
                let row = other
                    .strip_prefix("error_example_")?
                    .parse::<usize>()
                    .ok()?;
                (
                    row_key("error", row),
                    self.response_format(),
                    &self.errors.get(row)?.example,
                )
            }
        };
        let schema = self.schemas.get(&key)?;
        if text.trim().is_empty()
            || !matches!(
                format,
                BodyFormat::Json | BodyFormat::Form | BodyFormat::Multipart
            )
        {
            return None;
        }
        let value = schema_check::example_value(format, text, schema)?;
        schema_check::mismatch(schema, &value)
    }
}
