//! What the mock keeps in memory: each integration's compiled mock per source (its approved or
//! latest revision, a named revision, the draft) and the mock keys seen. PostgreSQL triggers
//! announce every change on the `mock_changed` channel (see the migration), and each instance's
//! listener drops what it holds for that integration, so every instance answers from the current
//! description. Until the listener runs, and whenever it lost its connection, nothing is cached.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::dispatch::MockSet;
use crate::listen::Heard;

/// Which description a call is answered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The approved revision, or the latest submitted one before any approval.
    Current,
    Revision(i32),
    Draft,
}

/// A compiled mock and what it was compiled from ("revision 3", "draft").
#[derive(Debug)]
pub struct Compiled {
    pub set: MockSet,
    pub label: String,
}

/// A mock key as presented: its id, integration and name.
#[derive(Debug, Clone)]
pub struct KnownKey {
    pub id: Uuid,
    pub integration: Uuid,
    pub name: String,
    pub created_by: Uuid,
}

/// More than this many entries and the map starts again: a bound, not an eviction policy.
const MAX_ENTRIES: usize = 256;
/// However quiet the listener, nothing is used longer than this: a backstop for a connection that
/// died without saying so.
const MAX_AGE: Duration = Duration::from_secs(60);

/// An entry and when it was kept.
type Kept<T> = (Instant, T);
/// Compiled mocks by integration and source.
type Sets = HashMap<(Uuid, Source), Kept<Arc<Compiled>>>;

#[derive(Default)]
pub struct MockCache {
    sets: Mutex<Sets>,
    keys: Mutex<HashMap<Vec<u8>, Kept<KnownKey>>>,
    listener: OnceCell<()>,
    /// True while the listener holds its connection: only then may anything be kept.
    live: AtomicBool,
    /// Moves on with every notice: what was read from the database before a notice arrived is
    /// not kept after it (`epoch()` before the read, `keep_*` with it).
    epoch: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl MockCache {
    /// Taken before reading from the database; what was read is kept only if no notice came since.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    pub fn set(&self, integration: Uuid, source: Source) -> Option<Arc<Compiled>> {
        lock(&self.sets)
            .get(&(integration, source))
            .filter(|(at, _)| at.elapsed() < MAX_AGE)
            .map(|(_, compiled)| compiled.clone())
    }

    pub fn keep_set(&self, integration: Uuid, source: Source, compiled: Arc<Compiled>, epoch: u64) {
        let mut sets = lock(&self.sets);
        if !self.live.load(Ordering::Acquire) || self.epoch() != epoch {
            return;
        }
        if sets.len() >= MAX_ENTRIES {
            sets.clear();
        }
        sets.insert((integration, source), (Instant::now(), compiled));
    }

    pub fn key(&self, digest: &[u8]) -> Option<KnownKey> {
        lock(&self.keys)
            .get(digest)
            .filter(|(at, _)| at.elapsed() < MAX_AGE)
            .map(|(_, key)| key.clone())
    }

    pub fn keep_key(&self, digest: Vec<u8>, key: KnownKey, epoch: u64) {
        let mut keys = lock(&self.keys);
        if !self.live.load(Ordering::Acquire) || self.epoch() != epoch {
            return;
        }
        if keys.len() >= MAX_ENTRIES {
            keys.clear();
        }
        keys.insert(digest, (Instant::now(), key));
    }

    /// Both maps are held while the epoch moves on, so nothing read before can be kept after.
    fn forget(&self, integration: Uuid) {
        let mut sets = lock(&self.sets);
        let mut keys = lock(&self.keys);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        sets.retain(|(id, _), _| *id != integration);
        keys.retain(|_, (_, key)| key.integration != integration);
    }

    fn forget_all(&self) {
        let mut sets = lock(&self.sets);
        let mut keys = lock(&self.keys);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        sets.clear();
        keys.clear();
    }

    fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
        // Whatever was kept may have missed notices while the connection was down.
        self.forget_all();
    }

    /// Starts this instance's listener on first use and waits until it listens, so nothing read
    /// after this call can miss its change notice.
    pub async fn listen(self: &Arc<Self>, db: &PgPool) {
        let cache = Arc::downgrade(self);
        self.listener
            .get_or_init(|| {
                crate::listen::listen(db, "mock_changed", move |heard| heard_by(&cache, heard))
            })
            .await;
    }
}

/// What a notice means for the cache; false once the cache is gone.
fn heard_by(cache: &Weak<MockCache>, heard: Heard<'_>) -> bool {
    let Some(held) = cache.upgrade() else {
        return false;
    };
    match heard {
        Heard::Live => held.set_live(true),
        Heard::Notice(payload) => match payload.parse::<Uuid>() {
            Ok(integration) => held.forget(integration),
            Err(_) => held.forget_all(),
        },
        Heard::Missed => held.forget_all(),
        Heard::Lost => held.set_live(false),
    }
    true
}
