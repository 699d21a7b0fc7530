//! One endpoint: its form (every endpoint item of the checklist), its completeness, and the
//! generated URLs and curl commands. Adding, reordering and deleting endpoints live here too.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::conflict::Conflict;
use super::forms::table_edits::{self, RowEdit, TableState};
use super::forms::{self, Action, EndpointForm};
use super::section_nav::{self, SectionNav};
use super::store::{self, Saved};
use crate::AppState;
use crate::accounts::viewer::PartnerUser;
use crate::domain::checklist::{self, EndpointAssessment, EndpointItem, Settings};
use crate::domain::cross_check::{self, Contradiction};
use crate::domain::curl;
use crate::domain::integration::Loaded;
use crate::domain::model::{BodyFormat, EndpointSpec, HttpMethod, Location, ParamType};
use crate::domain::workflow::Status;
use crate::review::comments::Threads;
use crate::web::extract::{Form, Path};
use crate::web::forms::FieldErrors;
use crate::web::page::Page;
use crate::web::replay::{self, Answer, Posting};

use crate::web::{AppError, Result};

#[derive(Template, WebTemplate)]
#[template(path = "intake/endpoint.html", blocks = ["content"])]
pub struct EndpointPage {
    pub page: Page,
    pub integration_id: Uuid,
    pub integration_name: String,
    pub endpoint_id: Uuid,
    pub status: Status,
    pub editable: bool,
    pub version: i32,
    pub spec: EndpointSpec,
    /// What is saved, which "Try it" shows (the form may hold refused input).
    pub stored: EndpointSpec,
    /// Where one part of the endpoint contradicts another, by the field each warning is beside.
    pub contradictions: Vec<Contradiction>,
    pub assessment: EndpointAssessment,
    pub staging_base: String,
    pub production_base: String,
    pub errors: FieldErrors,
    pub conflict: Option<Conflict>,
    pub secret_prompt: bool,
    pub convertible: Vec<String>,
    pub saved: bool,
    pub notice: Option<String>,
    pub methods: [HttpMethod; 5],
    pub formats: [BodyFormat; 6],
    /// Imported fields ticked as checked in a save that was refused, kept ticked.
    pub confirmed: Vec<String>,
    pub locations: [Location; 5],
    pub types: [ParamType; 6],
    pub threads: Threads,
    /// The latest staging check of the success example, and whether it is about this content.
    pub staging: Option<(crate::staging::results::CheckRow, bool)>,
    /// Where the outcome of the button just pressed shows: "save", "secret", a converted field's
    /// key or "table:<table>".
    pub outcome_at: String,
    /// The table edit just applied (one more blank row, the bulk text kept open).
    pub tables: TableState,
    /// The integration's own status codes, offered in the error scenarios.
    pub known_codes: Vec<String>,
    /// The form shows input that is not saved (a refusal, a conflict, a table edit).
    pub unsaved: bool,
    /// The integration's headers this endpoint inherits (those it does not override).
    pub inherited: Vec<crate::domain::model::Header>,
}

impl EndpointPage {
    /// The whole page, or for htmx only its content (see `web::htmx`).
    pub fn respond(self, status: StatusCode, htmx: bool) -> Result<Response> {
        if htmx {
            return crate::web::htmx::partial(status, &self.as_content());
        }
        Ok((status, self).into_response())
    }

    /// `saved` drives the progress shown; `spec` is what the form shows (unsaved input after an error).
    fn build(
        page: Page,
        loaded: &Loaded,
        endpoint: Uuid,
        saved: &EndpointSpec,
        spec: EndpointSpec,
        version: i32,
        settings: &Settings,
    ) -> Self {
        let assessment = checklist::assess(&loaded.sections, &[(endpoint, saved)], settings)
            .endpoints
            .remove(0);
        let contradictions = cross_check::contradictions(&loaded.sections, &spec);
        let mut effective = spec.clone();
        effective.inherit(&loaded.sections.defaults);
        let inherited = effective.inherited().to_vec();
        EndpointPage {
            inherited,
            page,
            contradictions,
            threads: Threads::default(),
            staging: None,
            integration_id: loaded.integration.id,
            integration_name: loaded.integration.name.clone(),
            endpoint_id: endpoint,
            status: loaded.integration.status,
            editable: loaded.integration.status.partner_can_edit(),
            version,
            spec,
            stored: saved.clone(),
            assessment,
            staging_base: loaded.sections.environments.staging_url.clone(),
            production_base: loaded.sections.environments.production_url.clone(),
            errors: FieldErrors::default(),
            conflict: None,
            secret_prompt: false,
            convertible: Vec::new(),
            saved: false,
            notice: None,
            methods: HttpMethod::ALL,
            formats: BodyFormat::ALL,
            confirmed: Vec::new(),
            locations: Location::ALL,
            types: ParamType::ALL,
            outcome_at: String::new(),
            unsaved: false,
            tables: TableState {
                edit: None,
                editable: loaded.integration.status.partner_can_edit(),
            },
            known_codes: loaded
                .sections
                .status_codes
                .items
                .iter()
                .map(|c| c.code.clone())
                .filter(|c| !c.is_empty())
                .collect(),
        }
    }

