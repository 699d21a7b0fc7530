//! What nearly every page reads and rarely changes, kept in memory: the checklist settings, the
//! egress addresses, the signed-in users and their session records. PostgreSQL triggers announce each change on the
//! `portal_changed` channel (see the migration) and every instance drops what it holds, so a
//! deactivated user or a changed setting takes effect on all instances at once. Nothing is kept
//! while the listener is down, nothing read before a notice is kept after it, and nothing is
//! used longer than `MAX_AGE` whatever the listener says.

use std::any::Any;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::PgPool;
use tower_sessions::session::Record;
use uuid::Uuid;

use crate::domain::account::User;
use crate::domain::checklist::{Assessment, Settings};
use crate::domain::fingerprint::Fingerprints;
use crate::domain::integration::Loaded;
use crate::domain::revision::Snapshot;
use crate::listen::{Freshness, Heard, KeptMap};

const MAX_AGE: Duration = Duration::from_secs(60);
/// More users than this and the map starts again: a bound, not an eviction policy.
const MAX_USERS: usize = 10_000;
/// Decoded integrations kept (a 50-endpoint one is about 100 KB).
const MAX_LOADED: usize = 256;
/// Queue counts kept (one per filter seen).
const MAX_COUNTS: usize = 1_000;
/// Decoded revision snapshots kept.
const MAX_SNAPSHOTS: usize = 64;
/// Session records kept (about a kilobyte each; a larger one is not kept, see `small`).
const MAX_SESSIONS: usize = 10_000;
/// A session holding more than this (a form kept for replay after a sign-in can hold up to the
/// body limit) is read from the database each time, so the sessions kept stay within ~160 MB.
const MAX_SESSION_BYTES: usize = 16 * 1024;

fn small(record: &Record) -> bool {
    serde_json::to_vec(&record.data).is_ok_and(|bytes| bytes.len() <= MAX_SESSION_BYTES)
}

/// Settings every page of the checklist needs.
#[derive(Debug, Clone)]
pub struct SiteSettings {
    pub checklist: Settings,
    /// Haptik's egress addresses and their notes, as partners are shown them.
    pub egress: Vec<(String, String)>,
}

impl SiteSettings {
    pub async fn load(db: &PgPool) -> sqlx::Result<SiteSettings> {
        Ok(SiteSettings {
            checklist: Settings::load(db).await?,
            egress: egress_ips(db).await?,
        })
    }
}

/// Haptik's egress addresses ("10.0.0.0/24" or a single address) with their notes.
pub async fn egress_ips(db: &PgPool) -> sqlx::Result<Vec<(String, String)>> {
    let rows = sqlx::query!(
        r#"SELECT host(address) || CASE WHEN masklen(address) IN (32, 128) THEN '' ELSE '/' || masklen(address) END AS "address!", note
           FROM egress_ips ORDER BY address"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.address, row.note))
        .collect())
}

/// A revision's decoded snapshot with its fingerprints.
pub type Frozen = (Arc<Snapshot>, Arc<Fingerprints>);

pub struct SharedCache {
    site: KeptMap<(), Arc<SiteSettings>>,
    users: KeptMap<Uuid, Option<User>>,
    /// Counts of the review queue by filter, until the integrations table changes.
    counts: KeptMap<String, i64>,
    /// Pages of the review queue by filter, viewer and page number, until the integrations or
    /// revisions tables change or a user is renamed. Typed by the queue (`queue_page`).
    queue_pages: KeptMap<String, Arc<dyn Any + Send + Sync>>,
    /// Decoded integrations by id, with the row version they were read at: checked against the
    /// row on every use, so they need no notice.
    loaded: KeptMap<Uuid, (String, Arc<Loaded>)>,
    /// The checklist assessment of each kept integration, under the same row version, with the
    /// settings it was made under.
    draft_assessments: KeptMap<Uuid, (String, Arc<SiteSettings>, Arc<Assessment>)>,
    /// Decoded revision snapshots by revision id: revisions never change.
    snapshots: KeptMap<Uuid, Frozen>,
    /// What the review page derives from a revision once (its endpoints' HTML and staging URLs),
    /// by revision id: immutable as the revision is. Typed by the review page.
    revision_parts: KeptMap<Uuid, Arc<dyn Any + Send + Sync>>,
    /// A revision's checklist assessment, with the settings it was made under.
    assessments: KeptMap<Uuid, (Arc<SiteSettings>, Arc<Assessment>)>,
    /// Session records by session id, until the session is saved or deleted anywhere.
    sessions: KeptMap<String, Record>,
    freshness: Freshness,
}

