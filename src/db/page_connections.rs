//! A few connections kept checked out of sqlx's pool for the statements the heavy pages run.
//!
//! sqlx 0.8 tests every connection it takes back: a `Sync` message and a wait for PostgreSQL's
//! answer, one more round trip per request on both sides (`perf` put it at 6% of the portal's CPU
//! on the review page, and PostgreSQL spends as much answering). A connection kept here after a
//! statement that worked skips that test. One whose statement failed or was cancelled goes back
//! to the pool, which tests it as usual and closes it when it is dead.
//!
//! The statements take turns in arrival order, as they would in the pool: a request that found
//! no kept connection must not wait behind newcomers that keep finding one (that doubled the
//! review page's p99 under load).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres};
use tokio::sync::Semaphore;

/// At most this many statements at once, each on a kept connection: enough to keep two cores'
/// PostgreSQL busy, and half the pool, so other work always finds connections.
const KEPT: usize = 8;
/// A connection unused this long goes back to the pool, whose idle timeout then applies.
const IDLE: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct PageConnections {
    pool: PgPool,
    idle: Mutex<Vec<(PoolConnection<Postgres>, Instant)>>,
    /// Fair (first come, first served), so no statement waits behind later ones.
    turns: Semaphore,
}

impl PageConnections {
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            idle: Mutex::new(Vec::with_capacity(KEPT)),
            turns: Semaphore::new(KEPT),
        }
    }

    /// Runs `work` in its turn, on a kept connection or, when none is kept yet, one from the pool.
    pub async fn run<T>(
        &self,
        work: impl AsyncFnOnce(&mut PgConnection) -> sqlx::Result<T>,
    ) -> sqlx::Result<T> {
        // Never closed, so waiting only ends with a turn.
        let _turn = self
            .turns
            .acquire()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let mut connection = match self.take() {
            Some(kept) => kept,
            None => self.pool.acquire().await?,
        };
        // Cancelled here, `connection` is dropped and the pool tests it as usual.
        let result = work(&mut connection).await;
        if result.is_ok() {
            self.keep(connection);
        }
        result
    }

    /// How many connections are kept now.
    pub fn kept(&self) -> usize {
        self.idle
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .len()
    }

    fn take(&self) -> Option<PoolConnection<Postgres>> {
        let stale;
        let fresh = {
            let mut idle = self
                .idle
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            let cutoff = Instant::now().checked_sub(IDLE);
            // The oldest are first: they are the ones unused for longest.
            let keep_from = idle
                .iter()
                .position(|(_, at)| cutoff.is_none_or(|cutoff| *at >= cutoff))
                .unwrap_or(idle.len());
            stale = idle.drain(..keep_from).collect::<Vec<_>>();
            idle.pop().map(|(connection, _)| connection)
        };
        // Given back to the pool outside the lock.
        drop(stale);
        fresh
    }

    fn keep(&self, connection: PoolConnection<Postgres>) {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if idle.len() < KEPT {
            idle.push((connection, Instant::now()));
            return;
        }
        drop(idle);
        drop(connection);
    }
}
