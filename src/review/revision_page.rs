//! What a reviewer reads: the frozen revision exactly as submitted, with the checklist's evidence
//! for every item (what was entered, what was marked not applicable and why).

use askama::Template;
use axum::extract::State;
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::AppState;
use crate::accounts::viewer::Staff;
use crate::domain::checklist::{self, Assessment, EndpointAssessment};
use crate::domain::fingerprint::Fingerprints;
use crate::domain::model::{AuthScheme, ReachMode};
use crate::domain::revision::{Snapshot, SnapshotEndpoint};
use crate::domain::workflow::Outcome;
use crate::domain::workflow::Status;
use crate::review::comments::{CommentRow, Thread, Threads};
use crate::review::diff::{self, RevisionDiff};
use crate::review::marks::{MarkRow, Marks};
use crate::review::signoffs::SignOffs;
use crate::review::viewed::Viewed;
use crate::shared_cache::Frozen;
use crate::web::extract::Path;
use crate::web::page::Page;
use crate::web::{AppError, Result};

#[derive(sqlx::FromRow)]
struct LatestRevision {
    revision_id: Uuid,
    number: i32,
    submitted_by: String,
    submitted_at: OffsetDateTime,
    status: Status,
    claimed_by: Option<String>,
    claimed_by_id: Option<Uuid>,
    move_since: OffsetDateTime,
    /// The revision a reviewer compares against: the latest one decided on before this one,
    /// else the one just before it.
    compare_id: Option<Uuid>,
    compare_number: Option<i32>,
    /// The integration's timeline, newest first.
    events: sqlx::types::Json<Vec<crate::audit::Event>>,
    /// The comments the reviewer may see (theirs as drafts too).
    comments: sqlx::types::Json<Vec<CommentRow>>,
    /// Sign-offs, this reviewer's viewed marks and the latest staging verdicts (`marks.rs`).
    marks: sqlx::types::Json<Vec<MarkRow>>,
}

#[derive(Template)]
#[template(path = "review/revision.html")]
pub struct RevisionPage {
    pub page: Page,
    pub status: Status,
    pub number: i32,
    pub submitted_by: String,
    pub submitted_at: String,
    pub snapshot: Arc<Snapshot>,
    /// Computed once per revision, with the snapshot.
    pub fingerprints: Arc<Fingerprints>,
    /// Each endpoint's evidence as HTML and staging URL, derived once per revision.
    pub derived: Arc<crate::review::evidence::Derived>,
    /// Made once per revision and checklist settings.
    pub assessment: Arc<Assessment>,
    /// Each endpoint's checklist items as HTML, listed once per assessment.
    pub items: Arc<crate::review::evidence::ItemLists>,
    pub claimed_by: Option<String>,
    pub claimed_by_id: Option<Uuid>,
    pub whose_move: Option<crate::web::whose_move::Move>,
    pub events: Vec<crate::audit::Event>,
    pub threads: Threads,
    pub signoffs: SignOffs,
    /// The endpoints this reviewer marked viewed, as they are now.
    pub viewed: Viewed,
    /// What changed since the revision the reviewer last decided on (or the one before).
    pub since: Option<RevisionDiff>,
    /// A refused decision comes back with what the reviewer wrote and chose, and why.
    pub refusal: Option<String>,
    pub summary: String,
    /// The outcome the reviewer chose, kept when the decision comes back refused; none at first.
    pub chosen: Option<Outcome>,
    /// The latest staging check of each endpoint and scenario.
    pub staging: Vec<crate::staging::results::CheckRow>,
    /// Only the endpoints that changed since the last decision are shown.
    pub only_changed: bool,
    /// For an admin: the reviewers the submission can be given to.
    pub assignable: Vec<(Uuid, String)>,
}

impl axum::response::IntoResponse for RevisionPage {
    fn into_response(self) -> axum::response::Response {
        static LAST: crate::web::sized_html::LastSize = crate::web::sized_html::LastSize::new();
        crate::web::sized_html::response(&self, &LAST)
    }
}

impl RevisionPage {
    /// Whether the reviewer chose the form value `outcome` (`Outcome::parse` reads the same values).
    pub fn chose(&self, outcome: &str) -> bool {
        self.chosen.is_some() && self.chosen == Outcome::parse(outcome)
    }

    /// The reviewer's pending review: each draft comment the decision will send, where it is
    /// ("Generate OTP · Headers"), its first words and its thread's id.
    pub fn pending(&self) -> Vec<(String, String, Uuid)> {
        self.threads
            .0
            .iter()
            .filter(|t| t.first.draft)
            .map(|t| {
                (
                    t.anchor.place(Some(&self.snapshot)),
                    crate::domain::text::shorten(&t.first.body, 120),
                    t.id(),
                )
            })
            .collect()
    }

    /// Whether an endpoint shows: all of them, or with "only what changed", the changed ones.
    pub fn shows(&self, id: &Uuid) -> bool {
        !self.only_changed || self.changed_since(id)
    }

