//! The portal's integration tests: one binary (so it links once), real PostgreSQL through
//! `#[sqlx::test]` (a fresh database per test), real HTTP through the real Router.

mod accounts;
mod api;
mod architecture;
mod browser;
mod browser_import;
mod browser_review;
mod browser_screens;
mod browser_staging;
mod csrf;
mod fault;
mod fixtures;
mod hardening;
mod hardening_accounts;
mod helpers;
mod instances;
mod intake;
mod intake_checks;
mod intake_formats;
mod intake_limits;
mod interop;
mod interop_corpus;
mod interop_import;
mod interop_report;
mod invitations;
mod isolation;
mod parsers;
mod password_reset;
mod platform;
mod review;
mod review_records;
mod settings;
mod staging;
mod staging_review;
mod staging_server;
