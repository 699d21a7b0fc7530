//! The reviewer's "checked" mark on the integration-level sections and on each endpoint. A sign-off
//! remembers a fingerprint of what was checked, so on a resubmission it still counts for content
//! that did not change and lapses for content that did.

use axum_messages::Messages;
use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::AppState;
use crate::accounts::viewer::Staff;
use crate::domain::fingerprint::Fingerprints;
use crate::domain::revision::{self, Snapshot};
use crate::domain::workflow::{self, ReviewPart, Scope};
use crate::web::extract::{Form, Path};

use crate::web::{AppError, Result};

/// The integration-level sections' sign-off target; endpoints use their id.
pub const INTEGRATION: &str = "integration";

/// Every target of a revision with the fingerprint of its content there.
pub fn targets(snapshot: &Snapshot) -> Vec<(String, String)> {
    targets_of(snapshot, &Fingerprints::of(snapshot))
}

/// The targets with the fingerprints already computed for this snapshot.
fn targets_of(snapshot: &Snapshot, fingerprints: &Fingerprints) -> Vec<(String, String)> {
    std::iter::once((INTEGRATION.to_string(), fingerprints.integration.clone()))
        .chain(snapshot.endpoints.iter().map(|e| {
            let fingerprint = fingerprints
                .endpoints
                .get(&e.id)
                .cloned()
                .unwrap_or_default();
            (e.id.to_string(), fingerprint)
        }))
        .collect()
}

/// A stored sign-off: the fingerprint of what was checked, who checked it, on which revision.
type Held = (String, String, i32);

#[derive(Debug, Clone, Default)]
pub struct SignOffs {
    integration: Option<Held>,
    /// By endpoint id: the review page asks about each endpoint several times per view.
    endpoints: HashMap<Uuid, Held>,
    /// What each target holds in the revision shown, computed once per revision.
    current: Arc<Fingerprints>,
}

impl SignOffs {
    pub async fn load(
        conn: &mut PgConnection,
        integration: Uuid,
        fingerprints: Arc<Fingerprints>,
    ) -> sqlx::Result<SignOffs> {
        let rows = sqlx::query!(
            "SELECT s.target, s.fingerprint, u.display_name, s.revision
             FROM signoffs s JOIN users u ON u.id = s.reviewer_id WHERE s.integration_id = $1",
            integration
        )
        .fetch_all(conn)
        .await?;
        Ok(SignOffs::of(
            rows.into_iter()
                .map(|row| (row.target, row.fingerprint, row.display_name, row.revision)),
            fingerprints,
        ))
    }

    /// From stored sign-offs (target, fingerprint, who, revision) and the fingerprints of the
    /// revision shown.
    pub fn of(
        rows: impl IntoIterator<Item = (String, String, String, i32)>,
        fingerprints: Arc<Fingerprints>,
    ) -> SignOffs {
        let mut signoffs = SignOffs {
            current: fingerprints,
            ..SignOffs::default()
        };
        for (target, fingerprint, who, revision) in rows {
            let held = (fingerprint, who, revision);
            if target == INTEGRATION {
                signoffs.integration = Some(held);
            } else if let Ok(endpoint) = target.parse::<Uuid>() {
                signoffs.endpoints.insert(endpoint, held);
            }
        }
        signoffs
    }

    fn held(&self, target: &str) -> Option<(&Held, Option<&String>)> {
        if target == INTEGRATION {
            let held = self.integration.as_ref()?;
            return Some((held, Some(&self.current.integration)));
        }
        self.held_by_endpoint(&target.parse().ok()?)
    }

    fn held_by_endpoint(&self, id: &Uuid) -> Option<(&Held, Option<&String>)> {
        Some((self.endpoints.get(id)?, self.current.endpoints.get(id)))
    }

    /// Who signed this target off, and on which revision, if it still holds for this content.
    pub fn holding(&self, target: &str) -> Option<(&str, i32)> {
        Self::still_holds(self.held(target))
    }

