//! What the in-memory caches share: a PostgreSQL LISTEN connection that keeps itself open (every
//! notice on its channel is handed to the cache, and so is every moment the cache cannot trust
//! what it holds: the connection came up, dropped, or was re-made and notices may have been
//! missed), the epoch that keeps a value read before a notice from being kept after it, and a
//! bounded map of kept values.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::OnceCell;

/// What the listener heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard<'a> {
    /// Listening: from now on no change goes unannounced.
    Live,
    /// A change, with the trigger's payload.
    Notice(&'a str),
    /// The connection was re-made: notices sent meanwhile are lost.
    Missed,
    /// The connection is down; nothing is announced until `Live` again.
    Lost,
}

/// Starts listening on `channel` and returns once the first connection was tried, so a read
/// after this call cannot miss its change notice. `heard` answers false to stop (its cache is
/// gone).
pub async fn listen<F>(db: &PgPool, channel: &'static str, heard: F)
where
    F: FnMut(Heard<'_>) -> bool + Send + 'static,
{
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(run(db.clone(), channel, heard, ready_tx));
    let _ = ready_rx.await;
}

async fn run<F>(
    db: PgPool,
    channel: &'static str,
    mut heard: F,
    ready: tokio::sync::oneshot::Sender<()>,
) where
    F: FnMut(Heard<'_>) -> bool + Send + 'static,
{
    let mut ready = Some(ready);
    loop {
        let listener = match PgListener::connect_with(&db).await {
            Ok(mut listener) => match listener.listen(channel).await {
                Ok(()) => Some(listener),
                Err(_) => None,
            },
            Err(_) => None,
        };
        if let Some(ready) = ready.take() {
            let _ = ready.send(());
        }
        if let Some(mut listener) = listener {
            if !heard(Heard::Live) {
                return;
            }
            loop {
                let going_on = match listener.try_recv().await {
                    Ok(Some(notice)) => heard(Heard::Notice(notice.payload())),
                    Ok(None) => heard(Heard::Missed),
                    Err(_) => {
                        if !heard(Heard::Lost) {
                            return;
                        }
                        break;
                    }
                };
                if !going_on {
                    return;
                }
            }
        }
        if db.is_closed() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// What a cache fed by notices needs to know: whether its listener is up, and an epoch that moves
/// on with every notice. A value read from the database is kept only if the listener was up and
/// no notice came between the read and the keeping (`epoch()` before the read, `keep` after).
#[derive(Default)]
pub struct Freshness {
    live: AtomicBool,
    epoch: AtomicU64,
    listener: OnceCell<()>,
}

impl Freshness {
    /// Taken before reading from the database.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Whether a value read at `epoch` may be kept.
    pub fn keeps(&self, epoch: u64) -> bool {
        self.live.load(Ordering::Acquire) && self.epoch() == epoch
    }

    /// A notice came: what is being read now must not be kept. Call before dropping what it
    /// names, so a value kept meanwhile is dropped too.
    pub fn advance(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    pub fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
        self.advance();
    }

    /// Starts the listener on first use and waits until it listens.
    pub async fn start<F>(&self, db: &PgPool, channel: &'static str, heard: F)
    where
        F: FnMut(Heard<'_>) -> bool + Send + 'static,
    {
        self.listener
            .get_or_init(|| listen(db, channel, heard))
            .await;
    }
}

/// Values kept for at most `max_age`, at most `bound` of them (then the map starts again: a
/// bound, not an eviction policy).
pub struct KeptMap<K, V> {
    map: Mutex<HashMap<K, (Instant, V)>>,
    bound: usize,
    max_age: Duration,
}

impl<K: Eq + Hash, V: Clone> KeptMap<K, V> {
    pub fn new(bound: usize, max_age: Duration) -> Self {
        KeptMap {
            map: Mutex::new(HashMap::new()),
            bound,
            max_age,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Instant, V)>> {
        self.map
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.lock()
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.max_age)
            .map(|(_, value)| value.clone())
    }

    /// Keeps a value read at `epoch`, if `freshness` still allows it (checked under the map's
    /// lock, so a notice that drops entries after advancing the epoch drops this one too).
    pub fn keep(&self, key: K, value: V, freshness: &Freshness, epoch: u64) {
        let mut map = self.lock();
        if freshness.keeps(epoch) {
            Self::insert(&mut map, self.bound, key, value);
        }
    }

    /// Keeps a value that needs no notice: immutable, or checked against its source on use.
    pub fn keep_checked(&self, key: K, value: V) {
        Self::insert(&mut self.lock(), self.bound, key, value);
    }

    fn insert(map: &mut HashMap<K, (Instant, V)>, bound: usize, key: K, value: V) {
        if map.len() >= bound {
            map.clear();
        }
        map.insert(key, (Instant::now(), value));
    }

    pub fn remove<Q>(&self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.lock().remove(key);
    }

    pub fn retain(&self, keep: impl FnMut(&K, &mut (Instant, V)) -> bool) {
        self.lock().retain(keep);
    }

    pub fn clear(&self) {
        self.lock().clear();
    }
}
