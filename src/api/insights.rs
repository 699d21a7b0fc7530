//! `GET /api/v1/insights`: the figures of `/insights` for staff tokens, for the same period and
//! partner filters.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::routes::when;
use super::{ApiError, ApiQuery, ApiUser, ErrorBody};
use crate::AppState;
use crate::domain::insights::{Insights, Spread};
use crate::insights::filter::{self, FilterQuery};

#[derive(Serialize, ToSchema)]
pub struct TimeSpread {
    /// Integrations measured.
    pub integrations: usize,
    /// Interpolated as PostgreSQL's percentile_cont; null when nothing was measured.
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct RoundCount {
    pub rounds: usize,
    pub integrations: usize,
}

#[derive(Serialize, ToSchema)]
pub struct SendBackItemCount {
    pub checklist_item: String,
    pub send_backs: usize,
}

#[derive(Serialize, ToSchema)]
pub struct StalledIntegration {
    pub integration: Uuid,
    pub name: String,
    pub partner: String,
    /// "partner" or "haptik".
    pub whose_move: String,
    pub since: String,
    pub days: i64,
}

#[derive(Serialize, ToSchema)]
pub struct WeekCount {
    /// The week's Monday.
    pub week_of: String,
    pub submissions: usize,
    pub approvals: usize,
}

#[derive(Serialize, ToSchema)]
pub struct InsightsFigures {
    pub from: String,
    pub until: String,
    pub partner: Option<Uuid>,
    /// From the first submission to the first decision, for integrations first submitted in the period.
    pub first_review: TimeSpread,
    /// From the first submission to the first approval, for integrations approved in the period.
    pub approval: TimeSpread,
    pub approved: usize,
    pub approved_first_time: usize,
    pub first_time_percent: Option<u32>,
    pub rounds: Vec<RoundCount>,
    pub send_back_items: Vec<SendBackItemCount>,
    pub stalled: Vec<StalledIntegration>,
    pub weeks: Vec<WeekCount>,
}

fn spread(spread: &Spread) -> TimeSpread {
    TimeSpread {
        integrations: spread.count,
        median_hours: spread.median_hours,
        p90_hours: spread.p90_hours,
    }
}

fn figures(insights: Insights, partner: Option<Uuid>) -> InsightsFigures {
    InsightsFigures {
        from: filter::day(insights.period.from),
        until: filter::day(insights.period.until),
        partner,
        first_review: spread(&insights.first_review),
        approval: spread(&insights.approval),
        approved: insights.approved,
        approved_first_time: insights.approved_first_time,
        first_time_percent: insights.first_time_percent(),
        rounds: insights
            .rounds
            .iter()
            .map(|(&rounds, &integrations)| RoundCount {
                rounds,
                integrations,
            })
            .collect(),
        send_back_items: insights
            .send_back_items
            .into_iter()
            .map(|i| SendBackItemCount {
                checklist_item: i.item,
                send_backs: i.send_backs,
            })
            .collect(),
        stalled: insights
            .stalled
            .into_iter()
            .map(|s| StalledIntegration {
                integration: s.integration,
                name: s.name,
                partner: s.company,
                whose_move: s.party.as_str().into(),
                since: when(s.since),
                days: s.days,
            })
            .collect(),
        weeks: insights
            .weeks
            .into_iter()
            .map(|w| WeekCount {
                week_of: filter::day(w.starts),
                submissions: w.submissions,
                approvals: w.approvals,
            })
            .collect(),
    }
}

#[utoipa::path(
    get, path = "/api/v1/insights", params(FilterQuery),
    responses(
        (status = 200, description = "How long integrations take and where they stall", body = InsightsFigures),
        (status = 400, description = "A day that is not a date, or a period that ends before it starts or is longer than two years", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Only Haptik's staff see insights", body = ErrorBody),
        (status = 404, description = "No such partner", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn insights(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiQuery(query): ApiQuery<FilterQuery>,
) -> Result<Json<InsightsFigures>, ApiError> {
    if !viewer.role.is_staff() {
        return Err(ApiError::Forbidden);
    }
    // The page's form sends empty fields for "the default"; a client leaves them out.
    for (field, value) in [
        ("from", &query.from),
        ("until", &query.until),
        ("partner", &query.partner),
    ] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(ApiError::BadRequest(format!(
                "{field}: give a value or leave it out."
            )));
        }
    }
    if let Some(partner) = &query.partner
        && partner.trim().parse::<Uuid>().is_err()
    {
        return Err(ApiError::BadRequest(
            "partner: give a partner company's id.".into(),
        ));
    }
    let now = OffsetDateTime::now_utc();
    let partners = crate::insights::partners(&state.db).await?;
    let (filter, problems) = filter::read(&query, now.date(), &partners);
    if let Some((field, message)) = problems.into_iter().next() {
        return Err(match field {
            "partner" => ApiError::NotFound,
            _ => ApiError::BadRequest(format!("{field}: {message}")),
        });
    }
    let insights = crate::insights::load(&state.db, &filter, now).await?;
    Ok(Json(figures(insights, filter.partner)))
}
