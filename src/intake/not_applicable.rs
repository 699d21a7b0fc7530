//! "Not applicable": an integration-level item the partner says does not apply, with the reason,
//! or the mark cleared again.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum_htmx::HxRequest;
use axum_messages::Messages;
use serde::Deserialize;
use uuid::Uuid;

use super::integration_page::{after_save, render_base};
use super::store::{self, Saved};
use crate::AppState;
use crate::accounts::viewer::PartnerUser;
use crate::domain::checklist;
use crate::domain::model::SectionId;
use crate::web::extract::{Form, Path};
use crate::web::page::Page;
use crate::web::{AppError, Result};

#[derive(Deserialize)]
pub struct NotApplicableForm {
    version: i32,
    item: String,
    #[serde(default)]
    reason: String,
}

/// Marks an integration-level item not applicable (with a reason), or clears the mark.
pub async fn mark_not_applicable(
    State(state): State<AppState>,
    partner: PartnerUser,
    page: Page,
    messages: Messages,
    HxRequest(htmx): HxRequest,
    Path(id): Path<Uuid>,
    Form(form): Form<NotApplicableForm>,
) -> Result<Response> {
    let item = checklist::INTEGRATION_ITEMS
        .iter()
        .find(|i| i.id.as_str() == form.item)
        .ok_or(AppError::NotFound)?;
    if !item.id.waivable() {
        return Err(AppError::NotFound);
    }
    let mut loaded = super::load_own(&state, &partner, id).await?;
    let reason: String = form.reason.trim().chars().take(200).collect();
    if reason.is_empty() {
        loaded.sections.not_applicable.0.remove(item.id.as_str());
    } else {
        loaded
            .sections
            .not_applicable
            .0
            .insert(item.id.to_string(), reason.clone());
    }
    let mut tx = super::begin_edit(&state, &partner, id).await?;
    let data = loaded.sections.get(SectionId::NotApplicable);
    match store::save_section(
        &mut tx,
        id,
        SectionId::NotApplicable,
        &data,
        form.version,
        partner.user.id,
    )
    .await?
    {
        Saved::Saved { .. } => {
            let what = if reason.is_empty() {
                "cleared not applicable"
            } else {
                "marked not applicable"
            };
            let detail = format!(
                "{} {}",
                item.label,
                if reason.is_empty() {
                    String::new()
                } else {
                    format!("(“{reason}”)")
                }
            );
            crate::audit::record(&mut tx, Some(partner.user.id), Some(id), what, detail).await?;
            tx.commit().await?;
            let focus = item.id.section().unwrap_or(SectionId::NotApplicable);
            after_save(&state, &partner, page, htmx, messages, (id, focus), None).await
        }
        Saved::Stale { .. } => {
            tx.rollback().await?;
            // Shown again with the current marks, and the reason they typed quoted so it is not lost.
            let loaded = super::load_own(&state, &partner, id).await?;
            let mut view = render_base(&state, page, loaded).await?;
            view.notice = Some(format!(
                "A teammate changed the not-applicable marks meanwhile, so yours was not saved. You wrote for “{}”: “{}”. Check the current state and save it again.",
                item.label,
                form.reason.trim()
            ));
            view.respond(StatusCode::CONFLICT, htmx)
        }
    }
}
