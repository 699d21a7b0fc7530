//! "Your move for 3 days": whose move an integration waits for and since when, as the pages
//! say it to a partner or to Haptik's staff.

use time::OffsetDateTime;

use crate::domain::workflow::{Party, Status};

pub struct Move {
    pub party: Party,
    /// "Your move", "The partner's move", "Haptik's move".
    pub said: &'static str,
    /// How long, to the unit that matters: "3 days".
    pub lasted: String,
    /// The moment, in full.
    pub since: String,
}

impl Move {
    pub fn css(&self) -> &'static str {
        self.party.as_str()
    }
}

/// Whose move it is, said to a partner (`to_partner`) or to staff; None once approved.
pub fn of(status: Status, since: OffsetDateTime, to_partner: bool) -> Option<Move> {
    let party = status.whose_move()?;
    let said = match (party, to_partner) {
        (Party::Partner, true) => "Your move",
        (Party::Partner, false) => "The partner's move",
        (Party::Haptik, _) => "Haptik's move",
    };
    Some(Move {
        party,
        said,
        lasted: lasted(OffsetDateTime::now_utc() - since),
        since: super::dates::date_time(since),
    })
}

/// "3 days", "5 hours", "12 minutes": how long something has waited, to the unit that matters.
pub fn lasted(duration: time::Duration) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if duration.whole_days() >= 1 {
        plural(duration.whole_days(), "day")
    } else if duration.whole_hours() >= 1 {
        plural(duration.whole_hours(), "hour")
    } else if duration.whole_minutes() >= 1 {
        plural(duration.whole_minutes(), "minute")
    } else {
        "under a minute".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_says_whose_move_it_is_to_each_side() {
        let since = OffsetDateTime::now_utc() - time::Duration::days(3);
        let said = |status, to_partner| of(status, since, to_partner).map(|m| m.said);
        assert_eq!(said(Status::Draft, true), Some("Your move"));
        assert_eq!(
            said(Status::ChangesRequested, false),
            Some("The partner's move")
        );
        assert_eq!(said(Status::Submitted, true), Some("Haptik's move"));
        assert_eq!(said(Status::InReview, false), Some("Haptik's move"));
        assert_eq!(said(Status::Approved, true), None);
        assert_eq!(of(Status::Draft, since, true).unwrap().lasted, "3 days");
    }
}
