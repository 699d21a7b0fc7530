//! "Import from a file": upload or paste an OpenAPI document or a Postman collection, see what
//! would change and what could not be mapped, then confirm. Nothing is written before the
//! confirmation; the confirmation reads the file again and applies it under the integration's
//! lock.

use axum_messages::Messages;
use std::collections::BTreeSet;
use std::time::Duration;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::import::merge::{self, Changes};
use super::import::{self, MAX_BYTES, Plan};
use crate::AppState;
use crate::accounts::viewer::PartnerUser;
use crate::domain::integration;
use crate::intake::endpoint_list::MAX_ENDPOINTS;
use crate::intake::store::{self, Saved};
use crate::intake::{self as intake, integration_page};
use crate::web::extract::Path;
use crate::web::page::Page;

use crate::web::{AppError, Result};

/// Parsing gets this long; a file that takes longer is refused.
const PARSE_TIME: Duration = Duration::from_secs(10);

#[derive(Template, WebTemplate)]
#[template(path = "interop/import.html")]
pub struct ImportPage {
    pub page: Page,
    /// None while importing into a new integration.
    pub id: Option<Uuid>,
    pub name: String,
    pub editable: bool,
    /// What was pasted, kept when the form comes back.
    pub text: String,
    pub error: Option<String>,
    pub preview: Option<Preview>,
}

pub struct Preview {
    pub plan: Plan,
    pub changes: Changes,
}

impl ImportPage {
    pub fn limit_mib(&self) -> usize {
        MAX_BYTES / (1024 * 1024)
    }

    pub fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/integrations/{id}/import"),
            None => "/integrations/import".into(),
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    partner: PartnerUser,
    page: Page,
    Path(id): Path<Uuid>,
) -> Result<ImportPage> {
    let loaded = intake::load_own(&state, &partner, id).await?;
    Ok(ImportPage {
        page,
        id: Some(id),
        name: loaded.integration.name.clone(),
        editable: loaded.integration.status.partner_can_edit(),
        text: String::new(),
        error: None,
        preview: None,
    })
}

/// The form's fields: the file wins over the pasted text when both are given.
struct Submitted {
    source: String,
    pasted: String,
    apply: bool,
    /// Values the partner said are not secrets (`import::Replaced::key`).
    keep: BTreeSet<String>,
}

async fn read_form(mut form: Multipart) -> std::result::Result<Submitted, String> {
    let mut file = Vec::new();
    let mut pasted = String::new();
    let mut apply = false;
    let mut keep = BTreeSet::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| format!("The upload broke off: {e}."))?
    {
        match field.name().unwrap_or_default() {
            "file" => {
                file = field.bytes().await.map_err(|_| too_large())?.to_vec();
            }
            "text" => pasted = field.text().await.map_err(|_| too_large())?,
            "action" => apply = field.text().await.unwrap_or_default() == "apply",
            // Bounded like the rest of the form: at most one per imported value.
            "keep" if keep.len() < 10_000 => {
                keep.insert(field.text().await.unwrap_or_default());
            }
            _ => {}
        }
    }
    let source = if file.is_empty() {
        pasted.clone()
    } else {
        String::from_utf8(file).map_err(|_| {
            "The file is not text (UTF-8). Export the description as JSON or YAML.".to_string()
        })?
    };
    if source.len() > MAX_BYTES {
        return Err(too_large());
    }
    Ok(Submitted {
        source,
        pasted,
        apply,
        keep,
    })
}

fn too_large() -> String {
    format!(
        "The file is over the {} MiB limit.",
        MAX_BYTES / (1024 * 1024)
    )
}

/// Parses off the async runtime, within a time bound.
pub(crate) async fn parse(
    source: String,
    keep: BTreeSet<String>,
) -> std::result::Result<Plan, String> {
    let parsing = tokio::task::spawn_blocking(move || import::parse_keeping(&source, &keep));
    match tokio::time::timeout(PARSE_TIME, parsing).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err("The file could not be read.".into()),
        Err(_) => Err("Reading the file took too long; it was refused.".into()),
    }
}

/// Reads the form and the file; on a problem, the page to show instead.
async fn read_and_parse(form: Multipart, view: &mut ImportPage) -> Option<(Submitted, Plan)> {
    let submitted = match read_form(form).await {
        Ok(submitted) => submitted,
        Err(message) => {
            view.error = Some(message);
            return None;
        }
    };
    view.text = submitted.pasted.chars().take(MAX_BYTES).collect();
    match parse(submitted.source.clone(), submitted.keep.clone()).await {
        Ok(plan) => Some((submitted, plan)),
        Err(message) => {
            view.error = Some(message);
            None
        }
    }
}

fn refused(view: ImportPage) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, view).into_response()
}

fn preview(
    mut view: ImportPage,
    submitted: Submitted,
    plan: Plan,
    current: &integration::Loaded,
) -> Response {
    let changes = merge::changes(&plan, current);
    // The confirmation carries the file's text, so nothing is kept on the server meanwhile.
    view.text = submitted.source;
    view.preview = Some(Preview { plan, changes });
    view.into_response()
}

