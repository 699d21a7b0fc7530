//! The integration page: every integration-level section of the checklist as its own form, the
//! endpoints with their completeness, and what stands between the partner and "Submit for review".

use axum_messages::Messages;
use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_htmx::HxRequest;
use uuid::Uuid;

use super::conflict::Conflict;
use super::forms::table_edits::{RowEdit, TableState};
use super::forms::{self, Action, OverviewForm, SectionForm};
use super::integration_around::{self, Around};
use super::section_nav::{self, EndpointLink, SectionNav};
use super::store::{self, Saved};
use crate::AppState;
use crate::accounts::viewer::PartnerUser;
use crate::domain::checklist::{self, Assessment, IntegrationItem, ItemId, ItemResult, Settings};
use crate::domain::integration::Loaded;
use crate::domain::model::{AuthScheme, HttpMethod, Location, ReachMode, SectionId, Sections};
use crate::domain::workflow::Status;
use crate::web::extract::{Form, Path};
use crate::web::forms::FieldErrors;
use crate::web::page::Page;
use crate::web::replay::{self, Answer, Posting};

use crate::web::{AppError, Result};

pub struct EndpointRowView {
    pub id: Uuid,
    pub title: String,
    pub method: String,
    pub path: String,
    pub done: usize,
    pub total: usize,
    pub missing: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "intake/integration.html", blocks = ["content"])]
pub struct IntegrationPage {
    pub page: Page,
    pub id: Uuid,
    pub name: String,
    pub purpose: String,
    pub company: String,
    pub status: Status,
    /// Whose move it is and for how long: "Your move for 3 days".
    pub whose_move: Option<crate::web::whose_move::Move>,
    /// Until when this user asked for no reminders about it.
    pub snoozed_until: Option<String>,
    pub editable: bool,
    pub overview_version: i32,
    pub sections: Sections,
    versions: BTreeMap<SectionId, i32>,
    /// On a plain view, kept with the integration under its row version (`integration_around`).
    pub assessment: Arc<Assessment>,
    pub endpoints: Vec<EndpointRowView>,
    pub egress_ips: Vec<(String, String)>,
    pub errors: FieldErrors,
    /// The section the last action concerned: its messages, conflict or "saved" note show there.
    pub focus: Option<SectionId>,
    pub conflict: Option<Conflict>,
    pub secret_prompt: bool,
    pub saved: bool,
    pub notice: Option<String>,
    pub decision: Option<crate::review::decisions::LatestDecision>,
    pub events: Vec<crate::audit::Event>,
    pub threads: crate::review::comments::Threads,
    /// How many revisions were submitted; two or more can be compared.
    pub revisions: i64,
    pub schemes: [AuthScheme; 7],
    pub locations: [Location; 5],
    pub methods: [HttpMethod; 5],
    pub tables: TableState,
    /// The focused section's form shows input that is not saved.
    pub unsaved: bool,
    /// The partner code Haptik's admin set for the company, offered while the section is empty.
    pub company_partner_code: Option<String>,
}

impl axum::response::IntoResponse for IntegrationPage {
    fn into_response(self) -> axum::response::Response {
        static LAST: crate::web::sized_html::LastSize = crate::web::sized_html::LastSize::new();
        crate::web::sized_html::response(&self, &LAST)
    }
}

impl IntegrationPage {
    /// The whole page, or for htmx only its content (see `web::htmx`).
    pub fn respond(self, status: StatusCode, htmx: bool) -> Result<Response> {
        if htmx {
            return crate::web::htmx::partial(status, &self.as_content());
        }
        Ok((status, self).into_response())
    }

    /// Borrows the integration: on a plain view it is the one kept in memory, and copying its
    /// every endpoint for each view was a tenth of the page's allocations.
    pub fn build(
        page: Page,
        loaded: &Loaded,
        settings: &Settings,
        egress_ips: Vec<(String, String)>,
    ) -> Self {
        let assessment = checklist::assess(&loaded.sections, &loaded.specs(), settings);
        Self::build_with(page, loaded, Arc::new(assessment), egress_ips)
    }

