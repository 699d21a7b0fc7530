//! What the partner entered for each endpoint of a revision, as the review page shows it. It is
//! the same for every reviewer and every view, and revisions never change, so each revision's
//! parts are rendered once and kept (`SharedCache::revision_parts`) instead of on every view:
//! highlighting the examples and escaping them was most of the page's work. Each endpoint's staging
//! URL is derived here too (4% of a view).

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use uuid::Uuid;

use crate::domain::curl;
use crate::domain::revision::{Snapshot, SnapshotEndpoint};
use crate::shared_cache::SharedCache;
use crate::web::json_view::{self, Token};

#[derive(Template)]
#[template(path = "review/evidence.html")]
struct Evidence<'a> {
    e: &'a SnapshotEndpoint,
}

impl Evidence<'_> {
    /// An example pretty-printed and highlighted, when it is JSON.
    fn json(&self, text: &str) -> Option<Vec<Token>> {
        json_view::highlighted(text)
    }
}

/// What the review page derives from a revision's endpoints, once per revision.
#[derive(Default)]
pub struct Derived {
    /// Each endpoint's evidence as HTML.
    pub evidence: HashMap<Uuid, String>,
    /// Each endpoint's full staging URL, when the revision has a staging base URL and it a path.
    pub staging_urls: HashMap<Uuid, String>,
}

/// Kept from an earlier view, or derived now.
pub fn of(
    shared: &SharedCache,
    revision: Uuid,
    snapshot: &Snapshot,
) -> askama::Result<Arc<Derived>> {
    if let Some(kept) = shared.revision_parts::<Derived>(revision) {
        return Ok(kept);
    }
    let evidence = snapshot
        .endpoints
        .iter()
        .map(|e| Ok((e.id, Evidence { e }.render()?)))
        .collect::<askama::Result<HashMap<_, _>>>()?;
    let staging = &snapshot.sections.environments.staging_url;
    let staging_urls = snapshot
        .endpoints
        .iter()
        .filter_map(|e| Some((e.id, curl::full_url(staging, &e.spec)?)))
        .collect();
    let derived = Arc::new(Derived {
        evidence,
        staging_urls,
    });
    shared.keep_revision_parts(revision, derived.clone());
    Ok(derived)
}
