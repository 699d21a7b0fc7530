//! "Submit for review": allowed only when the checklist has nothing missing; freezes an immutable
//! snapshot as the next revision and tells the reviewers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use uuid::Uuid;

use super::integration_page::IntegrationPage;
use super::store;
use crate::AppState;
use crate::accounts::viewer::PartnerUser;
use crate::domain::checklist::{self, Settings};
use crate::domain::error::DomainError;
use crate::domain::integration;
use crate::domain::revision::{Snapshot, freeze};
use crate::domain::workflow::{self, Action, Actor, Scope};
use crate::mail::{self, Email};
use crate::review::comments::Threads;
use crate::web::extract::{Form, Path};
use crate::web::page::Page;

use crate::web::{AppError, Result};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SubmitForm {
    /// Ticked when the partner submits with reviewer comments still open.
    pub despite_open_comments: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    partner: PartnerUser,
    page: Page,
    messages: Messages,
    Path(id): Path<Uuid>,
    Form(form): Form<SubmitForm>,
) -> Result<Response> {
    let mut tx = state.db.begin().await?;
    let locked = workflow::lock(&mut tx, id, Scope::Company(partner.company_id)).await?;
    // Asked first, so a submission that cannot be made is not assessed and frozen in vain.
    locked
        .status
        .apply(Action::Submit, Actor::Partner)
        .map_err(DomainError::from)?;
    // Read inside the locking transaction: what is read is exactly what gets frozen.
    let loaded = integration::load(&mut tx, id, Some(partner.company_id))
        .await?
        .ok_or(AppError::NotFound)?;
    let settings = Settings::load(&mut *tx).await?;
    let assessment = checklist::assess(&loaded.sections, &loaded.specs(), &settings);
    // Open comments do not block a submission (a partner may disagree), but it is never by accident.
    let open = crate::review::comments::open_count(&mut tx, id, partner.user.id).await?;
    let unconfirmed_comments = open > 0 && form.despite_open_comments.is_none();
    if !assessment.ready() || unconfirmed_comments {
        tx.rollback().await?;
        let egress = store::egress_ips(&state.db).await?;
        let threads = Threads::load(&mut *state.db.acquire().await?, id, &partner.user).await?;
        let mut view = IntegrationPage::build(page, &loaded, &settings, egress);
        view.threads = threads;
        view.notice = Some(if assessment.ready() {
            format!(
                "Not submitted yet: {open} reviewer {} still open. Answer {} under “To do”, or tick that you submit with {} open.",
                if open == 1 {
                    "comment is"
                } else {
                    "comments are"
                },
                if open == 1 { "it" } else { "them" },
                if open == 1 { "it" } else { "them" }
            )
        } else {
            "Not submitted yet: the items listed under “Before you can submit” are still missing."
                .into()
        });
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
    }
    let snapshot = Snapshot::of(&loaded);
    let number = freeze(&mut tx, &snapshot, assessment.progress, partner.user.id).await?;
    let revision = format!("revision {number}");
    workflow::transition(&mut tx, &locked, Action::Submit, &partner.user, revision).await?;
    // A resubmission goes back to the reviewer who sent it back, claimed for them; only they are
    // told. A first submission, or one whose reviewer left, is for every reviewer.
    let returning = returning_reviewer(&mut tx, &state, id).await?;
    if let Some(reviewer) = &returning {
        let relocked = workflow::lock(&mut tx, id, Scope::Staff).await?;
        let why = "back to the reviewer who sent it back";
        workflow::transition(&mut tx, &relocked, Action::Claim, reviewer, why).await?;
    }
    let reviewers =
        match &returning {
            Some(reviewer) => vec![reviewer.email.to_string()],
            None => sqlx::query_scalar!(
                r#"SELECT email::text AS "email!" FROM users WHERE role = 'reviewer' AND active"#
            )
            .fetch_all(&mut *tx)
            .await?,
        };
    let answered = crate::review::comments::answered(&mut tx, id).await?;
    let body = reviewer_mail(
        &state,
        &partner.user,
        &snapshot,
        number,
        returning.is_some(),
        &answered,
    );
    let subject = format!(
        "{}: {} – {}",
        if returning.is_some() {
            "Back to you"
        } else {
            "Submitted for review"
        },
        snapshot.company,
        snapshot.name
    );
    for reviewer in reviewers {
        let email = Email {
            to: reviewer,
            subject: subject.clone(),
            body: body.clone(),
        };
        mail::enqueue(&mut tx, &email).await?;
    }
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    messages.success(format!("Submitted as revision {number}. Haptik's reviewers have been told; you can read it here while they review."));
    Ok(Redirect::to(&format!("/integrations/{id}")).into_response())
}

/// The reviewer whose latest decision on this integration sent it back, if they still review.
async fn returning_reviewer(
    conn: &mut sqlx::PgConnection,
    state: &AppState,
    id: Uuid,
) -> Result<Option<crate::accounts::User>> {
    let latest = sqlx::query!(
        "SELECT reviewer_id, outcome FROM decisions WHERE integration_id = $1
         ORDER BY decided_at DESC LIMIT 1",
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(latest) = latest.filter(|d| d.outcome == "sent_back") else {
        return Ok(None);
    };
    let reviewer = crate::accounts::users::find(&state.db, latest.reviewer_id).await?;
    Ok(reviewer.filter(|r| r.active && r.role.is_staff()))
}

/// The reviewers' e-mail: who submitted what, and on a resubmission each comment the partner
/// answered, linked to its thread on the review page.
fn reviewer_mail(
    state: &AppState,
    partner: &crate::accounts::User,
    snapshot: &Snapshot,
    number: i32,
    returning: bool,
    answered: &[crate::review::comments::Published],
) -> String {
    let id = snapshot.integration_id;
    let mut body = format!(
        "{} of {} submitted “{}” (revision {number}) for review{}.\n\n",
        partner.display_name,
        snapshot.company,
        snapshot.name,
        if returning {
            "; it is back with you, who sent it back"
        } else {
            ""
        },
    );
    body.push_str(&format!(
        "Review it here: {}\n",
        state.config.link(&format!("/review/{id}"))
    ));
    if !answered.is_empty() {
        body.push_str("\nThe partner answered these comments:\n");
        for thread in answered {
            let link = format!("/review/{id}#comment-{}", thread.thread);
            body.push_str(&thread.mail_line(Some(snapshot), &state.config.link(&link)));
        }
    }
    body
}