    /// With the integration's assessment already made.
    pub fn build_with(
        page: Page,
        loaded: &Loaded,
        assessment: Arc<Assessment>,
        egress_ips: Vec<(String, String)>,
    ) -> Self {
        let endpoints = loaded
            .endpoints
            .iter()
            .map(|row| {
                let spec = &row.spec.0;
                let progress = assessment.endpoint(row.id).map(|e| {
                    (
                        e.progress,
                        e.missing()
                            .map(|r| (r.item.label.to_string(), r.item.anchor))
                            .collect(),
                    )
                });
                let (progress, missing) = progress.unwrap_or_default();
                EndpointRowView {
                    id: row.id,
                    title: spec.title(),
                    method: spec.method.map_or("", |m| m.as_str()).to_string(),
                    path: spec.path.clone(),
                    done: progress.done,
                    total: progress.total,
                    missing,
                }
            })
            .collect();
        let versions = SectionId::ALL
            .into_iter()
            .map(|id| (id, loaded.section_version(id)))
            .collect();
        let integration = &loaded.integration;
        let whose_move =
            crate::web::whose_move::of(integration.status, integration.move_since, true);
        IntegrationPage {
            page,
            whose_move,
            snoozed_until: None,
            id: integration.id,
            editable: integration.status.partner_can_edit(),
            tables: TableState {
                edit: None,
                editable: integration.status.partner_can_edit(),
            },
            name: integration.name.clone(),
            purpose: integration.purpose.clone(),
            company: integration.company_name.clone(),
            status: integration.status,
            overview_version: integration.version,
            sections: loaded.sections.clone(),
            versions,
            assessment,
            endpoints,
            egress_ips,
            errors: FieldErrors::default(),
            focus: None,
            conflict: None,
            secret_prompt: false,
            saved: false,
            notice: None,
            decision: None,
            events: Vec::new(),
            threads: Default::default(),
            revisions: 0,
            schemes: AuthScheme::ALL,
            locations: Location::ALL,
            methods: HttpMethod::ALL,
            unsaved: false,
            company_partner_code: None,
        }
    }

    /// Puts the user's unsaved input for `section` in the form; progress stays that of saved data.
    fn show_unsaved(&mut self, section: SectionId, input: &Sections) {
        self.sections.set(section, input.get(section));
    }

    pub fn version(&self, section: &str) -> i32 {
        SectionId::parse(section)
            .and_then(|id| self.versions.get(&id))
            .copied()
            .unwrap_or(0)
    }

    /// The items whose state shows in a section's header.
    pub fn results(&self, section: &str) -> Vec<&ItemResult> {
        let section = SectionId::parse(section);
        self.assessment
            .items
            .iter()
            .filter(|r| section.is_some() && r.item.id.section() == section)
            .collect()
    }

    pub fn item_result(&self, id: ItemId) -> Option<&ItemResult> {
        self.assessment.items.iter().find(|r| r.item.id == id)
    }

    /// A section folds to its header when everything it asks is there and nothing about it
    /// needs the partner now (no message, no unsaved input); read-only pages show everything.
    pub fn folded(&self, section: &str) -> bool {
        let results = self.results(section);
        self.editable
            && !self.focused(section)
            && !results.is_empty()
            && results.iter().all(|r| r.is_done() || !r.counts())
            && results.iter().any(|r| r.is_done())
            && results
                .iter()
                .all(|r| self.threads.open_at(None, &[r.item.id.as_str()]) == 0)
    }

    pub fn focused(&self, section: &str) -> bool {
        self.focus.is_some_and(|f| f.as_str() == section)
    }

    pub fn staging_is_http(&self) -> bool {
        self.sections
            .environments
            .staging_url
            .starts_with("http://")
    }

    pub fn is_whitelisting(&self) -> bool {
        self.sections.reachability.mode == Some(ReachMode::Whitelisting)
    }

