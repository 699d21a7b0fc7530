//! A partner company's own people: who is in, who is invited, invite a teammate.

use crate::web::extract::Form;
use crate::web::extract::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use uuid::Uuid;

use super::invitations::{self, Invite, PendingInvitation};
use super::users::{self, Member};
use super::viewer::PartnerUser;
use super::{EmailAddress, Role};
use crate::AppState;
use crate::web::forms::FieldErrors;
use crate::web::page::Page;

use crate::web::{AppError, Result};

#[derive(Template, WebTemplate)]
#[template(path = "accounts/team.html")]
pub struct TeamPage {
    page: Page,
    company_name: String,
    members: Vec<Member>,
    invitations: Vec<PendingInvitation>,
    email: String,
    errors: FieldErrors,
}

async fn team_page(
    state: &AppState,
    page: Page,
    partner: &PartnerUser,
    email: String,
    errors: FieldErrors,
) -> Result<TeamPage> {
    Ok(TeamPage {
        page,
        company_name: partner.user.company_name.clone().unwrap_or_default(),
        members: users::company_members(&state.db, partner.company_id).await?,
        invitations: invitations::pending(&state.db, Some(partner.company_id)).await?,
        email,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    partner: PartnerUser,
    page: Page,
) -> Result<TeamPage> {
    team_page(
        &state,
        page,
        &partner,
        String::new(),
        FieldErrors::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
}

pub async fn invite(
    State(state): State<AppState>,
    partner: PartnerUser,
    page: Page,
    messages: Messages,
    Form(form): Form<InviteForm>,
) -> Result<Response> {
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email,
        Err(message) => {
            let mut errors = FieldErrors::default();
            errors.add("email", message);
            let typed = form.email.chars().take(254).collect();
            let page = team_page(&state, page, &partner, typed, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    if !invitations::within_limit(&mut tx, partner.user.id).await? {
        return Err(AppError::Conflict(format!(
            "You have sent {} invitations in the last hour, the most allowed. Try again later.",
            invitations::PER_HOUR
        )));
    }
    let invite = Invite {
        email: &email,
        role: Role::Partner,
        company_id: Some(partner.company_id),
        invited_by: &partner.user,
    };
    invitations::invite(&mut tx, &state.config, invite).await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    messages.success(format!("Invitation sent to {email}."));
    Ok(Redirect::to("/team").into_response())
}

pub async fn revoke_invitation(
    State(state): State<AppState>,
    partner: PartnerUser,
    messages: Messages,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    invitations::revoke(&state.db, id, Some(partner.company_id))
        .await?
        .ok_or(AppError::NotFound)?;
    messages.success("Invitation revoked; its link no longer works.");
    Ok(Redirect::to("/team").into_response())
}

pub async fn deactivate_member(
    State(state): State<AppState>,
    partner: PartnerUser,
    messages: Messages,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    if id == partner.user.id {
        messages.error("You cannot deactivate your own account; ask a teammate or Haptik.");
        return Ok(Redirect::to("/team").into_response());
    }
    let mut tx = state.db.begin().await?;
    if !users::set_active(
        &mut tx,
        partner.user.id,
        id,
        Some(partner.company_id),
        false,
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    let email = sqlx::query_scalar!(
        r#"SELECT email::text AS "email!" FROM users WHERE id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    crate::audit::record(&mut tx, Some(partner.user.id), None, "deactivated", email).await?;
    tx.commit().await?;
    messages.success("Account deactivated and signed out everywhere.");
    Ok(Redirect::to("/team").into_response())
}
