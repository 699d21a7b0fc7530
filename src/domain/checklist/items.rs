//! Every item of the checklist: its id (from REQUIREMENTS.md, stable), scope, label, what it
//! asks for, its default requirement and the field a "missing" link jumps to.

use std::sync::LazyLock;

use super::{EndpointItem, IntegrationItem, Item, ItemId, Requirement, Scope};

/// Every `IntegrationItem` in `ALL`'s order.
pub static INTEGRATION_ITEMS: LazyLock<Vec<Item>> = LazyLock::new(|| {
    IntegrationItem::ALL
        .iter()
        .map(|&id| integration_item(id))
        .collect()
});

/// What the checklist says of each item; exhaustive, so a new item must be described here.
fn integration_item(id: IntegrationItem) -> Item {
    match id {
        IntegrationItem::RestHttps => Item {
            id: ItemId::Integration(IntegrationItem::RestHttps),
            scope: Scope::Integration,
            label: "REST over HTTPS",
            asks: "Every endpoint URL is https and names its method.",
            default: Requirement::Required,
            anchor: "staging_url",
        },
        IntegrationItem::Json => Item {
            id: ItemId::Integration(IntegrationItem::Json),
            scope: Scope::Integration,
            label: "JSON requests and responses",
            asks: "Examples are JSON; an endpoint that is not says why.",
            default: Requirement::Required,
            anchor: "endpoints",
        },
        IntegrationItem::Reachability => Item {
            id: ItemId::Integration(IntegrationItem::Reachability),
            scope: Scope::Integration,
            label: "Reachability",
            asks: "Public, or Haptik's egress IPs whitelisted on staging.",
            default: Requirement::Required,
            anchor: "reach_mode",
        },
        IntegrationItem::Staging => Item {
            id: ItemId::Integration(IntegrationItem::Staging),
            scope: Scope::Integration,
            label: "Staging environment",
            asks: "A stable staging base URL (and production when known).",
            default: Requirement::Required,
            anchor: "staging_url",
        },
        IntegrationItem::TestData => Item {
            id: ItemId::Integration(IntegrationItem::TestData),
            scope: Scope::Integration,
            label: "Test data",
            asks: "Test accounts and IDs to use while testing.",
            default: Requirement::Required,
            anchor: "section-test_data",
        },
        IntegrationItem::Spoc => Item {
            id: ItemId::Integration(IntegrationItem::Spoc),
            scope: Scope::Integration,
            label: "Technical SPOC",
            asks: "Name, e-mail, phone, role and working hours of the person who answers API questions.",
            default: Requirement::Required,
            anchor: "spoc_primary_name",
        },
        IntegrationItem::Auth => Item {
            id: ItemId::Integration(IntegrationItem::Auth),
            scope: Scope::Integration,
            label: "Authentication",
            asks: "The scheme and step-by-step instructions.",
            default: Requirement::Required,
            anchor: "auth_scheme",
        },
        IntegrationItem::Credentials => Item {
            id: ItemId::Integration(IntegrationItem::Credentials),
            scope: Scope::Integration,
            label: "Credential names",
            asks: "The key names (e.g. consumer_key) and where each goes; never the values.",
            default: Requirement::Required,
            anchor: "section-credentials",
        },
        IntegrationItem::PartnerCode => Item {
            id: ItemId::Integration(IntegrationItem::PartnerCode),
            scope: Scope::Integration,
            label: "Partner code",
            asks: "The partner code, where the APIs use one.",
            default: Requirement::Required,
            anchor: "partner_code",
        },
        IntegrationItem::StatusCodes => Item {
            id: ItemId::Integration(IntegrationItem::StatusCodes),
            scope: Scope::Integration,
            label: "Status codes",
            asks: "The codes the APIs return, with message, HTTP status and meaning.",
            default: Requirement::Required,
            anchor: "section-status_codes",
        },
    }
}

/// Every `EndpointItem` in `ALL`'s order.
pub static ENDPOINT_ITEMS: LazyLock<Vec<Item>> = LazyLock::new(|| {
    EndpointItem::ALL
        .iter()
        .map(|&id| endpoint_item(id))
        .collect()
});

/// What the checklist says of each item; exhaustive, so a new item must be described here.
fn endpoint_item(id: EndpointItem) -> Item {
    match id {
        EndpointItem::Name => Item {
            id: ItemId::Endpoint(EndpointItem::Name),
            scope: Scope::Endpoint,
            label: "Name and purpose",
            asks: "What the API is called and what it does.",
            default: Requirement::Required,
            anchor: "name",
        },
        EndpointItem::Method => Item {
            id: ItemId::Endpoint(EndpointItem::Method),
            scope: Scope::Endpoint,
            label: "HTTP method",
            asks: "GET, POST, PUT, PATCH or DELETE.",
            default: Requirement::Required,
            anchor: "method",
        },
        EndpointItem::Url => Item {
            id: ItemId::Endpoint(EndpointItem::Url),
            scope: Scope::Endpoint,
            label: "Endpoint URL",
            asks: "The path after the environment's base URL.",
            default: Requirement::Required,
            anchor: "path",
        },
        EndpointItem::Headers => Item {
            id: ItemId::Endpoint(EndpointItem::Headers),
            scope: Scope::Endpoint,
            label: "Headers",
            asks: "Authentication and other headers required on each request.",
            default: Requirement::Required,
            anchor: "headers",
        },
        EndpointItem::Parameters => Item {
            id: ItemId::Endpoint(EndpointItem::Parameters),
            scope: Scope::Endpoint,
            label: "Parameters",
            asks: "Which request data is mandatory and which optional.",
            default: Requirement::Required,
            anchor: "parameters",
        },
        EndpointItem::RequestExample => Item {
            id: ItemId::Endpoint(EndpointItem::RequestExample),
            scope: Scope::Endpoint,
            label: "Request example",
            asks: "An example request body.",
            default: Requirement::Required,
            anchor: "request_example",
        },
        EndpointItem::ResponseExample => Item {
            id: ItemId::Endpoint(EndpointItem::ResponseExample),
            scope: Scope::Endpoint,
            label: "Success response",
            asks: "An example success body with its HTTP status.",
            default: Requirement::Required,
            anchor: "success_status",
        },
        EndpointItem::Errors => Item {
            id: ItemId::Endpoint(EndpointItem::Errors),
            scope: Scope::Endpoint,
            label: "Error scenarios",
            asks: "Each error with its HTTP status, your status code and an example body.",
            default: Requirement::Required,
            anchor: "errors",
        },
    }
}

pub fn item(id: &str) -> Option<&'static Item> {
    INTEGRATION_ITEMS
        .iter()
        .chain(ENDPOINT_ITEMS.iter())
        .find(|item| item.id.as_str() == id)
}

pub fn all_items() -> impl Iterator<Item = &'static Item> {
    INTEGRATION_ITEMS.iter().chain(ENDPOINT_ITEMS.iter())
}
