//! What the partner entered for each endpoint of a revision, as the review page shows it. It is
//! the same for every reviewer and every view, and revisions never change, so each revision's
//! parts are rendered once and kept (`SharedCache::revision_parts`) instead of on every view:
//! highlighting the examples and escaping them was most of the page's work. Each endpoint's staging
//! URL is derived here too (4% of a view), and its checklist items are listed once per
//! assessment (a tenth of a view) unless threads sit between them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use askama::Template;
use uuid::Uuid;

use crate::domain::checklist::{Assessment, EndpointAssessment};
use crate::domain::curl;
use crate::domain::revision::{Snapshot, SnapshotEndpoint};
use crate::review::comments::Threads;
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
pub struct Derived {
    /// Each endpoint's evidence as HTML.
    pub evidence: HashMap<Uuid, String>,
    /// Each endpoint's full staging URL, when the revision has a staging base URL and it a path.
    pub staging_urls: HashMap<Uuid, String>,
    /// Each endpoint's checklist items as HTML, with the assessment they were listed from: a
    /// change of the checklist settings makes a new assessment, and the lists are made again.
    items: Mutex<Option<(Arc<Assessment>, Arc<ItemLists>)>>,
}

/// Each endpoint's checklist items as HTML.
pub type ItemLists = HashMap<Uuid, String>;

/// An endpoint's checklist items as the review page lists them above its evidence.
#[derive(Template)]
#[template(path = "review/endpoint_items.html")]
pub struct EndpointItems<'a> {
    pub endpoint: Uuid,
    pub result: &'a EndpointAssessment,
    /// The threads among the items, and the form token their reply forms carry; none in the
    /// lists made once.
    pub threads: Option<(&'a Threads, &'a str)>,
}

impl Derived {
    /// The endpoints' item lists for `assessment`, listed now unless kept from an earlier view.
    pub fn items(&self, assessment: &Arc<Assessment>) -> askama::Result<Arc<ItemLists>> {
        let mut kept = self
            .items
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some((made_from, items)) = kept.as_ref()
            && Arc::ptr_eq(made_from, assessment)
        {
            return Ok(items.clone());
        }
        let items = Arc::new(
            assessment
                .endpoints
                .iter()
                .map(|result| {
                    let list = EndpointItems {
                        endpoint: result.endpoint_id,
                        result,
                        threads: None,
                    };
                    Ok((result.endpoint_id, list.render()?))
                })
                .collect::<askama::Result<HashMap<_, _>>>()?,
        );
        *kept = Some((assessment.clone(), items.clone()));
        Ok(items)
    }
}

/// The endpoint's items: the list made once, or with threads among them, listed now.
pub fn endpoint_items<'a>(
    kept: &'a ItemLists,
    result: &EndpointAssessment,
    threads: &Threads,
    csrf_token: &str,
) -> askama::Result<Cow<'a, str>> {
    match kept.get(&result.endpoint_id) {
        Some(list) if !threads.on_items_of(result.endpoint_id) => Ok(Cow::Borrowed(list)),
        _ => EndpointItems {
            endpoint: result.endpoint_id,
            result,
            threads: Some((threads, csrf_token)),
        }
        .render()
        .map(Cow::Owned),
    }
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
        items: Mutex::new(None),
    });
    shared.keep_revision_parts(revision, derived.clone());
    Ok(derived)
}
