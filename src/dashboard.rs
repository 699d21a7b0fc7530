//! The landing page after sign-in, shaped by role.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::AppState;
use crate::accounts::viewer::CurrentUser;
use crate::accounts::{Role, invitations, users};
use crate::intake::list::{self, IntegrationSummary};
use crate::review::queue::{self, Filter, QueueRow};
use crate::web::Result;
use crate::web::page::Page;

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
    waiting: std::sync::Arc<Vec<QueueRow>>,
    waiting_total: i64,
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
        waiting: Default::default(),
        waiting_total: 0,
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
            let queue =
                queue::fetch(&state.db, &state.shared, &Filter::default(), user.id, 10).await?;
            view.waiting = queue.rows;
            view.waiting_total = queue.total;
            view.companies =
                sqlx::query_scalar!(r#"SELECT count(*) AS "companies!" FROM companies"#)
                    .fetch_one(&state.db)
                    .await?;
        }
    }
    Ok(view)
}
