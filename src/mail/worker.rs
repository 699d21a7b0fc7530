//! Delivers the outbox. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so any number of portal
//! instances can run this loop against one database and each message is sent by one of them.
//! Delivery is at least once: a crash after the SMTP server accepted a message and before the
//! claim commits sends it again, with the same Message-ID.

use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::watch;
use uuid::Uuid;

use super::transport::{Outgoing, Transport};
use crate::AppState;

const BATCH: i64 = 10;
/// After this many failed attempts a message stays in the outbox, unsent, with its last error.
pub const MAX_ATTEMPTS: i32 = 8;

pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let transport = match Transport::from_config(&state.config.mail) {
        Ok(Some(transport)) => transport,
        Ok(None) => {
            tracing::warn!(
                "no --smtp-url: this instance queues e-mail but leaves delivery to an instance that has one"
            );
            return;
        }
        Err(err) => {
            tracing::error!(%err, "outbox worker not started: e-mail stays queued");
            return;
        }
    };
    loop {
        loop {
            match deliver_batch(&state.db, &transport).await {
                Ok(sent) if sent > 0 => continue,
                Ok(_) => break,
                Err(err) => {
                    tracing::warn!(%err, "outbox delivery round failed");
                    break;
                }
            }
        }
        tokio::select! {
            _ = stop.changed() => return,
            () = state.outbox_wakeup.notified() => {},
            () = tokio::time::sleep(state.config.mail.poll_interval) => {},
        }
    }
}

#[derive(sqlx::FromRow)]
struct Pending {
    id: Uuid,
    to_address: String,
    subject: String,
    body_text: String,
    attempts: i32,
}

/// Delivers up to a batch of due messages, each claimed, sent and recorded in a transaction of
/// its own: a failure recording one cannot roll back (and so re-send) the others. Returns how
/// many were handled.
pub async fn deliver_batch(db: &PgPool, transport: &Transport) -> sqlx::Result<usize> {
    let mut handled = 0;
    while handled < BATCH as usize {
        let mut tx = db.begin().await?;
        let Some(message) = sqlx::query_as!(
            Pending,
            "SELECT id, to_address, subject, body_text, attempts FROM outbox
             WHERE sent_at IS NULL AND attempts < $1 AND next_attempt_at <= now()
             ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED",
            MAX_ATTEMPTS
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            break;
        };
        let outcome = transport
            .send(Outgoing {
                id: message.id,
                to: &message.to_address,
                subject: &message.subject,
                body: &message.body_text,
            })
            .await;
        match outcome {
            Ok(()) => {
                sqlx::query!(
                    "UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL, body_text = '' WHERE id = $1",
                    message.id
                )
                .execute(&mut *tx)
                .await?;
            }
            Err(err) => {
                let backoff = retry_delay(message.attempts + 1);
                tracing::warn!(id = %message.id, attempt = message.attempts + 1, %err, "e-mail not sent; will retry");
                sqlx::query!(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $2,
                            next_attempt_at = now() + make_interval(secs => $3),
                            body_text = CASE WHEN attempts + 1 >= $4 THEN '' ELSE body_text END
                     WHERE id = $1",
                    message.id,
                    err.to_string(),
                    backoff.as_secs_f64(),
                    MAX_ATTEMPTS
                )
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        handled += 1;
    }
    Ok(handled)
}

/// 30 s, 1 min, 2 min, ... capped at an hour.
fn retry_delay(attempts: i32) -> Duration {
    let exponent = (attempts - 1).clamp(0, 7) as u32;
    Duration::from_secs(30 * 2u64.pow(exponent)).min(Duration::from_secs(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(1), Duration::from_secs(30));
        assert_eq!(retry_delay(2), Duration::from_secs(60));
        assert_eq!(retry_delay(8), Duration::from_secs(3600));
    }
}
