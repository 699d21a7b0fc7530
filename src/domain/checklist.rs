//! Haptik's requirements checklist: the one definition of what is asked, how each item is checked,
//! when it applies, and how completeness is computed. Item ids follow REQUIREMENTS.md and stay stable.
//!
//! `assess` is the only function that computes completeness; pages, submission and the dashboard
//! all call it.

use std::collections::HashMap;

use uuid::Uuid;

use crate::domain::model::{
    AuthScheme, BodyFormat, EndpointSpec, NotApplicable, ReachMode, Sections,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Integration,
    Endpoint,
}

/// How strongly an item is asked for; admins can change it per item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    Required,
    Optional,
    Off,
}

impl Requirement {
    pub const ALL: [Requirement; 3] = [
        Requirement::Required,
        Requirement::Optional,
        Requirement::Off,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Requirement::Required => "required",
            Requirement::Optional => "optional",
            Requirement::Off => "off",
        }
    }

    pub fn parse(text: &str) -> Option<Requirement> {
        Requirement::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

#[derive(Debug)]
pub struct Item {
    pub id: &'static str,
    pub scope: Scope,
    pub label: &'static str,
    /// What the partner is asked for, shown beside the item.
    pub asks: &'static str,
    pub default: Requirement,
    /// The form field a "missing" link jumps to.
    pub anchor: &'static str,
}

pub const INTEGRATION_ITEMS: [Item; 10] = [
    Item {
        id: "rest-https",
        scope: Scope::Integration,
        label: "REST over HTTPS",
        asks: "Every endpoint URL is https and names its method.",
        default: Requirement::Required,
        anchor: "staging_url",
    },
    Item {
        id: "json",
        scope: Scope::Integration,
        label: "JSON requests and responses",
        asks: "Examples are JSON; an endpoint that is not says why.",
        default: Requirement::Required,
        anchor: "endpoints",
    },
    Item {
        id: "reachability",
        scope: Scope::Integration,
        label: "Reachability",
        asks: "Public, or Haptik's egress IPs whitelisted on staging.",
        default: Requirement::Required,
        anchor: "reach_mode",
    },
    Item {
        id: "staging",
        scope: Scope::Integration,
        label: "Staging environment",
        asks: "A stable staging base URL (and production when known).",
        default: Requirement::Required,
        anchor: "staging_url",
    },
    Item {
        id: "test-data",
        scope: Scope::Integration,
        label: "Test data",
        asks: "Test accounts and IDs to use while testing.",
        default: Requirement::Required,
        anchor: "section-test_data",
    },
    Item {
        id: "spoc",
        scope: Scope::Integration,
        label: "Technical SPOC",
        asks: "Name, e-mail, phone, role and working hours of the person who answers API questions.",
        default: Requirement::Required,
        anchor: "spoc_primary_name",
    },
    Item {
        id: "auth",
        scope: Scope::Integration,
        label: "Authentication",
        asks: "The scheme and step-by-step instructions.",
        default: Requirement::Required,
        anchor: "auth_scheme",
    },
    Item {
        id: "credentials",
        scope: Scope::Integration,
        label: "Credential names",
        asks: "The key names (e.g. consumer_key) and where each goes; never the values.",
        default: Requirement::Required,
        anchor: "section-credentials",
    },
    Item {
        id: "partner-code",
        scope: Scope::Integration,
        label: "Partner code",
        asks: "The partner code, where the APIs use one.",
        default: Requirement::Required,
        anchor: "partner_code",
    },
    Item {
        id: "status-codes",
        scope: Scope::Integration,
        label: "Status codes",
        asks: "The codes the APIs return, with message, HTTP status and meaning.",
        default: Requirement::Required,
        anchor: "section-status_codes",
    },
];

pub const ENDPOINT_ITEMS: [Item; 8] = [
    Item {
        id: "name",
        scope: Scope::Endpoint,
        label: "Name and purpose",
        asks: "What the API is called and what it does.",
        default: Requirement::Required,
        anchor: "name",
    },
    Item {
        id: "method",
        scope: Scope::Endpoint,
        label: "HTTP method",
        asks: "GET, POST, PUT, PATCH or DELETE.",
        default: Requirement::Required,
        anchor: "method",
    },
    Item {
        id: "url",
        scope: Scope::Endpoint,
        label: "Endpoint URL",
        asks: "The path after the environment's base URL.",
        default: Requirement::Required,
        anchor: "path",
    },
    Item {
        id: "headers",
        scope: Scope::Endpoint,
        label: "Headers",
        asks: "Authentication and other headers required on each request.",
        default: Requirement::Required,
        anchor: "headers",
    },
    Item {
        id: "parameters",
        scope: Scope::Endpoint,
        label: "Parameters",
        asks: "Which request data is mandatory and which optional.",
        default: Requirement::Required,
        anchor: "parameters",
    },
    Item {
        id: "request-example",
        scope: Scope::Endpoint,
        label: "Request example",
        asks: "An example request body.",
        default: Requirement::Required,
        anchor: "request_example",
    },
    Item {
        id: "response-example",
        scope: Scope::Endpoint,
        label: "Success response",
        asks: "An example success body with its HTTP status.",
        default: Requirement::Required,
        anchor: "success_status",
    },
    Item {
        id: "errors",
        scope: Scope::Endpoint,
        label: "Error scenarios",
        asks: "Each error with its HTTP status, your status code and an example body.",
        default: Requirement::Required,
        anchor: "errors",
    },
];

pub fn item(id: &str) -> Option<&'static Item> {
    INTEGRATION_ITEMS
        .iter()
        .chain(ENDPOINT_ITEMS.iter())
        .find(|item| item.id == id)
}

