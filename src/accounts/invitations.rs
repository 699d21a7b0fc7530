//! Invitations: the only way into the portal besides the command line. Admins invite a company's
//! first users and Haptik staff; partner users invite teammates of their own company.

use crate::web::extract::Form;
use crate::web::extract::Path;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::reset::LinkInvalidPage;
use super::{EmailAddress, Role, User, tokens, users};
use crate::AppState;
use crate::config::Config;
use crate::domain::account;
use crate::domain::password;
use crate::mail::{self, Email};
use crate::web::Result;
use crate::web::forms::FieldErrors;
use crate::web::page::Page;

pub const VALID_DAYS: i64 = 7;
/// Invitations one person may send per hour: enough for onboarding a team, not for spamming.
pub const PER_HOUR: i64 = 30;

/// Whether `inviter` may send another invitation now.
pub async fn within_limit(conn: &mut PgConnection, inviter: Uuid) -> sqlx::Result<bool> {
    let sent = sqlx::query_scalar!(
        r#"SELECT count(*) AS "sent!" FROM invitations
           WHERE invited_by = $1 AND created_at > now() - interval '1 hour'"#,
        inviter
    )
    .fetch_one(conn)
    .await?;
    Ok(sent < PER_HOUR)
}

/// Who is being invited, into which role and company.
pub struct Invite<'a> {
    pub email: &'a EmailAddress,
    pub role: Role,
    pub company_id: Option<Uuid>,
    pub invited_by: &'a User,
}

