//! The checklist's item ids as types, one enum per scope: every `match` on one is exhaustive, so a
//! new item makes the compiler list each place that must decide about it (its id, whether it may
//! be waived, its section or waiver field, and its check in `checks.rs`), and no match has to
//! list the other scope's items.

use std::fmt;

use super::Scope;
use crate::domain::model::SectionId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemId {
    Integration(IntegrationItem),
    Endpoint(EndpointItem),
}

/// Declares an item enum and its `ALL`, so no variant can be left out of the list.
macro_rules! item_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
        }
    };
}

item_enum! {
    /// Items about the whole integration, answered in its sections.
    IntegrationItem {
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
    }
}

item_enum! {
    /// Items every endpoint answers on its own page.
    EndpointItem {
        Name,
        Method,
        Url,
        Headers,
        Parameters,
        RequestExample,
        ResponseExample,
        Errors,
    }
}

impl IntegrationItem {
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationItem::RestHttps => "rest-https",
            IntegrationItem::Json => "json",
            IntegrationItem::Reachability => "reachability",
            IntegrationItem::Staging => "staging",
            IntegrationItem::TestData => "test-data",
            IntegrationItem::Spoc => "spoc",
            IntegrationItem::Auth => "auth",
            IntegrationItem::Credentials => "credentials",
            IntegrationItem::PartnerCode => "partner-code",
            IntegrationItem::StatusCodes => "status-codes",
        }
    }

    /// HTTPS and JSON are what Haptik's bots need (an admin can relax them, not a partner).
    pub fn waivable(self) -> bool {
        match self {
            IntegrationItem::RestHttps | IntegrationItem::Json => false,
            IntegrationItem::Reachability
            | IntegrationItem::Staging
            | IntegrationItem::TestData
            | IntegrationItem::Spoc
            | IntegrationItem::Auth
            | IntegrationItem::Credentials
            | IntegrationItem::PartnerCode
            | IntegrationItem::StatusCodes => true,
        }
    }

    /// The integration form section whose header shows this item's state.
    pub fn section(self) -> Option<SectionId> {
        match self {
            IntegrationItem::RestHttps | IntegrationItem::Staging => Some(SectionId::Environments),
            IntegrationItem::Reachability => Some(SectionId::Reachability),
            IntegrationItem::Auth => Some(SectionId::Authentication),
            IntegrationItem::Credentials => Some(SectionId::Credentials),
            IntegrationItem::PartnerCode => Some(SectionId::PartnerCode),
            IntegrationItem::StatusCodes => Some(SectionId::StatusCodes),
            IntegrationItem::TestData => Some(SectionId::TestData),
            IntegrationItem::Spoc => Some(SectionId::Contacts),
            // Judged across the endpoints, shown with them.
            IntegrationItem::Json => None,
        }
    }
}

impl EndpointItem {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointItem::Name => "name",
            EndpointItem::Method => "method",
            EndpointItem::Url => "url",
            EndpointItem::Headers => "headers",
            EndpointItem::Parameters => "parameters",
            EndpointItem::RequestExample => "request-example",
            EndpointItem::ResponseExample => "response-example",
            EndpointItem::Errors => "errors",
        }
    }

    /// The endpoint form's field that holds the reason this item does not apply; None where it
    /// cannot be waived (every endpoint has a name, a method and a URL).
    pub fn waiver_field(self) -> Option<&'static str> {
        match self {
            EndpointItem::Headers => Some("na_headers"),
            EndpointItem::Parameters => Some("na_parameters"),
            EndpointItem::RequestExample => Some("na_request_example"),
            EndpointItem::ResponseExample => Some("na_response_example"),
            EndpointItem::Errors => Some("na_errors"),
            EndpointItem::Name | EndpointItem::Method | EndpointItem::Url => None,
        }
    }
}

impl ItemId {
    /// Every item: the integration's, then an endpoint's.
    pub fn all() -> impl Iterator<Item = ItemId> {
        IntegrationItem::ALL
            .iter()
            .copied()
            .map(ItemId::Integration)
            .chain(EndpointItem::ALL.iter().copied().map(ItemId::Endpoint))
    }

    /// The stable id (from REQUIREMENTS.md): stored with settings, waivers and comments, and
    /// used as the item's anchor and form key.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemId::Integration(item) => item.as_str(),
            ItemId::Endpoint(item) => item.as_str(),
        }
    }

    pub fn parse(text: &str) -> Option<ItemId> {
        ItemId::all().find(|id| id.as_str() == text)
    }

    pub fn scope(self) -> Scope {
        match self {
            ItemId::Integration(_) => Scope::Integration,
            ItemId::Endpoint(_) => Scope::Endpoint,
        }
    }

    /// Whether a partner may mark it not applicable, with a reason.
    pub fn waivable(self) -> bool {
        match self {
            ItemId::Integration(item) => item.waivable(),
            ItemId::Endpoint(item) => item.waiver_field().is_some(),
        }
    }

    /// The integration form section whose header shows this item's state.
    pub fn section(self) -> Option<SectionId> {
        match self {
            ItemId::Integration(item) => item.section(),
            ItemId::Endpoint(_) => None,
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
    fn ids_read_back_and_are_unique() {
        let all: Vec<ItemId> = ItemId::all().collect();
        assert_eq!(all.len(), 18);
        for id in &all {
            assert_eq!(ItemId::parse(id.as_str()), Some(*id));
        }
        let mut names: Vec<&str> = all.iter().map(|id| id.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all.len());
        assert_eq!(ItemId::parse("rest_https"), None);
        assert!(!ItemId::Endpoint(EndpointItem::Name).waivable());
        assert!(ItemId::Endpoint(EndpointItem::Headers).waivable());
        assert!(!ItemId::Integration(IntegrationItem::Json).waivable());
    }
}