    pub fn nav(&self) -> SectionNav {
        section_nav::for_endpoint(self.endpoint_id, &self.assessment.items, &self.threads)
    }

    /// An example to read, highlighted when it is JSON.
    pub fn json(&self, text: &str) -> Option<Vec<crate::web::json_view::Token>> {
        crate::web::json_view::highlighted(text)
    }

    pub fn outcome_here(&self, place: &str) -> bool {
        self.outcome_at == place
    }

    /// A table as `Name: value` lines for "Edit as text".
    pub fn bulk_text(&self, table: &str) -> String {
        match table {
            "header" => table_edits::bulk_text(
                self.spec
                    .own_headers()
                    .iter()
                    .map(|h| (h.name.as_str(), h.value.as_str())),
            ),
            "param" => table_edits::bulk_text(
                self.spec
                    .parameters
                    .iter()
                    .map(|p| (p.name.as_str(), p.example.as_str())),
            ),
            "form" => {
                let rows = self.form_rows().unwrap_or_default();
                table_edits::bulk_text(rows.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            }
            _ => String::new(),
        }
    }

    pub fn method_is(&self, method: &HttpMethod) -> bool {
        self.spec.method == Some(*method)
    }

    /// Whether an import filled `key` in and the partner has not confirmed it yet.
    pub fn unconfirmed(&self, key: &str) -> bool {
        self.spec.unconfirmed.contains(key)
    }

    /// A form body's example as rows of fields, when the body is a form and its example reads
    /// as one (else the text area shows it as written, with what is wrong).
    pub fn form_rows(&self) -> Option<Vec<(String, String)>> {
        if !self.spec.body_format.is_form() || self.errors.get("request_example").is_some() {
            return None;
        }
        // A value with a line break needs the text area: a text input would drop the break.
        crate::domain::media::form_fields(&self.spec.request_example)
            .ok()
            .filter(|fields| !fields.iter().any(|(_, value)| value.contains(['\n', '\r'])))
    }

    /// The warnings that belong beside a field.
    pub fn contradicted(&self, field: &str) -> Vec<&str> {
        self.contradictions
            .iter()
            .filter(|c| c.field == field)
            .map(|c| c.message.as_str())
            .collect()
    }

    /// Beside an example: what in it the schema from the imported file refuses.
    pub fn schema_warning(&self, field: &str) -> Option<String> {
        self.spec.schema_mismatch(field)
    }

    /// A table row's field key, for the template.
    pub fn key(&self, field: &str, index: impl std::borrow::Borrow<usize>) -> String {
        crate::web::forms::row_key(field, *index.borrow())
    }

    pub fn is_confirmed(&self, key: &str) -> bool {
        self.confirmed.iter().any(|k| k == key)
    }

    pub fn can_convert(&self, field: &str) -> bool {
        self.convertible.iter().any(|f| f == field)
    }

    pub fn can_convert_error(&self, index: impl std::borrow::Borrow<usize>) -> bool {
        self.can_convert(&crate::web::forms::row_key(
            "error_example",
            *index.borrow(),
        ))
    }

    pub fn na(&self, item: EndpointItem) -> &str {
        self.spec
            .not_applicable
            .0
            .get(item.as_str())
            .map_or("", String::as_str)
    }

    // "Try it" shows what is saved: never text the secret guard has just refused.
    pub fn staging_url(&self) -> Option<String> {
        curl::full_url(&self.staging_base, &self.stored)
    }

    pub fn production_url(&self) -> Option<String> {
        curl::full_url(&self.production_base, &self.stored)
    }

    pub fn staging_curl(&self) -> Option<String> {
        curl::command(&self.staging_base, &self.stored)
    }

    pub fn production_curl(&self) -> Option<String> {
        curl::command(&self.production_base, &self.stored)
    }

    pub fn method_label(&self) -> &'static str {
        self.spec.method.map_or("", HttpMethod::as_str)
    }

    pub fn request_body_applies(&self) -> bool {
        self.spec.method.is_none_or(HttpMethod::has_request_body)
    }
}

