//! Each insights table as CSV, for the same period and partner as the page.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use super::filter::{self, FilterQuery};
use super::page::long_day;
use crate::AppState;
use crate::accounts::viewer::Staff;
use crate::domain::insights::Insights;
use crate::web::extract::Path;
use crate::web::{AppError, Result};

/// A cell as a spreadsheet will read it: text that starts like a formula (a partner names its
/// integration "=HYPERLINK(…)") is kept as text.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn hours(value: Option<f64>) -> String {
    value.map(|h| format!("{h:.2}")).unwrap_or_default()
}

/// The table's rows, header first; None for a table that does not exist.
pub fn table(name: &str, insights: &Insights) -> Option<Vec<Vec<String>>> {
    let rows = match name {
        "times" => vec![
            vec!["measure", "integrations", "median_hours", "p90_hours"]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![
                "first review".into(),
                insights.first_review.count.to_string(),
                hours(insights.first_review.median_hours),
                hours(insights.first_review.p90_hours),
            ],
            vec![
                "approval".into(),
                insights.approval.count.to_string(),
                hours(insights.approval.median_hours),
                hours(insights.approval.p90_hours),
            ],
        ],
        "rounds" => std::iter::once(vec!["rounds".into(), "integrations".into()])
            .chain(
                insights
                    .rounds
                    .iter()
                    .map(|(rounds, count)| vec![rounds.to_string(), count.to_string()]),
            )
            .collect(),
        "weeks" => std::iter::once(vec![
            "week_of".into(),
            "submissions".into(),
            "approvals".into(),
        ])
        .chain(insights.weeks.iter().map(|w| {
            vec![
                filter::day(w.starts),
                w.submissions.to_string(),
                w.approvals.to_string(),
            ]
        }))
        .collect(),
        "send-backs" => std::iter::once(vec!["checklist_item".into(), "send_backs".into()])
            .chain(
                insights
                    .send_back_items
                    .iter()
                    .map(|i| vec![i.item.clone(), i.send_backs.to_string()]),
            )
            .collect(),
        "stalled" => std::iter::once(
            [
                "integration_id",
                "integration",
                "partner",
                "whose_move",
                "since",
                "days",
            ]
            .map(String::from)
            .to_vec(),
        )
        .chain(insights.stalled.iter().map(|s| {
            vec![
                s.integration.to_string(),
                cell(&s.name),
                cell(&s.company),
                s.party.as_str().to_string(),
                long_day(s.since.date()),
                s.days.to_string(),
            ]
        }))
        .collect(),
        _ => return None,
    };
    Some(rows)
}

pub async fn download(
    State(state): State<AppState>,
    _staff: Staff,
    Path(file): Path<String>,
    Query(query): Query<FilterQuery>,
) -> Result<Response> {
    let name = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    if table(name, &empty()).is_none() {
        return Err(AppError::NotFound);
    }
    let now = OffsetDateTime::now_utc();
    let partners = super::partners(&state.db).await?;
    let (filter, problems) = filter::read(&query, now.date(), &partners);
    if let Some((_, message)) = problems.first() {
        return Ok((StatusCode::BAD_REQUEST, message.clone()).into_response());
    }
    let insights = super::load(&state.db, &filter, now).await?;
    let rows = table(name, &insights).ok_or(AppError::NotFound)?;
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(&row)
            .map_err(|err| AppError::Internal(anyhow::anyhow!("{err}")))?;
    }
    let body = writer
        .into_inner()
        .map_err(|err| AppError::Internal(anyhow::anyhow!("{err}")))?;
    let filename = format!(
        "attachment; filename=\"insights-{name}-{}-{}.csv\"",
        filter::day(filter.period.from),
        filter::day(filter.period.until)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        body,
    )
        .into_response())
}

fn empty() -> Insights {
    crate::domain::insights::compute(
        &[],
        &[],
        filter::default_period(time::macros::date!(2026 - 01 - 01)),
        OffsetDateTime::UNIX_EPOCH,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_stays_text() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("OTP APIs"), "OTP APIs");
    }

    #[test]
    fn unknown_tables_are_none() {
        assert!(table("times", &empty()).is_some());
        assert!(table("passwords", &empty()).is_none());
    }
}
