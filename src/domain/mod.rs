//! The portal's rules and model, with no HTTP in them: the integration model and how it is
//! stored and frozen into revisions, the checklist, the review workflow, and how far a parser of
//! partner text may go.

pub mod checklist;
pub mod curl;
pub mod example;
pub mod integration;
pub mod model;
pub mod revision;
pub mod workflow;