/// Items a partner may mark not applicable, with a reason. HTTPS and JSON are what Haptik's bots
/// need (an admin can relax them), and every endpoint has a name, a method and a URL.
pub fn waivable(id: &str) -> bool {
    !matches!(id, "rest-https" | "json" | "name" | "method" | "url")
}

pub fn all_items() -> impl Iterator<Item = &'static Item> {
    INTEGRATION_ITEMS.iter().chain(ENDPOINT_ITEMS.iter())
}

/// The admin's choices; items without one keep their default.
#[derive(Debug, Clone, Default)]
pub struct Settings(pub HashMap<String, Requirement>);

impl Settings {
    pub fn requirement(&self, item: &Item) -> Requirement {
        self.0.get(item.id).copied().unwrap_or(item.default)
    }

    pub async fn load<'e>(db: impl sqlx::PgExecutor<'e>) -> sqlx::Result<Settings> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT item, requirement FROM checklist_settings")
                .fetch_all(db)
                .await?;
        Ok(Settings(
            rows.into_iter()
                .filter_map(|(item, text)| Requirement::parse(&text).map(|r| (item, r)))
                .collect(),
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Done,
    /// What exactly is missing, in the partner's terms.
    Missing(String),
    /// The partner says it does not apply, and why.
    NotApplicable(String),
    /// It cannot apply here (a GET has no request body).
    DoesNotApply(&'static str),
}

#[derive(Debug, Clone)]
pub struct ItemResult {
    pub item: &'static Item,
    pub requirement: Requirement,
    pub state: State,
}

impl ItemResult {
    /// Counted in "n of m": asked for, applicable, and not explained away.
    pub fn counts(&self) -> bool {
        self.requirement == Requirement::Required
            && matches!(self.state, State::Done | State::Missing(_))
    }

    pub fn blocks(&self) -> bool {
        self.requirement == Requirement::Required && matches!(self.state, State::Missing(_))
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    pub fn missing(&self) -> Option<&str> {
        match &self.state {
            State::Missing(what) => Some(what),
            _ => None,
        }
    }

    pub fn not_applicable_reason(&self) -> Option<&str> {
        match &self.state {
            State::NotApplicable(why) => Some(why),
            _ => None,
        }
    }

    pub fn does_not_apply(&self) -> Option<&str> {
        match &self.state {
            State::DoesNotApply(why) => Some(why),
            _ => None,
        }
    }

    pub fn is_optional(&self) -> bool {
        self.requirement == Requirement::Optional
    }

    pub fn is_off(&self) -> bool {
        self.requirement == Requirement::Off
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

impl Progress {
    fn of(results: &[ItemResult]) -> Progress {
        let counted = results.iter().filter(|r| r.counts());
        let (done, total) = counted.fold((0, 0), |(d, t), r| (d + usize::from(r.is_done()), t + 1));
        Progress { done, total }
    }

    pub fn percent(&self) -> usize {
        (self.done * 100).checked_div(self.total).unwrap_or(100)
    }

    pub fn complete(&self) -> bool {
        self.done == self.total
    }
}

#[derive(Debug, Clone)]
pub struct EndpointAssessment {
    pub endpoint_id: Uuid,
    pub title: String,
    pub items: Vec<ItemResult>,
    pub progress: Progress,
}

impl EndpointAssessment {
    pub fn missing(&self) -> impl Iterator<Item = &ItemResult> {
        self.items.iter().filter(|r| r.blocks())
    }
}

#[derive(Debug, Clone)]
pub struct Assessment {
    pub items: Vec<ItemResult>,
    pub endpoints: Vec<EndpointAssessment>,
    /// Integration-level items and every endpoint's items together.
    pub progress: Progress,
}

impl Assessment {
    /// What stands between the integration and "Submit for review", in order.
    pub fn blockers(&self) -> Vec<String> {
        let mut blockers = Vec::new();
        if self.endpoints.is_empty() {
            blockers.push("Add at least one endpoint.".to_string());
        }
        for result in self.items.iter().filter(|r| r.blocks()) {
            blockers.push(format!(
                "{}: {}",
                result.item.label,
                result.missing().unwrap_or_default()
            ));
        }
        for endpoint in &self.endpoints {
            for result in endpoint.missing() {
                blockers.push(format!(
                    "{} · {}: {}",
                    endpoint.title,
                    result.item.label,
                    result.missing().unwrap_or_default()
                ));
            }
        }
        blockers
    }

    pub fn ready(&self) -> bool {
        self.blockers().is_empty()
    }

    pub fn endpoint(&self, id: Uuid) -> Option<&EndpointAssessment> {
        self.endpoints.iter().find(|e| e.endpoint_id == id)
    }
}

pub fn assess(
    sections: &Sections,
    endpoints: &[(Uuid, &EndpointSpec)],
    settings: &Settings,
) -> Assessment {
    let items: Vec<ItemResult> = INTEGRATION_ITEMS
        .iter()
        .map(|item| {
            judge(item, settings, &sections.not_applicable, || {
                check_integration(item.id, sections, endpoints)
            })
        })
        .collect();
    let endpoint_results: Vec<EndpointAssessment> = endpoints
        .iter()
        .map(|(id, spec)| {
            let items: Vec<ItemResult> = ENDPOINT_ITEMS
                .iter()
                .map(|item| {
                    judge(item, settings, &spec.not_applicable, || {
                        check_endpoint(item.id, spec)
                    })
                })
                .collect();
            EndpointAssessment {
                endpoint_id: *id,
                title: spec.title(),
                progress: Progress::of(&items),
                items,
            }
        })
        .collect();
    let mut all: Vec<ItemResult> = items.clone();
    all.extend(
        endpoint_results
            .iter()
            .flat_map(|e| e.items.iter().cloned()),
    );
    Assessment {
        progress: Progress::of(&all),
        items,
        endpoints: endpoint_results,
    }
}

fn judge(
    item: &'static Item,
    settings: &Settings,
    marks: &NotApplicable,
    check: impl FnOnce() -> State,
) -> ItemResult {
    let requirement = settings.requirement(item);
    let state = match check() {
        State::DoesNotApply(why) => State::DoesNotApply(why),
        checked => match marks.reason(item.id) {
            Some(reason) if checked != State::Done => State::NotApplicable(reason.to_string()),
            _ => checked,
        },
    };
    ItemResult {
        item,
        requirement,
        state,
    }
}

fn filled(text: &str) -> bool {
    !text.trim().is_empty()
}

fn missing(what: impl Into<String>) -> State {
    State::Missing(what.into())
}

fn check_integration(id: &str, sections: &Sections, endpoints: &[(Uuid, &EndpointSpec)]) -> State {
    match id {
        "rest-https" => {
            let env = &sections.environments;
            if !filled(&env.staging_url) {
                return missing("Give the staging base URL.");
            }
            for (label, url) in [
                ("staging", &env.staging_url),
                ("production", &env.production_url),
            ] {
                if filled(url) && !url.trim().to_ascii_lowercase().starts_with("https://") {
                    return missing(format!(
                        "The {label} URL uses http; Haptik calls APIs over https only."
                    ));
                }
            }
            if endpoints.is_empty() {
                return missing("Add at least one endpoint.");
            }
            match endpoints.iter().find(|(_, spec)| spec.method.is_none()) {
                Some((_, spec)) => missing(format!("{} names no HTTP method.", spec.title())),
                None => State::Done,
            }
        }
        "json" => {
            if endpoints.is_empty() {
                return missing("Add at least one endpoint.");
            }
            let unexplained = endpoints.iter().find(|(_, spec)| {
                spec.body_format == BodyFormat::Other && !filled(&spec.non_json_reason)
            });
            match unexplained {
                Some((_, spec)) => missing(format!("{} is not JSON; say why.", spec.title())),
                None => State::Done,
            }
        }
        "reachability" => match sections.reachability.mode {
            None => missing("Say whether the APIs are public or whitelist Haptik's IPs."),
            Some(ReachMode::Whitelisting) if !sections.reachability.whitelist_confirmed => {
                missing("Confirm that Haptik's egress IPs are allowed on staging.")
            }
            Some(_) => State::Done,
        },
        "staging" => {
            if filled(&sections.environments.staging_url) {
                State::Done
            } else {
                missing("Give the staging base URL.")
            }
        }
        "test-data" => {
            if sections
                .test_data
                .items
                .iter()
                .any(|d| filled(&d.label) && filled(&d.value))
            {
                State::Done
            } else {
                missing("Add at least one test account or ID (label and value).")
            }
        }
        "spoc" => {
            let spoc = &sections.contacts.primary;
            let gaps: Vec<&str> = [
                ("name", &spoc.name),
                ("e-mail", &spoc.email),
                ("phone", &spoc.phone),
                ("role", &spoc.role),
                ("time zone and hours", &spoc.hours),
            ]
            .into_iter()
            .filter(|(_, value)| !filled(value))
            .map(|(label, _)| label)
            .collect();
            if gaps.is_empty() {
                State::Done
            } else {
                missing(format!(
                    "The primary contact's {} {} missing.",
                    gaps.join(", "),
                    if gaps.len() == 1 { "is" } else { "are" }
                ))
            }
        }
        "auth" => match sections.authentication.scheme {
            None => missing("Choose the authentication scheme."),
            Some(AuthScheme::None) => State::Done,
            Some(_) if sections.authentication.steps.trim().chars().count() < 20 => missing(
                "Explain the authentication steps in detail (which endpoint to call first, what to send).",
            ),
            Some(_) => State::Done,
        },
        "credentials" => match sections.authentication.scheme {
            Some(AuthScheme::None) => State::DoesNotApply("the APIs use no authentication"),
            _ if sections.credentials.items.iter().any(|c| filled(&c.name)) => State::Done,
            _ => missing("Name each credential (e.g. consumer_key) and where it goes."),
        },
        "partner-code" => {
            if filled(&sections.partner_code.code) {
                State::Done
            } else {
                missing("Give the partner code, or mark it not applicable.")
            }
        }
        "status-codes" => {
            if sections
                .status_codes
                .items
                .iter()
                .any(|c| filled(&c.code) && filled(&c.message))
            {
                State::Done
            } else {
                missing("List the status codes with their messages.")
            }
        }
        _ => State::DoesNotApply("unknown item"),
    }
}

fn check_endpoint(id: &str, spec: &EndpointSpec) -> State {
    match id {
        "name" => match (filled(&spec.name), filled(&spec.purpose)) {
            (true, true) => State::Done,
            (false, _) => missing("Give the API a name."),
            (true, false) => missing("Say what the API does."),
        },
        "method" => {
            if spec.method.is_some() {
                State::Done
            } else {
                missing("Choose the HTTP method.")
            }
        }
        "url" => {
            if filled(&spec.path) {
                State::Done
            } else {
                missing("Give the path after the base URL.")
            }
        }
        "headers" => {
            if spec.headers.iter().any(|h| filled(&h.name)) {
                State::Done
            } else {
                missing("List the headers each request needs.")
            }
        }
        "parameters" => {
            if spec.parameters.iter().any(|p| filled(&p.name)) {
                State::Done
            } else {
                missing("List the request parameters, mandatory and optional.")
            }
        }
        "request-example" => match spec.method {
            Some(method) if !method.has_request_body() => {
                State::DoesNotApply("this method sends no request body")
            }
            _ if filled(&spec.request_example) => State::Done,
            _ => missing("Paste an example request body."),
        },
        "response-example" => match (filled(&spec.success_status), filled(&spec.success_example)) {
            (true, true) => State::Done,
            (false, _) => missing("Give the success HTTP status."),
            (true, false) => missing("Paste an example success body."),
        },
        "errors" => {
            let complete = spec
                .errors
                .iter()
                .any(|e| filled(&e.http_status) && filled(&e.partner_code) && filled(&e.example));
            if complete {
                State::Done
            } else if spec.errors.is_empty() {
                missing("Describe at least one error scenario.")
            } else {
                missing(
                    "Give each error scenario its HTTP status, your status code and an example body.",
                )
            }
        }
        _ => State::DoesNotApply("unknown item"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::*;

    #[test]
    fn item_ids_are_unique_and_match_the_requirements() {
        let ids: Vec<&str> = all_items().map(|i| i.id).collect();
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(ids.len(), unique.len());
        assert_eq!(ids.len(), 18);
        assert!(item("partner-code").is_some() && item("request-example").is_some());
    }

    #[test]
    fn a_get_endpoint_does_not_count_its_request_body() {
        let spec = EndpointSpec {
            method: Some(HttpMethod::Get),
            ..EndpointSpec::default()
        };
        let assessment = assess(
            &Sections::default(),
            &[(Uuid::nil(), &spec)],
            &Settings::default(),
        );
        let endpoint = &assessment.endpoints[0];
        assert_eq!(endpoint.progress.total, 7);
        let post = EndpointSpec {
            method: Some(HttpMethod::Post),
            ..EndpointSpec::default()
        };
        let assessment = assess(
            &Sections::default(),
            &[(Uuid::nil(), &post)],
            &Settings::default(),
        );
        assert_eq!(assessment.endpoints[0].progress.total, 8);
    }

    #[test]
    fn not_applicable_with_a_reason_stops_blocking_and_is_not_counted() {
        let mut sections = Sections::default();
        sections.not_applicable.0.insert(
            "partner-code".into(),
            "Our APIs use no partner code.".into(),
        );
        let assessment = assess(&sections, &[], &Settings::default());
        let result = assessment
            .items
            .iter()
            .find(|r| r.item.id == "partner-code")
            .unwrap();
        assert_eq!(
            result.not_applicable_reason(),
            Some("Our APIs use no partner code.")
        );
        assert!(!result.blocks() && !result.counts());
    }

    #[test]
    fn admins_can_make_items_optional_or_off() {
        let mut settings = Settings::default();
        settings.0.insert("test-data".into(), Requirement::Optional);
        settings.0.insert("partner-code".into(), Requirement::Off);
        let assessment = assess(&Sections::default(), &[], &settings);
        let blockers = assessment.blockers().join("\n");
        assert!(!blockers.contains("Test data") && !blockers.contains("Partner code"));
        assert!(blockers.contains("Technical SPOC"));
        assert_eq!(assessment.progress.total, 8);
    }

    #[test]
    fn an_http_staging_url_is_missing_https() {
        let mut sections = Sections::default();
        sections.environments.staging_url = "http://sit.partner.example".into();
        let assessment = assess(&sections, &[], &Settings::default());
        let rest = assessment
            .items
            .iter()
            .find(|r| r.item.id == "rest-https")
            .unwrap();
        assert!(rest.missing().unwrap().contains("uses http"));
    }

    #[test]
    fn credentials_do_not_apply_without_authentication() {
        let mut sections = Sections::default();
        sections.authentication.scheme = Some(AuthScheme::None);
        let assessment = assess(&sections, &[], &Settings::default());
        let credentials = assessment
            .items
            .iter()
            .find(|r| r.item.id == "credentials")
            .unwrap();
        assert!(credentials.does_not_apply().is_some());
        let auth = assessment
            .items
            .iter()
            .find(|r| r.item.id == "auth")
            .unwrap();
        assert!(auth.is_done());
    }

    fn complete() -> (Sections, EndpointSpec) {
        let sections = Sections {
            environments: Environments {
                staging_url: "https://sit.example".into(),
                production_url: String::new(),
            },
            reachability: Reachability {
                mode: Some(ReachMode::Public),
                whitelist_confirmed: false,
            },
            authentication: Authentication {
                scheme: Some(AuthScheme::BearerToken),
                steps: "Call /token with client id and secret, then send Bearer.".into(),
            },
            credentials: Credentials {
                items: vec![CredentialName {
                    name: "consumer_key".into(),
                    ..Default::default()
                }],
            },
            partner_code: PartnerCode { code: "XYZ".into() },
            status_codes: StatusCodes {
                items: vec![StatusCode {
                    code: "SUCC001".into(),
                    message: "Request Successful".into(),
                    ..Default::default()
                }],
            },
            test_data: TestData {
                items: vec![TestDatum {
                    label: "Mobile".into(),
                    value: "9928056506".into(),
                    note: String::new(),
                }],
            },
            contacts: Contacts {
                primary: Contact {
                    name: "A".into(),
                    email: "a@x.example".into(),
                    phone: "+91 99".into(),
                    role: "Dev".into(),
                    hours: "IST".into(),
                },
                backup: Contact::default(),
            },
            not_applicable: NotApplicable::default(),
        };
        let spec = EndpointSpec {
            name: "Generate OTP".into(),
            purpose: "Sends an OTP".into(),
            method: Some(HttpMethod::Post),
            path: "/otp".into(),
            headers: vec![Header {
                name: "Authorization".into(),
                value: "Bearer <<token>>".into(),
            }],
            parameters: vec![Parameter {
                name: "mobileNo".into(),
                ..Default::default()
            }],
            request_example: "{}".into(),
            success_status: "200".into(),
            success_example: "{}".into(),
            errors: vec![ErrorScenario {
                http_status: "400".into(),
                partner_code: "ERR001".into(),
                description: String::new(),
                example: "{}".into(),
            }],
            ..EndpointSpec::default()
        };
        (sections, spec)
    }

    #[test]
    fn nothing_blocks_when_everything_is_there() {
        let (sections, spec) = complete();
        let assessment = assess(&sections, &[(Uuid::nil(), &spec)], &Settings::default());
        assert_eq!(assessment.blockers(), Vec::<String>::new());
        assert!(assessment.ready());
        assert_eq!(
            assessment.progress,
            Progress {
                done: 18,
                total: 18
            }
        );
    }

    /// Each item, taken out of an otherwise complete integration, is reported missing on its own.
    #[test]
    fn every_item_is_reported_when_it_alone_is_missing() {
        type Remove = fn(&mut Sections, &mut EndpointSpec);
        let cases: [(&str, Remove); 18] = [
            ("rest-https", |s, _| {
                s.environments.production_url = "http://api.example".into()
            }),
            ("json", |_, e| e.body_format = BodyFormat::Other),
            ("reachability", |s, _| s.reachability.mode = None),
            ("staging", |s, _| s.environments.staging_url.clear()),
            ("test-data", |s, _| s.test_data.items.clear()),
            ("spoc", |s, _| s.contacts.primary.phone.clear()),
            ("auth", |s, _| s.authentication.steps = "see docs".into()),
            ("credentials", |s, _| s.credentials.items.clear()),
            ("partner-code", |s, _| s.partner_code.code.clear()),
            ("status-codes", |s, _| s.status_codes.items.clear()),
            ("name", |_, e| e.purpose.clear()),
            ("method", |_, e| e.method = None),
            ("url", |_, e| e.path.clear()),
            ("headers", |_, e| e.headers.clear()),
            ("parameters", |_, e| e.parameters.clear()),
            ("request-example", |_, e| e.request_example.clear()),
            ("response-example", |_, e| e.success_example.clear()),
            ("errors", |_, e| e.errors[0].partner_code.clear()),
        ];
        for (id, remove) in cases {
            let (mut sections, mut spec) = complete();
            remove(&mut sections, &mut spec);
            let assessment = assess(&sections, &[(Uuid::nil(), &spec)], &Settings::default());
            let results = assessment
                .items
                .iter()
                .chain(assessment.endpoints[0].items.iter());
            let missing: Vec<&str> = results.filter(|r| r.blocks()).map(|r| r.item.id).collect();
            let expected: &[&str] = match id {
                // Staging is also what "REST over HTTPS" checks first.
                "staging" => &["rest-https", "staging"],
                // "REST over HTTPS" also asks every endpoint to name its method.
                "method" => &["rest-https", "method"],
                _ => &[id],
            };
            assert_eq!(missing, expected, "removing {id}");
            assert!(!assessment.ready(), "removing {id} blocks submission");
        }
    }
}