pub async fn submit(
    State(state): State<AppState>,
    partner: PartnerUser,
    page: Page,
    messages: Messages,
    Path(id): Path<Uuid>,
    form: Multipart,
) -> Result<Response> {
    let loaded = intake::load_own(&state, &partner, id).await?;
    let status = loaded.integration.status;
    if !status.partner_can_edit() {
        return Err(AppError::Conflict(integration_page::locked_message(status)));
    }
    let mut view = ImportPage {
        page,
        id: Some(id),
        name: loaded.integration.name.clone(),
        editable: true,
        text: String::new(),
        error: None,
        preview: None,
    };
    let Some((submitted, plan)) = read_and_parse(form, &mut view).await else {
        return Ok(refused(view));
    };
    if !submitted.apply {
        return Ok(preview(view, submitted, plan, &loaded));
    }
    let mut tx = intake::begin_edit(&state, &partner, id).await?;
    let message = apply(&mut tx, &partner, id, &plan).await?;
    tx.commit().await?;
    messages.success(message);
    Ok(Redirect::to(&format!("/integrations/{id}")).into_response())
}

fn new_form(page: Page) -> ImportPage {
    ImportPage {
        page,
        id: None,
        name: "a new integration".into(),
        editable: true,
        text: String::new(),
        error: None,
        preview: None,
    }
}

/// "Start from a file": the same form, for an integration the import creates.
pub async fn show_new(page: Page, _partner: PartnerUser) -> ImportPage {
    new_form(page)
}

pub async fn submit_new(
    State(state): State<AppState>,
    partner: PartnerUser,
    page: Page,
    messages: Messages,
    form: Multipart,
) -> Result<Response> {
    let mut view = new_form(page);
    let Some((submitted, plan)) = read_and_parse(form, &mut view).await else {
        return Ok(refused(view));
    };
    let name = if plan.title.trim().is_empty() {
        "Imported API".to_string()
    } else {
        plan.title.trim().to_string()
    };
    if !submitted.apply {
        return Ok(preview(
            view,
            submitted,
            plan,
            &integration::Loaded::empty(&name),
        ));
    }
    let mut tx = state.db.begin().await?;
    let id = store::create(&mut tx, partner.company_id, partner.user.id, &name, "").await?;
    crate::audit::record(&mut tx, Some(partner.user.id), Some(id), "created", &name).await?;
    store::lock_for_edit(&mut tx, id, partner.company_id).await?;
    let message = apply(&mut tx, &partner, id, &plan).await?;
    tx.commit().await?;
    messages.success(message);
    Ok(Redirect::to(&format!("/integrations/{id}")).into_response())
}

/// Writes what the plan changes, inside the caller's transaction (which holds the integration's
/// lock); the message for the partner.
pub(crate) async fn apply(
    tx: &mut sqlx::PgConnection,
    partner: &PartnerUser,
    id: Uuid,
    plan: &Plan,
) -> Result<String> {
    let current = integration::load(&mut *tx, id, Some(partner.company_id))
        .await?
        .ok_or(AppError::NotFound)?;
    let changes = merge::changes(plan, &current);
    let room = (MAX_ENDPOINTS as usize).saturating_sub(current.endpoints.len());
    let user = partner.user.id;
    for (section, data, version) in &changes.sections {
        if let Saved::Stale { .. } =
            store::save_section(&mut *tx, id, *section, data, *version, user).await?
        {
            return Err(AppError::Conflict("A teammate changed this integration while you looked at the preview. Preview the import again.".into()));
        }
    }
    if let Some(purpose) = &changes.purpose {
        sqlx::query!(
            "UPDATE integrations SET purpose = $2, version = version + 1 WHERE id = $1",
            id,
            purpose
        )
        .execute(&mut *tx)
        .await?;
    }
    for (endpoint, version, spec, _) in &changes.updated {
        if let Some(Saved::Stale { .. }) =
            store::save_endpoint(&mut *tx, id, *endpoint, spec, *version, user).await?
        {
            return Err(AppError::Conflict("A teammate changed an endpoint while you looked at the preview. Preview the import again.".into()));
        }
    }
    for spec in changes.added.iter().take(room) {
        store::add_endpoint(&mut *tx, id, spec, user).await?;
    }
    let added = changes.added.len().min(room);
    let summary = format!(
        "{}: {added} endpoints added, {} updated{}",
        plan.source,
        changes.updated.len(),
        if changes.sections.is_empty() {
            String::new()
        } else {
            format!(", sections filled: {}", changes.section_titles().join(", "))
        }
    );
    crate::audit::record(&mut *tx, Some(user), Some(id), "imported", &summary).await?;
    let mut message = format!("Imported from {summary}.");
    if added < changes.added.len() {
        message.push_str(&format!(
            " {} endpoints did not fit: an integration holds at most {MAX_ENDPOINTS}.",
            changes.added.len() - added
        ));
    }
    Ok(message)
}
