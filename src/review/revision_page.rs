//! What a reviewer reads: the frozen revision exactly as submitted, with the checklist's evidence
//! for every item (what was entered, what was marked not applicable and why).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::AppState;
use crate::checklist::{self, Assessment, EndpointAssessment, Settings};
use crate::intake::curl;
use crate::intake::model::{AuthScheme, ReachMode};
use crate::intake::submit::{Snapshot, SnapshotEndpoint};
use crate::review::workflow::Status;
use crate::web::extract::Path;
use crate::web::page::Page;
use crate::web::session::Staff;
use crate::web::{AppError, Result};

#[derive(sqlx::FromRow)]
struct LatestRevision {
    number: i32,
    snapshot: sqlx::types::Json<Snapshot>,
    submitted_by: String,
    submitted_at: OffsetDateTime,
    status: Status,
    claimed_by: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "review/revision.html")]
pub struct RevisionPage {
    pub page: Page,
    pub status: Status,
    pub number: i32,
    pub submitted_by: String,
    pub submitted_at: String,
    pub snapshot: Snapshot,
    pub assessment: Assessment,
    pub claimed_by: Option<String>,
    pub events: Vec<crate::audit::Event>,
}

impl RevisionPage {
    pub fn endpoint_result(&self, id: &Uuid) -> Option<&EndpointAssessment> {
        self.assessment.endpoint(*id)
    }

    pub fn reach_label(&self) -> &'static str {
        match self.snapshot.sections.reachability.mode {
            Some(ReachMode::Public) => "Publicly reachable",
            Some(ReachMode::Whitelisting)
                if self.snapshot.sections.reachability.whitelist_confirmed =>
            {
                "Whitelisting Haptik's egress IPs (confirmed allowed on staging)"
            }
            Some(ReachMode::Whitelisting) => "Whitelisting Haptik's egress IPs (not yet confirmed)",
            None => "Not answered",
        }
    }

    pub fn scheme_label(&self) -> &'static str {
        self.snapshot
            .sections
            .authentication
            .scheme
            .map_or("Not answered", AuthScheme::label)
    }

    pub fn staging_url(&self, endpoint: &SnapshotEndpoint) -> Option<String> {
        curl::full_url(
            &self.snapshot.sections.environments.staging_url,
            &endpoint.spec,
        )
    }

    pub fn can_claim(&self) -> bool {
        self.status == Status::Submitted
    }

    pub fn in_review(&self) -> bool {
        self.status == Status::InReview
    }

    pub fn method(&self, endpoint: &SnapshotEndpoint) -> &'static str {
        endpoint.spec.method.map_or("(no method)", |m| m.as_str())
    }
}

pub async fn show(
    State(state): State<AppState>,
    _staff: Staff,
    page: Page,
    Path(id): Path<Uuid>,
) -> Result<RevisionPage> {
    let latest: Option<LatestRevision> = sqlx::query_as(
        "SELECT r.number, r.snapshot, u.display_name AS submitted_by, r.submitted_at, i.status,
                cu.display_name AS claimed_by
         FROM revisions r JOIN users u ON u.id = r.submitted_by JOIN integrations i ON i.id = r.integration_id
         LEFT JOIN users cu ON cu.id = i.claimed_by
         WHERE r.integration_id = $1 ORDER BY r.number DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&state.db)
    .await?;
    let latest = latest.ok_or(AppError::NotFound)?;
    let settings = Settings::load(&state.db).await?;
    let snapshot = latest.snapshot.0;
    let specs: Vec<_> = snapshot.endpoints.iter().map(|e| (e.id, &e.spec)).collect();
    let assessment = checklist::assess(&snapshot.sections, &specs, &settings);
    Ok(RevisionPage {
        page,
        status: latest.status,
        number: latest.number,
        submitted_by: latest.submitted_by,
        submitted_at: crate::web::dates::date_time(latest.submitted_at),
        snapshot,
        assessment,
        claimed_by: latest.claimed_by,
        events: crate::audit::timeline(&state.db, id).await?,
    })
}
