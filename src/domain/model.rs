//! What a partner tells Haptik about an integration: the integration-level sections of the
//! checklist and each endpoint. These shapes are stored as JSON (one row per section, one per
//! endpoint), frozen into revisions, and read by the checklist.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The integration-level sections, each saved (and versioned) on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionId {
    Environments,
    Reachability,
    Authentication,
    Credentials,
    PartnerCode,
    StatusCodes,
    TestData,
    Contacts,
    /// Headers every endpoint inherits (see `domain::defaults`); not a checklist item itself.
    Defaults,
    NotApplicable,
}

impl SectionId {
    pub const ALL: [SectionId; 10] = [
        SectionId::Environments,
        SectionId::Reachability,
        SectionId::Authentication,
        SectionId::Credentials,
        SectionId::PartnerCode,
        SectionId::StatusCodes,
        SectionId::TestData,
        SectionId::Contacts,
        SectionId::Defaults,
        SectionId::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SectionId::Environments => "environments",
            SectionId::Reachability => "reachability",
            SectionId::Authentication => "authentication",
            SectionId::Credentials => "credentials",
            SectionId::PartnerCode => "partner_code",
            SectionId::StatusCodes => "status_codes",
            SectionId::TestData => "test_data",
            SectionId::Contacts => "contacts",
            SectionId::Defaults => "defaults",
            SectionId::NotApplicable => "not_applicable",
        }
    }

    pub fn parse(text: &str) -> Option<SectionId> {
        SectionId::ALL.into_iter().find(|id| id.as_str() == text)
    }

    pub fn title(self) -> &'static str {
        match self {
            SectionId::Environments => "Environments",
            SectionId::Reachability => "Reachability",
            SectionId::Authentication => "Authentication",
            SectionId::Credentials => "Credential names",
            SectionId::PartnerCode => "Partner code",
            SectionId::StatusCodes => "Status codes",
            SectionId::TestData => "Test data",
            SectionId::Contacts => "Technical SPOC",
            SectionId::Defaults => "Headers on every endpoint",
            SectionId::NotApplicable => "Items marked not applicable",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Environments {
    pub staging_url: String,
    pub production_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReachMode {
    Public,
    Whitelisting,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reachability {
    pub mode: Option<ReachMode>,
    /// The partner confirms Haptik's published egress IPs are allowed on staging.
    pub whitelist_confirmed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthScheme {
    None,
    ApiKey,
    BearerToken,
    Oauth2ClientCredentials,
    Basic,
    HmacSignature,
    Other,
}

impl AuthScheme {
    pub const ALL: [AuthScheme; 7] = [
        AuthScheme::None,
        AuthScheme::ApiKey,
        AuthScheme::BearerToken,
        AuthScheme::Oauth2ClientCredentials,
        AuthScheme::Basic,
        AuthScheme::HmacSignature,
        AuthScheme::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthScheme::None => "none",
            AuthScheme::ApiKey => "api_key",
            AuthScheme::BearerToken => "bearer_token",
            AuthScheme::Oauth2ClientCredentials => "oauth2_client_credentials",
            AuthScheme::Basic => "basic",
            AuthScheme::HmacSignature => "hmac_signature",
            AuthScheme::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AuthScheme::None => "No authentication",
            AuthScheme::ApiKey => "API key",
            AuthScheme::BearerToken => "Bearer token",
            AuthScheme::Oauth2ClientCredentials => "OAuth 2 client credentials",
            AuthScheme::Basic => "HTTP Basic",
            AuthScheme::HmacSignature => "HMAC signature",
            AuthScheme::Other => "Other",
        }
    }

    pub fn parse(text: &str) -> Option<AuthScheme> {
        AuthScheme::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Authentication {
    pub scheme: Option<AuthScheme>,
    /// Step by step, e.g. which token endpoint to call first.
    pub steps: String,
}

/// Where a credential or parameter goes in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    #[default]
    Header,
    Query,
    Path,
    Body,
    Other,
}

impl Location {
    pub const ALL: [Location; 5] = [
        Location::Header,
        Location::Query,
        Location::Path,
        Location::Body,
        Location::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Location::Header => "header",
            Location::Query => "query",
            Location::Path => "path",
            Location::Body => "body",
            Location::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Location> {
        Location::ALL.into_iter().find(|l| l.as_str() == text)
    }
}

/// A credential's key name (never its value) and where it goes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CredentialName {
    pub name: String,
    pub location: Location,
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Credentials {
    pub items: Vec<CredentialName>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartnerCode {
    pub code: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusCode {
    /// The partner's own code, e.g. SUCC001 or ERR001.
    pub code: String,
    pub message: String,
    pub http_status: String,
    pub meaning: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusCodes {
    pub items: Vec<StatusCode>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TestDatum {
    pub label: String,
    pub value: String,
    pub note: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TestData {
    pub items: Vec<TestDatum>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub role: String,
    /// Time zone and working hours, e.g. "IST, 10:00-19:00 Mon-Fri".
    pub hours: String,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self == &Contact::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contacts {
    pub primary: Contact,
    pub backup: Contact,
}

/// Checklist item id → the partner's reason it does not apply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NotApplicable(pub BTreeMap<String, String>);

impl NotApplicable {
    pub fn reason(&self, item: &str) -> Option<&str> {
        self.0
            .get(item)
            .map(String::as_str)
            .filter(|r| !r.trim().is_empty())
    }
}

/// Every integration-level section, as loaded together for a page or a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sections {
    pub environments: Environments,
    pub reachability: Reachability,
    pub authentication: Authentication,
    pub credentials: Credentials,
    pub partner_code: PartnerCode,
    pub status_codes: StatusCodes,
    pub test_data: TestData,
    pub contacts: Contacts,
    pub defaults: crate::domain::defaults::DefaultHeaders,
    pub not_applicable: NotApplicable,
}

impl Sections {
    /// Puts one stored section document in its place; unknown or malformed documents are ignored
    /// rather than failing the page (they would come from a newer version of the portal).
    pub fn set(&mut self, id: SectionId, data: serde_json::Value) {
        fn parse<T: serde::de::DeserializeOwned + Default>(data: serde_json::Value) -> T {
            serde_json::from_value(data).unwrap_or_default()
        }
        match id {
            SectionId::Environments => self.environments = parse(data),
            SectionId::Reachability => self.reachability = parse(data),
            SectionId::Authentication => self.authentication = parse(data),
            SectionId::Credentials => self.credentials = parse(data),
            SectionId::PartnerCode => self.partner_code = parse(data),
            SectionId::StatusCodes => self.status_codes = parse(data),
            SectionId::TestData => self.test_data = parse(data),
            SectionId::Contacts => self.contacts = parse(data),
            SectionId::Defaults => self.defaults = parse(data),
            SectionId::NotApplicable => self.not_applicable = parse(data),
        }
    }

    pub fn get(&self, id: SectionId) -> serde_json::Value {
        let value = match id {
            SectionId::Environments => serde_json::to_value(&self.environments),
            SectionId::Reachability => serde_json::to_value(&self.reachability),
            SectionId::Authentication => serde_json::to_value(&self.authentication),
            SectionId::Credentials => serde_json::to_value(&self.credentials),
            SectionId::PartnerCode => serde_json::to_value(&self.partner_code),
            SectionId::StatusCodes => serde_json::to_value(&self.status_codes),
            SectionId::TestData => serde_json::to_value(&self.test_data),
            SectionId::Contacts => serde_json::to_value(&self.contacts),
            SectionId::Defaults => serde_json::to_value(&self.defaults),
            SectionId::NotApplicable => serde_json::to_value(&self.not_applicable),
        };
        value.unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub const ALL: [HttpMethod; 5] = [
        HttpMethod::Get,
        HttpMethod::Post,
        HttpMethod::Put,
        HttpMethod::Patch,
        HttpMethod::Delete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }

    pub fn parse(text: &str) -> Option<HttpMethod> {
        HttpMethod::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Whether requests with this method carry a body worth an example.
    pub fn has_request_body(self) -> bool {
        matches!(self, HttpMethod::Post | HttpMethod::Put | HttpMethod::Patch)
    }
}

pub use super::media::BodyFormat;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    #[default]
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
}

impl ParamType {
    pub const ALL: [ParamType; 6] = [
        ParamType::String,
        ParamType::Integer,
        ParamType::Number,
        ParamType::Boolean,
        ParamType::Object,
        ParamType::Array,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
            ParamType::Object => "object",
            ParamType::Array => "array",
        }
    }

    pub fn parse(text: &str) -> Option<ParamType> {
        ParamType::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Header {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Parameter {
    pub name: String,
    pub location: Location,
    pub kind: ParamType,
    pub required: bool,
    pub description: String,
    pub example: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorScenario {
    pub http_status: String,
    pub partner_code: String,
    pub description: String,
    pub example: String,
}

/// The key of a field in a table row, `error_example_2`: the endpoint form's field names and the
/// keys of `EndpointSpec::unconfirmed`.
pub fn row_key(field: &str, index: usize) -> String {
    format!("{field}_{index}")
}

/// One endpoint, as the partner describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EndpointSpec {
    pub name: String,
    pub purpose: String,
    pub method: Option<HttpMethod>,
    /// Relative to the environment's base URL, e.g. /otp/v1/generateOTP.
    pub path: String,
    /// The request body's format.
    pub body_format: BodyFormat,
    /// The format of the success and error bodies when it is not the usual one for the request's
    /// (`response_format()`): a form-encoded API usually answers in JSON. Unset is the usual, so
    /// endpoints stored before responses had a format read (and fingerprint) as they did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<BodyFormat>,
    /// Why the bodies are not JSON, when they are not.
    pub non_json_reason: String,
    pub headers: Vec<Header>,
    pub parameters: Vec<Parameter>,
    pub request_example: String,
    pub success_status: String,
    pub success_example: String,
    pub errors: Vec<ErrorScenario>,
    pub not_applicable: NotApplicable,
    /// Where an imported endpoint came from in its file (an OpenAPI operationId, a Postman item's
    /// id or folder path), so endpoints that share a method and path stay apart across imports.
    /// Empty for endpoints typed in the portal.
    pub source_id: String,
    /// Fields an import filled in that the partner has not confirmed, by their form key:
    /// examples made from a schema (`request_example`, `success_example`, `error_example_N`),
    /// which count as missing until confirmed, and partner codes read from an example body
    /// (`error_code_N`), shown for the partner to check.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub unconfirmed: BTreeSet<String>,
    /// The JSON Schemas the imported file gave, references resolved (`source_schema`), by what
    /// they describe: `request`, `success`, `error_N` (scenario row N), `param:{in}:{name}`.
    /// The exports use them as given; examples are checked against them.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub schemas: BTreeMap<String, serde_json::Value>,
    /// How many of `headers`, first, come from the integration's defaults rather than this
    /// endpoint (set when an integration is read; never stored, see `domain::defaults`).
    #[serde(skip)]
    pub inherited_headers: usize,
}

impl EndpointSpec {
    /// What the success and error bodies are written in.
    pub fn response_format(&self) -> BodyFormat {
        self.response_format
            .unwrap_or_else(|| self.usual_response_format())
    }

    /// Sets the responses' format, stored only where it is not the usual one.
    pub fn set_response_format(&mut self, format: BodyFormat) {
        self.response_format = (format != self.usual_response_format()).then_some(format);
    }

    /// JSON, except for an endpoint whose bodies are "something else" (before responses had a
    /// format of their own, that one choice covered both).
    fn usual_response_format(&self) -> BodyFormat {
        if self.body_format == BodyFormat::Other {
            BodyFormat::Other
        } else {
            BodyFormat::Json
        }
    }

    /// Whether requests carry the example body: always for POST, PUT and PATCH, and for a DELETE
    /// when the partner documents one (real APIs delete by a body of ids). A GET never does:
    /// servers and proxies may refuse it.
    pub fn sends_body(&self) -> bool {
        match self.method {
            Some(HttpMethod::Get) | None => false,
            Some(method) => method.has_request_body() || self.has_request_example(),
        }
    }

    /// Whether the exports describe a request body: whenever one is sent, and for a GET whose
    /// partner documents one anyway (kept, not silently dropped; Postman can send it).
    pub fn documents_body(&self) -> bool {
        self.sends_body() || (self.method.is_some() && self.has_request_example())
    }

    fn has_request_example(&self) -> bool {
        !self.request_example.trim().is_empty()
    }

    pub fn title(&self) -> String {
        if self.name.trim().is_empty() {
            "Untitled endpoint".into()
        } else {
            self.name.clone()
        }
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
