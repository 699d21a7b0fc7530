//! Comments on the exact item: a thread is anchored to (revision, endpoint, checklist item), shows
//! on the same item in every later revision until it is resolved, and a reviewer's comments stay a
//! draft until the decision is sent.
//!
//! `model` is what a thread is, `store` reads and writes them, `service` holds the actions the
//! pages and the API share, `pages` the handlers.

mod model;
mod pages;
mod service;
mod store;

pub use model::*;
pub use pages::{create, delete_draft, edit_draft, reply, set_state};
pub use service::{Posted, change_state, post_reply, start_thread};
pub use store::{Published, answered, open_count, publish_drafts};
