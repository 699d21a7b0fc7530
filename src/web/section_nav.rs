//! The section navigation beside a long page (the partner's integration and endpoint pages, the
//! reviewer's revision page): every part with its state, so a person on a 7,000 px page sees where
//! they are and what is left, and gets there in one click. The areas build the entries
//! (`intake::section_nav`, `review::review_nav`); `templates/section_nav.html` draws them.

/// How far one part of the page is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavState {
    Complete,
    Missing(usize),
    /// Nothing in it is required (optional, switched off or marked not applicable).
    Nothing,
    /// Said in words, with the stylesheet's class for it: "signed off" (`done`), "changed since
    /// signed off" (`missing`), …
    Said(&'static str, &'static str),
}

#[derive(Debug, Clone)]
pub struct NavEntry {
    pub label: String,
    pub href: String,
    pub state: NavState,
    pub open_comments: usize,
    pub children: Vec<NavEntry>,
}

impl NavEntry {
    pub fn state_text(&self) -> String {
        match self.state {
            NavState::Complete => "complete".into(),
            NavState::Missing(n) => format!("{n} missing"),
            NavState::Nothing => String::new(),
            NavState::Said(text, _) => text.to_string(),
        }
    }

    pub fn css(&self) -> &'static str {
        match self.state {
            NavState::Complete => "done",
            NavState::Missing(_) => "missing",
            NavState::Nothing => "none",
            NavState::Said(_, css) => css,
        }
    }
}

/// The navigation of one page: a one-line summary (what a phone shows folded) and the entries.
#[derive(Debug, Clone)]
pub struct SectionNav {
    pub summary: String,
    pub entries: Vec<NavEntry>,
}

impl SectionNav {
    /// Everything missing: a parent's state already counts its children's.
    pub fn missing(&self) -> usize {
        self.entries
            .iter()
            .map(|e| match e.state {
                NavState::Missing(n) => n,
                _ => 0,
            })
            .sum()
    }

    pub fn summarise(mut self, open_comments: usize) -> SectionNav {
        let missing = self.missing();
        let mut parts = vec![if missing == 0 {
            "nothing missing".to_string()
        } else {
            format!("{missing} missing")
        }];
        if open_comments > 0 {
            parts.push(plural(open_comments, "open comment", "open comments"));
        }
        self.summary = parts.join(" · ");
        self
    }
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
