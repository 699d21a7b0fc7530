//! The list of endpoints in an integration: adding one, duplicating one, reordering and deleting.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use uuid::Uuid;

use super::store::{self, Direction};
use super::validate;
use crate::AppState;
use crate::accounts::viewer::PartnerUser;
use crate::domain::model::{EndpointSpec, HttpMethod};
use crate::web::extract::{Form, Path};
use crate::web::page::Page;
use crate::web::{AppError, Result};

/// Endpoints in one integration: far above any real integration, low enough to keep pages fast.
pub const MAX_ENDPOINTS: i64 = 200;

/// An endpoint as stored: its own headers, not the integration's defaults.
async fn stored_spec(
    tx: &mut sqlx::PgConnection,
    id: Uuid,
    endpoint: Uuid,
) -> Result<Option<EndpointSpec>> {
    let spec = sqlx::query_scalar!(
        r#"SELECT spec AS "spec: sqlx::types::Json<EndpointSpec>" FROM endpoints
           WHERE id = $1 AND integration_id = $2"#,
        endpoint,
        id
    )
    .fetch_optional(&mut *tx)
    .await?;
    Ok(spec.map(|spec| spec.0))
}

async fn refuse_when_full(tx: &mut sqlx::PgConnection, id: Uuid) -> Result<()> {
    let count = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM endpoints WHERE integration_id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if count >= MAX_ENDPOINTS {
        return Err(AppError::Conflict(format!(
            "An integration can have at most {MAX_ENDPOINTS} endpoints. Split the APIs into several integrations."
        )));
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct NewEndpointForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    path: String,
}

/// Starts an endpoint from its name, method and path; the rest is filled on its own page.
pub async fn add(
    State(state): State<AppState>,
    partner: PartnerUser,
    messages: Messages,
    Path(id): Path<Uuid>,
    Form(form): Form<NewEndpointForm>,
) -> Result<Response> {
    let mut tx = super::begin_edit(&state, &partner, id).await?;
    refuse_when_full(&mut tx, id).await?;
    // People paste the full URL; the base belongs to the environment, the path to the endpoint.
    let typed = form.path.trim();
    let path = match url::Url::parse(typed) {
        Ok(url) if url.scheme().starts_with("http") => {
            let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
            validate::path(&format!("{}{query}", url.path()))
        }
        _ => validate::path(typed),
    };
    let spec = EndpointSpec {
        name: form.name.trim().chars().take(200).collect(),
        method: HttpMethod::parse(&form.method),
        path: path.clone().unwrap_or_default(),
        ..EndpointSpec::default()
    };
    let endpoint = store::add_endpoint(&mut tx, id, &spec, partner.user.id).await?;
    crate::audit::record(
        &mut tx,
        Some(partner.user.id),
        Some(id),
        "added",
        format!("endpoint {}", spec.title()),
    )
    .await?;
    tx.commit().await?;
    if let Err(message) = path {
        messages.error(format!(
            "Endpoint added, but its path was not kept: {message}"
        ));
    }
    Ok(Redirect::to(&format!("/integrations/{id}/endpoints/{endpoint}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "intake/endpoint_delete.html")]
pub struct DeletePage {
    pub page: Page,
    pub integration_id: Uuid,
    pub endpoint_id: Uuid,
    pub title: String,
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    partner: PartnerUser,
    page: Page,
    Path((id, endpoint)): Path<(Uuid, Uuid)>,
) -> Result<DeletePage> {
    let loaded = super::load_own(&state, &partner, id).await?;
    let (spec, _) = super::endpoint_page::find_endpoint(&loaded, endpoint)?;
    Ok(DeletePage {
        page,
        integration_id: id,
        endpoint_id: endpoint,
        title: spec.title(),
    })
}

pub async fn delete(
    State(state): State<AppState>,
    partner: PartnerUser,
    messages: Messages,
    Path((id, endpoint)): Path<(Uuid, Uuid)>,
) -> Result<Response> {
    let mut tx = super::begin_edit(&state, &partner, id).await?;
    let spec = stored_spec(&mut tx, id, endpoint).await?;
    if !store::delete_endpoint(&mut tx, id, endpoint).await? {
        return Err(AppError::NotFound);
    }
    let title = spec.map_or_else(|| "Untitled endpoint".into(), |spec| spec.title());
    crate::audit::record(
        &mut tx,
        Some(partner.user.id),
        Some(id),
        "deleted",
        format!("endpoint {title}"),
    )
    .await?;
    tx.commit().await?;
    messages.success("Endpoint deleted.");
    Ok(Redirect::to(&format!("/integrations/{id}#endpoints")).into_response())
}

#[derive(Deserialize)]
pub struct MoveForm {
    direction: Direction,
}

pub async fn reorder(
    State(state): State<AppState>,
    partner: PartnerUser,
    Path((id, endpoint)): Path<(Uuid, Uuid)>,
    Form(form): Form<MoveForm>,
) -> Result<Response> {
    let mut tx = super::begin_edit(&state, &partner, id).await?;
    if !store::move_endpoint(&mut tx, id, endpoint, form.direction).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/integrations/{id}#endpoints")).into_response())
}

/// A copy of an endpoint, to start a similar one from (same headers, parameters and errors):
/// everything is copied except where it was imported from, and the copy is named as one.
pub async fn duplicate(
    State(state): State<AppState>,
    partner: PartnerUser,
    messages: Messages,
    Path((id, endpoint)): Path<(Uuid, Uuid)>,
) -> Result<Response> {
    let mut tx = super::begin_edit(&state, &partner, id).await?;
    let original = stored_spec(&mut tx, id, endpoint)
        .await?
        .ok_or(AppError::NotFound)?;
    refuse_when_full(&mut tx, id).await?;
    let mut copy = original.clone();
    copy.source_id = String::new();
    copy.name = format!("{} (copy)", original.title())
        .chars()
        .take(200)
        .collect();
    let created = store::add_endpoint(&mut tx, id, &copy, partner.user.id).await?;
    crate::audit::record(
        &mut tx,
        Some(partner.user.id),
        Some(id),
        "added",
        format!(
            "endpoint {} as a copy of {}",
            copy.title(),
            original.title()
        ),
    )
    .await?;
    tx.commit().await?;
    messages.success(format!(
        "This is a copy of {}: change its name, path and whatever differs, then save.",
        original.title()
    ));
    Ok(Redirect::to(&format!("/integrations/{id}/endpoints/{created}")).into_response())
}
