//! The admins' allow-list of ports other than 443: a staging check goes to another port only
//! for a host listed here with that port.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_messages::Messages;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::accounts::viewer::Admin;
use crate::web::extract::{Form, Path};
use crate::web::forms::FieldErrors;
use crate::web::page::Page;

use crate::web::{AppError, Result};

#[derive(sqlx::FromRow)]
pub struct AllowedPort {
    pub id: Uuid,
    pub host: String,
    pub port: i32,
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staging/ports.html")]
pub struct PortsPage {
    page: Page,
    ports: Vec<AllowedPort>,
    host: String,
    port: String,
    note: String,
    errors: FieldErrors,
}

async fn ports_page(state: &AppState, page: Page) -> Result<PortsPage> {
    let ports = sqlx::query_as!(
        AllowedPort,
        "SELECT id, host, port, note FROM staging_ports ORDER BY host, port"
    )
    .fetch_all(&state.db)
    .await?;
    Ok(PortsPage {
        page,
        ports,
        host: String::new(),
        port: String::new(),
        note: String::new(),
        errors: FieldErrors::default(),
    })
}

pub async fn show(State(state): State<AppState>, _admin: Admin, page: Page) -> Result<PortsPage> {
    ports_page(&state, page).await
}

#[derive(Deserialize)]
pub struct PortForm {
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    note: String,
}

/// A host name or address as URLs carry it: lower case, no scheme, no path, no port.
fn parse_host(text: &str) -> Option<String> {
    let text = text.trim().to_ascii_lowercase();
    let url = url::Url::parse(&format!("https://{text}/")).ok()?;
    let host = url.host_str()?.trim_matches(['[', ']']).to_string();
    let same = host == text.trim_matches(['[', ']']);
    (same && url.port().is_none()).then_some(host)
}

pub async fn add(
    State(state): State<AppState>,
    Admin(admin): Admin,
    page: Page,
    messages: Messages,
    Form(form): Form<PortForm>,
) -> Result<Response> {
    let mut errors = FieldErrors::default();
    let host = parse_host(&form.host);
    if host.is_none() {
        errors.add(
            "host",
            "Enter a host name such as apisit.partner.com, without https:// or a path.",
        );
    }
    let port = form
        .port
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0 && *p != 443);
    if port.is_none() {
        errors.add(
            "port",
            "Enter a port from 1 to 65535 other than 443 (443 is always allowed).",
        );
    }
    if form.note.chars().count() > 200 {
        errors.add("note", "Keep the note to 200 characters.");
    }
    if let (Some(host), Some(port), true) = (&host, port, errors.is_empty()) {
        let mut tx = state.db.begin().await?;
        let inserted = sqlx::query!(
            "INSERT INTO staging_ports (id, host, port, note, added_by) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT ON CONSTRAINT staging_ports_host_port_key DO NOTHING",
            Uuid::new_v4(),
            host,
            i32::from(port),
            form.note.trim(),
            admin.id
        )
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 1 {
            let pair = format!("{host}:{port}");
            let said = format!("Staging checks may now use {pair}.");
            return audited(tx, messages, admin.id, "staging_port_allowed", &pair, said).await;
        }
        errors.add("port", "That host and port are already allowed.");
    }
    let mut view = ports_page(&state, page).await?;
    view.host = form.host.chars().take(253).collect();
    view.port = form.port.chars().take(10).collect();
    view.note = form.note.chars().take(200).collect();
    view.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    Admin(admin): Admin,
    messages: Messages,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    let mut tx = state.db.begin().await?;
    let removed = sqlx::query!(
        "DELETE FROM staging_ports WHERE id = $1 RETURNING host, port",
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let (host, port) = (removed.host, removed.port);
    let pair = format!("{host}:{port}");
    let said = format!("{pair} removed.");
    audited(tx, messages, admin.id, "staging_port_removed", &pair, said).await
}

/// Records the change in the audit log with it, then says so on the list.
async fn audited(
    mut tx: sqlx::Transaction<'static, sqlx::Postgres>,
    messages: Messages,
    admin: Uuid,
    action: &str,
    pair: &str,
    said: String,
) -> Result<Response> {
    crate::audit::record(&mut tx, Some(admin), None, action, pair).await?;
    tx.commit().await?;
    messages.success(said);
    Ok(Redirect::to("/admin/staging-ports").into_response())
}

#[cfg(test)]
mod tests {
    use super::parse_host;

    #[test]
    fn hosts_are_bare_and_lower_case() {
        assert_eq!(
            parse_host(" ApiSit.Partner.com "),
            Some("apisit.partner.com".into())
        );
        assert_eq!(parse_host("203.0.113.5"), Some("203.0.113.5".into()));
        for bad in ["https://x.com", "x.com/path", "x.com:8443", "", "a b"] {
            assert_eq!(parse_host(bad), None, "{bad}");
        }
    }
}
