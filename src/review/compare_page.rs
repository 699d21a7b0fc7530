//! Any two revisions of an integration side by side, field by field; for partners (their own
//! company's) and reviewers.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;
use uuid::Uuid;

use super::diff::{self, RevisionDiff};
use crate::AppState;
use crate::accounts::Role;
use crate::accounts::viewer::CurrentUser;
use crate::domain::revision::{self, Snapshot};
use crate::web::extract::Path;
use crate::web::page::Page;
use crate::web::{AppError, Result};

#[derive(Deserialize)]
pub struct Pair {
    // Text, so a hand-edited address reads "choose two revisions" instead of a bare 400.
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "review/compare.html")]
pub struct ComparePage {
    pub page: Page,
    pub id: Uuid,
    pub name: String,
    pub numbers: Vec<i32>,
    pub diff: Option<RevisionDiff>,
    pub back: String,
}

pub async fn show(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    page: Page,
    Path(id): Path<Uuid>,
    Query(pair): Query<Pair>,
) -> Result<ComparePage> {
    let company = match viewer.role {
        Role::Partner => Some(viewer.company_id.ok_or(AppError::Forbidden)?),
        Role::Reviewer | Role::Admin => None,
    };
    let name = sqlx::query_scalar!(
        "SELECT name FROM integrations WHERE id = $1 AND ($2::uuid IS NULL OR company_id = $2)",
        id,
        company
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or(AppError::NotFound)?;
    let numbers = revision::numbers(&mut *state.db.acquire().await?, id).await?;
    let latest = numbers.last().copied().unwrap_or(0);
    let number = |text: Option<String>| text.and_then(|t| t.trim().parse::<i32>().ok());
    let to = number(pair.to).unwrap_or(latest);
    let from = number(pair.from).unwrap_or(to.saturating_sub(1));
    let diff = if numbers.contains(&from) && numbers.contains(&to) {
        let snapshots: Vec<(i32, sqlx::types::Json<Snapshot>)> = sqlx::query!(
            r#"SELECT number, snapshot AS "snapshot: sqlx::types::Json<Snapshot>" FROM revisions
               WHERE integration_id = $1 AND number IN ($2, $3)"#,
            id,
            from,
            to
        )
        .fetch_all(&state.db)
        .await?
        .into_iter()
        .map(|row| (row.number, row.snapshot))
        .collect();
        let of = |n: i32| {
            snapshots
                .iter()
                .find(|(number, _)| *number == n)
                .map(|(_, s)| &s.0)
        };
        match (of(from), of(to)) {
            (Some(old), Some(new)) => Some(diff::diff(from, old, to, new)),
            _ => None,
        }
    } else {
        None
    };
    let back = match viewer.role {
        Role::Partner => format!("/integrations/{id}"),
        _ => format!("/review/{id}"),
    };
    Ok(ComparePage {
        page,
        id,
        name,
        numbers,
        diff,
        back,
    })
}
