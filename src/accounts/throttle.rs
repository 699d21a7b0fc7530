//! Failed sign-ins slow further attempts, per e-mail address and per client address, with delays
//! that double beyond a free allowance. Kept in Postgres so every instance agrees.
//!
//! Each attempt is counted *before* the password is checked, under a row lock, so a burst of
//! concurrent attempts cannot all slip past the check; a successful sign-in gives it back.

use std::time::Duration;

use sqlx::PgPool;
use time::OffsetDateTime;

use crate::config::ThrottleConfig;

/// Keys are folded by Postgres, as the `citext` e-mail column is, so no spelling of an address
/// (case, Unicode variants, surrounding spaces) gets a counter of its own.
const ACCOUNT_KEY: &str = "'account:' || left(lower(btrim($1)), 254)";
const ADDRESS_KEY: &str = "'ip:' || left($1, 64)";

pub enum Attempt {
    /// Go ahead and check the password.
    Allowed,
    /// Locked: try again after this long.
    Wait(Duration),
}

/// Counts an attempt against both keys, unless either is locked.
pub async fn begin_attempt(
    db: &PgPool,
    config: &ThrottleConfig,
    email: &str,
    address: &str,
) -> sqlx::Result<Attempt> {
    let keys = [
        (ACCOUNT_KEY, email, config.account_free_failures),
        (ADDRESS_KEY, address, config.address_free_failures),
    ];
    let mut tx = db.begin().await?;
    let mut rows = Vec::new();
    for (key_sql, input, free) in keys {
        sqlx::query(&format!(
            "INSERT INTO login_throttle (key, failures, last_failure) VALUES ({key_sql}, 0, now()) ON CONFLICT (key) DO NOTHING"
        ))
        .bind(input)
        .execute(&mut *tx)
        .await?;
        let row: (String, i32, OffsetDateTime, Option<OffsetDateTime>, OffsetDateTime) = sqlx::query_as(&format!(
            "SELECT key, failures, last_failure, locked_until, now() FROM login_throttle WHERE key = {key_sql} FOR UPDATE"
        ))
        .bind(input)
        .fetch_one(&mut *tx)
        .await?;
        rows.push((row, free));
    }
    let wait = rows
        .iter()
        .filter_map(|((_, _, _, locked_until, now), _)| {
            locked_until
                .filter(|until| until > now)
                .map(|until| until - *now)
        })
        .max();
    if let Some(wait) = wait {
        tx.rollback().await?;
        let seconds = wait.as_seconds_f64().max(1.0).ceil();
        return Ok(Attempt::Wait(Duration::from_secs_f64(seconds)));
    }
    for ((key, failures, last_failure, _, now), free) in rows {
        let window = time::Duration::try_from(config.window).unwrap_or(time::Duration::DAY);
        let attempt = if now - last_failure > window {
            1
        } else {
            failures + 1
        };
        // Locked from the attempt that uses up the allowance: if it fails, the lock stands.
        let locked_until = delay_after(attempt, free, config).map(|delay| now + delay);
        sqlx::query("UPDATE login_throttle SET failures = $2, last_failure = $3, locked_until = $4 WHERE key = $1")
            .bind(&key)
            .bind(attempt)
            .bind(now)
            .bind(locked_until)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Attempt::Allowed)
}

/// A successful sign-in clears its account's count and lock, and gives back the attempt it took
/// from the address (without clearing that: one known password must not reset the count for
/// guessing others).
pub async fn record_success(db: &PgPool, email: &str, address: &str) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "DELETE FROM login_throttle WHERE key = {ACCOUNT_KEY}"
    ))
    .bind(email)
    .execute(db)
    .await?;
    sqlx::query(&format!(
        "UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = {ADDRESS_KEY}"
    ))
    .bind(address)
    .execute(db)
    .await?;
    Ok(())
}

/// After a password reset the account starts afresh.
pub async fn clear_account(db: &PgPool, email: &str) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "DELETE FROM login_throttle WHERE key = {ACCOUNT_KEY}"
    ))
    .bind(email)
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets counters that can no longer lock anyone.
pub async fn purge(db: &PgPool, config: &ThrottleConfig) -> sqlx::Result<u64> {
    let deleted = sqlx::query(
        "DELETE FROM login_throttle WHERE last_failure < now() - make_interval(secs => $1)
           AND (locked_until IS NULL OR locked_until < now())",
    )
    .bind(config.window.as_secs_f64())
    .execute(db)
    .await?;
    Ok(deleted.rows_affected())
}

fn delay_after(attempt: i32, free: i32, config: &ThrottleConfig) -> Option<time::Duration> {
    let beyond = attempt - free;
    if beyond < 0 {
        return None;
    }
    let factor = 1u32 << beyond.min(20) as u32;
    let delay = config
        .first_delay
        .saturating_mul(factor)
        .min(config.max_delay);
    time::Duration::try_from(delay).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_the_last_free_attempt_up_to_the_cap() {
        let config = ThrottleConfig::default();
        let seconds = |attempt| delay_after(attempt, 5, &config).map(|d| d.whole_seconds());
        assert_eq!(seconds(4), None);
        assert_eq!(seconds(5), Some(30));
        assert_eq!(seconds(6), Some(60));
        assert_eq!(seconds(7), Some(120));
        assert_eq!(seconds(40), Some(config.max_delay.as_secs() as i64));
    }
}
