//! `/admin/reminders`: the reminder policies in force and the holidays that are not business
//! days, which admins keep here.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use time::Date;
use time::macros::format_description;

use crate::AppState;
use crate::accounts::viewer::Admin;
use crate::chasing;
use crate::domain::reminders::{Audience, MAX_STEPS, Policy, step_problems};
use crate::web::extract::{Form, Path};
use crate::web::forms::FieldErrors;
use crate::web::page::Page;
use crate::web::{AppError, Result};

#[derive(Template, WebTemplate)]
#[template(path = "chasing/reminders.html")]
pub struct RemindersPage {
    pub page: Page,
    pub policies: Vec<PolicyView>,
    pub holidays: Vec<(String, String)>,
    pub day: String,
    pub name: String,
    pub errors: FieldErrors,
    /// The policy just saved, whose card says so beside its button.
    pub saved: Option<String>,
    /// The policy just refused.
    pub refused: Option<String>,
}

/// One policy's form: what is in force, or what the admin typed when it was refused.
pub struct PolicyView {
    pub policy: Policy,
    pub enabled: bool,
    /// `MAX_STEPS` rows of (days, audience key); an empty row adds a step.
    pub steps: Vec<(String, String)>,
}

impl PolicyView {
    fn of(policy: Policy) -> PolicyView {
        let mut steps: Vec<(String, String)> = policy
            .steps
            .iter()
            .map(|(after, audience)| (after.to_string(), audience.key().to_string()))
            .collect();
        steps.resize(MAX_STEPS, (String::new(), String::new()));
        PolicyView {
            enabled: policy.enabled,
            policy,
            steps,
        }
    }

    /// The id of a step's days field, which its error message is tied to.
    pub fn field(&self, row: usize) -> String {
        format!("{}-after-{row}", self.policy.id)
    }

    pub fn unit(&self) -> &'static str {
        if self.policy.calendar_days {
            "days"
        } else {
            "business days"
        }
    }
}

impl RemindersPage {
    pub fn audiences(&self) -> [Audience; 3] {
        Audience::ALL
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
        policies: chasing::policies(&state.db)
            .await?
            .into_iter()
            .map(PolicyView::of)
            .collect(),
        holidays,
        day: String::new(),
        name: String::new(),
        errors: FieldErrors::default(),
        saved: None,
        refused: None,
    })
}

#[derive(Deserialize)]
pub struct Shown {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    _admin: Admin,
    page: Page,
    Query(shown): Query<Shown>,
) -> Result<RemindersPage> {
    let mut view = build(&state, page).await?;
    view.saved = shown
        .saved
        .filter(|id| view.policies.iter().any(|p| p.policy.id == id));
    Ok(view)
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

/// One policy's form: on or off, and up to `MAX_STEPS` steps of days and audience.
#[derive(Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    after: Vec<String>,
    #[serde(default)]
    audience: Vec<String>,
}

pub async fn save_policy(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<PolicyForm>,
) -> Result<Response> {
    let mut view = build(&state, page).await?;
    let Some(index) = view.policies.iter().position(|p| p.policy.id == id) else {
        return Err(AppError::NotFound);
    };
    let fields: Vec<String> = (0..MAX_STEPS)
        .map(|row| view.policies[index].field(row))
        .collect();
    let field = |row: usize| fields[row].clone();
    let mut steps = Vec::new();
    let mut typed = Vec::new();
    for (row, after) in form.after.iter().take(MAX_STEPS).enumerate() {
        let audience = form.audience.get(row).map(String::as_str).unwrap_or("");
        typed.push((after.chars().take(12).collect(), audience.to_string()));
        if after.trim().is_empty() {
            continue;
        }
        match (after.trim().parse::<u32>(), Audience::parse(audience)) {
            (Ok(days), Some(audience)) => steps.push((days, audience, row)),
            (Err(_), _) => view.errors.add(field(row), "Give a whole number of days."),
            (_, None) => view.errors.add(field(row), "Choose who is reminded."),
        }
    }
    if view.errors.is_empty() {
        let plain: Vec<(u32, Audience)> = steps.iter().map(|(d, a, _)| (*d, *a)).collect();
        for (position, message) in step_problems(&plain) {
            let row = steps.get(position).map(|(_, _, row)| *row).unwrap_or(0);
            view.errors.add(field(row), message);
        }
        if view.errors.is_empty() {
            sqlx::query!(
                "INSERT INTO reminder_policies (policy, enabled, steps, updated_by) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (policy) DO UPDATE SET enabled = EXCLUDED.enabled, steps = EXCLUDED.steps,
                   updated_by = EXCLUDED.updated_by, updated_at = now()",
                id,
                form.enabled.is_some(),
                sqlx::types::Json(&plain) as _,
                admin.id
            )
            .execute(&state.db)
            .await?;
            return Ok(
                Redirect::to(&format!("/admin/reminders?saved={id}#policy-{id}-outcome"))
                    .into_response(),
            );
        }
    }
    view.refused = Some(id);
    let refused = &mut view.policies[index];
    refused.enabled = form.enabled.is_some();
    typed.resize(MAX_STEPS, (String::new(), String::new()));
    refused.steps = typed;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response())
}
