//! Who should be reminded of what, and when: the reminder policies applied to where each
//! integration stands, on a clock the caller gives (so tests and `portal reminders --dry-run --at`
//! control time). Business days skip weekends and the holidays Haptik keeps. Nobody is reminded
//! once the other side has moved: each policy holds only while the integration is still where it
//! was, untouched where the policy says so.

use std::collections::BTreeSet;

use time::{Date, Duration, OffsetDateTime, Weekday};
use uuid::Uuid;

use crate::domain::workflow::Status;

/// Working days: not Saturday or Sunday, not a holiday.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub holidays: BTreeSet<Date>,
}

impl Calendar {
    pub fn is_business_day(&self, day: Date) -> bool {
        !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self.holidays.contains(&day)
    }

    /// The moment `days` business days after `start`, at the same time of day (UTC).
    pub fn add_business_days(&self, start: OffsetDateTime, days: u32) -> OffsetDateTime {
        let mut at = start;
        let mut left = days;
        while left > 0 {
            at += Duration::days(1);
            if self.is_business_day(at.date()) {
                left -= 1;
            }
        }
        at
    }
}

/// Who a reminder goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Audience {
    /// The partner company's active users and the integration's SPOC.
    PartnerTeam,
    /// The reviewer who sent it back, or who holds it.
    Reviewer,
    /// Every active reviewer.
    AllReviewers,
}

/// When a policy reminds whom, counted from the moment the ball came to that side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: &'static str,
    pub status: Status,
    /// Only while nobody changed the integration since (a sent-back or draft integration the
    /// partner is working on is not nagged).
    pub untouched: bool,
    /// Business days, or calendar days when `calendar_days`.
    pub steps: Vec<(u32, Audience)>,
    pub calendar_days: bool,
}

/// The defaults the issue describes; admins will tune them at `/admin/reminders`.
pub fn default_policies() -> Vec<Policy> {
    vec![
        Policy {
            name: "sent back, untouched",
            status: Status::ChangesRequested,
            untouched: true,
            steps: vec![
                (3, Audience::PartnerTeam),
                (7, Audience::PartnerTeam),
                (10, Audience::Reviewer),
            ],
            calendar_days: false,
        },
        Policy {
            name: "submitted, unclaimed",
            status: Status::Submitted,
            untouched: false,
            steps: vec![(2, Audience::AllReviewers)],
            calendar_days: false,
        },
        Policy {
            name: "in review, no decision",
            status: Status::InReview,
            untouched: false,
            steps: vec![(5, Audience::Reviewer)],
            calendar_days: false,
        },
        Policy {
            name: "draft, untouched",
            status: Status::Draft,
            untouched: true,
            steps: vec![(14, Audience::PartnerTeam)],
            calendar_days: true,
        },
    ]
}

/// Where an integration stands, as the policies need it.
#[derive(Debug, Clone)]
pub struct Standing {
    pub integration: Uuid,
    pub name: String,
    pub status: Status,
    /// Since when it is this side's move.
    pub move_since: OffsetDateTime,
    /// Its last change of any kind.
    pub updated_at: OffsetDateTime,
}

/// One reminder that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub integration: Uuid,
    pub name: String,
    pub policy: &'static str,
    pub audience: Audience,
    pub due_at: OffsetDateTime,
    /// The same reminder has the same key however often, and wherever, it is computed: the
    /// outbox keeps one mail per key.
    pub key: String,
}

/// Every reminder due at `at`.
pub fn due(
    standings: &[Standing],
    policies: &[Policy],
    calendar: &Calendar,
    at: OffsetDateTime,
) -> Vec<Due> {
    let mut found = Vec::new();
    for standing in standings {
        for policy in policies.iter().filter(|p| p.status == standing.status) {
            // Touched since the ball came over (one second of slack for the transition's own write).
            if policy.untouched && standing.updated_at > standing.move_since + Duration::seconds(1)
            {
                continue;
            }
            for (step, (after, audience)) in policy.steps.iter().enumerate() {
                let due_at = if policy.calendar_days {
                    standing.move_since + Duration::days(i64::from(*after))
                } else {
                    calendar.add_business_days(standing.move_since, *after)
                };
                if due_at <= at {
                    found.push(Due {
                        integration: standing.integration,
                        name: standing.name.clone(),
                        policy: policy.name,
                        audience: *audience,
                        due_at,
                        key: format!(
                            "{}:{}:{step}:{}",
                            standing.integration,
                            policy.name,
                            standing.move_since.unix_timestamp()
                        ),
                    });
                }
            }
        }
    }
    found.sort_by_key(|d| d.due_at);
    found
}

#[cfg(test)]
#[path = "reminders_tests.rs"]
mod tests;
