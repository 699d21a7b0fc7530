//! Downloads of an integration: any revision (`?revision=N`), by default the approved one, else the
//! latest submitted; partners can also export their unsubmitted draft.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::{markdown, openapi_export, postman_export, xlsx_export};
use crate::AppState;
use crate::accounts::Role;
use crate::accounts::viewer::CurrentUser;
use crate::domain::integration;
use crate::domain::revision::{self, Snapshot};
use crate::web::extract::Path;
use crate::web::page::Page;
use crate::web::{AppError, Result};

#[derive(Deserialize)]
pub struct Which {
    #[serde(default)]
    revision: String,
}

/// What is exported, and how it is labelled ("revision 3 (approved)", "draft").
pub struct Exported {
    pub snapshot: Snapshot,
    pub version: String,
    pub file_stem: String,
}

pub async fn load(
    state: &AppState,
    viewer: &crate::accounts::User,
    id: Uuid,
    revision: &str,
) -> Result<Exported> {
    let company = match viewer.role {
        Role::Partner => Some(viewer.company_id.ok_or(AppError::Forbidden)?),
        Role::Reviewer | Role::Admin => None,
    };
    let found = sqlx::query!(
        r#"SELECT i.name, i.approved_revision,
                  (SELECT max(number) FROM revisions r WHERE r.integration_id = i.id) AS latest
           FROM integrations i WHERE i.id = $1 AND ($2::uuid IS NULL OR i.company_id = $2)"#,
        id,
        company
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    let (name, approved, latest) = (found.name, found.approved_revision, found.latest);
    let asked = match revision.trim() {
        "" => None,
        text => Some(text.parse::<i32>().map_err(|_| AppError::NotFound)?),
    };
    let stem = slug(&name);
    match asked.or(approved).or(latest) {
        Some(number) => {
            let snapshot = revision::snapshot(&mut *state.db.acquire().await?, id, number)
                .await?
                .ok_or(AppError::NotFound)?;
            let approved_note = if approved == Some(number) {
                " (approved)"
            } else {
                ""
            };
            Ok(Exported {
                snapshot,
                version: format!("revision {number}{approved_note}"),
                file_stem: format!("{stem}-r{number}"),
            })
        }
        // Never submitted: only its own partner can export the working copy.
        None if company.is_some() => {
            let loaded = integration::load(&mut *state.db.acquire().await?, id, company)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(Exported {
                snapshot: Snapshot::of(&loaded),
                version: "draft (not submitted)".into(),
                file_stem: format!("{stem}-draft"),
            })
        }
        None => Err(AppError::NotFound),
    }
}

/// A file name anyone's tools accept: ASCII letters, digits and dashes.
fn slug(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if slug.is_empty() {
        "integration".into()
    } else {
        slug.chars().take(60).collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "interop/printable.html")]
pub struct PrintablePage {
    pub page: Page,
    pub title: String,
    /// HTML made by `markdown::to_html`, which shows any HTML in the partner's text as text.
    pub body: String,
}

fn attachment(bytes: impl IntoResponse, content_type: &'static str, filename: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub async fn download(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    page: Page,
    Path((id, format)): Path<(Uuid, String)>,
    Query(which): Query<Which>,
) -> Result<Response> {
    let exported = load(&state, &viewer, id, &which.revision).await?;
    let Exported {
        snapshot,
        version,
        file_stem,
    } = exported;
    let mock = state.config.mock_base_url(id);
    let response = match format.as_str() {
        "openapi.json" => {
            let mut doc = openapi_export::document(&snapshot, &version);
            openapi_export::add_mock_server(&mut doc, &mock);
            let text = serde_json::to_string_pretty(&doc).map_err(anyhow::Error::from)?;
            attachment(
                text,
                "application/json",
                format!("{file_stem}.openapi.json"),
            )
        }
        "openapi.yaml" => {
            let mut doc = openapi_export::document(&snapshot, &version);
            openapi_export::add_mock_server(&mut doc, &mock);
            let text = super::yaml::to_string(&doc);
            attachment(
                text,
                "application/yaml",
                format!("{file_stem}.openapi.yaml"),
            )
        }
        "postman.json" => {
            let collection = postman_export::collection(&snapshot);
            let text = serde_json::to_string_pretty(&collection).map_err(anyhow::Error::from)?;
            attachment(
                text,
                "application/json",
                format!("{file_stem}.postman_collection.json"),
            )
        }
        "postman-mock-environment.json" => {
            let environment = postman_export::mock_environment(&snapshot, &mock);
            let text = serde_json::to_string_pretty(&environment).map_err(anyhow::Error::from)?;
            attachment(
                text,
                "application/json",
                format!("{file_stem}.mock.postman_environment.json"),
            )
        }
        "xlsx" => {
            let bytes = xlsx_export::workbook(&snapshot).map_err(anyhow::Error::from)?;
            attachment(
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("{file_stem}.xlsx"),
            )
        }
        "md" => attachment(
            markdown::document(&snapshot, &version),
            "text/markdown; charset=utf-8",
            format!("{file_stem}.md"),
        ),
        "html" => PrintablePage {
            page,
            title: format!("{} · {version}", snapshot.name),
            body: markdown::to_html(&markdown::document(&snapshot, &version)),
        }
        .into_response(),
        _ => return Err(AppError::NotFound),
    };
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_plain_ascii() {
        assert_eq!(slug("OTP APIs: v1 (बैंक)"), "otp-apis-v1");
        assert_eq!(slug("   "), "integration");
    }
}
