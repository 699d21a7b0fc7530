//! Who should be reminded of what, and when: the reminder policies applied to where each
//! integration stands, on a clock the caller gives (so tests and `portal reminders --dry-run --at`
//! control time). Business days skip weekends and the holidays Haptik keeps. Nobody is reminded
//! once the other side has moved: each policy holds only while the integration is still where it
//! was, untouched where the policy says so.

use std::collections::{BTreeMap, BTreeSet};

use time::{Date, Duration, OffsetDateTime, Weekday};
use uuid::Uuid;

use crate::domain::time_zone::{self, TimeZone};

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
        self.add_business_days_in(start, days, &TimeZone::UTC)
    }

    /// The moment `days` business days after `start` at the same local time, counting weekends
    /// and holidays by the dates of `zone` (a Friday evening in UTC is already Saturday in IST).
    pub fn add_business_days_in(
        &self,
        start: OffsetDateTime,
        days: u32,
        zone: &TimeZone,
    ) -> OffsetDateTime {
        let mut at = time_zone::local(start, zone);
        let mut left = days;
        while left > 0 {
            at = time_zone::next_day(&at);
            if self.is_business_day(time_zone::date(&at)) {
                left -= 1;
            }
        }
        time_zone::instant(&at)
    }

    /// `days` calendar days after `start` at the same local time in `zone`.
    pub fn add_days_in(&self, start: OffsetDateTime, days: u32, zone: &TimeZone) -> OffsetDateTime {
        let mut at = time_zone::local(start, zone);
        for _ in 0..days {
            at = time_zone::next_day(&at);
        }
        time_zone::instant(&at)
    }
}

/// Who a reminder goes to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The partner company's active users and the integration's SPOC.
    PartnerTeam,
    /// The reviewer who sent it back, or who holds it.
    Reviewer,
    /// Every active reviewer.
    AllReviewers,
}

impl Audience {
    pub const ALL: [Audience; 3] = [
        Audience::PartnerTeam,
        Audience::Reviewer,
        Audience::AllReviewers,
    ];

    /// Its name in forms and in storage.
    pub fn key(self) -> &'static str {
        match self {
            Audience::PartnerTeam => "partner_team",
            Audience::Reviewer => "reviewer",
            Audience::AllReviewers => "all_reviewers",
        }
    }

    pub fn parse(key: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Audience::PartnerTeam => "the partner's users and SPOC",
            Audience::Reviewer => "the reviewer",
            Audience::AllReviewers => "every reviewer",
        }
    }
}

/// The most steps a policy has, and the longest wait an admin can give one.
pub const MAX_STEPS: usize = 3;
pub const MAX_DAYS: u32 = 365;

/// When a policy reminds whom, counted from the moment the ball came to that side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Stable: part of every reminder's key, and the row an admin's changes are stored under.
    pub id: &'static str,
    pub name: &'static str,
    /// Admins can switch a policy off.
    pub enabled: bool,
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
            id: "sent_back",
            name: "sent back, untouched",
            enabled: true,
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
            id: "unclaimed",
            name: "submitted, unclaimed",
            enabled: true,
            status: Status::Submitted,
            untouched: false,
            steps: vec![(2, Audience::AllReviewers)],
            calendar_days: false,
        },
        Policy {
            id: "in_review",
            name: "in review, no decision",
            enabled: true,
            status: Status::InReview,
            untouched: false,
            steps: vec![(5, Audience::Reviewer)],
            calendar_days: false,
        },
        Policy {
            id: "draft",
            name: "draft, untouched",
            enabled: true,
            status: Status::Draft,
            untouched: true,
            steps: vec![(14, Audience::PartnerTeam)],
            calendar_days: true,
        },
    ]
}

/// What an admin set for a policy at `/admin/reminders`: whether it runs, and its steps.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PolicySetting {
    pub enabled: bool,
    pub steps: Vec<(u32, Audience)>,
}

