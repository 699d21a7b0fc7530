use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;
use tokio::sync::{Notify, OnceCell};

use crate::config::Config;
use crate::db::page_connections::PageConnections;
use crate::domain::password::Passwords;
use crate::shared_cache::SharedCache;

/// What every handler may ask for; `FromRef` lets a handler take only the part it uses.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub db: PgPool,
    /// Connections for the heavy pages' statements, kept out of the pool between requests.
    pub pages: Arc<PageConnections>,
    pub config: Arc<Config>,
    pub passwords: Passwords,
    /// Wakes this instance's outbox worker when a handler queues mail; other instances poll.
    pub outbox_wakeup: Arc<Notify>,
    /// The key pre-session CSRF tokens are signed with, read from the database on first use.
    pub csrf_key: Arc<OnceCell<[u8; 32]>>,
    /// Settings and users every page reads, kept current across instances.
    pub shared: Arc<SharedCache>,
}

impl AppState {
    pub fn new(db: PgPool, config: Config) -> Self {
        Self {
            pages: Arc::new(PageConnections::new(db.clone())),
            db,
            config: Arc::new(config),
            passwords: Passwords::new(),
            outbox_wakeup: Arc::new(Notify::new()),
            csrf_key: Arc::new(OnceCell::new()),
            shared: Arc::new(SharedCache::default()),
        }
    }
}
