//! `POST /api/v1/integrations/{id}/import`: the import of the pages for scripts (a partner's CI
//! keeps the integration in step with its OpenAPI file). `?dry_run=true` answers what would
//! change; otherwise it is applied under the integration's lock, like the confirmed page form.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiPath, ApiQuery, ApiUser, ErrorBody};
use crate::AppState;
use crate::accounts::Role;
use crate::accounts::viewer::PartnerUser;
use crate::domain::integration;
use crate::interop::import::merge;
use crate::interop::import_page;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// true: only say what would change.
    #[param(value_type = Option<bool>)]
    pub dry_run: Option<String>,
}

/// The body, as documented: an OpenAPI 3 document in JSON. (YAML and Postman collections are read
/// too; the document describes the JSON form so generated requests are ones a script would send.)
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportDocument {
    #[schema(pattern = r"^3\.")]
    openapi: String,
    info: ImportDocumentInfo,
    #[schema(value_type = Option<Object>)]
    paths: Option<serde_json::Value>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportDocumentInfo {
    title: String,
    version: String,
}

#[derive(Serialize, ToSchema)]
pub struct UpdatedEndpoint {
    pub title: String,
    pub fields: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    /// "OpenAPI 3.0.3", "Postman collection v2.1.0".
    pub source: String,
    pub applied: bool,
    pub added: Vec<String>,
    pub updated: Vec<UpdatedEndpoint>,
    pub unchanged: Vec<String>,
    pub sections_filled: Vec<String>,
    /// Sections the partner already filled differently: kept.
    pub sections_kept: Vec<String>,
    /// What was not imported, or changed on the way in, and why.
    pub notes: Vec<String>,
}

/// A JSON OpenAPI document must have the shape the API documents (the spec requires it too);
/// other bodies (YAML, Postman) go to the importer as they are.
fn check_documented_shape(text: &str) -> Result<(), ApiError> {
    let Ok(serde_json::Value::Object(doc)) = serde_json::from_str::<serde_json::Value>(text) else {
        return Ok(());
    };
    let Some(version) = doc.get("openapi") else {
        return Ok(());
    };
    let refuse = |what: &str| {
        Err(ApiError::Unprocessable(format!(
            "Not an OpenAPI 3 document: {what}."
        )))
    };
    if !version.as_str().is_some_and(|v| v.starts_with("3.")) {
        return refuse("\"openapi\" must be a version string starting with 3.");
    }
    let info = doc.get("info").and_then(|i| i.as_object());
    let Some(info) = info else {
        return refuse("\"info\" (an object with title and version) is required");
    };
    if !info.get("title").is_some_and(|t| t.is_string())
        || !info.get("version").is_some_and(|v| v.is_string())
    {
        return refuse("\"info\" needs a \"title\" and a \"version\", both text");
    }
    if doc
        .get("paths")
        .is_some_and(|p| !p.is_object() && !p.is_null())
    {
        return refuse("\"paths\" must be an object");
    }
    Ok(())
}

#[utoipa::path(
    post, path = "/api/v1/integrations/{id}/import",
    params(("id" = String, Path, description = "The integration's id"), ImportQuery),
    request_body(content = ImportDocument, description = "An OpenAPI 3.0/3.1 document, up to 5 MiB. YAML and Postman collections (v2.1, v2.0) are accepted as well.",
                 content_type = "application/json"),
    responses(
        (status = 200, description = "What the import changed (or would change)", body = ImportResult),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such integration for this token (reviewers do not import)", body = ErrorBody),
        (status = 409, description = "The integration is not the partner's to change now", body = ErrorBody),
        (status = 422, description = "The file could not be read; the message says why", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(viewer): ApiUser,
    ApiPath(id): ApiPath<uuid::Uuid>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: Bytes,
) -> Result<Json<ImportResult>, ApiError> {
    let dry_run = match query.dry_run.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::BadRequest("dry_run is true or false.".into())),
    };
    let (Role::Partner, Some(company_id)) = (viewer.role, viewer.company_id) else {
        return Err(ApiError::NotFound);
    };
    let partner = PartnerUser {
        user: viewer,
        company_id,
    };
    let current = integration::load(&mut *state.db.acquire().await?, id, Some(company_id))
        .await?
        .ok_or(ApiError::NotFound)?;
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::Unprocessable("The file is not text (UTF-8).".into()))?;
    check_documented_shape(&text)?;
    let plan = import_page::parse(text, Default::default())
        .await
        .map_err(ApiError::Unprocessable)?;
    let changes = merge::changes(&plan, &current);
    let mut result = ImportResult {
        source: plan.source.clone(),
        applied: false,
        added: changes.added.iter().map(|e| e.title()).collect(),
        updated: changes
            .updated
            .iter()
            .map(|(_, _, spec, fields)| UpdatedEndpoint {
                title: spec.title(),
                fields: fields.iter().map(|f| f.to_string()).collect(),
            })
            .collect(),
        unchanged: changes.unchanged.clone(),
        sections_filled: changes
            .section_titles()
            .iter()
            .map(|t| t.to_string())
            .collect(),
        sections_kept: changes.kept.iter().map(|t| t.to_string()).collect(),
        notes: plan.notes.clone(),
    };
    if dry_run {
        return Ok(Json(result));
    }
    let mut tx = crate::intake::begin_edit(&state, &partner, id).await?;
    import_page::apply(&mut tx, &partner, id, &plan).await?;
    tx.commit().await?;
    result.applied = true;
    Ok(Json(result))
}