/// The reviewers' comments on this endpoint, for the partner.
async fn endpoint_threads(
    state: &AppState,
    partner: &PartnerUser,
    id: Uuid,
    endpoint: Uuid,
) -> Result<Threads> {
    let mut all = Threads::load(&mut *state.db.acquire().await?, id, &partner.user).await?;
    all.0.retain(|t| t.anchor.endpoint == Some(endpoint));
    Ok(all)
}

pub(super) fn find_endpoint(loaded: &Loaded, endpoint: Uuid) -> Result<(EndpointSpec, i32)> {
    loaded
        .endpoints
        .iter()
        .find(|e| e.id == endpoint)
        .map(|e| (e.spec.0.clone(), e.version))
        .ok_or(AppError::NotFound)
}

pub async fn show(
    State(state): State<AppState>,
    partner: PartnerUser,
    posting: Posting,
    Path((id, endpoint)): Path<(Uuid, Uuid)>,
) -> Result<Response> {
    let path = format!("/integrations/{id}/endpoints/{endpoint}");
    if let Some(form) = replay::take::<EndpointForm>(&posting.session, &path).await? {
        let replaying = Posting {
            answer: Answer::Replay,
            ..posting
        };
        return answer_post(&state, &partner, replaying, (id, endpoint), form).await;
    }
    Ok(saved_page(&state, &partner, posting.page, id, endpoint)
        .await?
        .into_response())
}

async fn saved_page(
    state: &AppState,
    partner: &PartnerUser,
    page: Page,
    id: Uuid,
    endpoint: Uuid,
) -> Result<EndpointPage> {
    let loaded = super::load_own(state, partner, id).await?;
    let (spec, version) = find_endpoint(&loaded, endpoint)?;
    let site = state.shared.site(&state.db).await?;
    let settings = &site.checklist;
    let threads = endpoint_threads(state, partner, id, endpoint).await?;
    let fingerprint = crate::domain::fingerprint::staging_fingerprint(&loaded.sections, &spec);
    let mut view = EndpointPage::build(
        page,
        &loaded,
        endpoint,
        &spec.clone(),
        spec,
        version,
        settings,
    );
    view.threads = threads;
    view.staging = crate::staging::results::latest_success(&state.db, id, endpoint)
        .await?
        .map(|row| {
            let outdated = row.outdated(&fingerprint);
            (row, outdated)
        });
    Ok(view)
}

pub async fn save(
    State(state): State<AppState>,
    partner: PartnerUser,
    posting: Posting,
    Path(ids): Path<(Uuid, Uuid)>,
    Form(form): Form<EndpointForm>,
) -> Result<Response> {
    answer_post(&state, &partner, posting, ids, form).await
}

