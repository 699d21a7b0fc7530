//! The checklist's item ids as a type: every `match` on one is exhaustive, so a new item makes
//! the compiler list each place that must decide about it (its scope, whether it may be waived,
//! its section or waiver field, and its check in `checks.rs`).

use std::fmt;

use super::Scope;
use crate::domain::model::SectionId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemId {
    RestHttps,
    Json,
    Reachability,
    Staging,
    TestData,
    Spoc,
    Auth,
    Credentials,
    PartnerCode,
    StatusCodes,
    Name,
    Method,
    Url,
    Headers,
    Parameters,
    RequestExample,
    ResponseExample,
    Errors,
}

impl ItemId {
    pub const ALL: [ItemId; 18] = [
        ItemId::RestHttps,
        ItemId::Json,
        ItemId::Reachability,
        ItemId::Staging,
        ItemId::TestData,
        ItemId::Spoc,
        ItemId::Auth,
        ItemId::Credentials,
        ItemId::PartnerCode,
        ItemId::StatusCodes,
        ItemId::Name,
        ItemId::Method,
        ItemId::Url,
        ItemId::Headers,
        ItemId::Parameters,
        ItemId::RequestExample,
        ItemId::ResponseExample,
        ItemId::Errors,
    ];

    /// The stable id (from REQUIREMENTS.md): stored with settings, waivers and comments, and
    /// used as the item's anchor and form key.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemId::RestHttps => "rest-https",
            ItemId::Json => "json",
            ItemId::Reachability => "reachability",
            ItemId::Staging => "staging",
            ItemId::TestData => "test-data",
            ItemId::Spoc => "spoc",
            ItemId::Auth => "auth",
            ItemId::Credentials => "credentials",
            ItemId::PartnerCode => "partner-code",
            ItemId::StatusCodes => "status-codes",
            ItemId::Name => "name",
            ItemId::Method => "method",
            ItemId::Url => "url",
            ItemId::Headers => "headers",
            ItemId::Parameters => "parameters",
            ItemId::RequestExample => "request-example",
            ItemId::ResponseExample => "response-example",
            ItemId::Errors => "errors",
        }
    }

    pub fn parse(text: &str) -> Option<ItemId> {
        ItemId::ALL.into_iter().find(|id| id.as_str() == text)
    }

    pub fn scope(self) -> Scope {
        match self {
            ItemId::RestHttps
            | ItemId::Json
            | ItemId::Reachability
            | ItemId::Staging
            | ItemId::TestData
            | ItemId::Spoc
            | ItemId::Auth
            | ItemId::Credentials
            | ItemId::PartnerCode
            | ItemId::StatusCodes => Scope::Integration,
            ItemId::Name
            | ItemId::Method
            | ItemId::Url
            | ItemId::Headers
            | ItemId::Parameters
            | ItemId::RequestExample
            | ItemId::ResponseExample
            | ItemId::Errors => Scope::Endpoint,
        }
    }

    /// Whether a partner may mark it not applicable, with a reason. HTTPS and JSON are what
    /// Haptik's bots need (an admin can relax them), and every endpoint has a name, a method and
    /// a URL.
    pub fn waivable(self) -> bool {
        match self {
            ItemId::RestHttps | ItemId::Json | ItemId::Name | ItemId::Method | ItemId::Url => false,
            ItemId::Reachability
            | ItemId::Staging
            | ItemId::TestData
            | ItemId::Spoc
            | ItemId::Auth
            | ItemId::Credentials
            | ItemId::PartnerCode
            | ItemId::StatusCodes
            | ItemId::Headers
            | ItemId::Parameters
            | ItemId::RequestExample
            | ItemId::ResponseExample
            | ItemId::Errors => true,
        }
    }

    /// The integration form section whose header shows this item's state.
    pub fn section(self) -> Option<SectionId> {
        match self {
            ItemId::RestHttps | ItemId::Staging => Some(SectionId::Environments),
            ItemId::Reachability => Some(SectionId::Reachability),
            ItemId::Auth => Some(SectionId::Authentication),
            ItemId::Credentials => Some(SectionId::Credentials),
            ItemId::PartnerCode => Some(SectionId::PartnerCode),
            ItemId::StatusCodes => Some(SectionId::StatusCodes),
            ItemId::TestData => Some(SectionId::TestData),
            ItemId::Spoc => Some(SectionId::Contacts),
            // Judged across the endpoints, shown with them.
            ItemId::Json => None,
            ItemId::Name
            | ItemId::Method
            | ItemId::Url
            | ItemId::Headers
            | ItemId::Parameters
            | ItemId::RequestExample
            | ItemId::ResponseExample
            | ItemId::Errors => None,
        }
    }

    /// The endpoint form's field that holds the reason this item does not apply.
    pub fn waiver_field(self) -> Option<&'static str> {
        match self {
            ItemId::Headers => Some("na_headers"),
            ItemId::Parameters => Some("na_parameters"),
            ItemId::RequestExample => Some("na_request_example"),
            ItemId::ResponseExample => Some("na_response_example"),
            ItemId::Errors => Some("na_errors"),
            ItemId::Name | ItemId::Method | ItemId::Url => None,
            ItemId::RestHttps
            | ItemId::Json
            | ItemId::Reachability
            | ItemId::Staging
            | ItemId::TestData
            | ItemId::Spoc
            | ItemId::Auth
            | ItemId::Credentials
            | ItemId::PartnerCode
            | ItemId::StatusCodes => None,
        }
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_back_and_waiver_fields_belong_to_waivable_endpoint_items() {
        for id in ItemId::ALL {
            assert_eq!(ItemId::parse(id.as_str()), Some(id));
            if id.waiver_field().is_some() {
                assert!(id.waivable() && id.scope() == Scope::Endpoint, "{id}");
            }
            if id.section().is_some() {
                assert_eq!(id.scope(), Scope::Integration, "{id}");
            }
        }
        assert_eq!(ItemId::parse("rest_https"), None);
    }
}