    pub fn is_public(&self) -> bool {
        self.sections.reachability.mode == Some(ReachMode::Public)
    }

    pub fn scheme_is(&self, scheme: &AuthScheme) -> bool {
        self.sections.authentication.scheme == Some(*scheme)
    }

    pub fn can_withdraw(&self) -> bool {
        matches!(self.status, Status::Submitted | Status::InReview)
    }

    pub fn can_reopen(&self) -> bool {
        self.status == Status::Approved
    }

    pub fn blockers(&self) -> Vec<String> {
        self.assessment.blockers()
    }

    pub fn nav(&self) -> SectionNav {
        let links: Vec<EndpointLink> = self
            .endpoints
            .iter()
            .map(|e| EndpointLink {
                id: e.id,
                title: &e.title,
            })
            .collect();
        section_nav::for_integration(self.id, &self.assessment, &self.threads, &links)
    }

    /// Reviewer comments about endpoints deleted since: still readable here.
    pub fn orphaned_threads(&self) -> Vec<&crate::review::comments::Thread> {
        let present: Vec<Uuid> = self.endpoints.iter().map(|e| e.id).collect();
        self.threads.elsewhere(&present)
    }
}

pub(super) async fn render_base(
    state: &AppState,
    page: Page,
    loaded: Loaded,
) -> Result<IntegrationPage> {
    let (id, company) = (loaded.integration.id, loaded.integration.company_id);
    let viewer = page.user.as_ref().map(|u| u.id);
    let around = integration_around::read(state, id, company, viewer).await?;
    render_with(state, page, &loaded, around, false).await
}

/// The page for an integration and what is around it.
/// `kept` says `loaded` is the integration as saved at `around`'s row version (not one holding
/// what a refused form typed), so its assessment may be kept under that version too.
async fn render_with(
    state: &AppState,
    page: Page,
    loaded: &Loaded,
    around: Around,
    kept: bool,
) -> Result<IntegrationPage> {
    let site = state.shared.site(&state.db).await?;
    let id = loaded.integration.id;
    let assessment = match kept
        .then(|| {
            state
                .shared
                .draft_assessment(id, &around.row_version, &site)
        })
        .flatten()
    {
        Some(assessment) => assessment,
        None => {
            let made = Arc::new(checklist::assess(
                &loaded.sections,
                &loaded.specs(),
                &site.checklist,
            ));
            if kept {
                let version = around.row_version.clone();
                let shared = &state.shared;
                shared.keep_draft_assessment(id, version, site.clone(), made.clone());
            }
            made
        }
    };
    let mut view = IntegrationPage::build_with(page, loaded, assessment, site.egress.clone());
    view.events = around.events;
    view.threads = around.threads;
    view.revisions = around.revisions;
    view.snoozed_until = around.snoozed_until.map(crate::web::dates::date_time);
    view.company_partner_code = around.partner_code;
    view.decision = around.decision;
    Ok(view)
}

pub fn locked_message(status: Status) -> String {
    format!(
        "This integration is {}, so it cannot be changed now. You can still read it; it opens for changes again if the reviewer sends it back.",
        status.label().to_lowercase()
    )
}

pub async fn show(
    State(state): State<AppState>,
    partner: PartnerUser,
    posting: Posting,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    let path = format!("/integrations/{id}");
    let kept = replay::take::<(String, SectionForm)>(&posting.session, &path).await?;
    if let Some((section, form)) = kept {
        let replaying = Posting {
            answer: Answer::Replay,
            ..posting
        };
        return answer_section_post(&state, &partner, replaying, (id, section), form).await;
    }
    // Read-only: the decoded integration comes from memory while its row is unchanged.
    let viewer = posting.page.user.as_ref().map(|u| u.id);
    let around = integration_around::read(&state, id, partner.company_id, viewer).await?;
    let loaded = integration_around::loaded(&state, id, partner.company_id, &around).await?;
    Ok(render_with(&state, posting.page, &loaded, around, true)
        .await?
        .into_response())
}

