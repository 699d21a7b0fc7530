//! Which period and partner the insights are for, read from the query string the filter form
//! sends (and the API takes). A bad value is named beside its field and the default used.

use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, Duration};
use uuid::Uuid;

use crate::domain::insights::{MAX_PERIOD_DAYS, Period};

const DAY: &[time::format_description::FormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

/// As typed, so a refused value is shown back.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterQuery {
    /// First day, e.g. 2026-11-01 (default: the Monday eleven weeks before this week's).
    #[param(format = Date, value_type = Option<String>)]
    pub from: Option<String>,
    /// Last day, included, not before `from` and at most two years after it (default: today).
    #[param(format = Date, value_type = Option<String>)]
    pub until: Option<String>,
    /// A partner company's id (default: every partner).
    #[param(format = Uuid, value_type = Option<String>)]
    pub partner: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filter {
    pub period: Period,
    pub partner: Option<Uuid>,
}

/// The last twelve weeks, this one included.
pub fn default_period(today: Date) -> Period {
    let monday = today - Duration::days(i64::from(today.weekday().number_days_from_monday()));
    Period {
        from: monday - Duration::weeks(11),
        until: today,
    }
}

pub fn day(date: Date) -> String {
    date.format(DAY).unwrap_or_default()
}

/// The filter, and what was wrong with the query (field, message).
pub fn read(
    query: &FilterQuery,
    today: Date,
    partners: &[(Uuid, String)],
) -> (Filter, Vec<(&'static str, String)>) {
    let defaults = default_period(today);
    let mut problems = Vec::new();
    let mut date = |field: &'static str, text: &Option<String>, default: Date| match text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => default,
        Some(text) => Date::parse(text, DAY).unwrap_or_else(|_| {
            problems.push((
                field,
                "Give the day as a date, e.g. 2026-11-01.".to_string(),
            ));
            default
        }),
    };
    let mut period = Period {
        from: date("from", &query.from, defaults.from),
        until: date("until", &query.until, defaults.until),
    };
    if period.until < period.from {
        problems.push(("until", "The last day comes before the first.".to_string()));
        period = defaults;
    } else if (period.until - period.from).whole_days() > MAX_PERIOD_DAYS {
        problems.push(("until", "Choose a period of at most two years.".to_string()));
        period = defaults;
    }
    let partner = match query
        .partner
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(text) => {
            let known = text
                .parse::<Uuid>()
                .ok()
                .filter(|id| partners.iter().any(|(p, _)| p == id));
            if known.is_none() {
                problems.push(("partner", "Choose a partner from the list.".to_string()));
            }
            known
        }
    };
    (Filter { period, partner }, problems)
}

impl Filter {
    /// The query string that asks for this filter again (for the CSV links).
    pub fn query(&self) -> String {
        let query = FilterQuery {
            from: Some(day(self.period.from)),
            until: Some(day(self.period.until)),
            partner: self.partner.map(|p| p.to_string()),
        };
        serde_html_form::to_string(&query).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn query(from: &str, until: &str, partner: &str) -> FilterQuery {
        let some = |t: &str| Some(t.to_string());
        FilterQuery {
            from: some(from),
            until: some(until),
            partner: some(partner),
        }
    }

    #[test]
    fn the_default_is_the_last_twelve_weeks() {
        let (filter, problems) = read(&FilterQuery::default(), date!(2026 - 12 - 06), &[]);
        assert!(problems.is_empty());
        assert_eq!(filter.period.from, date!(2026 - 09 - 14));
        assert_eq!(filter.period.until, date!(2026 - 12 - 06));
        assert_eq!(filter.partner, None);
    }

    #[test]
    fn each_bad_value_is_named_and_the_default_used() {
        let today = date!(2026 - 12 - 06);
        let known = Uuid::from_u128(1);
        let partners = [(known, "XYZ Finance".to_string())];
        let (filter, problems) = read(&query("1 Nov", "2026-11-30", "nope"), today, &partners);
        let fields: Vec<&str> = problems.iter().map(|p| p.0).collect();
        assert_eq!(fields, ["from", "partner"]);
        assert_eq!(filter.period.until, date!(2026 - 11 - 30));
        let (_, problems) = read(&query("2026-11-30", "2026-11-01", ""), today, &partners);
        assert_eq!(problems[0].0, "until");
        let (_, problems) = read(&query("2020-01-01", "2026-11-01", ""), today, &partners);
        assert!(problems[0].1.contains("two years"));
        let (filter, problems) = read(
            &query("2026-11-01", "2026-11-30", &known.to_string()),
            today,
            &partners,
        );
        assert!(problems.is_empty());
        assert_eq!(filter.partner, Some(known));
        assert!(filter.query().contains("from=2026-11-01"));
    }
}
