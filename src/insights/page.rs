//! `/insights`: the figures for a period and partner, with charts and the tables they draw.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::chart::{self, Chart, Group};
use super::filter::{self, Filter, FilterQuery};
use crate::AppState;
use crate::accounts::viewer::Staff;
use crate::domain::insights::{Insights, STALLED_AFTER_DAYS, Stalled};
use crate::domain::workflow::Party;
use crate::web::Result;
use crate::web::forms::FieldErrors;
use crate::web::page::Page;

#[derive(Template, WebTemplate)]
#[template(path = "insights/page.html")]
pub struct InsightsPage {
    pub page: Page,
    pub query: FilterQuery,
    pub filter: Filter,
    pub errors: FieldErrors,
    pub partners: Vec<(Uuid, String)>,
    pub insights: Insights,
    pub weekly: Chart,
    pub items: Chart,
    pub stalled_after: i64,
}

/// "2.5 days", "6.0 hours", or a dash when nothing was measured.
pub fn duration(hours: Option<f64>) -> String {
    match hours {
        None => "—".into(),
        Some(h) if h >= 24.0 => format!("{:.1} days", h / 24.0),
        Some(h) => format!("{h:.1} hours"),
    }
}

pub fn short_day(day: Date) -> String {
    format!("{} {}", day.day(), &day.month().to_string()[..3])
}

pub fn long_day(day: Date) -> String {
    format!("{} {} {}", day.day(), day.month(), day.year())
}

impl InsightsPage {
    pub fn duration(&self, hours: &Option<f64>) -> String {
        duration(*hours)
    }

    pub fn day(&self, day: impl std::borrow::Borrow<Date>) -> String {
        long_day(*day.borrow())
    }

    /// What the date field shows: what was typed, or else the day in force.
    pub fn input(
        &self,
        value: &Option<String>,
        in_force: impl std::borrow::Borrow<Date>,
    ) -> String {
        match value.as_deref().filter(|v| !v.trim().is_empty()) {
            Some(typed) => typed.chars().take(40).collect(),
            None => filter::day(*in_force.borrow()),
        }
    }

    pub fn csv(&self, table: &str) -> String {
        format!("/insights/{table}.csv?{}", self.filter.query())
    }

    pub fn partner_chosen(&self, id: &Uuid) -> bool {
        self.filter.partner == Some(*id)
    }

    /// The stalled integrations under "The partner's move" and "Haptik's move".
    pub fn stalled_groups(&self) -> [(&'static str, Vec<&Stalled>); 2] {
        [
            (
                "The partner's move",
                self.insights.stalled_on(Party::Partner).collect(),
            ),
            (
                "Haptik's move",
                self.insights.stalled_on(Party::Haptik).collect(),
            ),
        ]
    }

    pub fn period(&self) -> String {
        format!(
            "{} to {}",
            long_day(self.filter.period.from),
            long_day(self.filter.period.until)
        )
    }
}

pub fn weekly_chart(insights: &Insights) -> Chart {
    let groups: Vec<Group> = insights
        .weeks
        .iter()
        .map(|w| Group {
            label: short_day(w.starts),
            long_label: format!("Week of {}", long_day(w.starts)),
            values: vec![w.submissions, w.approvals],
        })
        .collect();
    chart::columns(
        "weekly",
        "Submissions and approvals per week",
        &["submissions", "approvals"],
        &groups,
    )
}

pub fn items_chart(insights: &Insights) -> Chart {
    let groups: Vec<Group> = insights
        .send_back_items
        .iter()
        .map(|i| Group {
            label: i.item.clone(),
            long_label: i.item.clone(),
            values: vec![i.send_backs],
        })
        .collect();
    chart::rows(
        "items",
        "Checklist items most often behind a send-back",
        "send-backs",
        &groups,
    )
}

pub async fn show(
    State(state): State<AppState>,
    _staff: Staff,
    page: Page,
    Query(query): Query<FilterQuery>,
) -> Result<InsightsPage> {
    let now = OffsetDateTime::now_utc();
    let partners = super::partners(&state.db).await?;
    let (filter, problems) = filter::read(&query, now.date(), &partners);
    let mut errors = FieldErrors::default();
    for (field, message) in problems {
        errors.add(field, message);
    }
    let insights = super::load(&state.db, &filter, now).await?;
    Ok(InsightsPage {
        page,
        query,
        filter,
        errors,
        partners,
        weekly: weekly_chart(&insights),
        items: items_chart(&insights),
        insights,
        stalled_after: STALLED_AFTER_DAYS,
    })
}