/// After a successful change: htmx gets the updated page to swap in; a plain form post is
/// redirected back to the section (post/redirect/get).
pub(super) async fn after_save(
    state: &AppState,
    partner: &PartnerUser,
    page: Page,
    htmx: bool,
    messages: Messages,
    (id, focus): (Uuid, SectionId),
    done: Option<&str>,
) -> Result<Response> {
    if htmx {
        let loaded = super::load_own(state, partner, id).await?;
        let mut view = render_base(state, page, loaded).await?;
        view.focus = Some(focus);
        view.saved = true;
        view.notice = done.map(str::to_string);
        return view.respond(StatusCode::OK, true);
    }
    messages.success(done.map_or_else(|| format!("{} saved.", focus.title()), str::to_string));
    Ok(Redirect::to(&format!("/integrations/{id}#section-{}", focus.as_str())).into_response())
}

pub async fn save_section(
    State(state): State<AppState>,
    partner: PartnerUser,
    posting: Posting,
    Path(at): Path<(Uuid, String)>,
    Form(form): Form<SectionForm>,
) -> Result<Response> {
    answer_section_post(&state, &partner, posting, at, form).await
}

async fn answer_section_post(
    state: &AppState,
    partner: &PartnerUser,
    posting: Posting,
    (id, section): (Uuid, String),
    form: SectionForm,
) -> Result<Response> {
    let Posting {
        page,
        messages,
        session,
        answer,
    } = posting;
    let session = &session;
    let htmx = answer == Answer::Htmx;
    let section = SectionId::parse(&section)
        .filter(|s| *s != SectionId::NotApplicable)
        .ok_or(AppError::NotFound)?;
    let mut loaded = super::load_own(state, partner, id).await?;
    if answer == Answer::Replay && !loaded.integration.status.partner_can_edit() {
        // Submitted meanwhile (by a teammate): the page as it now is, to read.
        return Ok(render_base(state, page, loaded).await?.into_response());
    }
    super::refuse_unless_editable(&loaded, form.too_many_rows())?;
    let posted = (section.as_str(), form.clone());
    // Nothing saved: htmx gets the section in place; a plain post is redirected to the page,
    // which shows it from the session (a reload does not post again).
    let (page_path, anchor) = (
        format!("/integrations/{id}"),
        format!("section-{}", posted.0),
    );
    let unsaved_answer = |view: IntegrationPage, status: StatusCode| {
        let at = (page_path.as_str(), anchor.as_str());
        answer.unsaved(status, |s, h| view.respond(s, h), session, at, &posted)
    };
    let mut form = form;
    let row_edit = RowEdit::parse(&form.action);
    if let Some(edit) = &row_edit {
        if SectionForm::table_section(edit.table()) != Some(section) {
            return Err(AppError::NotFound);
        }
        form.apply_row_edit(edit);
    }
    let saved = loaded.sections.clone();
    let parsed = forms::section(section, &form, &mut loaded.sections);
    if let Some(edit) = row_edit {
        // Shown again as typed, unsaved: its checks wait for the save.
        let input = std::mem::replace(&mut loaded.sections, saved);
        let mut view = render_base(state, page, loaded).await?;
        view.show_unsaved(section, &input);
        view.versions.insert(section, form.version);
        view.focus = Some(section);
        view.notice = Some(edit.outcome().to_string());
        view.tables.edit = Some(edit);
        view.unsaved = true;
        return unsaved_answer(view, StatusCode::OK).await;
    }
    // "Replace with placeholders" fixes what the guard stopped and saves in the same step.
    let redact = Action::parse(&form.action) == Action::RedactSecrets;
    let mut errors = parsed.errors;
    if redact {
        forms::redact_section(section, &mut loaded.sections);
        for (field, _) in &parsed.secrets {
            errors.remove(field);
        }
    }
    if !errors.is_empty() {
        // Shown again unsaved, with the version the user started from.
        let input = std::mem::replace(&mut loaded.sections, saved);
        let mut view = render_base(state, page, loaded).await?;
        view.show_unsaved(section, &input);
        view.versions.insert(section, form.version);
        view.focus = Some(section);
        view.secret_prompt = !redact && !parsed.secrets.is_empty();
        view.errors = errors;
        view.unsaved = true;
        if redact {
            view.notice =
                Some("Replaced with placeholders; not saved yet: fix what is left.".into());
        }
        return unsaved_answer(view, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if answer == Answer::Replay {
        // Kept only when nothing could be saved; if it now could, show what is saved.
        let loaded = super::load_own(state, partner, id).await?;
        return Ok(render_base(state, page, loaded).await?.into_response());
    }
    let secrets = if redact { Vec::new() } else { parsed.secrets };

    let mut tx = super::begin_edit(state, partner, id).await?;
    let data = loaded.sections.get(section);
    match store::save_section(&mut tx, id, section, &data, form.version, partner.user.id).await? {
        Saved::Stale {
            version,
            current,
            by,
            at,
        } => {
            tx.rollback().await?;
            // Progress shows what is saved now (theirs); the form shows the user's version.
            let input = loaded.sections.clone();
            loaded.sections.set(section, current.clone());
            let mut view = render_base(state, page, loaded).await?;
            view.show_unsaved(section, &input);
            view.versions.insert(section, version);
            view.focus = Some(section);
            view.conflict = Some(Conflict::new(&current, by, at));
            view.unsaved = true;
            view.respond(StatusCode::CONFLICT, htmx)
        }
        Saved::Saved { .. } => {
            crate::audit::record(
                &mut tx,
                Some(partner.user.id),
                Some(id),
                "saved",
                section.title(),
            )
            .await?;
            for (field, kind) in &secrets {
                store::record_secret_override(&mut tx, id, None, field, kind, partner.user.id)
                    .await?;
            }
            tx.commit().await?;
            let done = redact.then_some("Replaced with placeholders and saved.");
            after_save(state, partner, page, htmx, messages, (id, section), done).await
        }
    }
}

pub async fn save_overview(
    State(state): State<AppState>,
    partner: PartnerUser,
    page: Page,
    messages: Messages,
    HxRequest(htmx): HxRequest,
    Path(id): Path<Uuid>,
    Form(form): Form<OverviewForm>,
) -> Result<Response> {
    let mut loaded = super::load_own(&state, &partner, id).await?;
    let parsed = forms::overview(&form);
    let (name, purpose) = parsed.data.clone();
    let mut tx = super::begin_edit(&state, &partner, id).await?;
    let outcome = if parsed.errors.is_empty() {
        Some(store::save_overview(&mut tx, id, &name, &purpose, form.version).await?)
    } else {
        None
    };
    match outcome {
        Some(Saved::Saved { .. }) => {
            crate::audit::record(
                &mut tx,
                Some(partner.user.id),
                Some(id),
                "saved",
                "Overview",
            )
            .await?;
            tx.commit().await?;
            if htmx {
                let loaded = super::load_own(&state, &partner, id).await?;
                let mut view = render_base(&state, page, loaded).await?;
                view.saved = true;
                return view.respond(StatusCode::OK, true);
            }
            messages.success("Overview saved.");
            Ok(Redirect::to(&format!("/integrations/{id}")).into_response())
        }
        other => {
            tx.rollback().await?;
            loaded.integration.name = form.name.chars().take(200).collect();
            loaded.integration.purpose = form.purpose.chars().take(4000).collect();
            let mut view = render_base(&state, page, loaded).await?;
            view.overview_version = form.version;
            view.errors = parsed.errors;
            view.unsaved = true;
            let status = match other {
                Some(Saved::Stale {
                    version,
                    current,
                    by,
                    at,
                }) => {
                    view.overview_version = version;
                    view.conflict = Some(Conflict::new(&current, by, at));
                    StatusCode::CONFLICT
                }
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            view.respond(status, htmx)
        }
    }
}
