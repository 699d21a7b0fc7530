//! Partner intake: the requirements checklist as forms, per integration and per endpoint.

pub mod comment_todo;
pub mod conflict;
pub mod endpoint_list;
pub mod endpoint_page;
pub mod forms;
pub mod integration_around;
pub mod integration_page;
pub mod integration_view;
pub mod list;
pub mod not_applicable;
pub mod secrets;
pub mod section_nav;
pub mod store;
pub mod submit;
pub mod validate;

use axum::Router;
use axum::routing::{get, post};

use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use crate::AppState;
use crate::accounts::viewer::PartnerUser;
use crate::domain::integration;
use crate::web::{AppError, Result};

/// An integration of the partner's own company; any other id is simply not found.
pub(crate) async fn load_own(
    state: &AppState,
    partner: &PartnerUser,
    id: Uuid,
) -> Result<integration::Loaded> {
    integration::load(
        &mut *state.db.acquire().await?,
        id,
        Some(partner.company_id),
    )
    .await?
    .ok_or(AppError::NotFound)
}

/// Refuses a change before reading it: the integration must still be the partner's to edit, and
/// the form no bigger than any page of ours sends.
pub(crate) fn refuse_unless_editable(
    loaded: &integration::Loaded,
    too_many_rows: bool,
) -> Result<()> {
    let status = loaded.integration.status;
    if !status.partner_can_edit() {
        return Err(AppError::Conflict(integration_page::locked_message(status)));
    }
    if too_many_rows {
        return Err(AppError::BadRequest(
            "a table has more rows than any page sends".into(),
        ));
    }
    Ok(())
}

/// Starts a change to one of the partner's integrations: the transaction holds the integration's
/// row lock (so no submission or other change interleaves) and the integration is still theirs
/// to edit.
pub(crate) async fn begin_edit(
    state: &AppState,
    partner: &PartnerUser,
    id: Uuid,
) -> Result<Transaction<'static, Postgres>> {
    let mut tx = state.db.begin().await?;
    let status = store::lock_for_edit(&mut tx, id, partner.company_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !status.partner_can_edit() {
        return Err(AppError::Conflict(integration_page::locked_message(status)));
    }
    Ok(tx)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/integrations", post(list::create))
        .route("/integrations/new", get(list::new))
        .route("/integrations/{id}", get(integration_page::show))
        .route(
            "/integrations/{id}/overview",
            post(integration_page::save_overview),
        )
        .route(
            "/integrations/{id}/sections/{section}",
            post(integration_page::save_section),
        )
        .route(
            "/integrations/{id}/not-applicable",
            post(not_applicable::mark_not_applicable),
        )
        .route("/integrations/{id}/submit", post(submit::submit))
        .route("/integrations/{id}/endpoints", post(endpoint_list::add))
        .route(
            "/integrations/{id}/endpoints/{endpoint}",
            get(endpoint_page::show).post(endpoint_page::save),
        )
        .route(
            "/integrations/{id}/endpoints/{endpoint}/delete",
            get(endpoint_list::confirm_delete).post(endpoint_list::delete),
        )
        .route(
            "/integrations/{id}/endpoints/{endpoint}/move",
            post(endpoint_list::reorder),
        )
        .route(
            "/integrations/{id}/endpoints/{endpoint}/duplicate",
            post(endpoint_list::duplicate),
        )
}
