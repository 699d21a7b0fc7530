//! The portal's rules and model, with no HTTP in them: the integration model and how it is
//! stored and frozen into revisions, the checklist, the review workflow, and how far a parser of
//! partner text may go.

pub mod account;
pub mod audit;
pub mod checklist;
pub mod cross_check;
pub mod curl;
pub mod defaults;
pub mod egress;
pub mod error;
pub mod example;
pub mod fingerprint;
mod imported;
pub mod insights;
pub mod integration;
pub mod media;
pub mod model;
pub mod password;
pub mod reminders;
pub mod revision;
pub mod schema_check;
pub mod secret;
pub mod text;
pub mod time_zone;
pub mod workflow;
