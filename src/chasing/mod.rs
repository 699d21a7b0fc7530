//! Chasing: reminding whoever holds the ball. The rules are `domain::reminders`; this area reads
//! where every integration stands and who its people are, and says who would get what
//! (`portal reminders --dry-run --at …`).

pub mod admin_page;
pub mod digest;
pub mod snooze;

use std::collections::BTreeMap;

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::model::Contacts;
use crate::domain::reminders::{self, Audience, Calendar, Due, PolicySetting, Standing};
use crate::domain::time_zone::{self, TimeZone};
use crate::domain::workflow::Status;

/// The snooze, and the admin's reminders page.
pub fn router() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/integrations/{id}/snooze", post(snooze::snooze))
        .route("/admin/reminders", get(admin_page::show))
        .route(
            "/admin/reminders/policies/{id}",
            post(admin_page::save_policy),
        )
        .route("/admin/reminders/holidays", post(admin_page::add_holiday))
        .route(
            "/admin/reminders/holidays/{day}/delete",
            post(admin_page::remove_holiday),
        )
}

/// A due reminder with the addresses it goes to.
#[derive(Debug, Clone)]
pub struct Addressed {
    pub due: Due,
    pub to: Vec<String>,
}

impl Addressed {
    /// One line of the dry run.
    pub fn line(&self) -> String {
        let when = crate::web::dates::date_time(self.due.due_at);
        format!(
            "{when}  {}  “{}”: {}  [{}]",
            self.to.join(", "),
            self.due.name,
            self.due.policy,
            self.due.key
        )
    }
}

pub async fn calendar(db: &PgPool) -> sqlx::Result<Calendar> {
    let days = sqlx::query_scalar!("SELECT day FROM holidays")
        .fetch_all(db)
        .await?;
    Ok(Calendar {
        holidays: days.into_iter().collect(),
    })
}

async fn standings(db: &PgPool) -> sqlx::Result<Vec<Standing>> {
    Ok(sqlx::query!(
        r#"SELECT id, name, status AS "status: Status", move_since, updated_at FROM integrations
           WHERE status <> 'approved'"#
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|row| Standing {
        integration: row.id,
        name: row.name,
        status: row.status,
        move_since: row.move_since,
        updated_at: row.updated_at,
    })
    .collect())
}

/// The policies in force: the defaults with what admins changed.
pub async fn policies(db: &PgPool) -> sqlx::Result<Vec<reminders::Policy>> {
    let settings = sqlx::query!(
        r#"SELECT policy, enabled, steps AS "steps: sqlx::types::Json<Vec<(u32, Audience)>>"
           FROM reminder_policies"#
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|row| {
        let setting = PolicySetting {
            enabled: row.enabled,
            steps: row.steps.0,
        };
        (row.policy, setting)
    })
    .collect();
    Ok(reminders::policies(&settings))
}

/// Every reminder due at `at`, with its recipients: what the scheduler would send. Days are
/// counted in each recipient's time zone where it is known (the SPOC's, from their hours), in
/// UTC otherwise.
pub async fn due_at(db: &PgPool, at: OffsetDateTime) -> sqlx::Result<Vec<Addressed>> {
    let calendar = calendar(db).await?;
    let standings = standings(db).await?;
    let steps = reminders::steps(&standings, &policies(db).await?);
    let mut addressed = Vec::new();
    for step in steps {
        let mut by_moment: BTreeMap<OffsetDateTime, Vec<String>> = BTreeMap::new();
        for (to, zone) in recipients(db, step.integration, step.audience).await? {
            let due_at = step.due_at(&calendar, zone.as_ref().unwrap_or(&TimeZone::UTC));
            if due_at <= at {
                by_moment.entry(due_at).or_default().push(to);
            }
        }
        addressed.extend(by_moment.into_iter().map(|(due_at, to)| Addressed {
            due: step.due(due_at),
            to,
        }));
    }
    addressed.sort_by_key(|a| a.due.due_at);
    Ok(addressed)
}

/// Who an audience is for one integration, each with their time zone where it is known.
async fn recipients(
    db: &PgPool,
    integration: Uuid,
    audience: Audience,
) -> sqlx::Result<Vec<(String, Option<TimeZone>)>> {
    let mut to: BTreeMap<String, Option<TimeZone>> = BTreeMap::new();
    let emails = match audience {
        Audience::PartnerTeam => {
            let contacts = sqlx::query_scalar!(
                r#"SELECT data AS "data: sqlx::types::Json<Contacts>" FROM integration_sections
                   WHERE integration_id = $1 AND section = 'contacts'"#,
                integration
            )
            .fetch_optional(db)
            .await?;
            if let Some(sqlx::types::Json(contacts)) = contacts
                && !contacts.primary.email.trim().is_empty()
            {
                to.insert(
                    contacts.primary.email.trim().to_lowercase(),
                    time_zone::from_hours_text(&contacts.primary.hours),
                );
            }
            sqlx::query_scalar!(
                r#"SELECT lower(u.email::text) AS "email!" FROM users u JOIN integrations i ON i.company_id = u.company_id
                   WHERE i.id = $1 AND u.active"#,
                integration
            )
            .fetch_all(db)
            .await?
        }
        // Who holds it, or else who sent it back last.
        Audience::Reviewer => sqlx::query_scalar!(
            r#"SELECT u.email::text AS "email!" FROM users u
               WHERE u.active AND u.id = COALESCE(
                   (SELECT claimed_by FROM integrations WHERE id = $1),
                   (SELECT reviewer_id FROM decisions WHERE integration_id = $1 ORDER BY decided_at DESC LIMIT 1))"#,
            integration
        )
        .fetch_all(db)
        .await?,
        Audience::AllReviewers => sqlx::query_scalar!(
            r#"SELECT email::text AS "email!" FROM users WHERE role = 'reviewer' AND active"#
        )
        .fetch_all(db)
        .await?,
    };
    for email in emails {
        // A user who is also the SPOC keeps the SPOC's zone.
        to.entry(email).or_insert(None);
    }
    Ok(to.into_iter().collect())
}
