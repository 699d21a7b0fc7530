//! How each item is judged against what the partner entered.

use uuid::Uuid;

use super::{EndpointItem, IntegrationItem, State, filled, missing};
use crate::domain::model::{AuthScheme, BodyFormat, EndpointSpec, ReachMode, Sections, row_key};

pub(super) fn check_integration(
    id: IntegrationItem,
    sections: &Sections,
    endpoints: &[(Uuid, &EndpointSpec)],
) -> State {
    match id {
        IntegrationItem::RestHttps => {
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
        IntegrationItem::Json => {
            if endpoints.is_empty() {
                return missing("Add at least one endpoint.");
            }
            let unexplained = endpoints.iter().find(|(_, spec)| {
                (spec.body_format != BodyFormat::Json || spec.response_format() != BodyFormat::Json)
                    && !filled(&spec.non_json_reason)
            });
            match unexplained {
                Some((_, spec)) => missing(format!("{} is not JSON; say why.", spec.title())),
                None => State::Done,
            }
        }
        IntegrationItem::Reachability => match sections.reachability.mode {
            None => missing("Say whether the APIs are public or whitelist Haptik's IPs."),
            Some(ReachMode::Whitelisting) if !sections.reachability.whitelist_confirmed => {
                missing("Confirm that Haptik's egress IPs are allowed on staging.")
            }
            Some(_) => State::Done,
        },
        IntegrationItem::Staging => {
            if filled(&sections.environments.staging_url) {
                State::Done
            } else {
                missing("Give the staging base URL.")
            }
        }
        IntegrationItem::TestData => {
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
        IntegrationItem::Spoc => {
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
        IntegrationItem::Auth => match sections.authentication.scheme {
            None => missing("Choose the authentication scheme."),
            Some(AuthScheme::None) => State::Done,
            Some(_) if sections.authentication.steps.trim().chars().count() < 20 => missing(
                "Explain the authentication steps in detail (which endpoint to call first, what to send).",
            ),
            Some(_) => State::Done,
        },
        IntegrationItem::Credentials => match sections.authentication.scheme {
            Some(AuthScheme::None) => State::DoesNotApply("the APIs use no authentication"),
            _ if sections.credentials.items.iter().any(|c| filled(&c.name)) => State::Done,
            _ => missing("Name each credential (e.g. consumer_key) and where it goes."),
        },
        IntegrationItem::PartnerCode => {
            if filled(&sections.partner_code.code) {
                State::Done
            } else {
                missing("Give the partner code, or mark it not applicable.")
            }
        }
        IntegrationItem::StatusCodes => {
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
    }
}

pub(super) fn check_endpoint(id: EndpointItem, spec: &EndpointSpec) -> State {
    match id {
        EndpointItem::Name => match (filled(&spec.name), filled(&spec.purpose)) {
            (true, true) => State::Done,
            (false, _) => missing("Give the API a name."),
            (true, false) => missing("Say what the API does."),
        },
        EndpointItem::Method => {
            if spec.method.is_some() {
                State::Done
            } else {
                missing("Choose the HTTP method.")
            }
        }
        EndpointItem::Url => {
            if filled(&spec.path) {
                State::Done
            } else {
                missing("Give the path after the base URL.")
            }
        }
        EndpointItem::Headers => {
            if spec.headers.iter().any(|h| filled(&h.name)) {
                State::Done
            } else {
                missing("List the headers each request needs.")
            }
        }
        EndpointItem::Parameters => {
            if spec.parameters.iter().any(|p| filled(&p.name)) {
                State::Done
            } else {
                missing("List the request parameters, mandatory and optional.")
            }
        }
        EndpointItem::RequestExample => match spec.method {
            Some(method) if !method.has_request_body() => {
                State::DoesNotApply("this method sends no request body")
            }
            _ if spec.unconfirmed.contains("request_example") => missing(UNCONFIRMED_EXAMPLE),
            _ if filled(&spec.request_example) => State::Done,
            _ => missing("Paste an example request body."),
        },
        EndpointItem::ResponseExample => {
            match (filled(&spec.success_status), filled(&spec.success_example)) {
                (true, true) if spec.unconfirmed.contains("success_example") => {
                    missing(UNCONFIRMED_EXAMPLE)
                }
                (true, true) => State::Done,
                (false, _) => missing("Give the success HTTP status."),
                (true, false) => match bodiless(&spec.success_status) {
                    Some(why) => State::DoesNotApply(why),
                    None => missing("Paste an example success body."),
                },
            }
        }
        EndpointItem::Errors => {
            let complete = spec.errors.iter().enumerate().any(|(i, e)| {
                filled(&e.http_status)
                    && filled(&e.partner_code)
                    && filled(&e.example)
                    && !spec.unconfirmed.contains(&row_key("error_example", i))
            });
            if complete {
                State::Done
            } else if (0..spec.errors.len())
                .any(|i| spec.unconfirmed.contains(&row_key("error_example", i)))
            {
                missing(UNCONFIRMED_EXAMPLE)
            } else if spec.errors.is_empty() {
                missing("Describe at least one error scenario.")
            } else {
                missing(
                    "Give each error scenario its HTTP status, your status code and an example body.",
                )
            }
        }
    }
}

/// An example an import made from a schema is the file's guess, not the partner's word.
const UNCONFIRMED_EXAMPLE: &str = "The import made this example from the file's schema: check it, correct it if needed, and confirm it.";

/// Why a success status carries no body (RFC 9110: 204, 205 and 304 never do), or None.
fn bodiless(status: &str) -> Option<&'static str> {
    match status.trim() {
        "204" => Some("a 204 No Content response has no body"),
        "205" => Some("a 205 Reset Content response has no body"),
        "304" => Some("a 304 Not Modified response has no body"),
        _ => None,
    }
}
