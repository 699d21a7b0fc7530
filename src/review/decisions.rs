//! Claiming a submission and deciding on it (reviewers), withdrawing, resubmitting and reopening
//! (partners). Every change goes through `workflow::Status::apply` under the integration's row lock.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::comments;
use super::signoffs::SignOffs;
use crate::AppState;
use crate::accounts::viewer::{PartnerUser, Staff};
use crate::accounts::{Role, User};
use crate::config::Config;
use crate::domain::model::Contacts;
use crate::domain::revision::Snapshot;
use crate::domain::workflow::{Action, Actor, Status};
use crate::mail::{self, Email};
use crate::web::extract::{Form, Path};
use crate::web::page::Page;
use crate::web::session::{self, FlashKind};
use crate::web::{AppError, Result};

pub(super) struct Locked {
    pub status: Status,
    pub company_id: Uuid,
    pub name: String,
    pub claimed_by: Option<Uuid>,
    pub latest_revision: Option<i32>,
}

/// Locks the integration (scoped to `company` for partners) for the rest of the transaction.
pub(super) async fn lock(
    conn: &mut PgConnection,
    id: Uuid,
    company: Option<Uuid>,
) -> Result<Locked> {
    let row = sqlx::query!(
        r#"SELECT status AS "status: Status", company_id, name, claimed_by FROM integrations
           WHERE id = $1 AND ($2::uuid IS NULL OR company_id = $2) FOR UPDATE"#,
        id,
        company
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let latest_revision = sqlx::query_scalar!(
        "SELECT max(number) FROM revisions WHERE integration_id = $1",
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Locked {
        status: row.status,
        company_id: row.company_id,
        name: row.name,
        claimed_by: row.claimed_by,
        latest_revision,
    })
}

async fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: Status,
    claimed_by: Option<Uuid>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE integrations SET status = $2, claimed_by = $3,
                claimed_at = CASE WHEN $3::uuid IS NULL THEN NULL ELSE now() END, updated_at = now()
         WHERE id = $1",
        id,
        status as Status,
        claimed_by
    )
    .execute(conn)
    .await?;
    Ok(())
}

fn illegal(from: Status, action: Action, actor: Actor) -> Result<Status> {
    from.apply(action, actor)
        .map_err(|illegal| AppError::Conflict(illegal.message))
}

pub async fn claim(
    State(state): State<AppState>,
    Staff(reviewer): Staff,
    session: Session,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    claim_for(&state, &reviewer, id).await?;
    session::flash(
        &session,
        FlashKind::Success,
        "You are reviewing this submission.",
    )
    .await?;
    Ok(Redirect::to(&format!("/review/{id}")).into_response())
}

/// A reviewer takes a submission to review it; for the page and the API.
pub async fn claim_for(state: &AppState, reviewer: &User, id: Uuid) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let locked = lock(&mut tx, id, None).await?;
    let next = illegal(locked.status, Action::Claim, Actor::Reviewer)?;
    set_status(&mut tx, id, next, Some(reviewer.id)).await?;
    crate::audit::record(&mut tx, Some(reviewer.id), Some(id), "claimed", "").await?;
    tx.commit().await?;
    Ok(())
}

pub async fn release(
    State(state): State<AppState>,
    Staff(reviewer): Staff,
    session: Session,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    let mut tx = state.db.begin().await?;
    let locked = lock(&mut tx, id, None).await?;
    ensure_reviewer(&locked, &reviewer)?;
    let next = illegal(locked.status, Action::Release, Actor::Reviewer)?;
    set_status(&mut tx, id, next, None).await?;
    crate::audit::record(&mut tx, Some(reviewer.id), Some(id), "released", "").await?;
    tx.commit().await?;
    session::flash(
        &session,
        FlashKind::Info,
        "Released: another reviewer can take it.",
    )
    .await?;
    Ok(Redirect::to(&format!("/review/{id}")).into_response())
}