    /// Marked viewed by this reviewer, or signed off and not changed since: its evidence folds
    /// away.
    pub fn settled(&self, id: &Uuid) -> bool {
        self.viewed.has(id) || (self.signoffs.endpoint(id).is_some() && !self.changed_since(id))
    }

    pub fn changed_count(&self) -> usize {
        self.snapshot
            .endpoints
            .iter()
            .filter(|e| self.changed_since(&e.id))
            .count()
    }

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

    pub fn staging_url(&self, endpoint: &SnapshotEndpoint) -> Option<&str> {
        self.derived
            .staging_urls
            .get(&endpoint.id)
            .map(String::as_str)
    }

    pub fn can_claim(&self) -> bool {
        self.status == Status::Submitted
    }

    pub fn in_review(&self) -> bool {
        self.status == Status::InReview
    }

    pub fn claimed_by_is(&self, id: &Uuid) -> bool {
        self.claimed_by_id == Some(*id)
    }

    /// In review by the viewer, or by anyone when the viewer is an admin who may step in: the
    /// comment, sign-off and decision forms show.
    pub fn reviewing(&self) -> bool {
        let viewer = self.page.user.as_ref().map(|u| u.id);
        self.in_review() && (self.claimed_by_id == viewer || self.page.is_admin())
    }

    pub fn integration_id(&self) -> Uuid {
        self.snapshot.integration_id
    }

    pub fn changed_since(&self, id: &Uuid) -> bool {
        self.since.as_ref().is_some_and(|d| d.endpoint_changed(id))
    }

    pub fn orphaned(&self) -> Vec<&Thread> {
        let present: Vec<Uuid> = self.snapshot.endpoints.iter().map(|e| e.id).collect();
        self.threads.elsewhere(&present)
    }

    pub fn answered(&self) -> Vec<&Thread> {
        self.threads.answered_before(self.number)
    }

    /// The latest check of the endpoint's success example.
    pub fn staging_check(&self, id: &Uuid) -> Option<&crate::staging::results::CheckRow> {
        self.staging
            .iter()
            .find(|c| c.endpoint_id == *id && c.scenario.is_empty())
    }

    pub fn fingerprint(&self, endpoint: &SnapshotEndpoint) -> String {
        match self.fingerprints.staging.get(&endpoint.id) {
            Some(fingerprint) => fingerprint.clone(),
            None => crate::domain::fingerprint::staging_fingerprint(
                &self.snapshot.sections,
                &endpoint.spec,
            ),
        }
    }

    /// The endpoint's checklist items, with the threads among them (`evidence.rs`).
    pub fn items(&self, result: &EndpointAssessment) -> askama::Result<std::borrow::Cow<'_, str>> {
        crate::review::evidence::endpoint_items(
            &self.items,
            result,
            &self.threads,
            &self.page.csrf_token,
        )
    }

    /// What the partner entered for the endpoint, rendered once per revision (`evidence.rs`).
    pub fn evidence(&self, id: &Uuid) -> &str {
        self.derived.evidence.get(id).map_or("", String::as_str)
    }

    pub fn method(&self, endpoint: &SnapshotEndpoint) -> &'static str {
        endpoint.spec.method.map_or("(no method)", |m| m.as_str())
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    /// `?changed=1`: only the endpoints that changed since the last decision.
    changed: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Staff(reviewer): Staff,
    page: Page,
    Path(id): Path<Uuid>,
    axum::extract::Query(query): axum::extract::Query<ShowQuery>,
) -> Result<RevisionPage> {
    let mut view = build(&state, &reviewer, page, id).await?;
    view.only_changed = query.changed.is_some() && view.since.is_some();
    Ok(view)
}

/// The latest revision of an integration as `reviewer` sees it.
pub async fn build(
    state: &AppState,
    reviewer: &crate::accounts::User,
    page: Page,
    id: Uuid,
) -> Result<RevisionPage> {
    let latest = state
        .pages
        .run(async |connection| latest_revision(connection, id, reviewer.id).await)
        .await?;
    let latest = latest.ok_or(AppError::NotFound)?;
    let site = state.shared.site(&state.db).await?;
    let settings = &site.checklist;
    let (snapshot, fingerprints) = snapshot(state, latest.revision_id).await?;
    let assessment = match state.shared.assessment(latest.revision_id, &site) {
        Some(kept) => kept,
        None => {
            let specs: Vec<_> = snapshot.endpoints.iter().map(|e| (e.id, &e.spec)).collect();
            let made = Arc::new(checklist::assess(&snapshot.sections, &specs, settings));
            state
                .shared
                .keep_assessment(latest.revision_id, site.clone(), made.clone());
            made
        }
    };
    let threads = Threads::of(latest.comments.0);
    let derived = crate::review::evidence::of(&state.shared, latest.revision_id, &snapshot)
        .map_err(anyhow::Error::from)?;
    let items = derived.items(&assessment).map_err(anyhow::Error::from)?;
    let marks = Marks::of(latest.marks.0, &snapshot, &fingerprints);
    let since = match (latest.compare_id, latest.compare_number) {
        (Some(old), Some(number)) => {
            let (old, _) = self::snapshot(state, old).await?;
            Some(diff::diff(number, &old, latest.number, &snapshot))
        }
        _ => None,
    };
    let open = matches!(latest.status, Status::Submitted | Status::InReview);
    let assignable = if reviewer.role == crate::domain::account::Role::Admin && open {
        crate::review::assign::candidates(&state.db).await?
    } else {
        Vec::new()
    };
    Ok(RevisionPage {
        page,
        status: latest.status,
        number: latest.number,
        submitted_by: latest.submitted_by,
        submitted_at: crate::web::dates::date_time(latest.submitted_at),
        snapshot,
        fingerprints,
        derived,
        assessment,
        items,
        claimed_by: latest.claimed_by,
        claimed_by_id: latest.claimed_by_id,
        whose_move: crate::web::whose_move::of(latest.status, latest.move_since, false),
        events: crate::audit::timeline(latest.events.0),
        threads,
        signoffs: marks.signoffs,
        viewed: marks.viewed,
        since,
        refusal: None,
        summary: String::new(),
        chosen: None,
        only_changed: false,
        assignable,
        staging: marks.staging,
    })
}

