//! What the integration page shows around the integration, read in one statement: how many
//! revisions it has, the viewer's snooze, the company's partner code, the latest decision, its
//! timeline and comment threads, and
//! the row version the decoded integration is kept in memory under. The page's statement count
//! is watched (intake tests, bench/pages.sh).

use std::sync::Arc;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::AppState;
use crate::audit::Event;
use crate::domain::integration::Loaded;
use crate::review::comments::{CommentRow, Threads};
use crate::review::decisions::LatestDecision;
use crate::web::{AppError, Result};

pub struct Around {
    /// The integration row's version (`xmin`): every change to the integration, its sections or
    /// its endpoints writes that row (`store::touch`), so an unchanged version means unchanged
    /// content.
    pub row_version: String,
    pub revisions: i64,
    pub snoozed_until: Option<OffsetDateTime>,
    pub partner_code: Option<String>,
    pub decision: Option<LatestDecision>,
    /// The integration's timeline, newest first.
    pub events: Vec<Event>,
    /// The comment threads the viewer may see.
    pub threads: Threads,
}

/// The integration's surroundings, if `company` owns it.
pub async fn read(
    state: &AppState,
    id: Uuid,
    company: Uuid,
    viewer: Option<Uuid>,
) -> Result<Around> {
    state
        .pages
        .run(async |connection| surroundings(connection, id, viewer, company).await)
        .await?
        .ok_or(AppError::NotFound)
}

/// The integration as decoded, from memory while its row version is unchanged; otherwise read
/// (three statements, and every endpoint decoded) and kept.
pub async fn loaded(
    state: &AppState,
    id: Uuid,
    company: Uuid,
    around: &Around,
) -> Result<Arc<Loaded>> {
    if let Some(kept) = state.shared.loaded(id, &around.row_version) {
        return Ok(kept);
    }
    let loaded =
        crate::domain::integration::load(&mut *state.db.acquire().await?, id, Some(company))
            .await?
            .ok_or(AppError::NotFound)?;
    let loaded = Arc::new(loaded);
    state
        .shared
        .keep_loaded(id, around.row_version.clone(), loaded.clone());
    Ok(loaded)
}

/// What the page shows around the integration, in one statement.
async fn surroundings(
    connection: &mut sqlx::PgConnection,
    id: Uuid,
    viewer: Option<Uuid>,
    company: Uuid,
) -> sqlx::Result<Option<Around>> {
    let row = sqlx::query!(
        r#"SELECT i.xmin::text AS "row_version!",
                  (SELECT count(*) FROM revisions WHERE integration_id = i.id) AS "revisions!",
                  (SELECT until FROM reminder_snoozes
                   WHERE integration_id = i.id AND user_id = $2 AND until > now()) AS snoozed_until,
                  (SELECT partner_code FROM companies WHERE id = i.company_id) AS partner_code,
                  d.outcome AS "outcome?", d.summary AS "summary?", d.revision AS "decided_revision?",
                  (SELECT display_name FROM users WHERE id = d.reviewer_id) AS "reviewer?",
                  d.decided_at AS "decided_at?",
                  integration_timeline(i.id) AS "events!: sqlx::types::Json<Vec<Event>>",
                  integration_comments(i.id, $2) AS "comments!: sqlx::types::Json<Vec<CommentRow>>"
           -- Names and codes are lookups by key: a join hashed the whole table on every view.
           FROM integrations i
           LEFT JOIN LATERAL (SELECT * FROM decisions WHERE integration_id = i.id
                              ORDER BY decided_at DESC LIMIT 1) d ON true
           WHERE i.id = $1 AND i.company_id = $3"#,
        id,
        viewer,
        company
    )
    .fetch_optional(connection)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let decision = match (
        row.outcome,
        row.summary,
        row.decided_revision,
        row.reviewer,
        row.decided_at,
    ) {
        (Some(outcome), Some(summary), Some(revision), Some(reviewer), Some(decided_at)) => {
            Some(LatestDecision {
                outcome,
                summary,
                revision,
                reviewer,
                decided_at,
            })
        }
        _ => None,
    };
    Ok(Some(Around {
        row_version: row.row_version,
        revisions: row.revisions,
        snoozed_until: row.snoozed_until,
        partner_code: row.partner_code,
        decision,
        events: crate::audit::timeline(row.events.0),
        threads: Threads::of(row.comments.0),
    }))
}
