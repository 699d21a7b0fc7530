//! A PostgreSQL LISTEN connection that keeps itself open, for the in-memory caches: every notice
//! on its channel is handed to the cache, and so is every moment the cache cannot trust what it
//! holds (the connection came up, dropped, or was re-made and notices may have been missed).

use sqlx::PgPool;
use sqlx::postgres::PgListener;

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
