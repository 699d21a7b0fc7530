//! /admin/audit: every recorded event across the portal, for admins.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::viewer::Admin;
use crate::AppState;
use crate::audit::{self, Event};
use crate::web::Result;
use crate::web::page::Page;

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    page: Page,
    events: Vec<Event>,
}

pub async fn show(State(state): State<AppState>, _admin: Admin, page: Page) -> Result<AuditPage> {
    let events = audit::latest(&state.db, 300).await?;
    Ok(AuditPage { page, events })
}