/// The policies in force: the defaults with what admins changed (settings keyed by policy id;
/// a setting for a policy that no longer exists is ignored).
pub fn policies(settings: &BTreeMap<String, PolicySetting>) -> Vec<Policy> {
    let mut policies = default_policies();
    for policy in &mut policies {
        if let Some(setting) = settings.get(policy.id) {
            policy.enabled = setting.enabled;
            if !setting.steps.is_empty() {
                policy.steps = setting.steps.clone();
            }
        }
    }
    policies
}

/// Why a policy's steps cannot be kept, per step: each waits 1 to `MAX_DAYS` days and longer
/// than the one before; there is at least one and at most `MAX_STEPS`.
pub fn step_problems(steps: &[(u32, Audience)]) -> Vec<(usize, String)> {
    let mut problems = Vec::new();
    if steps.is_empty() {
        problems.push((0, "Give at least one step.".to_string()));
    }
    for (index, (after, _)) in steps.iter().enumerate() {
        if index >= MAX_STEPS {
            problems.push((index, format!("A policy has at most {MAX_STEPS} steps.")));
        } else if !(1..=MAX_DAYS).contains(after) {
            problems.push((
                index,
                format!("Give a whole number of days from 1 to {MAX_DAYS}."),
            ));
        } else if index > 0 && *after <= steps[index - 1].0 {
            problems.push((
                index,
                format!(
                    "Give more days than the step before ({}).",
                    steps[index - 1].0
                ),
            ));
        }
    }
    problems
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

/// One step of a policy that applies to an integration as it stands. When it falls due depends
/// on whose calendar counts the days: the recipient's time zone where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub integration: Uuid,
    pub name: String,
    pub policy: &'static str,
    pub audience: Audience,
    after: u32,
    calendar_days: bool,
    since: OffsetDateTime,
    /// The same reminder has the same key however often, and wherever, it is computed: each
    /// recipient gets it once.
    pub key: String,
}

impl Step {
    /// The moment it falls due for someone in `zone`.
    pub fn due_at(&self, calendar: &Calendar, zone: &TimeZone) -> OffsetDateTime {
        if self.calendar_days {
            calendar.add_days_in(self.since, self.after, zone)
        } else {
            calendar.add_business_days_in(self.since, self.after, zone)
        }
    }

    pub fn due(&self, due_at: OffsetDateTime) -> Due {
        Due {
            integration: self.integration,
            name: self.name.clone(),
            policy: self.policy,
            audience: self.audience,
            due_at,
            key: self.key.clone(),
        }
    }
}

/// One reminder that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub integration: Uuid,
    pub name: String,
    pub policy: &'static str,
    pub audience: Audience,
    pub due_at: OffsetDateTime,
    pub key: String,
}

/// Every step of the policies that applies to these integrations now, due or not yet.
pub fn steps(standings: &[Standing], policies: &[Policy]) -> Vec<Step> {
    let mut found = Vec::new();
    for standing in standings {
        for policy in policies
            .iter()
            .filter(|p| p.enabled && p.status == standing.status)
        {
            // Touched since the ball came over (one second of slack for the transition's own write).
            if policy.untouched && standing.updated_at > standing.move_since + Duration::seconds(1)
            {
                continue;
            }
            for (index, (after, audience)) in policy.steps.iter().enumerate() {
                found.push(Step {
                    integration: standing.integration,
                    name: standing.name.clone(),
                    policy: policy.name,
                    audience: *audience,
                    after: *after,
                    calendar_days: policy.calendar_days,
                    since: standing.move_since,
                    key: format!(
                        "{}:{}:{index}:{}",
                        standing.integration,
                        policy.id,
                        standing.move_since.unix_timestamp()
                    ),
                });
            }
        }
    }
    found
}

/// Every reminder due at `at`, counting days in UTC.
pub fn due(
    standings: &[Standing],
    policies: &[Policy],
    calendar: &Calendar,
    at: OffsetDateTime,
) -> Vec<Due> {
    let mut found: Vec<Due> = steps(standings, policies)
        .iter()
        .map(|step| step.due(step.due_at(calendar, &TimeZone::UTC)))
        .filter(|due| due.due_at <= at)
        .collect();
    found.sort_by_key(|d| d.due_at);
    found
}

#[cfg(test)]
#[path = "reminders_tests.rs"]
mod tests;
