//! The landing page after sign-in, shaped by role.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::AppState;
use crate::accounts::{Role, invitations, users};
use crate::intake::list::{self, IntegrationSummary};
use crate::web::Result;
use crate::web::page::Page;
use crate::web::session::CurrentUser;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(show))
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    page: Page,
    heading: String,
    teammates: i64,
    pending_invitations: usize,
    companies: i64,
    integrations: Vec<IntegrationSummary>,
    waiting: Vec<Waiting>,
}

/// A submitted integration as reviewers see it on their dashboard.
#[derive(sqlx::FromRow)]
pub struct Waiting {
    pub id: uuid::Uuid,
    pub company: String,
    pub name: String,
    pub revision: i32,
    pub submitted_at: time::OffsetDateTime,
}

impl Waiting {
    pub fn submitted(&self) -> String {
        crate::web::dates::date_time(self.submitted_at)
    }
}

/// Integrations waiting for a reviewer, longest-waiting first, with their latest revision.
async fn waiting_for_review(db: &sqlx::PgPool) -> sqlx::Result<Vec<Waiting>> {
    sqlx::query_as(
        "SELECT i.id, c.name AS company, i.name, r.number AS revision, r.submitted_at
         FROM integrations i
         JOIN companies c ON c.id = i.company_id
         JOIN LATERAL (SELECT number, submitted_at FROM revisions WHERE integration_id = i.id
                       ORDER BY number DESC LIMIT 1) r ON true
         WHERE i.status = 'submitted'
         ORDER BY r.submitted_at
         LIMIT 200",
    )
    .fetch_all(db)
    .await
}

async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
) -> Result<DashboardPage> {
    let mut view = DashboardPage {
        page,
        heading: "Haptik".into(),
        teammates: 0,
        pending_invitations: 0,
        companies: 0,
        integrations: Vec::new(),
        waiting: Vec::new(),
    };
    match (user.role, user.company_id) {
        (Role::Partner, Some(company_id)) => {
            let members = users::company_members(&state.db, company_id).await?;
            view.teammates = members.iter().filter(|m| m.active).count() as i64;
            view.pending_invitations = invitations::pending(&state.db, Some(company_id))
                .await?
                .len();
            view.integrations = list::summaries(&state.db, company_id).await?;
            view.heading = user.company_name.clone().unwrap_or_default();
        }
        _ => {
            view.waiting = waiting_for_review(&state.db).await?;
            view.companies = sqlx::query_scalar("SELECT count(*) FROM companies")
                .fetch_one(&state.db)
                .await?;
        }
    }
    Ok(view)
}