/// Only whoever claimed a submission decides on it (or an admin).
pub(super) fn ensure_reviewer(locked: &Locked, reviewer: &User) -> Result<()> {
    if locked.claimed_by.is_some_and(|by| by != reviewer.id) && reviewer.role != Role::Admin {
        return Err(AppError::Conflict(
            "Another reviewer is reviewing this submission.".into(),
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct DecisionForm {
    /// The revision the reviewer looked at; a decision never applies to another one.
    revision: i32,
    outcome: String,
    #[serde(default)]
    summary: String,
    /// The reviewer confirmed approving although comments are still open.
    #[serde(default)]
    confirm_open: String,
}

pub async fn decide(
    State(state): State<AppState>,
    Staff(reviewer): Staff,
    session: Session,
    page: Page,
    Path(id): Path<Uuid>,
    Form(form): Form<DecisionForm>,
) -> Result<Response> {
    match decide_on(&state, &reviewer, id, &form).await? {
        // The page comes back with the reviewer's summary and choice kept, and why it was refused.
        Decided::Refused(refusal) => {
            let mut view = super::revision_page::build(&state, &reviewer, page, id).await?;
            view.refusal = Some(refusal);
            view.summary = form.summary.chars().take(4000).collect();
            view.approving = form.outcome == "approve";
            Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response())
        }
        Decided::Done(action) => {
            let done = if action == Action::Approve {
                "Approved"
            } else {
                "Sent back to the partner"
            };
            session::flash(
                &session,
                FlashKind::Success,
                format!("{done}; the partner has been told."),
            )
            .await?;
            Ok(Redirect::to("/").into_response())
        }
    }
}

/// What became of a decision: made, or refused with the reason for the reviewer.
pub enum Decided {
    Done(Action),
    Refused(String),
}

impl DecisionForm {
    pub fn new(revision: i32, outcome: &str, summary: &str, confirm_open: bool) -> Self {
        DecisionForm {
            revision,
            outcome: outcome.to_string(),
            summary: summary.to_string(),
            confirm_open: if confirm_open { "1" } else { "" }.to_string(),
        }
    }
}

/// A reviewer's decision on the exact revision they read, for the page and the API alike.
pub async fn decide_on(
    state: &AppState,
    reviewer: &User,
    id: Uuid,
    form: &DecisionForm,
) -> Result<Decided> {
    let (action, outcome) = match form.outcome.as_str() {
        "approve" => (Action::Approve, "approved"),
        "send_back" => (Action::SendBack, "sent_back"),
        _ => return Err(AppError::BadRequest("unknown decision".into())),
    };
    let summary: String = form.summary.trim().chars().take(4000).collect();
    let mut tx = state.db.begin().await?;
    let locked = lock(&mut tx, id, None).await?;
    ensure_reviewer(&locked, reviewer)?;
    if locked.latest_revision != Some(form.revision) {
        return Err(AppError::Conflict(format!(
            "Not decided: you reviewed revision {}, but the partner has since withdrawn or resubmitted it. Reload the review page and look at the current revision.",
            form.revision
        )));
    }
    let next = illegal(locked.status, action, Actor::Reviewer)?;
    if let Some(refusal) = refuse_decision(&mut tx, id, reviewer.id, form, action, &summary).await?
    {
        tx.rollback().await?;
        return Ok(Decided::Refused(refusal));
    }
    let comments = comments::publish_drafts(&mut tx, id, reviewer.id).await?;
    sqlx::query!(
        "INSERT INTO decisions (id, integration_id, revision, reviewer_id, outcome, summary) VALUES ($1, $2, $3, $4, $5, $6)",
        Uuid::new_v4(),
        id,
        form.revision,
        reviewer.id,
        outcome,
        summary
    )
    .execute(&mut *tx)
    .await?;
    set_status(&mut tx, id, next, None).await?;
    if action == Action::Approve {
        sqlx::query!(
            "UPDATE integrations SET approved_revision = $2 WHERE id = $1",
            id,
            form.revision
        )
        .execute(&mut *tx)
        .await?;
    }
    notify_partner(
        &mut tx,
        &state.config,
        id,
        &locked,
        action,
        &summary,
        comments,
    )
    .await?;
    let detail = format!(
        "revision {}{}{}",
        form.revision,
        match comments {
            0 => String::new(),
            1 => " with 1 comment".into(),
            n => format!(" with {n} comments"),
        },
        if summary.is_empty() {
            String::new()
        } else {
            format!(": {summary}")
        }
    );
    crate::audit::record(&mut tx, Some(reviewer.id), Some(id), outcome, detail).await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(Decided::Done(action))
}

/// Why this decision cannot be sent as it is, if it cannot: sending back needs something for the
/// partner to act on; approving needs every endpoint and the integration-level sections signed off,
/// and a confirmation when comments are still open.
async fn refuse_decision(
    conn: &mut PgConnection,
    id: Uuid,
    reviewer: Uuid,
    form: &DecisionForm,
    action: Action,
    summary: &str,
) -> Result<Option<String>> {
    let open = comments::open_count(conn, id, reviewer).await?;
    if action == Action::SendBack {
        if open == 0 && summary.is_empty() {
            return Ok(Some("Say what the partner should change: sending back needs an open comment or a summary.".into()));
        }
        return Ok(None);
    }
    let snapshot = sqlx::query_scalar!(
        r#"SELECT snapshot AS "snapshot: sqlx::types::Json<Snapshot>" FROM revisions
           WHERE integration_id = $1 AND number = $2"#,
        id,
        form.revision
    )
    .fetch_one(&mut *conn)
    .await?;
    let signoffs = SignOffs::load(conn, id, &snapshot).await?;
    if signoffs.outstanding() > 0 {
        return Ok(Some(format!(
            "Not approved: {} of {} parts are not checked yet. Sign off the integration-level sections and every endpoint first.",
            signoffs.outstanding(),
            signoffs.total()
        )));
    }
    if open > 0 && form.confirm_open != "1" {
        return Ok(Some(format!(
            "{open} comment(s) are still open. Tick “Approve although comments are open” to approve anyway."
        )));
    }
    Ok(None)
}

/// The partner's active users and the integration's SPOC hear about a decision.
async fn notify_partner(
    conn: &mut PgConnection,
    config: &Config,
    id: Uuid,
    locked: &Locked,
    action: Action,
    summary: &str,
    comments: usize,
) -> sqlx::Result<()> {
    let mut recipients = sqlx::query_scalar!(
        r#"SELECT email::text AS "email!" FROM users WHERE company_id = $1 AND active"#,
        locked.company_id
    )
    .fetch_all(&mut *conn)
    .await?;
    // Decoded into the model, so a renamed field is a compile error here, not a silent NULL.
    let contacts = sqlx::query_scalar!(
        r#"SELECT data AS "data: sqlx::types::Json<Contacts>" FROM integration_sections
           WHERE integration_id = $1 AND section = 'contacts'"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let spoc = contacts.map(|sqlx::types::Json(contacts)| contacts.primary.email);
    if let Some(spoc) = spoc.filter(|e| !e.is_empty())
        && !recipients.iter().any(|r| r.eq_ignore_ascii_case(&spoc))
    {
        recipients.push(spoc);
    }
    let (subject, opening) = match action {
        Action::Approve => ("approved", "Haptik approved"),
        _ => ("needs changes", "Haptik's reviewer asked for changes to"),
    };
    let body = format!(
        "{opening} “{}”.\n\n{}{}{}\n",
        locked.name,
        if summary.is_empty() {
            String::new()
        } else {
            format!("The reviewer wrote:\n{summary}\n\n")
        },
        match comments {
            0 => String::new(),
            1 => "There is 1 comment on a specific item, shown beside it in the portal.\n\n".into(),
            n => format!(
                "There are {n} comments on specific items, each shown beside its item in the portal.\n\n"
            ),
        },
        config.link(&format!("/integrations/{id}"))
    );
    for to in recipients {
        let email = Email {
            to,
            subject: format!("“{}” {subject}", locked.name),
            body: body.clone(),
        };
        mail::enqueue(conn, &email).await?;
    }
    Ok(())
}

async fn partner_action(
    state: &AppState,
    partner: &PartnerUser,
    id: Uuid,
    action: Action,
) -> Result<Status> {
    let mut tx = state.db.begin().await?;
    let locked = lock(&mut tx, id, Some(partner.company_id)).await?;
    let next = illegal(locked.status, action, Actor::Partner)?;
    set_status(&mut tx, id, next, None).await?;
    let what = if action == Action::Reopen {
        "reopened"
    } else {
        "withdrawn"
    };
    crate::audit::record(&mut tx, Some(partner.user.id), Some(id), what, "").await?;
    tx.commit().await?;
    Ok(next)
}

pub async fn withdraw(
    State(state): State<AppState>,
    partner: PartnerUser,
    session: Session,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    partner_action(&state, &partner, id, Action::Withdraw).await?;
    session::flash(
        &session,
        FlashKind::Info,
        "Withdrawn: it is a draft again. Submit it when ready.",
    )
    .await?;
    Ok(Redirect::to(&format!("/integrations/{id}")).into_response())
}

pub async fn reopen(
    State(state): State<AppState>,
    partner: PartnerUser,
    session: Session,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    partner_action(&state, &partner, id, Action::Reopen).await?;
    session::flash(&session, FlashKind::Info, "Reopened for changes. The approved revision stays the approved description until the next approval.").await?;
    Ok(Redirect::to(&format!("/integrations/{id}")).into_response())
}

/// The latest decision on an integration, for the partner's page.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct LatestDecision {
    pub outcome: String,
    pub summary: String,
    pub revision: i32,
    pub reviewer: String,
    pub decided_at: OffsetDateTime,
}

impl LatestDecision {
    pub fn approved(&self) -> bool {
        self.outcome == "approved"
    }

    pub fn when(&self) -> String {
        crate::web::dates::date_time(self.decided_at)
    }
}

pub async fn latest(db: &sqlx::PgPool, id: Uuid) -> sqlx::Result<Option<LatestDecision>> {
    sqlx::query_as!(
        LatestDecision,
        "SELECT d.outcome, d.summary, d.revision, u.display_name AS reviewer, d.decided_at
         FROM decisions d JOIN users u ON u.id = d.reviewer_id
         WHERE d.integration_id = $1 ORDER BY d.decided_at DESC LIMIT 1",
        id
    )
    .fetch_optional(db)
    .await
}