    fn still_holds<'a>(held: Option<(&'a Held, Option<&String>)>) -> Option<(&'a str, i32)> {
        let ((fingerprint, who, revision), current) = held?;
        (current == Some(fingerprint)).then_some((who.as_str(), *revision))
    }

    pub fn signed(&self, target: &str) -> bool {
        self.holding(target).is_some()
    }

    /// A sign-off that lapsed because the content changed since.
    pub fn lapsed(&self, target: &str) -> bool {
        self.held(target).is_some() && !self.signed(target)
    }

    pub fn endpoint(&self, id: &Uuid) -> Option<(&str, i32)> {
        Self::still_holds(self.held_by_endpoint(id))
    }

    pub fn endpoint_lapsed(&self, id: &Uuid) -> bool {
        self.endpoints.contains_key(id) && self.endpoint(id).is_none()
    }

    /// The targets of the revision shown that are not signed off (or whose sign-off lapsed).
    pub fn outstanding(&self) -> usize {
        let integration = usize::from(!self.signed(INTEGRATION));
        integration
            + self
                .current
                .endpoints
                .keys()
                .filter(|id| self.endpoint(id).is_none())
                .count()
    }

    pub fn total(&self) -> usize {
        1 + self.current.endpoints.len()
    }
}

#[derive(Deserialize)]
pub struct SignOffForm {
    revision: i32,
    target: String,
    /// "1" signs off; anything else takes the sign-off back.
    #[serde(default)]
    signed: String,
}

pub async fn toggle(
    State(state): State<AppState>,
    Staff(reviewer): Staff,
    messages: Messages,
    Path(id): Path<Uuid>,
    Form(form): Form<SignOffForm>,
) -> Result<Response> {
    let signing = form.signed == "1";
    let title = set(
        &state.db,
        &reviewer,
        id,
        form.revision,
        &form.target,
        signing,
    )
    .await?;
    let message = if signing {
        format!("Checked: {title}.")
    } else {
        format!("Sign-off taken back: {title}.")
    };
    messages.success(message);
    let place = if form.target == INTEGRATION {
        "signoff-integration".to_string()
    } else {
        format!("endpoint-{}", form.target)
    };
    Ok(Redirect::to(&format!("/review/{id}#{place}")).into_response())
}

/// Signs a target of the revision under review off (or takes the sign-off back); for the page
/// and the API. Returns what was signed off, for the message.
pub async fn set(
    db: &sqlx::PgPool,
    reviewer: &crate::accounts::User,
    id: Uuid,
    revision: i32,
    target: &str,
    signing: bool,
) -> Result<String> {
    let mut tx = db.begin().await?;
    let locked = workflow::lock(&mut tx, id, Scope::Staff).await?;
    locked.reviewing(reviewer, ReviewPart::SignOffs, Some(revision))?;
    let snapshot = revision::snapshot(&mut tx, id, revision)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let (target, fingerprint) = targets(&snapshot)
        .into_iter()
        .find(|(t, _)| t == target)
        .ok_or(AppError::NotFound)?;
    let title = if target == INTEGRATION {
        "integration-level sections".to_string()
    } else {
        snapshot
            .endpoints
            .iter()
            .find(|e| e.id.to_string() == target)
            .map(|e| e.spec.title())
            .unwrap_or_default()
    };
    if signing {
        sqlx::query!(
            "INSERT INTO signoffs (integration_id, target, fingerprint, revision, reviewer_id) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (integration_id, target) DO UPDATE
             SET fingerprint = EXCLUDED.fingerprint, revision = EXCLUDED.revision,
                 reviewer_id = EXCLUDED.reviewer_id, signed_at = now()",
            id,
            target,
            fingerprint,
            revision,
            reviewer.id
        )
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query!(
            "DELETE FROM signoffs WHERE integration_id = $1 AND target = $2",
            id,
            target
        )
        .execute(&mut *tx)
        .await?;
    }
    let what = if signing {
        "signed_off"
    } else {
        "sign_off_withdrawn"
    };
    crate::audit::record(&mut tx, Some(reviewer.id), Some(id), what, &title).await?;
    tx.commit().await?;
    Ok(title)
}
