//! How long integrations take and where they stall, computed from their history: submissions,
//! decisions and the checklist items reviewers commented on when they sent one back. Pure: the
//! caller loads the history (filtered by partner) and says which period and which moment count.
//!
//! Each figure counts what happened in the period: time to first review for integrations first
//! submitted in it (and reviewed since), time to approval, rounds and first-time approvals for
//! integrations first approved in it, send-backs and weekly counts by the day they happened.
//! Stalled integrations are as they stand at `now`, whatever the period.

use std::collections::{BTreeMap, BTreeSet};

use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use crate::domain::workflow::{Party, Status};

/// Waiting this long on one side makes an integration stalled.
pub const STALLED_AFTER_DAYS: i64 = 7;
/// The longest period the page computes (its weekly chart has a bar per week).
pub const MAX_PERIOD_DAYS: i64 = 731;
/// How many checklist items the send-back table lists.
pub const TOP_ITEMS: usize = 10;

/// A decision on one revision.
#[derive(Debug, Clone)]
pub struct Decided {
    pub at: OffsetDateTime,
    pub approved: bool,
}

/// One integration's history, oldest first.
#[derive(Debug, Clone)]
pub struct History {
    pub integration: Uuid,
    pub name: String,
    pub company: String,
    pub status: Status,
    pub move_since: OffsetDateTime,
    pub submitted: Vec<OffsetDateTime>,
    pub decisions: Vec<Decided>,
}

/// A checklist item a reviewer commented on in a round that ended with a send-back.
#[derive(Debug, Clone)]
pub struct SendBackItem {
    pub decision: Uuid,
    pub decided_at: OffsetDateTime,
    /// The item's label ("Response examples"), or "The endpoint as a whole".
    pub item: String,
}

/// Days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub until: Date,
}

impl Period {
    pub fn contains(&self, at: OffsetDateTime) -> bool {
        (self.from..=self.until).contains(&at.date())
    }
}

/// Median and 90th percentile of durations, in hours.
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    pub count: usize,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

impl Spread {
    fn of(mut hours: Vec<f64>) -> Spread {
        hours.sort_by(f64::total_cmp);
        Spread {
            count: hours.len(),
            median_hours: percentile(&hours, 0.5),
            p90_hours: percentile(&hours, 0.9),
        }
    }
}

