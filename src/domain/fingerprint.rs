//! What a piece of content is, as a short digest: a sign-off or a staging check is about the
//! content it was made on, and still counts only while the fingerprint is the same.

use sha2::{Digest, Sha256};

use super::model::{EndpointSpec, Sections};
use super::revision::Snapshot;

fn digest(value: &impl serde::Serialize) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    hex(&Sha256::digest(json))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The integration-level sections, with the name and purpose.
pub fn integration_fingerprint(snapshot: &Snapshot) -> String {
    digest(&(&snapshot.name, &snapshot.purpose, &snapshot.sections))
}

pub fn endpoint_fingerprint(spec: &EndpointSpec) -> String {
    digest(spec)
}

/// What a staging check's result is about: the endpoint as documented and the staging base URL
/// it was sent to. A result whose fingerprint differs from the current one is about other content.
pub fn staging_fingerprint(sections: &Sections, spec: &EndpointSpec) -> String {
    staging_of(&endpoint_fingerprint(spec), sections)
}

fn staging_of(endpoint: &str, sections: &Sections) -> String {
    let base = sections.environments.staging_url.trim();
    hex(&Sha256::digest(format!("{endpoint}\n{base}").as_bytes()))
}

/// Every fingerprint of one snapshot, computed once: a revision never changes, so they are kept
/// with its decoded snapshot (the review page needed each endpoint's three times per view).
#[derive(Debug, Clone, Default)]
pub struct Fingerprints {
    pub integration: String,
    pub endpoints: std::collections::HashMap<uuid::Uuid, String>,
    pub staging: std::collections::HashMap<uuid::Uuid, String>,
}

impl Fingerprints {
    pub fn of(snapshot: &Snapshot) -> Fingerprints {
        let mut endpoints = std::collections::HashMap::new();
        let mut staging = std::collections::HashMap::new();
        for endpoint in &snapshot.endpoints {
            let fingerprint = endpoint_fingerprint(&endpoint.spec);
            staging.insert(endpoint.id, staging_of(&fingerprint, &snapshot.sections));
            endpoints.insert(endpoint.id, fingerprint);
        }
        Fingerprints {
            integration: integration_fingerprint(snapshot),
            endpoints,
            staging,
        }
    }
}
