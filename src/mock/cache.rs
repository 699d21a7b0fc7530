//! What the mock keeps in memory: each integration's compiled mock per source (its approved or
//! latest revision, a named revision, the draft) and the mock keys seen. PostgreSQL triggers
//! announce every change on the `mock_changed` channel (see the migration), and each instance's
//! listener drops what it holds for that integration, so every instance answers from the current
//! description. Until the listener runs, and whenever it lost its connection, nothing is cached.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::dispatch::MockSet;

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
const MAX_ENTRIES: usize = 2_000;

#[derive(Default)]
pub struct MockCache {
    sets: Mutex<HashMap<(Uuid, Source), Arc<Compiled>>>,
    keys: Mutex<HashMap<Vec<u8>, KnownKey>>,
    listener: OnceCell<()>,
    /// True while the listener holds its connection: only then may anything be kept.
    live: AtomicBool,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl MockCache {
    pub fn set(&self, integration: Uuid, source: Source) -> Option<Arc<Compiled>> {
        lock(&self.sets).get(&(integration, source)).cloned()
    }

    pub fn keep_set(&self, integration: Uuid, source: Source, compiled: Arc<Compiled>) {
        if !self.live.load(Ordering::Acquire) {
            return;
        }
        let mut sets = lock(&self.sets);
        if sets.len() >= MAX_ENTRIES {
            sets.clear();
        }
        sets.insert((integration, source), compiled);
    }

    pub fn key(&self, digest: &[u8]) -> Option<KnownKey> {
        lock(&self.keys).get(digest).cloned()
    }

    pub fn keep_key(&self, digest: Vec<u8>, key: KnownKey) {
        if !self.live.load(Ordering::Acquire) {
            return;
        }
        let mut keys = lock(&self.keys);
        if keys.len() >= MAX_ENTRIES {
            keys.clear();
        }
        keys.insert(digest, key);
    }

    fn forget(&self, integration: Uuid) {
        lock(&self.sets).retain(|(id, _), _| *id != integration);
        lock(&self.keys).retain(|_, key| key.integration != integration);
    }

    fn forget_all(&self) {
        lock(&self.sets).clear();
        lock(&self.keys).clear();
    }

    /// Starts this instance's listener on first use and waits until it listens, so nothing read
    /// after this call can miss its change notice.
    pub async fn listen(self: &Arc<Self>, db: &PgPool) {
        self.listener
            .get_or_init(|| async {
                let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
                tokio::spawn(listen_for_changes(
                    Arc::downgrade(self),
                    db.clone(),
                    ready_tx,
                ));
                let _ = ready_rx.await;
            })
            .await;
    }
}

async fn listen_for_changes(
    cache: Weak<MockCache>,
    db: PgPool,
    ready: tokio::sync::oneshot::Sender<()>,
) {
    let mut ready = Some(ready);
    loop {
        let listener = match PgListener::connect_with(&db).await {
            Ok(mut listener) => match listener.listen("mock_changed").await {
                Ok(()) => Some(listener),
                Err(_) => None,
            },
            Err(_) => None,
        };
        if let Some(ready) = ready.take() {
            let _ = ready.send(());
        }
        let Some(mut listener) = listener else {
            if db.is_closed() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            continue;
        };
        let Some(held) = cache.upgrade() else { return };
        held.live.store(true, Ordering::Release);
        drop(held);
        loop {
            let received = listener.try_recv().await;
            let Some(held) = cache.upgrade() else { return };
            match received {
                Ok(Some(notice)) => match notice.payload().parse::<Uuid>() {
                    Ok(integration) => held.forget(integration),
                    Err(_) => held.forget_all(),
                },
                // The connection dropped: notices may have been missed meanwhile.
                Ok(None) => held.forget_all(),
                Err(_) => {
                    held.live.store(false, Ordering::Release);
                    held.forget_all();
                    break;
                }
            }
        }
        if db.is_closed() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}
