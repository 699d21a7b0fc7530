//! The staging check pages: one endpoint (check it, read its results and history) and the whole
//! integration (latest result per endpoint, "check all"). Partners check their draft; Haptik
//! staff check the latest submitted revision.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::check::{self, NotStarted, OneTimeValues, Subject};
use super::plan::{self, Plan, Scenario, Variation};
use super::report::Report;
use super::results::{self, CheckRow, RunRow};
use crate::AppState;
use crate::accounts::User;
use crate::accounts::viewer::CurrentUser;
use crate::domain::model::EndpointSpec;
use crate::web::Result;
use crate::web::extract::{Form, Path};
use crate::web::forms::FieldErrors;
use crate::web::page::Page;

/// Prefix of the one-time fields' names: `value:token` carries the value for `<<token>>`.
const VALUE_FIELD: &str = "value:";
const MAX_VALUE_CHARS: usize = 4096;
const MAX_BODY_CHARS: usize = 64 * 1024;
const MAX_PATH_CHARS: usize = 2000;

pub struct ScenarioChoice {
    pub key: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staging/endpoint.html")]
pub struct EndpointCheckPage {
    pub page: Page,
    pub id: Uuid,
    pub endpoint: Uuid,
    pub name: String,
    pub title: String,
    pub revision: Option<i32>,
    pub back: String,
    /// What the success check sends, or why the endpoint cannot be checked yet.
    pub plan: std::result::Result<Plan, String>,
    pub placeholders: Vec<String>,
    pub scenarios: Vec<ScenarioChoice>,
    pub chosen: String,
    pub path: String,
    pub body: String,
    pub errors: FieldErrors,
    /// The check just run, shown first.
    pub fresh: Option<Report>,
    pub latest: Vec<CheckRow>,
    pub history: Vec<CheckRow>,
    pub fingerprint: String,
    /// "5 s": how long Haptik's bots wait.
    pub slow_after: String,
}

impl EndpointCheckPage {
    pub fn scenario_label(&self, key: &str) -> String {
        self.scenarios.iter().find(|s| s.key == key).map_or_else(
            || format!("Error {key} (no longer documented)"),
            |s| s.label.clone(),
        )
    }

    pub fn has_errors(&self) -> bool {
        self.scenarios.len() > 1
    }

    pub fn plan_target(&self) -> String {
        self.plan.as_ref().map(Plan::target).unwrap_or_default()
    }

    pub fn plan_problem(&self) -> Option<&str> {
        self.plan.as_ref().err().map(String::as_str)
    }

