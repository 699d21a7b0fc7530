//! Chasing: reminding whoever holds the ball. The rules are `domain::reminders`; this area reads
//! where every integration stands and who its people are, and says who would get what
//! (`portal reminders --dry-run --at …`).

pub mod admin_page;
pub mod digest;
pub mod snooze;

use std::collections::BTreeSet;

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::model::Contacts;
use crate::domain::reminders::{self, Audience, Calendar, Due, Standing};
use crate::domain::workflow::Status;

/// The snooze, and the admin's reminders page.
pub fn router() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/integrations/{id}/snooze", post(snooze::snooze))
        .route("/admin/reminders", get(admin_page::show))
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

/// Every reminder due at `at`, with its recipients: what the scheduler would send.
pub async fn due_at(db: &PgPool, at: OffsetDateTime) -> sqlx::Result<Vec<Addressed>> {
    let calendar = calendar(db).await?;
    let standings = standings(db).await?;
    let due = reminders::due(&standings, &reminders::default_policies(), &calendar, at);
    let mut addressed = Vec::new();
    for due in due {
        let to = recipients(db, due.integration, due.audience).await?;
        if !to.is_empty() {
            addressed.push(Addressed { due, to });
        }
    }
    Ok(addressed)
}

async fn recipients(
    db: &PgPool,
    integration: Uuid,
    audience: Audience,
) -> sqlx::Result<Vec<String>> {
    let mut to: BTreeSet<String> = BTreeSet::new();
    match audience {
        Audience::PartnerTeam => {
            to.extend(
                sqlx::query_scalar!(
                    r#"SELECT u.email::text AS "email!" FROM users u JOIN integrations i ON i.company_id = u.company_id
                       WHERE i.id = $1 AND u.active"#,
                    integration
                )
                .fetch_all(db)
                .await?,
            );
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
                to.insert(contacts.primary.email.trim().to_lowercase());
            }
        }
        // Who holds it, or else who sent it back last.
        Audience::Reviewer => to.extend(
            sqlx::query_scalar!(
                r#"SELECT u.email::text AS "email!" FROM users u
                   WHERE u.active AND u.id = COALESCE(
                       (SELECT claimed_by FROM integrations WHERE id = $1),
                       (SELECT reviewer_id FROM decisions WHERE integration_id = $1 ORDER BY decided_at DESC LIMIT 1))"#,
                integration
            )
            .fetch_all(db)
            .await?,
        ),
        Audience::AllReviewers => to.extend(
            sqlx::query_scalar!(
                r#"SELECT email::text AS "email!" FROM users WHERE role = 'reviewer' AND active"#
            )
            .fetch_all(db)
            .await?,
        ),
    }
    Ok(to.into_iter().collect())
}