async fn answer_post(
    state: &AppState,
    partner: &PartnerUser,
    posting: Posting,
    (id, endpoint): (Uuid, Uuid),
    form: EndpointForm,
) -> Result<Response> {
    let Posting {
        page,
        messages,
        session,
        answer,
    } = posting;
    let session = &session;
    let htmx = answer == Answer::Htmx;
    let loaded = super::load_own(state, partner, id).await?;
    let (stored, _) = find_endpoint(&loaded, endpoint)?;
    if answer == Answer::Replay && !loaded.integration.status.partner_can_edit() {
        // Submitted meanwhile (by a teammate): the page as it now is, to read.
        return Ok(saved_page(state, partner, page, id, endpoint)
            .await?
            .into_response());
    }
    super::refuse_unless_editable(&loaded, form.too_many_rows())?;
    let settings = Settings::load(&state.db).await?;
    let threads = endpoint_threads(state, partner, id, endpoint).await?;
    let posted = form.clone();
    let path = format!("/integrations/{id}/endpoints/{endpoint}");
    // Nothing saved: htmx gets the form in place; a plain post is redirected to the page, which
    // shows it from the session (a reload does not post again).
    let unsaved_answer = |view: EndpointPage, status: StatusCode| {
        let at = (path.as_str(), "endpoint-form");
        answer.unsaved(status, |s, h| view.respond(s, h), session, at, &posted)
    };
    let mut form = form;
    let row_edit = RowEdit::parse(&form.action);
    if let Some(edit) = &row_edit
        && !form.apply_row_edit(edit)
    {
        return Err(AppError::NotFound);
    }
    let outcome_at = match (&row_edit, Action::parse(&form.action)) {
        (Some(edit), _) => format!("table:{}", edit.table()),
        (None, Action::ConvertJson(field)) => field,
        (None, Action::RedactSecrets) => "secret".to_string(),
        (None, Action::Save) => "save".to_string(),
    };
    // "Convert to strict JSON" and "Replace with placeholders" fix the form as typed and save in
    // the same step; what is left to fix (another field) is shown as any refused save is.
    let fixed = match Action::parse(&form.action) {
        Action::RedactSecrets => {
            forms::redact_form(&mut form);
            Some("Replaced with placeholders")
        }
        Action::ConvertJson(field) => {
            let first = forms::endpoint(&form);
            match first.convertible.into_iter().find(|(key, _)| *key == field) {
                Some((_, strict)) => {
                    forms::convert_in_form(&mut form, &field, strict);
                    Some("Converted to strict JSON")
                }
                None => None,
            }
        }
        Action::Save => None,
    };
    let mut parsed = forms::endpoint(&form);
    // Not a field of the form: the endpoint keeps where it was imported from.
    parsed.data.source_id = stored.source_id.clone();
    parsed.data.schemas = parsed.data.schemas_still_describing(&stored);
    // Shown until saved; what the partner ticked is confirmed by the save.
    parsed.data.unconfirmed = parsed.data.marks_still_unconfirmed(&stored);
    let confirmed = form.confirm.clone();
    let view = |saved: &EndpointSpec, spec: EndpointSpec, version: i32| {
        let mut view = EndpointPage::build(
            page_clone(&page),
            &loaded,
            endpoint,
            saved,
            spec,
            version,
            &settings,
        );
        view.threads = threads.clone();
        view.confirmed = confirmed.clone();
        view.outcome_at = outcome_at.clone();
        view
    };
    let unsaved = |spec: EndpointSpec, version: i32| view(&stored, spec, version);

    // A table edit shows the form again as typed, unsaved; its checks wait for the save.
    if let Some(edit) = row_edit {
        let mut view = unsaved(parsed.data, form.version);
        view.notice = Some(edit.outcome().to_string());
        view.tables.edit = Some(edit);
        view.unsaved = true;
        return unsaved_answer(view, StatusCode::OK).await;
    }

    if !parsed.errors.is_empty() {
        let mut view = unsaved(parsed.data, form.version);
        view.notice = fixed.map(|what| format!("{what}; not saved yet: fix what is left below."));
        view.secret_prompt = !parsed.secrets.is_empty();
        view.convertible = parsed.convertible.into_iter().map(|(key, _)| key).collect();
        view.errors = parsed.errors;
        view.unsaved = true;
        return unsaved_answer(view, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if answer == Answer::Replay {
        // Kept only when nothing could be saved; if it now could, show what is saved.
        return Ok(saved_page(state, partner, page, id, endpoint)
            .await?
            .into_response());
    }

    parsed
        .data
        .unconfirmed
        .retain(|key| !confirmed.contains(key));
    let mut tx = super::begin_edit(state, partner, id).await?;
    let outcome = store::save_endpoint(
        &mut tx,
        id,
        endpoint,
        &parsed.data,
        form.version,
        partner.user.id,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    match outcome {
        Saved::Stale {
            version,
            current,
            by,
            at,
        } => {
            tx.rollback().await?;
            let mut theirs: EndpointSpec =
                serde_json::from_value(current.clone()).unwrap_or_default();
            theirs.inherit(&loaded.sections.defaults);
            let mut view = view(&theirs, parsed.data, version);
            view.conflict = Some(Conflict::new(&current, by, at));
            view.unsaved = true;
            view.respond(StatusCode::CONFLICT, htmx)
        }
        Saved::Saved { version } => {
            crate::audit::record(
                &mut tx,
                Some(partner.user.id),
                Some(id),
                "saved",
                format!("endpoint {}", parsed.data.title()),
            )
            .await?;
            for (field, kind) in &parsed.secrets {
                store::record_secret_override(
                    &mut tx,
                    id,
                    Some(endpoint),
                    field,
                    kind,
                    partner.user.id,
                )
                .await?;
            }
            tx.commit().await?;
            if htmx {
                let mut saved = parsed.data.clone();
                saved.inherit(&loaded.sections.defaults);
                let mut view = view(&saved, parsed.data, version);
                view.saved = true;
                view.notice = fixed.map(|what| format!("{what} and saved."));
                return view.respond(StatusCode::OK, htmx);
            }
            messages.success(match fixed {
                Some(what) => format!("{what}; {} saved.", parsed.data.title()),
                None => format!("{} saved.", parsed.data.title()),
            });
            Ok(Redirect::to(&format!("/integrations/{id}/endpoints/{endpoint}")).into_response())
        }
    }
}

/// The layout context for a second render in the same request (flashes were already taken).
fn page_clone(page: &Page) -> Page {
    Page {
        user: page.user.clone(),
        csrf_token: page.csrf_token.clone(),
        flashes: Vec::new(),
        public_url: page.public_url.clone(),
    }
}
