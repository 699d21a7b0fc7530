//! Partner intake: the requirements checklist as forms, per integration and per endpoint.

pub mod conflict;
pub mod curl;
pub mod json_example;
pub mod model;
pub mod secrets;
pub mod store;
pub mod validate;