impl Default for SharedCache {
    fn default() -> Self {
        SharedCache {
            site: KeptMap::new(1, MAX_AGE),
            users: KeptMap::new(MAX_USERS, MAX_AGE),
            counts: KeptMap::new(MAX_COUNTS, MAX_AGE),
            queue_pages: KeptMap::new(MAX_COUNTS, MAX_AGE),
            loaded: KeptMap::new(MAX_LOADED, MAX_AGE),
            draft_assessments: KeptMap::new(MAX_LOADED, MAX_AGE),
            snapshots: KeptMap::new(MAX_SNAPSHOTS, Duration::from_secs(3600)),
            revision_parts: KeptMap::new(MAX_SNAPSHOTS, Duration::from_secs(3600)),
            assessments: KeptMap::new(MAX_SNAPSHOTS, Duration::from_secs(3600)),
            sessions: KeptMap::new(MAX_SESSIONS, MAX_AGE),
            freshness: Freshness::default(),
        }
    }
}

impl SharedCache {
    /// A value from `map`, or else loaded and kept if no notice came meanwhile.
    async fn cached<K, V, F, Fut>(
        self: &Arc<Self>,
        db: &PgPool,
        map: &KeptMap<K, V>,
        key: K,
        load: F,
    ) -> sqlx::Result<V>
    where
        K: Eq + Hash,
        V: Clone,
        F: FnOnce() -> Fut,
        Fut: Future<Output = sqlx::Result<V>>,
    {
        self.listen(db).await;
        if let Some(value) = map.get(&key) {
            return Ok(value);
        }
        let epoch = self.freshness.epoch();
        let value = load().await?;
        map.keep(key, value.clone(), &self.freshness, epoch);
        Ok(value)
    }

    /// The site settings, from memory when they are known to be current.
    pub async fn site(self: &Arc<Self>, db: &PgPool) -> sqlx::Result<Arc<SiteSettings>> {
        self.cached(db, &self.site, (), || async {
            Ok(Arc::new(SiteSettings::load(db).await?))
        })
        .await
    }

    /// A user by id, from memory when known to be current.
    pub async fn user<F, Fut>(
        self: &Arc<Self>,
        db: &PgPool,
        id: Uuid,
        load: F,
    ) -> sqlx::Result<Option<User>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = sqlx::Result<Option<User>>>,
    {
        self.cached(db, &self.users, id, load).await
    }

    /// A count over the integrations table, kept until the table changes.
    pub async fn count<F, Fut>(
        self: &Arc<Self>,
        db: &PgPool,
        key: &str,
        load: F,
    ) -> sqlx::Result<i64>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = sqlx::Result<i64>>,
    {
        self.cached(db, &self.counts, key.to_string(), load).await
    }

    /// A page of the review queue, kept until a `queue` notice (the integrations or revisions
    /// tables changed) or a user's change (reviewers' names are on it).
    pub async fn queue_page<T, F, Fut>(
        self: &Arc<Self>,
        db: &PgPool,
        key: String,
        load: F,
    ) -> sqlx::Result<Arc<T>>
    where
        T: Any + Send + Sync,
        F: FnOnce() -> Fut,
        Fut: Future<Output = sqlx::Result<T>>,
    {
        let kept = self
            .cached(db, &self.queue_pages, key, || async {
                Ok(Arc::new(load().await?) as Arc<dyn Any + Send + Sync>)
            })
            .await?;
        kept.downcast::<T>()
            .map_err(|_| sqlx::Error::Protocol("a kept queue page has another type".into()))
    }

    /// The decoded integration kept for this row version, if any.
    pub fn loaded(&self, id: Uuid, row_version: &str) -> Option<Arc<Loaded>> {
        let (version, loaded) = self.loaded.get(&id)?;
        (version == row_version).then_some(loaded)
    }

    pub fn keep_loaded(&self, id: Uuid, row_version: String, loaded: Arc<Loaded>) {
        self.loaded.keep_checked(id, (row_version, loaded));
    }

    /// An integration's assessment, if made at this row version under these very settings.
    pub fn draft_assessment(
        &self,
        id: Uuid,
        row_version: &str,
        site: &Arc<SiteSettings>,
    ) -> Option<Arc<Assessment>> {
        let (version, made_under, assessment) = self.draft_assessments.get(&id)?;
        (version == row_version && Arc::ptr_eq(&made_under, site)).then_some(assessment)
    }

    pub fn keep_draft_assessment(
        &self,
        id: Uuid,
        row_version: String,
        site: Arc<SiteSettings>,
        assessment: Arc<Assessment>,
    ) {
        self.draft_assessments
            .keep_checked(id, (row_version, site, assessment));
    }

    pub fn snapshot(&self, revision: Uuid) -> Option<Frozen> {
        self.snapshots.get(&revision)
    }

    pub fn keep_snapshot(&self, revision: Uuid, snapshot: Frozen) {
        self.snapshots.keep_checked(revision, snapshot);
    }

    /// What was derived from a revision, if it was, as the type it was kept as.
    pub fn revision_parts<T: Any + Send + Sync>(&self, revision: Uuid) -> Option<Arc<T>> {
        self.revision_parts.get(&revision)?.downcast::<T>().ok()
    }

