//! What the partner entered for each endpoint of a revision, as the review page shows it. It is
//! the same for every reviewer and every view, and revisions never change, so each revision's
//! parts are rendered once and kept (`SharedCache::revision_html`) instead of on every view:
//! highlighting the examples and escaping them was most of the page's work.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use uuid::Uuid;

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

/// Each endpoint's evidence as HTML, by endpoint id: kept from an earlier view, or rendered now.
pub fn of(
    shared: &SharedCache,
    revision: Uuid,
    snapshot: &Snapshot,
) -> askama::Result<Arc<HashMap<Uuid, String>>> {
    if let Some(kept) = shared.revision_html(revision) {
        return Ok(kept);
    }
    let rendered = snapshot
        .endpoints
        .iter()
        .map(|e| Ok((e.id, Evidence { e }.render()?)))
        .collect::<askama::Result<HashMap<_, _>>>()?;
    let rendered = Arc::new(rendered);
    shared.keep_revision_html(revision, rendered.clone());
    Ok(rendered)
}
