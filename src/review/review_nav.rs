//! The reviewer's navigation beside a revision: the decision, what changed, the integration-level
//! parts and every endpoint with where its review stands (signed off, changed since it was signed
//! off, not signed off yet) and its comments (open ones and the reviewer's drafts).

use uuid::Uuid;

use super::revision_page::RevisionPage;
use crate::web::section_nav::{NavEntry, NavState, SectionNav, plural};

fn part(
    label: impl Into<String>,
    href: impl Into<String>,
    state: NavState,
    comments: usize,
) -> NavEntry {
    NavEntry {
        label: label.into(),
        href: href.into(),
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

    /// An endpoint's state: its sign-off, and whether this reviewer viewed it as it is now.
    fn endpoint_state(&self, id: &Uuid) -> NavState {
        let signed = self.signoffs.endpoint(id).is_some();
        let lapsed = self.signoffs.endpoint_lapsed(id);
        match (signed, self.viewed.has(id)) {
            (true, true) => NavState::Said("signed off, viewed", "done"),
            (false, true) if !lapsed && !self.changed_since(id) => {
                NavState::Said("viewed, not signed off", "none")
            }
            _ => self.signoff_state(signed, lapsed, self.changed_since(id)),
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
            let state = self.endpoint_state(&e.id);
            endpoints.children.push(part(
                e.spec.title(),
                format!("#endpoint-{}", e.id),
                state,
                self.live_threads(Some(e.id)),
            ));
        }
        entries.push(endpoints);
        let checked = self.signoffs.total() - self.signoffs.outstanding();
        let mut summary = format!("{checked} of {} signed off", self.signoffs.total());
        if self.viewed.count() > 0 {
            summary.push_str(&format!(" · {} viewed", self.viewed.count()));
        }
        if self.threads.drafts() > 0 {
            summary.push_str(&format!(
                " · {} to send",
                plural(self.threads.drafts(), "comment", "comments")
            ));
        }
        SectionNav { summary, entries }
    }
}
