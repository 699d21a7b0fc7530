//! A partner user's "not this week": no reminders about one integration for seven days.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::AppState;
use crate::accounts::viewer::PartnerUser;
use crate::web::extract::Path;
use crate::web::{AppError, Result};

pub async fn snooze(
    State(state): State<AppState>,
    partner: PartnerUser,
    messages: Messages,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    let own = sqlx::query_scalar!(
        "SELECT id FROM integrations WHERE id = $1 AND company_id = $2",
        id,
        partner.company_id
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    let until = OffsetDateTime::now_utc() + Duration::days(7);
    sqlx::query!(
        "INSERT INTO reminder_snoozes (user_id, integration_id, until) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, integration_id) DO UPDATE SET until = EXCLUDED.until",
        partner.user.id,
        own,
        until
    )
    .execute(&state.db)
    .await?;
    messages.success(format!(
        "No reminders about this integration for you until {}.",
        crate::web::dates::date_time(until)
    ));
    Ok(Redirect::to(&format!("/integrations/{id}#whose-move")).into_response())
}
