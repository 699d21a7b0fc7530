//! The landing page after sign-in, shaped by role.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::AppState;
use crate::accounts::{Role, invitations, users};
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
}

async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
) -> Result<DashboardPage> {
    let (heading, teammates, pending_invitations, companies) = match (user.role, user.company_id) {
        (Role::Partner, Some(company_id)) => {
            let members = users::company_members(&state.db, company_id).await?;
            let pending = invitations::pending(&state.db, Some(company_id)).await?;
            let active = members.iter().filter(|m| m.active).count() as i64;
            (
                user.company_name.clone().unwrap_or_default(),
                active,
                pending.len(),
                0,
            )
        }
        _ => {
            let companies: i64 = sqlx::query_scalar("SELECT count(*) FROM companies")
                .fetch_one(&state.db)
                .await?;
            ("Haptik".to_string(), 0, 0, companies)
        }
    };
    Ok(DashboardPage {
        page,
        heading,
        teammates,
        pending_invitations,
        companies,
    })
}