/// The `p` quantile of sorted values, interpolating between neighbours as PostgreSQL's
/// `percentile_cont` does: the median of 1, 2, 3, 4 is 2.5.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = p.clamp(0.0, 1.0) * last as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let fraction = position - below as f64;
    Some(sorted[below] + (sorted[above] - sorted[below]) * fraction)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemCount {
    pub item: String,
    /// Send-backs in which reviewers commented on it.
    pub send_backs: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stalled {
    pub integration: Uuid,
    pub name: String,
    pub company: String,
    pub party: Party,
    pub since: OffsetDateTime,
    pub days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    /// Its Monday.
    pub starts: Date,
    pub submissions: usize,
    pub approvals: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Insights {
    pub period: Period,
    pub first_review: Spread,
    pub approval: Spread,
    /// Review rounds (decisions up to the first approval) → integrations approved in the period.
    pub rounds: BTreeMap<usize, usize>,
    pub approved: usize,
    pub approved_first_time: usize,
    pub send_back_items: Vec<ItemCount>,
    pub stalled: Vec<Stalled>,
    pub weeks: Vec<Week>,
}

impl Insights {
    /// Share approved at their first submission, as a whole percentage.
    pub fn first_time_percent(&self) -> Option<u32> {
        (self.approved > 0).then(|| {
            (self.approved_first_time as f64 * 100.0 / self.approved as f64).round() as u32
        })
    }

    /// Stalled integrations waiting for one side.
    pub fn stalled_on(&self, party: Party) -> impl Iterator<Item = &Stalled> {
        self.stalled.iter().filter(move |s| s.party == party)
    }
}

fn hours(duration: Duration) -> f64 {
    duration.whole_seconds() as f64 / 3600.0
}

pub fn compute(
    histories: &[History],
    send_backs: &[SendBackItem],
    period: Period,
    now: OffsetDateTime,
) -> Insights {
    let mut first_review = Vec::new();
    let mut approval = Vec::new();
    let mut rounds: BTreeMap<usize, usize> = BTreeMap::new();
    for history in histories {
        let Some(&first_submitted) = history.submitted.first() else {
            continue;
        };
        if let Some(first) = history.decisions.first()
            && period.contains(first_submitted)
        {
            first_review.push(hours(first.at - first_submitted));
        }
        if let Some(round) = history.decisions.iter().position(|d| d.approved) {
            let approved_at = history.decisions[round].at;
            if period.contains(approved_at) {
                approval.push(hours(approved_at - first_submitted));
                *rounds.entry(round + 1).or_default() += 1;
            }
        }
    }
    let approved = rounds.values().sum();
    Insights {
        period,
        first_review: Spread::of(first_review),
        approval: Spread::of(approval),
        approved_first_time: rounds.get(&1).copied().unwrap_or(0),
        approved,
        rounds,
        send_back_items: send_back_items(send_backs, period),
        stalled: stalled(histories, now),
        weeks: weeks(histories, period),
    }
}

fn send_back_items(send_backs: &[SendBackItem], period: Period) -> Vec<ItemCount> {
    let mut by_item: BTreeMap<&str, BTreeSet<Uuid>> = BTreeMap::new();
    for item in send_backs.iter().filter(|s| period.contains(s.decided_at)) {
        by_item.entry(&item.item).or_default().insert(item.decision);
    }
    let mut items: Vec<ItemCount> = by_item
        .into_iter()
        .map(|(item, decisions)| ItemCount {
            item: item.to_string(),
            send_backs: decisions.len(),
        })
        .collect();
    // Most first; equal counts alphabetically, so the order is stable.
    items.sort_by(|a, b| b.send_backs.cmp(&a.send_backs).then(a.item.cmp(&b.item)));
    items.truncate(TOP_ITEMS);
    items
}

fn stalled(histories: &[History], now: OffsetDateTime) -> Vec<Stalled> {
    let mut stalled: Vec<Stalled> = histories
        .iter()
        .filter_map(|h| {
            let party = h.status.whose_move()?;
            let days = (now - h.move_since).whole_days();
            (days >= STALLED_AFTER_DAYS).then(|| Stalled {
                integration: h.integration,
                name: h.name.clone(),
                company: h.company.clone(),
                party,
                since: h.move_since,
                days,
            })
        })
        .collect();
    stalled.sort_by(|a, b| b.days.cmp(&a.days).then(a.name.cmp(&b.name)));
    stalled
}

fn monday_of(day: Date) -> Date {
    day - Duration::days(i64::from(day.weekday().number_days_from_monday()))
}

fn weeks(histories: &[History], period: Period) -> Vec<Week> {
    let mut weeks = Vec::new();
    let mut starts = monday_of(period.from);
    while starts <= period.until && weeks.len() <= (MAX_PERIOD_DAYS / 7 + 1) as usize {
        weeks.push(Week {
            starts,
            submissions: 0,
            approvals: 0,
        });
        starts += Duration::days(7);
    }
    let index = |at: OffsetDateTime| -> Option<usize> {
        if !period.contains(at) {
            return None;
        }
        let offset = (monday_of(at.date()) - monday_of(period.from)).whole_days() / 7;
        usize::try_from(offset).ok()
    };
    for history in histories {
        for &at in &history.submitted {
            if let Some(week) = index(at).and_then(|i| weeks.get_mut(i)) {
                week.submissions += 1;
            }
        }
        for decided in history.decisions.iter().filter(|d| d.approved) {
            if let Some(week) = index(decided.at).and_then(|i| weeks.get_mut(i)) {
                week.approvals += 1;
            }
        }
    }
    weeks
}

#[cfg(test)]
#[path = "insights_tests.rs"]
mod tests;
