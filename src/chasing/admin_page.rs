//! `/admin/reminders`: the reminder policies in force and the holidays that are not business
//! days, which admins keep here.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use time::Date;
use time::macros::format_description;

use crate::AppState;
use crate::accounts::viewer::Admin;
use crate::domain::reminders::{Audience, Policy, default_policies};
use crate::web::extract::{Form, Path};
use crate::web::forms::FieldErrors;
use crate::web::page::Page;
use crate::web::{AppError, Result};

#[derive(Template, WebTemplate)]
#[template(path = "chasing/reminders.html")]
pub struct RemindersPage {
    pub page: Page,
    pub policies: Vec<Policy>,
    pub holidays: Vec<(String, String)>,
    pub day: String,
    pub name: String,
    pub errors: FieldErrors,
}

impl RemindersPage {
    pub fn audience(&self, audience: &Audience) -> &'static str {
        match audience {
            Audience::PartnerTeam => "the partner's users and SPOC",
            Audience::Reviewer => "the reviewer",
            Audience::AllReviewers => "every reviewer",
        }
    }

    pub fn unit(&self, policy: &Policy) -> &'static str {
        if policy.calendar_days {
            "days"
        } else {
            "business days"
        }
    }
}

const DAY: &[time::format_description::FormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

async fn build(state: &AppState, page: Page) -> Result<RemindersPage> {
    let holidays = sqlx::query!("SELECT day, name FROM holidays ORDER BY day")
        .fetch_all(&state.db)
        .await?
        .into_iter()
        .map(|row| (row.day.format(DAY).unwrap_or_default(), row.name))
        .collect();
    Ok(RemindersPage {
        page,
        policies: default_policies(),
        holidays,
        day: String::new(),
        name: String::new(),
        errors: FieldErrors::default(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    _admin: Admin,
    page: Page,
) -> Result<RemindersPage> {
    build(&state, page).await
}

#[derive(Deserialize)]
pub struct HolidayForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    name: String,
}

pub async fn add_holiday(
    State(state): State<AppState>,
    _admin: Admin,
    page: Page,
    messages: Messages,
    Form(form): Form<HolidayForm>,
) -> Result<Response> {
    let mut view = build(&state, page).await?;
    let day = Date::parse(form.day.trim(), DAY).ok();
    if day.is_none() {
        view.errors
            .add("day", "Give the day as a date, e.g. 2026-12-25.");
    }
    if form.name.chars().count() > 200 {
        view.errors.add("name", "Keep the name to 200 characters.");
    }
    if let (Some(day), true) = (day, view.errors.is_empty()) {
        sqlx::query!(
            "INSERT INTO holidays (day, name) VALUES ($1, $2) ON CONFLICT (day) DO UPDATE SET name = EXCLUDED.name",
            day,
            form.name.trim()
        )
        .execute(&state.db)
        .await?;
        messages.success(format!(
            "{} is a holiday: reminders skip it.",
            form.day.trim()
        ));
        return Ok(Redirect::to("/admin/reminders#holidays").into_response());
    }
    view.day = form.day.chars().take(20).collect();
    view.name = form.name.chars().take(200).collect();
    Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response())
}

pub async fn remove_holiday(
    State(state): State<AppState>,
    _admin: Admin,
    messages: Messages,
    Path(day): Path<String>,
) -> Result<Response> {
    let day = Date::parse(&day, DAY).map_err(|_| AppError::NotFound)?;
    let removed = sqlx::query!("DELETE FROM holidays WHERE day = $1", day)
        .execute(&state.db)
        .await?;
    if removed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    messages.success("Holiday removed: it is a business day again.");
    Ok(Redirect::to("/admin/reminders#holidays").into_response())
}
