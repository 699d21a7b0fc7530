//! The one place that decides how an integration's status may change.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    InReview,
    ChangesRequested,
    Approved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Submit,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct IllegalTransition {
    pub from: Status,
    pub action: Action,
    pub message: String,
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

    /// Partners may change the content only while it is theirs to work on.
    pub fn partner_can_edit(self) -> bool {
        matches!(self, Status::Draft | Status::ChangesRequested)
    }

    pub fn apply(self, action: Action) -> Result<Status, IllegalTransition> {
        match (self, action) {
            (Status::Draft | Status::ChangesRequested, Action::Submit) => Ok(Status::Submitted),
            (from, Action::Submit) => Err(IllegalTransition {
                from,
                action,
                message: format!(
                    "This integration cannot be submitted now: it is {}.",
                    from.label().to_lowercase()
                ),
            }),
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

impl sqlx::Type<sqlx::Postgres> for Status {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <String as sqlx::Type<sqlx::Postgres>>::type_info()
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Postgres> for Status {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
        Ok(text.parse()?)
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Postgres> for Status {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.as_str(), buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_drafts_and_sent_back_integrations_can_be_submitted() {
        for status in Status::ALL {
            let result = status.apply(Action::Submit);
            match status {
                Status::Draft | Status::ChangesRequested => {
                    assert_eq!(result, Ok(Status::Submitted))
                }
                _ => assert!(result.unwrap_err().message.contains("cannot be submitted")),
            }
        }
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
