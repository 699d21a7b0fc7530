//! Haptik admins' settings: which checklist items are required, and Haptik's published egress IPs.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_messages::Messages;
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::accounts::viewer::Admin;
use crate::domain::checklist::{self, Item, Requirement, Settings};
use crate::intake::store;
use crate::web::extract::{Form, Path};
use crate::web::forms::FieldErrors;
use crate::web::page::Page;

use crate::web::{AppError, Result};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/checklist", get(show_checklist).post(save_checklist))
        .route("/admin/egress-ips", get(show_egress).post(add_egress))
        .route("/admin/egress-ips/{id}/delete", post(delete_egress))
}

pub struct ItemSetting {
    pub item: &'static Item,
    pub requirement: Requirement,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/checklist.html")]
pub struct ChecklistPage {
    page: Page,
    integration: Vec<ItemSetting>,
    endpoint: Vec<ItemSetting>,
    choices: [Requirement; 3],
}

async fn show_checklist(
    State(state): State<AppState>,
    _admin: Admin,
    page: Page,
) -> Result<ChecklistPage> {
    let settings = Settings::load(&state.db).await?;
    let rows = |items: &'static [Item]| {
        items
            .iter()
            .map(|item| ItemSetting {
                item,
                requirement: settings.requirement(item),
            })
            .collect()
    };
    Ok(ChecklistPage {
        page,
        integration: rows(&checklist::INTEGRATION_ITEMS),
        endpoint: rows(&checklist::ENDPOINT_ITEMS),
        choices: Requirement::ALL,
    })
}

/// One select per item, named after the item id.
async fn save_checklist(
    State(state): State<AppState>,
    Admin(admin): Admin,
    messages: Messages,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Result<Response> {
    let mut tx = state.db.begin().await?;
    for item in checklist::all_items() {
        let Some(requirement) = form
            .get(item.id.as_str())
            .and_then(|v| Requirement::parse(v))
        else {
            continue;
        };
        sqlx::query!(
            "INSERT INTO checklist_settings (item, requirement, updated_by) VALUES ($1, $2, $3)
             ON CONFLICT (item) DO UPDATE SET requirement = EXCLUDED.requirement, updated_by = EXCLUDED.updated_by, updated_at = now()",
            item.id.as_str(),
            requirement.as_str(),
            admin.id
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    messages.success("Checklist settings saved. Completeness everywhere now follows them.");
    Ok(Redirect::to("/admin/checklist").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "settings/egress.html")]
pub struct EgressPage {
    page: Page,
    addresses: Vec<(Uuid, String, String)>,
    address: String,
    note: String,
    errors: FieldErrors,
}

async fn egress_page(
    state: &AppState,
    page: Page,
    address: String,
    note: String,
    errors: FieldErrors,
) -> Result<EgressPage> {
    let addresses = sqlx::query!(
        r#"SELECT id, host(address) || CASE WHEN masklen(address) IN (32, 128) THEN '' ELSE '/' || masklen(address) END AS "address!", note
           FROM egress_ips ORDER BY address"#
    )
    .fetch_all(&state.db)
    .await?
    .into_iter()
    .map(|row| (row.id, row.address, row.note))
    .collect();
    Ok(EgressPage {
        page,
        addresses,
        address,
        note,
        errors,
    })
}

async fn show_egress(
    State(state): State<AppState>,
    _admin: Admin,
    page: Page,
) -> Result<EgressPage> {
    egress_page(
        &state,
        page,
        String::new(),
        String::new(),
        FieldErrors::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct EgressForm {
    address: String,
    #[serde(default)]
    note: String,
}

async fn add_egress(
    State(state): State<AppState>,
    _admin: Admin,
    page: Page,
    messages: Messages,
    Form(form): Form<EgressForm>,
) -> Result<Response> {
    let mut errors = FieldErrors::default();
    let address = form.address.trim();
    let parsed = parse_network(address);
    if parsed.is_none() {
        errors.add(
            "address",
            "Enter an IP address or network, e.g. 13.232.10.5 or 13.232.10.0/28.",
        );
    }
    if form.note.chars().count() > 200 {
        errors.add("note", "Keep the note to 200 characters.");
    }
    if let (Some(network), true) = (parsed, errors.is_empty()) {
        let inserted = sqlx::query!(
            "INSERT INTO egress_ips (id, address, note) VALUES ($1, $2::text::cidr, $3) ON CONFLICT ON CONSTRAINT egress_ips_address_key DO NOTHING",
            Uuid::new_v4(),
            network,
            form.note.trim()
        )
        .execute(&state.db)
        .await?;
        if inserted.rows_affected() == 1 {
            messages.success(format!(
                "{network} added; partners see it on the reachability section."
            ));
            return Ok(Redirect::to("/admin/egress-ips").into_response());
        }
        errors.add("address", "That address is already listed.");
    }
    let page = egress_page(
        &state,
        page,
        form.address.chars().take(64).collect(),
        form.note.chars().take(200).collect(),
        errors,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// An IPv4 or IPv6 address, optionally with a prefix length, in the form Postgres' cidr accepts.
fn parse_network(text: &str) -> Option<String> {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
        None => (text, None),
    };
    let ip: std::net::IpAddr = address.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = prefix.unwrap_or(max);
    if prefix > max {
        return None;
    }
    // cidr refuses host bits beyond the prefix; mask them off so 13.232.10.5/28 is accepted.
    let masked = match ip {
        std::net::IpAddr::V4(v4) => std::net::IpAddr::V4(
            (u32::from(v4) & (u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0))).into(),
        ),
        std::net::IpAddr::V6(v6) => std::net::IpAddr::V6(
            (u128::from(v6) & (u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0))).into(),
        ),
    };
    Some(format!("{masked}/{prefix}"))
}

async fn delete_egress(
    State(state): State<AppState>,
    _admin: Admin,
    messages: Messages,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    let deleted = sqlx::query!("DELETE FROM egress_ips WHERE id = $1", id)
        .execute(&state.db)
        .await?;
    if deleted.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    messages.success("Address removed.");
    Ok(Redirect::to("/admin/egress-ips").into_response())
}

/// Shown to partners beside the reachability question.
pub async fn published_egress_ips(db: &sqlx::PgPool) -> sqlx::Result<Vec<(String, String)>> {
    store::egress_ips(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_normalised_for_postgres() {
        assert_eq!(
            parse_network("13.232.10.5").as_deref(),
            Some("13.232.10.5/32")
        );
        assert_eq!(
            parse_network("13.232.10.5/28").as_deref(),
            Some("13.232.10.0/28")
        );
        assert_eq!(
            parse_network("2001:db8::1/64").as_deref(),
            Some("2001:db8::/64")
        );
        assert_eq!(parse_network("0.0.0.0/0").as_deref(), Some("0.0.0.0/0"));
        assert!(parse_network("13.232.10.5/33").is_none());
        assert!(parse_network("haptik.ai").is_none());
    }
}
