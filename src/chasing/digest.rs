//! Sending reminders: each person gets at most one digest a day listing everything that waits for
//! them, each reminder once. Safe with any number of instances running it at once: the digest's
//! outbox row has a unique key per person and day, and only the instance that wrote it records
//! the reminders as sent.

use std::collections::BTreeMap;

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Addressed, due_at};
use crate::config::Config;
use crate::domain::reminders::{Audience, Due};

/// Queues the digests due at `at`; returns how many this call queued.
pub async fn send_due(db: &PgPool, config: &Config, at: OffsetDateTime) -> sqlx::Result<usize> {
    let due = due_at(db, at).await?;
    let mut by_person: BTreeMap<&str, Vec<&Due>> = BTreeMap::new();
    for Addressed { due, to } in &due {
        for person in to {
            by_person.entry(person.as_str()).or_default().push(due);
        }
    }
    let mut queued = 0;
    for (person, list) in by_person {
        let mut tx = db.begin().await?;
        let keys: Vec<String> = list.iter().map(|d| d.key.clone()).collect();
        let sent = sqlx::query_scalar!(
            "SELECT reminder_key FROM reminders_sent WHERE recipient = $1 AND reminder_key = ANY($2)",
            person,
            &keys
        )
        .fetch_all(&mut *tx)
        .await?;
        let snoozed: Vec<Uuid> = sqlx::query_scalar!(
            "SELECT s.integration_id FROM reminder_snoozes s JOIN users u ON u.id = s.user_id
             WHERE lower(u.email::text) = lower($1) AND s.until > $2",
            person,
            at
        )
        .fetch_all(&mut *tx)
        .await?;
        let pending: Vec<&Due> = list
            .into_iter()
            .filter(|d| !sent.contains(&d.key) && !snoozed.contains(&d.integration))
            .collect();
        if pending.is_empty() {
            continue;
        }
        let digest_key = format!("digest:{}:{}", person.to_lowercase(), at.date());
        let queued_now = sqlx::query_scalar!(
            "INSERT INTO outbox (id, to_address, subject, body_text, dedupe_key) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            Uuid::new_v4(),
            person,
            subject(&pending),
            body(&pending, config),
            digest_key
        )
        .fetch_optional(&mut *tx)
        .await?;
        // Today's digest already went (from this instance or another): the rest waits a day.
        if queued_now.is_none() {
            continue;
        }
        let pending_keys: Vec<String> = pending.iter().map(|d| d.key.clone()).collect();
        sqlx::query!(
            "INSERT INTO reminders_sent (reminder_key, recipient) SELECT unnest($1::text[]), $2
             ON CONFLICT DO NOTHING",
            &pending_keys,
            person
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        queued += 1;
    }
    Ok(queued)
}

fn subject(pending: &[&Due]) -> String {
    match pending {
        [one] => format!("Waiting for you: “{}”", one.name),
        many => format!("{} integrations are waiting for you", many.len()),
    }
}

fn body(pending: &[&Due], config: &Config) -> String {
    let mut body = String::from("These wait for you in the Haptik Partner Portal:\n\n");
    for due in pending {
        let (what, link) = match due.audience {
            Audience::PartnerTeam => (
                "the reviewer's comments are waiting for your changes",
                format!("/integrations/{}#todo", due.integration),
            ),
            Audience::Reviewer | Audience::AllReviewers => (
                "waiting for a review",
                format!("/review/{}", due.integration),
            ),
        };
        let what = if due.policy.starts_with("draft") {
            "a draft nobody has changed for two weeks"
        } else {
            what
        };
        body.push_str(&format!(
            "- “{}”: {what} ({}).\n  {}\n",
            due.name,
            due.policy,
            config.link(&link)
        ));
    }
    body.push_str("\nYou get at most one of these a day.\n");
    body
}

/// Runs in every instance: every five minutes, queue what is due and wake the outbox worker.
pub async fn scheduler(state: crate::AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stop.changed() => return,
        }
        match send_due(&state.db, &state.config, OffsetDateTime::now_utc()).await {
            Ok(0) => {}
            Ok(_) => state.outbox_wakeup.notify_one(),
            Err(err) => tracing::warn!(%err, "reminders not sent"),
        }
    }
}
