//! Partner portal: partners describe their APIs against Haptik's checklist; reviewers check them.
//!
//! `app` builds the Router that both the binary and the tests serve.

pub mod accounts;
pub mod api;
pub mod app;
pub mod audit;
pub mod chasing;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod domain;
pub mod insights;
pub mod intake;
pub mod interop;
pub mod listen;
pub mod mail;
pub mod mock;
pub mod review;
pub mod seed;
pub mod server;
pub mod settings;
pub mod shared_cache;
pub mod staging;
pub mod state;
pub mod web;

pub use state::AppState;

pub use app::app;
