//! An admin gives a submission to a named reviewer: when the one who claimed it is away, or to
//! share the queue out. The reviewer is told by e-mail with a link to the submission.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::accounts::viewer::Admin;
use crate::domain::workflow::{self, Scope};
use crate::mail::{self, Email};
use crate::web::extract::{Form, Path};
use crate::web::{AppError, Result};

/// Who an admin can give a submission to: active reviewers and admins, by name.
pub async fn candidates(db: &sqlx::PgPool) -> sqlx::Result<Vec<(Uuid, String)>> {
    Ok(sqlx::query!(
        "SELECT id, display_name FROM users WHERE role IN ('reviewer', 'admin') AND active ORDER BY display_name"
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|row| (row.id, row.display_name))
    .collect())
}

#[derive(Deserialize)]
pub struct AssignForm {
    reviewer: Uuid,
}

pub async fn assign(
    State(state): State<AppState>,
    Admin(admin): Admin,
    messages: Messages,
    Path(id): Path<Uuid>,
    Form(form): Form<AssignForm>,
) -> Result<Response> {
    let reviewer = crate::accounts::users::find(&state.db, form.reviewer)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let locked = workflow::lock(&mut tx, id, Scope::Staff).await?;
    workflow::assign(&mut tx, &locked, &admin, &reviewer).await?;
    if reviewer.id != admin.id {
        let body = format!(
            "{} gave you “{}” to review.\n\nReview it here: {}\n",
            admin.display_name,
            locked.name,
            state.config.link(&format!("/review/{id}"))
        );
        let email = Email {
            to: reviewer.email.clone(),
            subject: format!("Assigned to you: {}", locked.name),
            body,
        };
        mail::enqueue(&mut tx, &email).await?;
    }
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    messages.success(format!("{} is reviewing it now.", reviewer.display_name));
    Ok(Redirect::to(&format!("/review/{id}#decision")).into_response())
}
