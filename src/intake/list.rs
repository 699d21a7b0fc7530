//! A company's integrations, as the partner dashboard lists them, and starting a new one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgPool;
use uuid::Uuid;

use super::forms::{self, OverviewForm};
use super::store;
use crate::AppState;
use crate::accounts::viewer::PartnerUser;
use crate::domain::checklist::{self, Settings};
use crate::domain::integration;
use crate::domain::workflow::Status;
use crate::web::Result;
use crate::web::extract::Form;
use crate::web::forms::FieldErrors;
use crate::web::page::Page;

pub struct IntegrationSummary {
    pub id: Uuid,
    pub name: String,
    pub status: Status,
    pub endpoints: usize,
    pub done: usize,
    pub total: usize,
    pub percent: usize,
    pub updated: String,
    /// Reviewer comments the partner has not marked addressed yet.
    pub open_comments: i64,
    pub whose_move: Option<crate::web::whose_move::Move>,
}

/// Every integration of `company` with its completeness, in a fixed number of queries.
pub async fn summaries(db: &PgPool, company: Uuid) -> sqlx::Result<Vec<IntegrationSummary>> {
    let settings = Settings::load(db).await?;
    let loaded = integration::list_for_company(&mut *db.acquire().await?, company).await?;
    let open: std::collections::HashMap<Uuid, i64> = sqlx::query!(
        r#"SELECT c.integration_id, count(*) AS "open!" FROM comments c JOIN integrations i ON i.id = c.integration_id
           WHERE i.company_id = $1 AND c.parent_id IS NULL AND c.published AND c.state = 'open'
           GROUP BY c.integration_id"#,
        company
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|row| (row.integration_id, row.open))
    .collect();
    Ok(loaded
        .iter()
        .map(|l| {
            let assessment = checklist::assess(&l.sections, &l.specs(), &settings);
            IntegrationSummary {
                id: l.integration.id,
                name: l.integration.name.clone(),
                status: l.integration.status,
                endpoints: l.endpoints.len(),
                done: assessment.progress.done,
                total: assessment.progress.total,
                percent: assessment.progress.percent(),
                updated: crate::web::dates::date_time(l.integration.updated_at),
                open_comments: open.get(&l.integration.id).copied().unwrap_or(0),
                whose_move: crate::web::whose_move::of(
                    l.integration.status,
                    l.integration.move_since,
                    true,
                ),
            }
        })
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/new.html")]
pub struct NewPage {
    pub page: Page,
    pub name: String,
    pub purpose: String,
    pub errors: FieldErrors,
}

pub async fn new(_partner: PartnerUser, page: Page) -> NewPage {
    NewPage {
        page,
        name: String::new(),
        purpose: String::new(),
        errors: FieldErrors::default(),
    }
}

pub async fn create(
    State(state): State<AppState>,
    partner: PartnerUser,
    page: Page,
    Form(form): Form<OverviewForm>,
) -> Result<Response> {
    let parsed = forms::overview(&form);
    if !parsed.errors.is_empty() {
        let page = NewPage {
            page,
            name: form.name.chars().take(200).collect(),
            purpose: form.purpose.chars().take(4000).collect(),
            errors: parsed.errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let (name, purpose) = parsed.data;
    let mut conn = state.db.acquire().await?;
    let id = store::create(
        &mut conn,
        partner.company_id,
        partner.user.id,
        &name,
        &purpose,
    )
    .await?;
    Ok(Redirect::to(&format!("/integrations/{id}")).into_response())
}
