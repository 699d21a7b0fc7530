//! The session store the pages use: PostgreSQL, with a failed write logged instead of failing the
//! response.
//!
//! tower-sessions saves a changed session after the handler has answered; when that save fails it
//! replaces the answer with an empty 500. By then the handler's own transaction has committed, so
//! the user would be told a save failed that did not, and might make it twice. What a failed
//! session write loses is a flash message or an idle-timer refresh; a sign-in whose session could
//! not be stored finds itself signed out on the next page. Loads and deletes still fail loudly:
//! a sign-out must never seem to work when the session lives on.
//!
//! A session read is kept in memory (`SharedCache::session`) until the session is written or
//! deleted: here at once, on other instances when the trigger's notice reaches them.

use std::sync::Arc;

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_sqlx_store::PostgresStore;

use crate::shared_cache::SharedCache;

#[derive(Clone)]
pub struct PageSessions {
    store: PostgresStore,
    db: sqlx::PgPool,
    shared: Arc<SharedCache>,
}

impl std::fmt::Debug for PageSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageSessions").finish_non_exhaustive()
    }
}

impl PageSessions {
    pub fn new(db: sqlx::PgPool, shared: Arc<SharedCache>) -> Self {
        Self {
            store: PostgresStore::new(db.clone()),
            db,
            shared,
        }
    }
}

#[async_trait]
impl SessionStore for PageSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        if let Err(err) = self.store.create(record).await {
            tracing::error!(%err, "storing a new session failed; the response goes out without it");
        }
        self.shared.forget_session(&record.id.to_string());
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        if let Err(err) = self.store.save(record).await {
            tracing::error!(%err, "saving the session failed; the response goes out without it");
        }
        self.shared.forget_session(&record.id.to_string());
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.shared
            .session(&self.db, &id.to_string(), || self.store.load(id))
            .await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let deleted = self.store.delete(id).await;
        self.shared.forget_session(&id.to_string());
        deleted
    }
}
