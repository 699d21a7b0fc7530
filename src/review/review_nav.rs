//! The reviewer's navigation beside a revision: the decision, what changed, the integration-level
//! parts and every endpoint with where its review stands (signed off, changed since it was signed
//! off, not signed off yet) and its comments (open ones and the reviewer's drafts).

use uuid::Uuid;

use super::revision_page::RevisionPage;
use crate::web::section_nav::{NavEntry, NavState, SectionNav, plural};

fn part(label: &str, href: &str, state: NavState, comments: usize) -> NavEntry {
    NavEntry {
        label: label.to_string(),
        href: href.to_string(),
        state,
        open_comments: comments,
        children: Vec::new(),
    }
}

impl RevisionPage {
    fn signoff_state(&self, signed: bool, lapsed: bool, changed: bool) -> NavState {
        match (signed, lapsed, changed) {
            (true, _, _) => NavState::Said("signed off", "done"),
            (false, true, _) => NavState::Said("changed since signed off", "missing"),
            (false, false, true) => NavState::Said("changed, not signed off", "missing"),
            _ => NavState::Said("not signed off", "none"),
        }
    }

    /// Unresolved threads (open or draft) about one endpoint or the integration (`None`).
    fn live_threads(&self, endpoint: Option<Uuid>) -> usize {
        self.threads
            .0
            .iter()
            .filter(|t| t.anchor.endpoint == endpoint && !t.is_resolved())
            .count()
    }

    pub fn nav(&self) -> SectionNav {
        let mut entries = vec![part(
            "Decision",
            "#decision",
            NavState::Nothing,
            self.threads.drafts(),
        )];
        if self.since.is_some() {
            entries.push(part("What changed", "#since", NavState::Nothing, 0));
        }
        let integration = self.signoff_state(
            self.signoffs.signed("integration"),
            self.signoffs.lapsed("integration"),
            false,
        );
        entries.push(part(
            "The whole integration",
            "#review-integration",
            integration,
            self.live_threads(None),
        ));
        for (label, href) in [
            ("Environments and reachability", "#review-environments"),
            ("Authentication and credentials", "#review-authentication"),
            ("Status codes and test data", "#review-codes"),
            ("Technical SPOC", "#review-spoc"),
        ] {
            entries.push(part(label, href, NavState::Nothing, 0));
        }
        let mut endpoints = part("Endpoints", "#review-endpoints", NavState::Nothing, 0);
        for e in self.snapshot.endpoints.iter().filter(|e| self.shows(&e.id)) {
            let state = self.signoff_state(
                self.signoffs.endpoint(&e.id).is_some(),
                self.signoffs.endpoint_lapsed(&e.id),
                self.changed_since(&e.id),
            );
            endpoints.children.push(part(
                &e.spec.title(),
                &format!("#endpoint-{}", e.id),
                state,
                self.live_threads(Some(e.id)),
            ));
        }
        entries.push(endpoints);
        let checked = self.signoffs.total() - self.signoffs.outstanding();
        let mut summary = format!("{checked} of {} signed off", self.signoffs.total());
        if self.threads.drafts() > 0 {
            summary.push_str(&format!(
                " · {} to send",
                plural(self.threads.drafts(), "comment", "comments")
            ));
        }
        SectionNav { summary, entries }
    }
}
