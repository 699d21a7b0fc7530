//! The session store the pages use: PostgreSQL, with a failed write logged instead of failing the
//! response.
//!
//! tower-sessions saves a changed session after the handler has answered; when that save fails it
//! replaces the answer with an empty 500. By then the handler's own transaction has committed, so
//! the user would be told a save failed that did not, and might make it twice. What a failed
//! session write loses is a flash message or an idle-timer refresh; a sign-in whose session could
//! not be stored finds itself signed out on the next page. Loads and deletes still fail loudly:
//! a sign-out must never seem to work when the session lives on.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_sqlx_store::PostgresStore;

#[derive(Debug, Clone)]
pub struct PageSessions(PostgresStore);

impl PageSessions {
    pub fn new(db: sqlx::PgPool) -> Self {
        Self(PostgresStore::new(db))
    }
}

#[async_trait]
impl SessionStore for PageSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        if let Err(err) = self.0.create(record).await {
            tracing::error!(%err, "storing a new session failed; the response goes out without it");
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        if let Err(err) = self.0.save(record).await {
            tracing::error!(%err, "saving the session failed; the response goes out without it");
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.0.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.0.delete(id).await
    }
}
