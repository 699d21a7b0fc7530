//! The API's own OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::ErrorBody;
use super::routes::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Haptik Partner Portal API",
        version = "1",
        description = "Read integrations, endpoints, revisions, review comments and decisions. Authenticate with a personal access token from /account/tokens: `Authorization: Bearer ppat_…`."
    ),
    paths(list_integrations, get_integration, list_endpoints, get_endpoint, list_revisions, get_revision, list_comments, list_decisions, super::staging::list_staging_checks, super::import::import,
        super::insights::insights, super::review::claim, super::review::sign_off, super::review::comment, super::review::reply, super::review::set_state, super::review::decide),
    components(schemas(
        ErrorBody, IntegrationList, IntegrationSummary, Integration, Endpoint, Completeness,
        RevisionSummary, Revision, CommentThread, Reply, Decision,
        super::staging::StagingCheck, super::staging::StagingLine,
        super::import::ImportResult, super::import::UpdatedEndpoint,
        super::import::ImportDocument, super::import::ImportDocumentInfo,
        super::insights::InsightsFigures, super::insights::TimeSpread, super::insights::RoundCount,
        super::insights::SendBackItemCount, super::insights::StalledIntegration, super::insights::WeekCount,
        super::review::Done, super::review::NewComment, super::review::NewReply, super::review::ReplyPosted,
        super::review::NewState, super::review::NewDecision, super::review::NewSignOff
    )),
    modifiers(&TokenAuth)
)]
pub struct ApiDoc;

struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
