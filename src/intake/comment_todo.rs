//! The partner's to-do list of open reviewer comments on the integration page: where each one is
//! answered and what it is about.

use super::integration_page::IntegrationPage;
use crate::review::comments::Thread;

impl IntegrationPage {
    /// Where an open comment can be answered: its thread beside its item on this page, or the
    /// comment at its field on the endpoint's page.
    pub fn thread_link(&self, thread: &Thread) -> String {
        match thread.anchor.endpoint {
            Some(endpoint) if self.endpoints.iter().any(|e| e.id == endpoint) => {
                thread.anchor.partner_link(self.id, thread.id())
            }
            _ => format!("#comment-{}", thread.id()),
        }
    }

    /// What an open comment is about, for the to-do list: "Generate OTP · Headers".
    pub fn thread_place(&self, thread: &Thread) -> String {
        let endpoint = thread.anchor.endpoint.map(|id| {
            self.endpoints
                .iter()
                .find(|e| e.id == id)
                .map_or_else(|| "A deleted endpoint".to_string(), |e| e.title.clone())
        });
        match (endpoint, thread.anchor.item.is_empty()) {
            (Some(title), true) => title,
            (Some(title), false) => format!("{title} · {}", thread.anchor.label()),
            (None, true) => "The integration".into(),
            (None, false) => thread.anchor.label().to_string(),
        }
    }

    pub fn thread_excerpt(&self, thread: &Thread) -> String {
        crate::domain::text::shorten(&thread.first.body, 140)
    }
}