    pub fn plan_headers(&self) -> Vec<(String, String)> {
        self.plan
            .as_ref()
            .map(|p| p.headers.clone())
            .unwrap_or_default()
    }
}

fn back_link(viewer: &User, id: Uuid, endpoint: Option<Uuid>) -> String {
    match (viewer.role, endpoint) {
        (crate::accounts::Role::Partner, Some(endpoint)) => {
            format!("/integrations/{id}/endpoints/{endpoint}")
        }
        (crate::accounts::Role::Partner, None) => format!("/integrations/{id}"),
        (_, Some(endpoint)) => format!("/review/{id}#endpoint-{endpoint}"),
        (_, None) => format!("/review/{id}"),
    }
}

async fn endpoint_page(
    state: &AppState,
    viewer: &User,
    page: Page,
    subject: &Subject,
    endpoint: Uuid,
) -> Result<EndpointCheckPage> {
    let spec = subject.endpoint(endpoint)?;
    let plan = Plan::build(
        &subject.sections,
        spec,
        &Scenario::Success,
        &Variation::default(),
    );
    let mut scenarios = vec![ScenarioChoice {
        key: String::new(),
        label: "The success example".into(),
    }];
    for error in spec
        .errors
        .iter()
        .filter(|e| !plan::error_key(e).is_empty())
    {
        scenarios.push(ScenarioChoice {
            key: plan::error_key(error),
            label: plan::error_label(error),
        });
    }
    let mut latest = results::latest(&state.db, subject.integration_id).await?;
    latest.retain(|row| row.endpoint_id == endpoint);
    let history = results::history(&state.db, subject.integration_id, endpoint).await?;
    let placeholders = placeholders(subject, spec);
    Ok(EndpointCheckPage {
        page,
        id: subject.integration_id,
        endpoint,
        name: subject.name.clone(),
        title: spec.title(),
        revision: subject.revision,
        back: back_link(viewer, subject.integration_id, Some(endpoint)),
        path: documented_path(spec, &plan),
        body: spec.request_example.clone(),
        plan,
        placeholders,
        scenarios,
        chosen: String::new(),
        errors: FieldErrors::default(),
        fresh: None,
        latest,
        history,
        fingerprint: crate::domain::fingerprint::staging_fingerprint(&subject.sections, spec),
        slow_after: format!("{} s", state.config.staging.slow_after.as_secs_f32()),
    })
}

/// Every placeholder the success check or any error scenario's documented request uses.
fn placeholders(subject: &Subject, spec: &EndpointSpec) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let scenarios = std::iter::once(Scenario::Success).chain(
        spec.errors
            .iter()
            .map(|e| Scenario::Error(plan::error_key(e))),
    );
    for scenario in scenarios {
        if let Ok(plan) = Plan::build(&subject.sections, spec, &scenario, &Variation::default()) {
            for name in plan.placeholders() {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    names
}

/// The path and query of the documented URL, which an error scenario's check starts from.
fn documented_path(spec: &EndpointSpec, plan: &std::result::Result<Plan, String>) -> String {
    match plan {
        Ok(plan) => url::Url::parse(&plan.url)
            .map(|url| match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_string(),
            })
            .unwrap_or_else(|_| spec.path.clone()),
        Err(_) => spec.path.clone(),
    }
}

pub async fn show_endpoint(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    page: Page,
    Path((id, endpoint)): Path<(Uuid, Uuid)>,
) -> Result<EndpointCheckPage> {
    let subject = check::subject(&state, &viewer, id).await?;
    endpoint_page(&state, &viewer, page, &subject, endpoint).await
}

/// Splits the posted form into its plain fields and the one-time values.
fn read_form(
    fields: Vec<(String, String)>,
    errors: &mut FieldErrors,
) -> (Vec<(String, String)>, OneTimeValues) {
    let mut plain = Vec::new();
    let mut values = Vec::new();
    for (name, value) in fields {
        match name.strip_prefix(VALUE_FIELD) {
            Some(placeholder) => {
                if value.chars().count() > MAX_VALUE_CHARS {
                    errors.add(
                        name.clone(),
                        format!("At most {MAX_VALUE_CHARS} characters."),
                    );
                } else if value.contains(['\r', '\n']) {
                    errors.add(name.clone(), "A value cannot contain a line break.");
                } else if !value.is_empty() {
                    values.push((placeholder.to_string(), value));
                }
            }
            None => plain.push((name, value)),
        }
    }
    (plain, OneTimeValues(values))
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Every placeholder of `plan` needs a typed value; the message sits beside its field.
fn require_values(plan: &Plan, values: &OneTimeValues, errors: &mut FieldErrors) {
    for name in plan.placeholders() {
        if !values.0.iter().any(|(n, _)| n == &name) {
            errors.add(
                format!("{VALUE_FIELD}{name}"),
                format!("Type the value to send for <<{name}>>."),
            );
        }
    }
}

pub async fn check_endpoint(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    page: Page,
    Path((id, endpoint)): Path<(Uuid, Uuid)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let subject = check::subject(&state, &viewer, id).await?;
    let mut view = endpoint_page(&state, &viewer, page, &subject, endpoint).await?;
    let mut errors = FieldErrors::default();
    let (fields, values) = read_form(fields, &mut errors);
    let scenario = Scenario::from_key(field(&fields, "scenario"));
    view.chosen = scenario.key().to_string();
    if let Scenario::Error(_) = scenario {
        view.path = field(&fields, "path").to_string();
        view.body = field(&fields, "body").to_string();
    }
    if view.path.chars().count() > MAX_PATH_CHARS {
        errors.add("path", format!("At most {MAX_PATH_CHARS} characters."));
    }
    if view.body.chars().count() > MAX_BODY_CHARS {
        errors.add("body", format!("At most {} KiB.", MAX_BODY_CHARS / 1024));
    }
    let variation = Variation {
        path_and_query: Some(view.path.clone()),
        body: Some(view.body.clone()),
    };
    let spec = subject.endpoint(endpoint)?;
    match Plan::build(&subject.sections, spec, &scenario, &variation) {
        Ok(plan) => require_values(&plan, &values, &mut errors),
        Err(problem) => errors.add("scenario", problem),
    }
    if !errors.is_empty() {
        view.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
    }
    let outcome = check::check_one(
        &state, &subject, endpoint, &scenario, &variation, &values, viewer.id,
    )
    .await;
    drop(values);
    let status = match outcome {
        Ok(report) => {
            view.fresh = Some(report);
            StatusCode::OK
        }
        Err(refusal) => {
            let (status, message) = refusal_message(refusal)?;
            view.errors.add("scenario", message);
            status
        }
    };
    view.latest = results::latest(&state.db, id).await?;
    view.latest.retain(|row| row.endpoint_id == endpoint);
    view.history = results::history(&state.db, id, endpoint).await?;
    Ok((status, view).into_response())
}

fn refusal_message(refusal: NotStarted) -> Result<(StatusCode, String)> {
    match refusal {
        NotStarted::Incomplete(message) => Ok((StatusCode::UNPROCESSABLE_ENTITY, message)),
        NotStarted::RateLimited(message) => Ok((StatusCode::TOO_MANY_REQUESTS, message)),
        NotStarted::Busy(message) => Ok((StatusCode::CONFLICT, message)),
        NotStarted::Failed(err) => Err(err),
    }
}

pub struct EndpointSummary {
    pub id: Uuid,
    pub title: String,
    pub target: String,
    pub check: Option<CheckRow>,
    pub outdated: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staging/integration.html")]
pub struct IntegrationChecksPage {
    pub page: Page,
    pub id: Uuid,
    pub name: String,
    pub revision: Option<i32>,
    pub back: String,
    pub endpoints: Vec<EndpointSummary>,
    pub placeholders: Vec<String>,
    pub run: Option<RunRow>,
    pub errors: FieldErrors,
}

impl IntegrationChecksPage {
    pub fn running(&self) -> bool {
        self.run.as_ref().is_some_and(RunRow::running)
    }
}

async fn integration_page(
    state: &AppState,
    viewer: &User,
    page: Page,
    subject: &Subject,
) -> Result<IntegrationChecksPage> {
    let latest = results::latest_verdicts(&state.db, subject.integration_id).await?;
    let mut names: Vec<String> = Vec::new();
    let endpoints = subject
        .endpoints
        .iter()
        .map(|(id, spec)| {
            let plan = Plan::build(
                &subject.sections,
                spec,
                &Scenario::Success,
                &Variation::default(),
            );
            if let Ok(plan) = &plan {
                for name in plan.placeholders() {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
            let check = latest
                .iter()
                .find(|row| row.endpoint_id == *id && row.scenario.is_empty())
                .cloned();
            let outdated = check.as_ref().is_some_and(|row| {
                row.outdated(&crate::domain::fingerprint::staging_fingerprint(
                    &subject.sections,
                    spec,
                ))
            });
            EndpointSummary {
                id: *id,
                title: spec.title(),
                target: plan.map(|p| p.target()).unwrap_or_else(|problem| problem),
                check,
                outdated,
            }
        })
        .collect();
    Ok(IntegrationChecksPage {
        page,
        id: subject.integration_id,
        name: subject.name.clone(),
        revision: subject.revision,
        back: back_link(viewer, subject.integration_id, None),
        endpoints,
        placeholders: names,
        run: results::last_run(&state.db, subject.integration_id).await?,
        errors: FieldErrors::default(),
    })
}

pub async fn show_integration(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    page: Page,
    Path(id): Path<Uuid>,
) -> Result<IntegrationChecksPage> {
    let subject = check::subject(&state, &viewer, id).await?;
    integration_page(&state, &viewer, page, &subject).await
}

pub async fn check_all(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    page: Page,
    Path(id): Path<Uuid>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let subject = check::subject(&state, &viewer, id).await?;
    let mut errors = FieldErrors::default();
    let (_, values) = read_form(fields, &mut errors);
    for (_, spec) in &subject.endpoints {
        if let Ok(plan) = Plan::build(
            &subject.sections,
            spec,
            &Scenario::Success,
            &Variation::default(),
        ) {
            require_values(&plan, &values, &mut errors);
        }
    }
    let refusal = if errors.is_empty() {
        match check::start_all(&state, subject, values, viewer.id).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/integrations/{id}/staging")).into_response());
            }
            Err(refusal) => Some(refusal_message(refusal)?),
        }
    } else {
        None
    };
    let subject = check::subject(&state, &viewer, id).await?;
    let mut view = integration_page(&state, &viewer, page, &subject).await?;
    let status = match refusal {
        Some((status, message)) => {
            errors.add("check_all", message);
            status
        }
        None => StatusCode::UNPROCESSABLE_ENTITY,
    };
    view.errors = errors;
    Ok((status, view).into_response())
}
