//! The mock's call log: the last 100 calls per integration, visible to both sides; a request's
//! body only to the user answerable for the call. Calls are written by a background writer in
//! batches, so answering never waits for the log; under a flood the log drops records rather
//! than slow the mock down.

use sqlx::PgPool;
use time::OffsetDateTime;
use tokio::sync::{OnceCell, mpsc};
use uuid::Uuid;

/// Calls kept per integration.
pub const KEPT: i64 = 100;
/// Request bodies are kept up to this size.
const BODY_KEPT: usize = 4 * 1024;
/// Paths (with their query) are kept up to this size.
const PATH_KEPT: usize = 1024;
/// Records waiting for the writer; beyond this the log drops calls (each is at most ~5 KiB).
const QUEUE: usize = 2_000;

/// A fresh copy of at most `limit` bytes, cut at a character boundary and without NUL characters
/// (which PostgreSQL text refuses, and which would lose the whole batch).
fn bounded(text: &str, limit: usize) -> String {
    let mut end = text.len().min(limit);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].replace('\0', "\u{fffd}")
}

pub struct CallRecord {
    pub integration: Uuid,
    pub method: String,
    pub path: String,
    pub source: String,
    pub scenario: String,
    pub status: u16,
    pub caller: Uuid,
    pub caller_label: String,
    pub body: String,
}

#[derive(Default)]
pub struct CallLog {
    queue: OnceCell<mpsc::Sender<CallRecord>>,
}

impl CallLog {
    /// Queues a call for the log; the writer starts on first use.
    pub async fn record(&self, db: &PgPool, mut call: CallRecord) {
        let queue = self
            .queue
            .get_or_init(|| async {
                let (tx, rx) = mpsc::channel(QUEUE);
                tokio::spawn(write(db.clone(), rx));
                tx
            })
            .await;
        call.body = bounded(&call.body, BODY_KEPT);
        call.path = bounded(&call.path, PATH_KEPT);
        call.caller_label = bounded(&call.caller_label, 200);
        let _ = queue.try_send(call);
    }
}

async fn write(db: PgPool, mut rx: mpsc::Receiver<CallRecord>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < 500 {
            match rx.try_recv() {
                Ok(call) => batch.push(call),
                Err(_) => break,
            }
        }
        if let Err(err) = insert(&db, batch).await {
            if db.is_closed() {
                return;
            }
            tracing::warn!(error = %err, "mock call log not written");
        }
    }
}

async fn insert(db: &PgPool, batch: Vec<CallRecord>) -> sqlx::Result<()> {
    let mut columns = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for call in batch {
        columns.0.push(call.integration);
        columns.1.push(call.method);
        columns.2.push(call.path);
        columns.3.push(call.source);
        columns.4.push(call.scenario);
        columns.5.push(i32::from(call.status));
        columns.6.push(call.caller);
        columns.7.push(call.caller_label);
        columns.8.push(call.body);
    }
    let mut tx = db.begin().await?;
    sqlx::query!(
        "INSERT INTO mock_calls (integration_id, method, path, source, scenario, status, caller, caller_label, request_body)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::uuid[], $8::text[], $9::text[])",
        &columns.0,
        &columns.1,
        &columns.2,
        &columns.3,
        &columns.4,
        &columns.5,
        &columns.6,
        &columns.7,
        &columns.8
    )
    .execute(&mut *tx)
    .await?;
    let mut touched = columns.0;
    touched.sort_unstable();
    touched.dedup();
    sqlx::query!(
        "DELETE FROM mock_calls c USING (
             SELECT id FROM (
                 SELECT id, row_number() OVER (PARTITION BY integration_id ORDER BY id DESC) AS n
                 FROM mock_calls WHERE integration_id = ANY($1)
             ) ranked WHERE n > $2
         ) old WHERE c.id = old.id",
        &touched,
        KEPT
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// A logged call as the mock's page shows it.
pub struct CallRow {
    pub at: OffsetDateTime,
    pub method: String,
    pub path: String,
    pub source: String,
    pub scenario: String,
    pub status: i32,
    pub caller_label: String,
    /// Only for the viewer's own calls.
    pub body: Option<String>,
}

impl CallRow {
    pub fn when(&self) -> String {
        crate::web::dates::date_time(self.at)
    }
}

/// The latest calls, newest first; bodies only of `viewer`'s own calls.
pub async fn recent(db: &PgPool, integration: Uuid, viewer: Uuid) -> sqlx::Result<Vec<CallRow>> {
    Ok(sqlx::query!(
        "SELECT at, method, path, source, scenario, status, caller, caller_label, request_body
         FROM mock_calls WHERE integration_id = $1 ORDER BY id DESC LIMIT $2",
        integration,
        KEPT
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|row| CallRow {
        at: row.at,
        method: row.method,
        path: row.path,
        source: row.source,
        scenario: row.scenario,
        status: row.status,
        caller_label: row.caller_label,
        body: (row.caller == viewer && !row.request_body.is_empty()).then_some(row.request_body),
    })
    .collect())
}
