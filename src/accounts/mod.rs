//! Who may sign in and what they may do: companies, users, invitations, passwords, sessions.

pub mod access_tokens;
pub mod admin;
pub mod audit_page;
pub mod companies;
pub mod invitations;
pub mod login;
pub mod reset;
pub mod team;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod viewer;

use axum::Router;
use axum::routing::{get, post};

pub use crate::domain::account::{EmailAddress, Role, User};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route(
            "/password/forgot",
            get(reset::show_forgot).post(reset::request_reset),
        )
        .route(
            "/password/reset/{token}",
            get(reset::show_reset).post(reset::complete_reset),
        )
        .route(
            "/invitations/{token}",
            get(invitations::show_accept).post(invitations::accept),
        )
        .route("/team", get(team::show))
        .route("/team/invitations", post(team::invite))
        .route(
            "/team/invitations/{id}/revoke",
            post(team::revoke_invitation),
        )
        .route(
            "/team/members/{id}/deactivate",
            post(team::deactivate_member),
        )
        .route(
            "/admin/companies",
            get(admin::companies).post(admin::create_company),
        )
        .route("/admin/companies/{id}", get(admin::company))
        .route(
            "/admin/companies/{id}/invitations",
            post(admin::invite_partner),
        )
        .route("/admin/staff", get(admin::staff))
        .route("/admin/staff/invitations", post(admin::invite_staff))
        .route(
            "/admin/invitations/{id}/revoke",
            post(admin::revoke_invitation),
        )
        .route("/admin/users/{id}/active", post(admin::set_active))
        .route("/admin/users/{id}/role", post(admin::set_role))
        .route("/admin/audit", get(audit_page::show))
}
