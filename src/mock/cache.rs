//! What the mock keeps in memory: each integration's compiled mock per source (its approved or
//! latest revision, a named revision, the draft) and the mock keys seen. PostgreSQL triggers
//! announce every change on the `mock_changed` channel (see the migration), and each instance's
//! listener drops what it holds for that integration, so every instance answers from the current
//! description. Until the listener runs, and whenever it lost its connection, nothing is cached.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::PgPool;
use uuid::Uuid;

use super::dispatch::MockSet;
use crate::listen::{Freshness, Heard, KeptMap};

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

/// Entries per map.
const MAX_ENTRIES: usize = 256;
/// However quiet the listener, nothing is used longer than this: a backstop for a connection that
/// died without saying so.
const MAX_AGE: Duration = Duration::from_secs(60);

pub struct MockCache {
    /// Compiled mocks by integration and source.
    sets: KeptMap<(Uuid, Source), Arc<Compiled>>,
    keys: KeptMap<Vec<u8>, KnownKey>,
    freshness: Freshness,
}

impl Default for MockCache {
    fn default() -> Self {
        MockCache {
            sets: KeptMap::new(MAX_ENTRIES, MAX_AGE),
            keys: KeptMap::new(MAX_ENTRIES, MAX_AGE),
            freshness: Freshness::default(),
        }
    }
}

impl MockCache {
    /// Taken before reading from the database; what was read is kept only if no notice came since.
    pub fn epoch(&self) -> u64 {
        self.freshness.epoch()
    }

    pub fn set(&self, integration: Uuid, source: Source) -> Option<Arc<Compiled>> {
        self.sets.get(&(integration, source))
    }

    pub fn keep_set(&self, integration: Uuid, source: Source, compiled: Arc<Compiled>, epoch: u64) {
        self.sets
            .keep((integration, source), compiled, &self.freshness, epoch);
    }

    pub fn key(&self, digest: &[u8]) -> Option<KnownKey> {
        self.keys.get(digest)
    }

    pub fn keep_key(&self, digest: Vec<u8>, key: KnownKey, epoch: u64) {
        self.keys.keep(digest, key, &self.freshness, epoch);
    }

    fn forget(&self, integration: Uuid) {
        self.freshness.advance();
        self.sets.retain(|(id, _), _| *id != integration);
        self.keys
            .retain(|_, (_, key)| key.integration != integration);
    }

    fn forget_all(&self) {
        self.freshness.advance();
        self.sets.clear();
        self.keys.clear();
    }

    fn set_live(&self, live: bool) {
        self.freshness.set_live(live);
        // Whatever was kept may have missed notices while the connection was down.
        self.forget_all();
    }

    /// Starts this instance's listener on first use and waits until it listens, so nothing read
    /// after this call can miss its change notice.
    pub async fn listen(self: &Arc<Self>, db: &PgPool) {
        let cache = Arc::downgrade(self);
        self.freshness
            .start(db, "mock_changed", move |heard| heard_by(&cache, heard))
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
