//! Claiming a submission and deciding on it (reviewers), withdrawing and reopening (partners).
//! Every status change is `workflow::transition` under the integration's row lock.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use sqlx::PgConnection;
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

use super::comments;
use super::decision_mail::DecisionMail;
use super::signoffs::SignOffs;
use crate::AppState;
use crate::accounts::User;
use crate::accounts::viewer::{PartnerUser, Staff};
use crate::domain::error::DomainError;
use crate::domain::revision;
use crate::domain::workflow::{
    self, Action, Decision, Locked, Outcome, Refusal, ReviewPart, Scope, Status,
};
use crate::web::extract::{Form, Path};
use crate::web::page::Page;

use crate::web::{AppError, Result};

pub async fn claim(
    State(state): State<AppState>,
    Staff(reviewer): Staff,
    messages: Messages,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    claim_for(&state, &reviewer, id).await?;
    messages.success("You are reviewing this submission.");
    Ok(Redirect::to(&format!("/review/{id}")).into_response())
}

/// A reviewer takes a submission to review it; for the page and the API.
pub async fn claim_for(state: &AppState, reviewer: &User, id: Uuid) -> Result<(), DomainError> {
    act(state, reviewer, id, Action::Claim).await.map(|_| ())
}

/// A status change with nothing else to it: claim, release, withdraw, reopen.
async fn act(
    state: &AppState,
    user: &User,
    id: Uuid,
    action: Action,
) -> Result<Status, DomainError> {
    let mut tx = state.db.begin().await?;
    let locked = workflow::lock(&mut tx, id, Scope::of(user)).await?;
    let next = workflow::transition(&mut tx, &locked, action, user, "").await?;
    tx.commit().await?;
    Ok(next)
}

pub async fn release(
    State(state): State<AppState>,
    Staff(reviewer): Staff,
    messages: Messages,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    act(&state, &reviewer, id, Action::Release).await?;
    messages.info("Released: another reviewer can take it.");
    Ok(Redirect::to(&format!("/review/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct DecisionForm {
    revision: i32,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    summary: String,
    /// The "approve although comments are open" box: present when ticked.
    #[serde(default)]
    confirm_open: Option<String>,
}

pub async fn decide(
    State(state): State<AppState>,
    Staff(reviewer): Staff,
    page: Page,
    messages: Messages,
    Path(id): Path<Uuid>,
    Form(form): Form<DecisionForm>,
) -> Result<Response> {
    // Nothing is preselected: sending without choosing comes back with the summary kept.
    if form.outcome.is_empty() {
        let mut view = super::revision_page::build(&state, &reviewer, page, id).await?;
        view.refusal = Some("choose whether to send it back or approve it.".into());
        view.summary = form.summary;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
    }
    let outcome = Outcome::parse(&form.outcome)
        .ok_or_else(|| AppError::BadRequest("unknown decision".into()))?;
    let decision = Decision::new(
        form.revision,
        outcome,
        &form.summary,
        form.confirm_open.as_deref() == Some("1"),
    );
    match decide_on(&state, &reviewer, id, &decision).await {
        // The page comes back with the reviewer's summary and choice kept, and why it was refused.
        Err(DomainError::Refused(refusal)) => {
            let mut view = super::revision_page::build(&state, &reviewer, page, id).await?;
            view.refusal = Some(refusal.to_string());
            view.summary = decision.summary;
            view.chosen = Some(outcome);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response())
        }
        Err(other) => Err(other.into()),
        Ok(()) => {
            let done = match outcome {
                Outcome::Approve => "Approved",
                Outcome::SendBack => "Sent back to the partner",
            };
            messages.success(format!("{done}; the partner has been told."));
            Ok(Redirect::to("/").into_response())
        }
    }
}

/// A reviewer's decision on the exact revision they read, for the page and the API alike.
pub async fn decide_on(
    state: &AppState,
    reviewer: &User,
    id: Uuid,
    decision: &Decision,
) -> Result<(), DomainError> {
    let mut tx = state.db.begin().await?;
    let locked = workflow::lock(&mut tx, id, Scope::Staff).await?;
    locked.reviewing(reviewer, ReviewPart::Decisions, Some(decision.revision))?;
    if let Some(refusal) = refuse_decision(&mut tx, &locked, reviewer.id, decision).await? {
        return Err(DomainError::Refused(refusal));
    }
    let published = comments::publish_drafts(&mut tx, id, reviewer.id).await?;
    let comments = published.len();
    let summary = &decision.summary;
    sqlx::query!(
        "INSERT INTO decisions (id, integration_id, revision, reviewer_id, outcome, summary) VALUES ($1, $2, $3, $4, $5, $6)",
        Uuid::new_v4(),
        id,
        decision.revision,
        reviewer.id,
        decision.outcome.as_str(),
        summary
    )
    .execute(&mut *tx)
    .await?;
    let detail = format!(
        "revision {}{}{}",
        decision.revision,
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
    let action = decision.outcome.action();
    workflow::transition(&mut tx, &locked, action, reviewer, detail).await?;
    let mail = DecisionMail {
        locked: &locked,
        action,
        revision: decision.revision,
        summary,
        published: &published,
    };
    mail.send(&mut tx, &state.config).await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(())
}

/// Why this decision cannot be sent as it is, if it cannot: sending back needs something for the
/// partner to act on; approving needs every endpoint and the integration-level sections signed off,
/// and a confirmation when comments are still open.
async fn refuse_decision(
    conn: &mut PgConnection,
    locked: &Locked,
    reviewer: Uuid,
    decision: &Decision,
) -> sqlx::Result<Option<Refusal>> {
    let open = comments::open_count(conn, locked.id, reviewer).await?;
    if decision.outcome == Outcome::SendBack {
        let nothing = open == 0 && decision.summary.is_empty();
        return Ok(nothing.then_some(Refusal::NothingToChange));
    }
    let snapshot = revision::snapshot(conn, locked.id, decision.revision)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let fingerprints = Arc::new(crate::domain::fingerprint::Fingerprints::of(&snapshot));
    let signoffs = SignOffs::load(conn, locked.id, fingerprints).await?;
    if signoffs.outstanding() > 0 {
        return Ok(Some(Refusal::NotSignedOff {
            outstanding: signoffs.outstanding(),
            total: signoffs.total(),
        }));
    }
    if open > 0 && !decision.confirm_open {
        return Ok(Some(Refusal::CommentsOpen(open)));
    }
    Ok(None)
}

pub async fn withdraw(
    State(state): State<AppState>,
    partner: PartnerUser,
    messages: Messages,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    act(&state, &partner.user, id, Action::Withdraw).await?;
    messages.info("Withdrawn: it is a draft again. Submit it when ready.");
    Ok(Redirect::to(&format!("/integrations/{id}")).into_response())
}

pub async fn reopen(
    State(state): State<AppState>,
    partner: PartnerUser,
    messages: Messages,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    act(&state, &partner.user, id, Action::Reopen).await?;
    messages.info("Reopened for changes. The approved revision stays the approved description until the next approval.");
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
