//! What the integration page's template asks of its view beyond the saved data: tables as text
//! for "Edit as text", the partner code offered, the first gaps of the endpoints, the contacts as
//! read-only text.

use super::forms::table_edits;
use super::integration_page::{EndpointRowView, IntegrationPage};

impl IntegrationPage {
    /// A section's table as `Name: value` lines for "Edit as text".
    pub fn bulk_text(&self, table: &str) -> String {
        let s = &self.sections;
        match table {
            "cred" => table_edits::bulk_text(
                s.credentials
                    .items
                    .iter()
                    .map(|c| (c.name.as_str(), c.description.as_str())),
            ),
            "dh" => table_edits::bulk_text(
                s.defaults
                    .headers
                    .iter()
                    .map(|h| (h.name.as_str(), h.value.as_str())),
            ),
            "sc" => table_edits::bulk_text(
                s.status_codes
                    .items
                    .iter()
                    .map(|c| (c.code.as_str(), c.message.as_str())),
            ),
            _ => table_edits::bulk_text(
                s.test_data
                    .items
                    .iter()
                    .map(|d| (d.label.as_str(), d.value.as_str())),
            ),
        }
    }

    /// The company's partner code, when the section is still empty: the field starts with it.
    pub fn offered_partner_code(&self) -> Option<&str> {
        self.company_partner_code
            .as_deref()
            .filter(|_| self.sections.partner_code.code.trim().is_empty() && self.editable)
    }

    /// What endpoints still miss, for "Before you can submit": the first `limit`, and how many
    /// more (each endpoint in the list below says what it needs).
    pub fn endpoint_blockers(
        &self,
        limit: usize,
    ) -> (Vec<(&EndpointRowView, &str, &'static str)>, usize) {
        let all: Vec<_> = self
            .endpoints
            .iter()
            .flat_map(|e| {
                e.missing
                    .iter()
                    .map(move |(label, anchor)| (e, label.as_str(), *anchor))
            })
            .collect();
        let more = all.len().saturating_sub(limit);
        (all.into_iter().take(limit).collect(), more)
    }

    /// The contacts as a read-only page lists them.
    pub fn contacts_to_read(&self) -> [(&'static str, &crate::domain::model::Contact); 2] {
        let contacts = &self.sections.contacts;
        [
            ("Primary contact", &contacts.primary),
            ("Backup contact", &contacts.backup),
        ]
    }
}