    pub fn keep_revision_parts<T: Any + Send + Sync>(&self, revision: Uuid, parts: Arc<T>) {
        self.revision_parts.keep_checked(revision, parts);
    }

    /// A revision's assessment, if it was made under these very settings (held, so their
    /// address cannot be reused by others while kept).
    pub fn assessment(&self, revision: Uuid, site: &Arc<SiteSettings>) -> Option<Arc<Assessment>> {
        let (made_under, assessment) = self.assessments.get(&revision)?;
        Arc::ptr_eq(&made_under, site).then_some(assessment)
    }

    pub fn keep_assessment(
        &self,
        revision: Uuid,
        site: Arc<SiteSettings>,
        assessment: Arc<Assessment>,
    ) {
        self.assessments.keep_checked(revision, (site, assessment));
    }

    /// A session record, from memory when known to be current, else loaded by `load` and kept
    /// (a missing session is not kept: anyone can make up session ids).
    pub async fn session<F, Fut, E>(
        self: &Arc<Self>,
        db: &PgPool,
        id: &str,
        load: F,
    ) -> Result<Option<Record>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<Record>, E>>,
    {
        self.listen(db).await;
        if let Some(record) = self.sessions.get(id) {
            if record.expiry_date > time::OffsetDateTime::now_utc() {
                return Ok(Some(record));
            }
            return Ok(None);
        }
        let epoch = self.freshness.epoch();
        let record = load().await?;
        if let Some(record) = record.as_ref().filter(|record| small(record)) {
            self.sessions
                .keep(id.to_string(), record.clone(), &self.freshness, epoch);
        }
        Ok(record)
    }

    /// This instance wrote or deleted a session: the next read goes to the database (the notice
    /// other instances get would arrive too late for a redirect that follows at once).
    pub fn forget_session(&self, id: &str) {
        self.forget(&format!("session:{id}"));
    }

    /// Drops what a notice names ("settings", "queue", "user:<id>", "session:<id>", or anything
    /// else: everything), after moving the epoch on so nothing read before can be kept after.
    fn forget(&self, payload: &str) {
        self.freshness.advance();
        if let Some(id) = payload.strip_prefix("session:") {
            self.sessions.remove(id);
            return;
        }
        match payload.strip_prefix("user:").map(str::parse::<Uuid>) {
            Some(Ok(id)) => {
                self.users.remove(&id);
                // Their name may be shown as who saved a section, or who reviews a submission.
                self.loaded.clear();
                self.queue_pages.clear();
            }
            _ if payload == "settings" => self.site.clear(),
            _ if payload == "queue" => {
                self.counts.clear();
                self.queue_pages.clear();
            }
            _ => {
                self.site.clear();
                self.users.clear();
                self.counts.clear();
                self.queue_pages.clear();
                self.loaded.clear();
                self.sessions.clear();
            }
        }
    }

    fn heard(&self, heard: Heard<'_>) {
        match heard {
            Heard::Live => {
                self.freshness.set_live(true);
                self.forget("");
            }
            Heard::Notice(payload) => self.forget(payload),
            Heard::Missed => self.forget(""),
            Heard::Lost => {
                self.freshness.set_live(false);
                self.forget("");
            }
        }
    }

    async fn listen(self: &Arc<Self>, db: &PgPool) {
        let cache: Weak<SharedCache> = Arc::downgrade(self);
        self.freshness
            .start(db, "portal_changed", move |heard| match cache.upgrade() {
                Some(held) => {
                    held.heard(heard);
                    true
                }
                None => false,
            })
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_holding_a_large_form_is_not_kept() {
        let record = |value: &str| Record {
            id: Default::default(),
            data: [("form".to_string(), serde_json::json!(value))].into(),
            expiry_date: time::OffsetDateTime::now_utc(),
        };
        assert!(small(&record("csrf and a user id")));
        assert!(!small(&record(&"x".repeat(MAX_SESSION_BYTES))));
    }

    #[test]
    fn a_notice_drops_what_it_names_and_stops_what_was_read_before_it() {
        let cache = SharedCache::default();
        cache.freshness.set_live(true);
        let settings = Arc::new(SiteSettings {
            checklist: Settings::default(),
            egress: vec![],
        });
        let before = cache.freshness.epoch();
        cache
            .site
            .keep((), settings.clone(), &cache.freshness, before);
        cache.forget(&format!("user:{}", Uuid::nil()));
        assert!(
            cache.site.get(&()).is_some(),
            "a user's change keeps the settings"
        );
        cache
            .site
            .keep((), settings.clone(), &cache.freshness, before);
        assert!(
            !cache.freshness.keeps(before),
            "a value read before the notice is not kept"
        );
        cache.forget("settings");
        assert!(cache.site.get(&()).is_none());
        cache.heard(Heard::Lost);
        let now = cache.freshness.epoch();
        cache.site.keep((), settings, &cache.freshness, now);
        assert!(
            cache.site.get(&()).is_none(),
            "nothing is kept while the listener is down"
        );
    }
}
