//! Insights for Haptik's staff: how long integrations take and where they stall. The figures
//! are `domain::insights`; this area loads the history for a period and partner and shows it as
//! a page with charts (`/insights`), as CSV per table, and to the JSON API (`api::insights`).

pub mod chart;
pub mod csv;
pub mod filter;
pub mod page;

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::checklist;
use crate::domain::insights::{self, Decided, History, Insights, SendBackItem};
use crate::domain::workflow::Status;
use filter::Filter;

pub fn router() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/insights", get(page::show))
        .route("/insights/{table}", get(csv::download))
}

/// Partner companies that have submitted an integration, by name: the filter's choices.
pub async fn partners(db: &PgPool) -> sqlx::Result<Vec<(Uuid, String)>> {
    Ok(sqlx::query!(
        "SELECT c.id, c.name FROM companies c
         WHERE EXISTS (SELECT 1 FROM integrations i WHERE i.company_id = c.id AND i.waiting_since IS NOT NULL)
         ORDER BY c.name, c.id"
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|row| (row.id, row.name))
    .collect())
}

/// The figures for a filter, as they stand at `now`. Staff see what partners submitted, as on
/// every other page: a draft never submitted is the partner's own and counts nowhere here.
pub async fn load(db: &PgPool, filter: &Filter, now: OffsetDateTime) -> sqlx::Result<Insights> {
    let histories: Vec<History> = sqlx::query!(
        r#"SELECT i.id, i.name, c.name AS company, i.status AS "status: Status", i.move_since,
                  ARRAY(SELECT r.submitted_at FROM revisions r WHERE r.integration_id = i.id ORDER BY r.number) AS "submitted!",
                  ARRAY(SELECT d.decided_at FROM decisions d WHERE d.integration_id = i.id ORDER BY d.decided_at) AS "decided!",
                  ARRAY(SELECT d.outcome = 'approved' FROM decisions d WHERE d.integration_id = i.id ORDER BY d.decided_at) AS "approved!: Vec<bool>"
           FROM integrations i JOIN companies c ON c.id = i.company_id
           WHERE i.waiting_since IS NOT NULL AND ($1::uuid IS NULL OR i.company_id = $1)"#,
        filter.partner
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|row| History {
        integration: row.id,
        name: row.name,
        company: row.company,
        status: row.status,
        move_since: row.move_since,
        submitted: row.submitted,
        decisions: row
            .decided
            .into_iter()
            .zip(row.approved)
            .map(|(at, approved)| Decided { at, approved })
            .collect(),
    })
    .collect();
    // Reviewers' opening comments on the revision each send-back decided.
    let send_backs = sqlx::query!(
        r#"SELECT d.id, d.decided_at, c.item, c.endpoint_id IS NOT NULL AS "on_endpoint!"
           FROM decisions d
           JOIN integrations i ON i.id = d.integration_id
           JOIN comments c ON c.integration_id = d.integration_id AND c.revision = d.revision
           JOIN users u ON u.id = c.author_id
           WHERE d.outcome = 'sent_back' AND c.parent_id IS NULL AND c.published AND u.role <> 'partner'
             AND ($1::uuid IS NULL OR i.company_id = $1)
             AND (d.decided_at AT TIME ZONE 'UTC')::date BETWEEN $2 AND $3"#,
        filter.partner,
        filter.period.from,
        filter.period.until
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|row| SendBackItem {
        decision: row.id,
        decided_at: row.decided_at,
        item: match checklist::item(&row.item) {
            Some(item) => item.label.to_string(),
            None if row.on_endpoint => "An endpoint as a whole".to_string(),
            None => "The integration as a whole".to_string(),
        },
    })
    .collect::<Vec<_>>();
    Ok(insights::compute(
        &histories,
        &send_backs,
        filter.period,
        now,
    ))
}
