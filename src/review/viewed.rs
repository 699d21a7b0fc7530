//! A reviewer's personal "viewed" mark on an endpoint, as on a pull request's file. It folds the
//! endpoint's evidence away for that reviewer, counts in the navigation, and lapses when the
//! endpoint changes. Unlike a sign-off it decides nothing and nobody else sees it.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::accounts::viewer::Staff;
use crate::domain::fingerprint::{Fingerprints, endpoint_fingerprint};
use crate::domain::revision::{self, Snapshot};
use crate::web::extract::{Form, Path};
use crate::web::{AppError, Result};

/// Which endpoints of a revision one reviewer has viewed as they are now.
#[derive(Debug, Clone, Default)]
pub struct Viewed {
    current: Vec<Uuid>,
}

impl Viewed {
    /// From the reviewer's stored marks (endpoint → fingerprint when marked) and the revision shown.
    pub fn of(
        marks: &HashMap<Uuid, String>,
        snapshot: &Snapshot,
        fingerprints: &Fingerprints,
    ) -> Viewed {
        let current = snapshot
            .endpoints
            .iter()
            .filter(|e| {
                marks.contains_key(&e.id) && marks.get(&e.id) == fingerprints.endpoints.get(&e.id)
            })
            .map(|e| e.id)
            .collect();
        Viewed { current }
    }

    pub fn has(&self, endpoint: &Uuid) -> bool {
        self.current.contains(endpoint)
    }

    pub fn count(&self) -> usize {
        self.current.len()
    }
}

#[derive(Deserialize)]
pub struct ViewedForm {
    endpoint: Uuid,
    /// "1" marks the endpoint viewed; anything else clears the mark.
    #[serde(default)]
    viewed: String,
}

/// Marks an endpoint of the latest revision viewed (or not) for the signed-in reviewer. Any staff
/// member may, claimed or not: reading ahead is not reviewing.
pub async fn toggle(
    State(state): State<AppState>,
    Staff(reviewer): Staff,
    Path(id): Path<Uuid>,
    Form(form): Form<ViewedForm>,
) -> Result<Response> {
    let mut conn = state.db.acquire().await?;
    let (_, snapshot) = revision::latest(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let endpoint = snapshot
        .endpoints
        .iter()
        .find(|e| e.id == form.endpoint)
        .ok_or(AppError::NotFound)?;
    if form.viewed == "1" {
        sqlx::query!(
            "INSERT INTO endpoint_views (user_id, integration_id, endpoint_id, fingerprint) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, integration_id, endpoint_id) DO UPDATE
             SET fingerprint = EXCLUDED.fingerprint, viewed_at = now()",
            reviewer.id,
            id,
            endpoint.id,
            endpoint_fingerprint(&endpoint.spec)
        )
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query!(
            "DELETE FROM endpoint_views WHERE user_id = $1 AND integration_id = $2 AND endpoint_id = $3",
            reviewer.id,
            id,
            endpoint.id
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(Redirect::to(&format!("/review/{id}#endpoint-{}", endpoint.id)).into_response())
}
