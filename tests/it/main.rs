//! The portal's integration tests: one binary (so it links once), real PostgreSQL through
//! `#[sqlx::test]` (a fresh database per test), real HTTP through the real Router.

mod accounts;
mod api;
mod architecture;
mod browser;
mod browser_import;
mod browser_review;
mod browser_staging;
mod csrf;
mod fault;
mod hardening;
mod hardening_accounts;
mod helpers;
mod instances;
mod intake;
mod interop;
mod invitations;
mod isolation;
mod parsers;
mod password_reset;
mod platform;
mod review;
mod settings;
mod staging;
mod staging_server;
