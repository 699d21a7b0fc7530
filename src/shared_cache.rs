//! What nearly every page reads and rarely changes, kept in memory: the checklist settings, the
//! egress addresses and the signed-in users. PostgreSQL triggers announce each change on the
//! `portal_changed` channel (see the migration) and every instance drops what it holds, so a
//! deactivated user or a changed setting takes effect on all instances at once. Nothing is kept
//! while the listener is down, nothing read before a notice is kept after it, and nothing is
//! used longer than `MAX_AGE` whatever the listener says.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::domain::account::User;
use crate::domain::checklist::Settings;
use crate::domain::fingerprint::Fingerprints;
use crate::domain::integration::Loaded;
use crate::domain::revision::Snapshot;
use crate::listen::Heard;

const MAX_AGE: Duration = Duration::from_secs(60);
/// More users than this and the map starts again: a bound, not an eviction policy.
const MAX_USERS: usize = 10_000;
/// Decoded integrations kept (a 50-endpoint one is about 100 KB).
const MAX_LOADED: usize = 256;
/// Queue counts kept (one per filter seen).
const MAX_COUNTS: usize = 1_000;
/// Decoded revision snapshots kept.
const MAX_SNAPSHOTS: usize = 64;

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

/// A decoded integration, the row version it was read at, and when.
type KeptLoaded = (String, Instant, Arc<Loaded>);

#[derive(Default)]
pub struct SharedCache {
    site: Mutex<Option<(Instant, Arc<SiteSettings>)>>,
    users: Mutex<HashMap<Uuid, (Instant, User)>>,
    /// Decoded integrations by id, with the row version they were read at: checked against the
    /// row on every use, so they need no notice.
    loaded: Mutex<HashMap<Uuid, KeptLoaded>>,
    /// Decoded revision snapshots by revision id: revisions never change.
    snapshots: Mutex<HashMap<Uuid, Frozen>>,
    /// Counts of the review queue by filter, until the integrations table changes.
    counts: Mutex<HashMap<String, (Instant, i64)>>,
    listener: OnceCell<()>,
    live: AtomicBool,
    epoch: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SharedCache {
    /// The site settings, from memory when they are known to be current.
    pub async fn site(self: &Arc<Self>, db: &PgPool) -> sqlx::Result<Arc<SiteSettings>> {
        self.listen(db).await;
        if let Some((at, site)) = lock(&self.site).as_ref()
            && at.elapsed() < MAX_AGE
        {
            return Ok(site.clone());
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let site = Arc::new(SiteSettings::load(db).await?);
        let mut held = lock(&self.site);
        if self.keeps(epoch) {
            *held = Some((Instant::now(), site.clone()));
        }
        Ok(site)
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
        self.listen(db).await;
        if let Some((at, user)) = lock(&self.users).get(&id)
            && at.elapsed() < MAX_AGE
        {
            return Ok(Some(user.clone()));
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let user = load().await?;
        if let Some(user) = &user {
            let mut held = lock(&self.users);
            if self.keeps(epoch) {
                if held.len() >= MAX_USERS {
                    held.clear();
                }
                held.insert(id, (Instant::now(), user.clone()));
            }
        }
        Ok(user)
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
        self.listen(db).await;
        if let Some((at, count)) = lock(&self.counts).get(key)
            && at.elapsed() < MAX_AGE
        {
            return Ok(*count);
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let count = load().await?;
        let mut held = lock(&self.counts);
        if self.keeps(epoch) {
            if held.len() >= MAX_COUNTS {
                held.clear();
            }
            held.insert(key.to_string(), (Instant::now(), count));
        }
        Ok(count)
    }

    /// The decoded integration kept for this row version, if any.
    pub fn loaded(&self, id: Uuid, row_version: &str) -> Option<Arc<Loaded>> {
        let held = lock(&self.loaded);
        let (version, at, loaded) = held.get(&id)?;
        (version == row_version && at.elapsed() < MAX_AGE).then(|| loaded.clone())
    }

    pub fn keep_loaded(&self, id: Uuid, row_version: String, loaded: Arc<Loaded>) {
        let mut held = lock(&self.loaded);
        if held.len() >= MAX_LOADED {
            held.clear();
        }
        held.insert(id, (row_version, Instant::now(), loaded));
    }

    pub fn snapshot(&self, revision: Uuid) -> Option<Frozen> {
        lock(&self.snapshots).get(&revision).cloned()
    }

    pub fn keep_snapshot(&self, revision: Uuid, snapshot: Frozen) {
        let mut held = lock(&self.snapshots);
        if held.len() >= MAX_SNAPSHOTS {
            held.clear();
        }
        held.insert(revision, snapshot);
    }

    /// Whether a value read at `epoch` may be kept: the listener is up and no notice came since.
    fn keeps(&self, epoch: u64) -> bool {
        self.live.load(Ordering::Acquire) && self.epoch.load(Ordering::Acquire) == epoch
    }

    /// Drops what a notice names ("settings", "queue", "user:<id>", or anything else:
    /// everything). The epoch moves on while the maps are held, so nothing read before can be
    /// kept after.
    fn forget(&self, payload: &str) {
        let mut site = lock(&self.site);
        let mut users = lock(&self.users);
        let mut counts = lock(&self.counts);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        match payload.strip_prefix("user:").map(str::parse::<Uuid>) {
            Some(Ok(id)) => {
                users.remove(&id);
                // Their name may be shown as who saved a section.
                lock(&self.loaded).clear();
            }
            _ if payload == "settings" => *site = None,
            _ if payload == "queue" => counts.clear(),
            _ => {
                *site = None;
                users.clear();
                counts.clear();
                lock(&self.loaded).clear();
            }
        }
    }

    fn heard(&self, heard: Heard<'_>) {
        match heard {
            Heard::Live => {
                self.forget("");
                self.live.store(true, Ordering::Release);
            }
            Heard::Notice(payload) => self.forget(payload),
            Heard::Missed => self.forget(""),
            Heard::Lost => {
                self.live.store(false, Ordering::Release);
                self.forget("");
            }
        }
    }

    async fn listen(self: &Arc<Self>, db: &PgPool) {
        let cache: Weak<SharedCache> = Arc::downgrade(self);
        self.listener
            .get_or_init(|| {
                crate::listen::listen(db, "portal_changed", move |heard| match cache.upgrade() {
                    Some(held) => {
                        held.heard(heard);
                        true
                    }
                    None => false,
                })
            })
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_drops_what_it_names_and_stops_what_was_read_before_it() {
        let cache = SharedCache::default();
        cache.live.store(true, Ordering::Release);
        let before = cache.epoch.load(Ordering::Acquire);
        *lock(&cache.site) = Some((
            Instant::now(),
            Arc::new(SiteSettings {
                checklist: Settings::default(),
                egress: vec![],
            }),
        ));
        cache.forget(&format!("user:{}", Uuid::nil()));
        assert!(
            lock(&cache.site).is_some(),
            "a user's change keeps the settings"
        );
        assert!(
            !cache.keeps(before),
            "a value read before the notice is not kept"
        );
        cache.forget("settings");
        assert!(lock(&cache.site).is_none());
        cache.heard(Heard::Lost);
        assert!(
            !cache.keeps(cache.epoch.load(Ordering::Acquire)),
            "nothing is kept while down"
        );
    }
}
