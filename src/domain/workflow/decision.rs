//! A reviewer's decision as typed input, and why one can be refused.

use std::fmt;

use super::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Approve,
    SendBack,
}

impl Outcome {
    /// The form and API spelling: `approve` or `send_back`.
    pub fn parse(text: &str) -> Option<Outcome> {
        match text {
            "approve" => Some(Outcome::Approve),
            "send_back" => Some(Outcome::SendBack),
            _ => None,
        }
    }

    pub fn action(self) -> Action {
        match self {
            Outcome::Approve => Action::Approve,
            Outcome::SendBack => Action::SendBack,
        }
    }

    /// As stored in `decisions.outcome` and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approve => "approved",
            Outcome::SendBack => "sent_back",
        }
    }
}

/// Longest summary kept; the rest is cut, as the form's maxlength says.
pub const SUMMARY_CHARS: usize = 4000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The revision the reviewer read; a decision never applies to another one.
    pub revision: i32,
    pub outcome: Outcome,
    /// Trimmed and cut to `SUMMARY_CHARS`.
    pub summary: String,
    /// The reviewer confirmed approving although comments are still open.
    pub confirm_open: bool,
}

impl Decision {
    pub fn new(revision: i32, outcome: Outcome, summary: &str, confirm_open: bool) -> Self {
        Decision {
            revision,
            outcome,
            summary: summary.trim().chars().take(SUMMARY_CHARS).collect(),
            confirm_open,
        }
    }
}

/// Why a decision cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Sending back needs something for the partner to act on.
    NothingToChange,
    /// Approving needs every part signed off.
    NotSignedOff { outstanding: usize, total: usize },
    /// Approving with open comments needs a confirmation.
    CommentsOpen(i64),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NothingToChange => f.write_str(
                "Say what the partner should change: sending back needs an open comment or a summary.",
            ),
            Refusal::NotSignedOff { outstanding, total } => write!(
                f,
                "Not approved: {outstanding} of {total} parts are not checked yet. Sign off the integration-level sections and every endpoint first."
            ),
            Refusal::CommentsOpen(open) => write!(
                f,
                "{open} comment(s) are still open. Tick “Approve although comments are open” to approve anyway."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_parse_from_their_form_spelling_only() {
        assert_eq!(Outcome::parse("approve"), Some(Outcome::Approve));
        assert_eq!(Outcome::parse("send_back"), Some(Outcome::SendBack));
        assert_eq!(Outcome::parse("approved"), None);
        assert_eq!(Outcome::parse(""), None);
    }

    #[test]
    fn a_summary_is_trimmed_and_cut() {
        let long = format!("  {}  ", "é".repeat(SUMMARY_CHARS + 10));
        let decision = Decision::new(1, Outcome::SendBack, &long, false);
        assert_eq!(decision.summary.chars().count(), SUMMARY_CHARS);
        assert!(!decision.summary.starts_with(' '));
    }
}
