//! Haptik admins: partner companies and their first users, and Haptik's own reviewers and admins.

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

use super::companies::{self, Company, CompanySummary, CreateOutcome};
use super::invitations::{self, Invite, PendingInvitation};
use super::users::{self, Member};
use super::viewer::Admin;
use super::{EmailAddress, Role, User};
use crate::AppState;
use crate::web::forms::FieldErrors;
use crate::web::page::Page;

use crate::web::{AppError, Result};

#[derive(Template, WebTemplate)]
#[template(path = "accounts/admin_companies.html")]
pub struct CompaniesPage {
    page: Page,
    companies: Vec<CompanySummary>,
    name: String,
    partner_code: String,
    errors: FieldErrors,
}

pub async fn companies(
    State(state): State<AppState>,
    _admin: Admin,
    page: Page,
) -> Result<CompaniesPage> {
    Ok(CompaniesPage {
        page,
        companies: companies::list(&state.db).await?,
        name: String::new(),
        partner_code: String::new(),
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
pub struct CompanyForm {
    name: String,
    #[serde(default)]
    partner_code: String,
}

pub async fn create_company(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    messages: Messages,
    Form(form): Form<CompanyForm>,
) -> Result<Response> {
    let mut errors = FieldErrors::default();
    let name = form.name.trim();
    let code = form.partner_code.trim();
    match name.chars().count() {
        0 => errors.add("name", "Enter the company's name."),
        201.. => errors.add("name", "Keep the name to 200 characters."),
        _ => {}
    }
    if code.chars().count() > 64 || code.chars().any(char::is_whitespace) {
        errors.add(
            "partner_code",
            "A partner code is one word of at most 64 characters.",
        );
    }
    if errors.is_empty() {
        let code = (!code.is_empty()).then_some(code);
        match companies::create(&state.db, name, code).await? {
            CreateOutcome::Created(id) => {
                crate::audit::record(
                    &mut *state.db.acquire().await?,
                    Some(admin.id),
                    None,
                    "added company",
                    name,
                )
                .await?;
                messages.success(format!("{name} added. Invite its first users below."));
                return Ok(Redirect::to(&format!("/admin/companies/{id}")).into_response());
            }
            CreateOutcome::NameTaken => {
                errors.add("name", "A company with this name already exists.")
            }
        }
    }
    let page = CompaniesPage {
        page,
        companies: companies::list(&state.db).await?,
        name: form.name.chars().take(200).collect(),
        partner_code: form.partner_code.chars().take(64).collect(),
        errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/admin_company.html")]
pub struct CompanyPage {
    page: Page,
    company: Company,
    members: Vec<Member>,
    invitations: Vec<PendingInvitation>,
    email: String,
    errors: FieldErrors,
}

async fn company_page(
    state: &AppState,
    page: Page,
    id: Uuid,
    email: String,
    errors: FieldErrors,
) -> Result<CompanyPage> {
    let company = companies::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(CompanyPage {
        page,
        company,
        members: users::company_members(&state.db, id).await?,
        invitations: invitations::pending(&state.db, Some(id)).await?,
        email,
        errors,
    })
}

pub async fn company(
    State(state): State<AppState>,
    _admin: Admin,
    page: Page,
    Path(id): Path<Uuid>,
) -> Result<CompanyPage> {
    company_page(&state, page, id, String::new(), FieldErrors::default()).await
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
    #[serde(default)]
    role: String,
}

pub async fn invite_partner(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    messages: Messages,
    Path(id): Path<Uuid>,
    Form(form): Form<InviteForm>,
) -> Result<Response> {
    companies::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email,
        Err(message) => {
            let mut errors = FieldErrors::default();
            errors.add("email", message);
            let page = company_page(
                &state,
                page,
                id,
                form.email.chars().take(254).collect(),
                errors,
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    if !invitations::within_limit(&mut tx, admin.id).await? {
        return Err(AppError::Conflict(format!(
            "You have sent {} invitations in the last hour, the most allowed. Try again later.",
            invitations::PER_HOUR
        )));
    }
    let invite = Invite {
        email: &email,
        role: Role::Partner,
        company_id: Some(id),
        invited_by: &admin,
    };
    invitations::invite(&mut tx, &state.config, invite).await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    messages.success(format!("Invitation sent to {email}."));
    Ok(Redirect::to(&format!("/admin/companies/{id}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/admin_staff.html")]
pub struct StaffPage {
    page: Page,
    members: Vec<Member>,
    invitations: Vec<PendingInvitation>,
    email: String,
    role: String,
    errors: FieldErrors,
}

async fn staff_page(
    state: &AppState,
    page: Page,
    email: String,
    role: String,
    errors: FieldErrors,
) -> Result<StaffPage> {
    Ok(StaffPage {
        page,
        members: users::staff_members(&state.db).await?,
        invitations: invitations::pending(&state.db, None).await?,
        email,
        role,
        errors,
    })
}

pub async fn staff(State(state): State<AppState>, _admin: Admin, page: Page) -> Result<StaffPage> {
    staff_page(
        &state,
        page,
        String::new(),
        "reviewer".into(),
        FieldErrors::default(),
    )
    .await
}

pub async fn invite_staff(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    messages: Messages,
    Form(form): Form<InviteForm>,
) -> Result<Response> {
    let mut errors = FieldErrors::default();
    let email = errors.check("email", EmailAddress::parse(&form.email));
    let role = match form.role.as_str() {
        "reviewer" => Some(Role::Reviewer),
        "admin" => Some(Role::Admin),
        _ => {
            errors.add("role", "Choose reviewer or admin.");
            None
        }
    };
    let (Some(email), Some(role)) = (email, role) else {
        let typed = form.email.chars().take(254).collect();
        let page = staff_page(
            &state,
            page,
            typed,
            form.role.chars().take(16).collect(),
            errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = state.db.begin().await?;
    if !invitations::within_limit(&mut tx, admin.id).await? {
        return Err(AppError::Conflict(format!(
            "You have sent {} invitations in the last hour, the most allowed. Try again later.",
            invitations::PER_HOUR
        )));
    }
    let invite = Invite {
        email: &email,
        role,
        company_id: None,
        invited_by: &admin,
    };
    invitations::invite(&mut tx, &state.config, invite).await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    messages.success(format!("Invitation sent to {email}."));
    Ok(Redirect::to("/admin/staff").into_response())
}

/// Where to go back to after acting on someone of `company` (or of Haptik's staff).
fn back_to(company: Option<Uuid>) -> String {
    company.map_or_else(
        || "/admin/staff".to_string(),
        |id| format!("/admin/companies/{id}"),
    )
}

pub async fn revoke_invitation(
    State(state): State<AppState>,
    _admin: Admin,
    messages: Messages,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    let company = invitations::revoke(&state.db, id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    messages.success("Invitation revoked; its link no longer works.");
    Ok(Redirect::to(&back_to(company)).into_response())
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

/// Makes a reviewer an admin or the other way round. Partners keep their role: it is tied to
/// their company. Takes effect on the user's next request; the change is audited.
pub async fn set_role(
    State(state): State<AppState>,
    Admin(admin): Admin,
    messages: Messages,
    Path(id): Path<Uuid>,
    Form(form): Form<RoleForm>,
) -> Result<Response> {
    let role = match form.role.as_str() {
        "reviewer" => Role::Reviewer,
        "admin" => Role::Admin,
        _ => return Err(AppError::BadRequest("Choose reviewer or admin.".into())),
    };
    let user = users::find(&state.db, id)
        .await?
        .filter(|user| user.role.is_staff())
        .ok_or(AppError::NotFound)?;
    if user.id == admin.id {
        messages.error("Ask another admin to change your own role.");
        return Ok(Redirect::to("/admin/staff").into_response());
    }
    let mut tx = state.db.begin().await?;
    let keeps_an_admin = lock_admins_keeping_one(&mut tx, admin.id, id).await?;
    if role != Role::Admin && !keeps_an_admin {
        return last_admin_stays(messages, &user, "/admin/staff").await;
    }
    let current = sqlx::query_scalar!(
        r#"SELECT role AS "role: Role" FROM users WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if current != role {
        sqlx::query!("UPDATE users SET role = $2 WHERE id = $1", id, role as Role)
            .execute(&mut *tx)
            .await?;
        let detail = format!("{}: {} → {}", user.email, current.label(), role.label());
        crate::audit::record(&mut tx, Some(admin.id), None, "role_changed", detail).await?;
        users::revoke_api_tokens(&mut tx, Some(admin.id), id, "the account's role changed").await?;
    }
    tx.commit().await?;
    messages.success(format!(
        "{} is now {}.",
        user.display_name,
        role.label().to_lowercase()
    ));
    Ok(Redirect::to("/admin/staff").into_response())
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: bool,
}

pub async fn set_active(
    State(state): State<AppState>,
    Admin(admin): Admin,
    messages: Messages,
    Path(id): Path<Uuid>,
    Form(form): Form<ActiveForm>,
) -> Result<Response> {
    let user = users::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.id == admin.id {
        messages.error("You cannot deactivate your own account.");
        return Ok(Redirect::to(&back_to(user.company_id)).into_response());
    }
    let mut tx = state.db.begin().await?;
    let keeps_an_admin = lock_admins_keeping_one(&mut tx, admin.id, id).await?;
    if !form.active && !keeps_an_admin {
        return last_admin_stays(messages, &user, &back_to(user.company_id)).await;
    }
    users::set_active(&mut tx, admin.id, id, None, form.active).await?;
    let what = if form.active {
        "reactivated"
    } else {
        "deactivated"
    };
    crate::audit::record(&mut tx, Some(admin.id), None, what, &user.email).await?;
    tx.commit().await?;
    let done = if form.active {
        "reactivated"
    } else {
        "deactivated and signed out everywhere"
    };
    messages.success(format!("{} {done}.", user.display_name));
    Ok(Redirect::to(&back_to(user.company_id)).into_response())
}

/// Locks every active admin's row, then answers whether taking `target` out of the admins leaves
/// one. Every change that can remove an admin (demotion, deactivation) takes this lock first, so
/// two admins removing each other at the same moment are put in a row: the second finds itself
/// no longer an admin and is refused.
async fn lock_admins_keeping_one(
    tx: &mut sqlx::PgConnection,
    actor: Uuid,
    target: Uuid,
) -> Result<bool> {
    let admins = sqlx::query_scalar!(
        "SELECT id FROM users WHERE role = 'admin' AND active ORDER BY id FOR UPDATE"
    )
    .fetch_all(&mut *tx)
    .await?;
    if !admins.contains(&actor) {
        return Err(AppError::Forbidden);
    }
    Ok(admins.iter().any(|id| *id != target))
}

async fn last_admin_stays(messages: Messages, user: &User, back: &str) -> Result<Response> {
    messages.error(format!(
        "{} is the last active admin; make someone else an admin first.",
        user.display_name
    ));
    Ok(Redirect::to(back).into_response())
}