/// Records the invitation and queues its e-mail. If the address already has an account, that
/// person gets a "you already have an account" note instead of a link; the invitation is still
/// recorded (its token never sent), so the inviter's pages look the same either way.
pub async fn invite(
    conn: &mut PgConnection,
    config: &Config,
    invite: Invite<'_>,
) -> sqlx::Result<()> {
    let inviter = &invite.invited_by.display_name;
    let taken = users::email_taken(conn, invite.email).await?;
    let company: Option<String> = match invite.company_id {
        Some(id) => {
            sqlx::query_scalar!("SELECT name FROM companies WHERE id = $1", id)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let token = tokens::generate();
    sqlx::query!(
        "INSERT INTO invitations (id, email, role, company_id, invited_by, token_hash, expires_at)
         VALUES ($1, $2::text::citext, $3, $4, $5, $6, now() + make_interval(days => $7))",
        Uuid::new_v4(),
        invite.email.as_str(),
        invite.role as Role,
        invite.company_id,
        invite.invited_by.id,
        token.hash.as_slice(),
        VALID_DAYS as i32
    )
    .execute(&mut *conn)
    .await?;
    let detail = format!("{} as {}", invite.email, invite.role.label().to_lowercase());
    crate::audit::record(
        &mut *conn,
        Some(invite.invited_by.id),
        None,
        "invited",
        detail,
    )
    .await?;
    let email = if taken {
        let body = format!(
            "Someone tried to invite this address to the Haptik Partner Portal (the invitation names the \
             sender as “{inviter}”), but it already has an account.\n\n\
             Sign in here: {}\nForgot the password? {}\n",
            config.link("/login"),
            config.link("/password/forgot")
        );
        Email {
            to: invite.email.to_string(),
            subject: "You already have a Partner Portal account".into(),
            body,
        }
    } else {
        let joining = match &company {
            Some(name) => format!("to describe the APIs of “{name}” to Haptik"),
            None => format!("as a Haptik {}", invite.role.label().to_lowercase()),
        };
        let body = format!(
            "You are invited to the Haptik Partner Portal {joining}. The invitation names the sender as “{inviter}”.\n\n\
             Accept and choose your password here (the link works once, within {VALID_DAYS} days):\n{}\n",
            config.link(&format!("/invitations/{}", token.plain))
        );
        Email {
            to: invite.email.to_string(),
            subject: "Your invitation to the Haptik Partner Portal".into(),
            body,
        }
    };
    mail::enqueue(conn, &email).await?;
    Ok(())
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct PendingInvitation {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub expires_at: OffsetDateTime,
}

impl PendingInvitation {
    pub fn expires(&self) -> String {
        crate::web::dates::date_time(self.expires_at)
    }
}

/// Open invitations into a company, or into Haptik's staff when `company_id` is `None`.
pub async fn pending(
    db: &PgPool,
    company_id: Option<Uuid>,
) -> sqlx::Result<Vec<PendingInvitation>> {
    sqlx::query_as!(
        PendingInvitation,
        r#"SELECT id, email::text AS "email!", role AS "role: Role", expires_at FROM invitations
           WHERE company_id IS NOT DISTINCT FROM $1
             AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
           ORDER BY created_at DESC"#,
        company_id
    )
    .fetch_all(db)
    .await
}

/// Revokes an open invitation within `scope` (a company, or `None` for an admin acting anywhere).
/// Returns the invitation's company when something was revoked.
pub async fn revoke(
    db: &PgPool,
    id: Uuid,
    scope: Option<Uuid>,
) -> sqlx::Result<Option<Option<Uuid>>> {
    sqlx::query_scalar!(
        "UPDATE invitations SET revoked_at = now()
         WHERE id = $1 AND ($2::uuid IS NULL OR company_id = $2)
           AND accepted_at IS NULL AND revoked_at IS NULL
         RETURNING company_id",
        id,
        scope
    )
    .fetch_optional(db)
    .await
}

#[derive(sqlx::FromRow)]
struct OpenInvitation {
    id: Uuid,
    email: String,
    role: Role,
    company_id: Option<Uuid>,
    company_name: Option<String>,
}

async fn find_open(db: &PgPool, token: &str) -> sqlx::Result<Option<OpenInvitation>> {
    let digest = tokens::digest(token);
    sqlx::query_as!(
        OpenInvitation,
        r#"SELECT i.id, i.email::text AS "email!", i.role AS "role: Role", i.company_id,
                  c.name AS "company_name?"
           FROM invitations i LEFT JOIN companies c ON c.id = i.company_id
           WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()"#,
        digest.as_slice()
    )
    .fetch_optional(db)
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/accept.html")]
pub struct AcceptPage {
    page: Page,
    email: String,
    joining: String,
    display_name: String,
    errors: FieldErrors,
}

fn joining(invitation: &OpenInvitation) -> String {
    match &invitation.company_name {
        Some(name) => format!("{name} (partner)"),
        None => format!("Haptik ({})", invitation.role.label().to_lowercase()),
    }
}

fn invalid(page: Page) -> Response {
    (
        StatusCode::NOT_FOUND,
        LinkInvalidPage {
            page,
            what: "This invitation link has been used, revoked or has expired. Ask the person who invited you for a new one.",
        },
    )
        .into_response()
}

pub async fn show_accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    page: Page,
) -> Result<Response> {
    Ok(match find_open(&state.db, &token).await? {
        Some(invitation) => AcceptPage {
            page,
            joining: joining(&invitation),
            email: invitation.email,
            display_name: String::new(),
            errors: FieldErrors::default(),
        }
        .into_response(),
        None => invalid(page),
    })
}

#[derive(Deserialize)]
pub struct AcceptForm {
    display_name: String,
    password: String,
    confirm: String,
}

pub async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    session: Session,
    page: Page,
    messages: Messages,
    Form(form): Form<AcceptForm>,
) -> Result<Response> {
    let Some(invitation) = find_open(&state.db, &token).await? else {
        return Ok(invalid(page));
    };
    let mut errors = FieldErrors::default();
    let name = errors.check(
        "display_name",
        account::parse_display_name(&form.display_name),
    );
    errors.check(
        "password",
        password::check_policy(&form.password, &[&invitation.email, &form.display_name]),
    );
    if form.password != form.confirm {
        errors.add("confirm", "The two passwords differ.");
    }
    let (Some(name), true) = (name, errors.is_empty()) else {
        let display_name = form.display_name.chars().take(120).collect();
        let page = AcceptPage {
            page,
            joining: joining(&invitation),
            email: invitation.email,
            display_name,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let hash = state.passwords.hash(form.password).await?;
    let email = EmailAddress::parse(&invitation.email).map_err(anyhow::Error::msg)?;

    let mut tx = state.db.begin().await?;
    let claimed = sqlx::query!(
        "UPDATE invitations SET accepted_at = now()
         WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()",
        invitation.id
    )
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 || users::email_taken(&mut tx, &email).await? {
        return Ok(invalid(page));
    }
    let user_id = users::insert(
        &mut tx,
        users::NewUser {
            email: &email,
            display_name: &name,
            role: invitation.role,
            company_id: invitation.company_id,
            password_hash: &hash,
        },
    )
    .await?;
    crate::audit::record(
        &mut tx,
        Some(user_id),
        None,
        "accepted an invitation",
        &invitation.email,
    )
    .await?;
    tx.commit().await?;

    crate::accounts::viewer::sign_in(&session, user_id).await?;
    messages.success(format!("Welcome, {name}. Your account is ready."));
    Ok(Redirect::to("/").into_response())
}
