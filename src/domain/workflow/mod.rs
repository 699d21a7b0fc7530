//! The one place that decides how an integration's status may change, and who may change it.

use std::fmt;
use std::str::FromStr;

pub mod decision;
pub mod transition;

pub use decision::{Decision, Outcome, Refusal};
pub use transition::{Locked, ReviewPart, Scope, assign, lock, transition};

/// Stored as text (a CHECK constraint lists the values); an unknown value read back is an
/// error, never a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    InReview,
    ChangesRequested,
    Approved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The partner sends the integration for review (again).
    Submit,
    /// The partner takes a submission back before a decision.
    Withdraw,
    /// A reviewer takes a submission to review it.
    Claim,
    /// The reviewer gives a claimed submission back to the queue.
    Release,
    /// An admin gives a submission, claimed or not, to a named reviewer.
    Assign,
    /// The reviewer asks for changes.
    SendBack,
    /// The reviewer approves.
    Approve,
    /// The partner starts a change to an approved integration; the approved revision stays
    /// the current approved description until the next approval.
    Reopen,
}

/// Whose move an integration waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Party {
    Partner,
    Haptik,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Partner => "partner",
            Party::Haptik => "haptik",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Partner,
    Reviewer,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct IllegalTransition {
    pub from: Status,
    pub action: Action,
    pub message: String,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Submit,
        Action::Withdraw,
        Action::Claim,
        Action::Release,
        Action::Assign,
        Action::SendBack,
        Action::Approve,
        Action::Reopen,
    ];

    /// Who may take this action at all.
    pub fn actor(self) -> Actor {
        match self {
            Action::Submit | Action::Withdraw | Action::Reopen => Actor::Partner,
            Action::Claim
            | Action::Release
            | Action::Assign
            | Action::SendBack
            | Action::Approve => Actor::Reviewer,
        }
    }

    /// The audit log's name for it.
    pub fn audited(self) -> &'static str {
        match self {
            Action::Submit => "submitted",
            Action::Withdraw => "withdrawn",
            Action::Claim => "claimed",
            Action::Release => "released",
            Action::Assign => "assigned",
            Action::SendBack => "sent_back",
            Action::Approve => "approved",
            Action::Reopen => "reopened",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Action::Submit => "submitted",
            Action::Withdraw => "withdrawn",
            Action::Claim => "claimed",
            Action::Release => "released",
            Action::Assign => "assigned",
            Action::SendBack => "sent back",
            Action::Approve => "approved",
            Action::Reopen => "reopened",
        }
    }
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::Submitted,
        Status::InReview,
        Status::ChangesRequested,
        Status::Approved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::InReview => "in_review",
            Status::ChangesRequested => "changes_requested",
            Status::Approved => "approved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Submitted => "Submitted, waiting for a reviewer",
            Status::InReview => "In review",
            Status::ChangesRequested => "Changes requested",
            Status::Approved => "Approved",
        }
    }

    /// Whose move it is: the partner's to finish or fix it, Haptik's to review it; nobody's once
    /// approved.
    pub fn whose_move(self) -> Option<Party> {
        match self {
            Status::Draft | Status::ChangesRequested => Some(Party::Partner),
            Status::Submitted | Status::InReview => Some(Party::Haptik),
            Status::Approved => None,
        }
    }

    /// Partners may change the content only while it is theirs to work on.
    pub fn partner_can_edit(self) -> bool {
        matches!(self, Status::Draft | Status::ChangesRequested)
    }

    /// The status after `action` by `actor`, or why that is not possible now.
    pub fn apply(self, action: Action, actor: Actor) -> Result<Status, IllegalTransition> {
        let refuse = |message: String| {
            Err(IllegalTransition {
                from: self,
                action,
                message,
            })
        };
        if action.actor() != actor {
            let who = match action.actor() {
                Actor::Partner => "the partner",
                Actor::Reviewer => "a Haptik reviewer",
            };
            return refuse(format!("Only {who} can do that."));
        }
        match (self, action) {
            (Status::Draft | Status::ChangesRequested, Action::Submit) => Ok(Status::Submitted),
            (Status::Submitted | Status::InReview, Action::Withdraw) => Ok(Status::Draft),
            (Status::Submitted, Action::Claim) => Ok(Status::InReview),
            (Status::InReview, Action::Release) => Ok(Status::Submitted),
            (Status::Submitted | Status::InReview, Action::Assign) => Ok(Status::InReview),
            (Status::InReview, Action::SendBack) => Ok(Status::ChangesRequested),
            (Status::InReview, Action::Approve) => Ok(Status::Approved),
            (Status::Approved, Action::Reopen) => Ok(Status::Draft),
            (from, action) => refuse(format!(
                "This integration cannot be {} now: it is {}.",
                action.verb(),
                from.label().to_lowercase()
            )),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| format!("unknown integration status {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every legal transition, and nothing else: each (status, action) pair is checked.
    #[test]
    fn stored_names_are_the_displayed_ones() {
        // The sqlx derive and `as_str` must agree, or rows would be written one way, read another.
        for status in Status::ALL {
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, status.as_str());
        }
    }

    #[test]
    fn every_transition_is_legal_or_refused_with_a_reason() {
        use Action::*;
        use Status::*;
        let legal = [
            (Draft, Submit, Submitted),
            (ChangesRequested, Submit, Submitted),
            (Submitted, Withdraw, Draft),
            (InReview, Withdraw, Draft),
            (Submitted, Claim, InReview),
            (InReview, Release, Submitted),
            (Submitted, Assign, InReview),
            (InReview, Assign, InReview),
            (InReview, SendBack, ChangesRequested),
            (InReview, Approve, Approved),
            (Approved, Reopen, Draft),
        ];
        for from in Status::ALL {
            for action in Action::ALL {
                let result = from.apply(action, action.actor());
                match legal.iter().find(|(f, a, _)| *f == from && *a == action) {
                    Some((_, _, to)) => assert_eq!(result, Ok(*to), "{from:?} {action:?}"),
                    None => {
                        let refused =
                            result.expect_err(&format!("{from:?} {action:?} must be refused"));
                        assert!(refused.message.contains("cannot be"), "{}", refused.message);
                    }
                }
            }
        }
    }

    #[test]
    fn partners_cannot_review_and_reviewers_cannot_submit() {
        let refused = Status::InReview
            .apply(Action::Approve, Actor::Partner)
            .unwrap_err();
        assert!(refused.message.contains("Only a Haptik reviewer"));
        let refused = Status::Draft
            .apply(Action::Submit, Actor::Reviewer)
            .unwrap_err();
        assert!(refused.message.contains("Only the partner"));
    }

    #[test]
    fn statuses_round_trip_through_text() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
        }
        assert!("archived".parse::<Status>().is_err());
    }

    #[test]
    fn partners_edit_only_their_own_turn() {
        let editable: Vec<_> = Status::ALL
            .into_iter()
            .filter(|s| s.partner_can_edit())
            .collect();
        assert_eq!(editable, [Status::Draft, Status::ChangesRequested]);
    }
}