/// The latest revision of an integration with everything the page shows around it, in one
/// statement (`tests/it/page_statements.rs`).
async fn latest_revision(
    connection: &mut sqlx::PgConnection,
    id: Uuid,
    reviewer: Uuid,
) -> sqlx::Result<Option<LatestRevision>> {
    sqlx::query_as!(
        LatestRevision,
        r#"SELECT r.id AS revision_id, r.number,
                  (SELECT display_name FROM users WHERE id = r.submitted_by) AS "submitted_by!",
                  r.submitted_at, i.status AS "status: Status",
                  (SELECT display_name FROM users WHERE id = i.claimed_by) AS "claimed_by?",
                  i.claimed_by AS claimed_by_id, i.move_since,
                  seen.id AS "compare_id?", seen.number AS "compare_number?",
                  integration_timeline(i.id) AS "events!: sqlx::types::Json<Vec<crate::audit::Event>>",
                  integration_comments(i.id, $2) AS "comments!: sqlx::types::Json<Vec<CommentRow>>",
                  (SELECT coalesce(json_agg(m), '[]'::json) FROM (
                     SELECT 'signoff' AS kind, NULL::uuid AS endpoint_id, s.target, s.fingerprint,
                            (SELECT display_name FROM users WHERE id = s.reviewer_id) AS who,
                            s.revision, NULL::timestamptz AS checked_at, NULL::text AS verdict,
                            NULL::uuid AS check_id
                     FROM signoffs s WHERE s.integration_id = i.id
                     UNION ALL
                     SELECT 'viewed', v.endpoint_id, NULL, v.fingerprint, NULL, NULL, NULL, NULL, NULL
                     FROM endpoint_views v WHERE v.integration_id = i.id AND v.user_id = $2
                     UNION ALL
                     (SELECT DISTINCT ON (c.endpoint_id) 'staging', c.endpoint_id, c.target,
                             c.fingerprint, (SELECT display_name FROM users WHERE id = c.checked_by),
                             c.revision, c.checked_at, c.verdict, c.id
                      FROM staging_checks c
                      WHERE c.integration_id = i.id AND c.scenario = '' AND c.verdict <> 'running'
                      ORDER BY c.endpoint_id, c.checked_at DESC)) m
                  ) AS "marks!: sqlx::types::Json<Vec<MarkRow>>"
           -- Names are lookups by key: joining users hashed the whole table on every view.
           FROM integrations i
           JOIN LATERAL (SELECT id, integration_id, number, submitted_by, submitted_at FROM revisions
                         WHERE integration_id = i.id ORDER BY number DESC LIMIT 1) r ON true
           LEFT JOIN LATERAL (
               SELECT p.id, p.number FROM revisions p
               WHERE p.integration_id = r.integration_id AND p.number < r.number
               ORDER BY EXISTS (SELECT 1 FROM decisions d WHERE d.integration_id = p.integration_id AND d.revision = p.number) DESC,
                        p.number DESC
               LIMIT 1) seen ON true
           WHERE i.id = $1"#,
        id,
        reviewer
    )
    .fetch_optional(connection)
    .await
}

/// A revision's snapshot and its fingerprints, decoded and computed once: revisions never
/// change, so what is kept in memory is current for as long as it is kept.
async fn snapshot(state: &AppState, revision: Uuid) -> Result<Frozen> {
    if let Some(kept) = state.shared.snapshot(revision) {
        return Ok(kept);
    }
    let stored = sqlx::query_scalar!(
        r#"SELECT snapshot AS "snapshot: sqlx::types::Json<Snapshot>" FROM revisions WHERE id = $1"#,
        revision
    )
    .fetch_one(&state.db)
    .await?;
    let fingerprints = Arc::new(Fingerprints::of(&stored.0));
    let frozen = (Arc::new(stored.0), fingerprints);
    state.shared.keep_snapshot(revision, frozen.clone());
    Ok(frozen)
}
