//! Failed sign-ins slow further attempts, with delays that double beyond a free allowance. Kept
//! in Postgres so every instance agrees. Three counters, chosen so that a stranger who knows an
//! e-mail address cannot lock its owner out:
//! - per account *and* client address: locks after a few failures, so guessing from one place
//!   stops quickly, while the owner signing in from elsewhere is not affected;
//! - per client address: locks after many failures, against one place spraying many accounts;
//! - per account from anywhere: after many failures each attempt is *delayed* by a few seconds,
//!   never refused, so spreading guesses over many addresses is slowed without a lockout.
//!
//! Each attempt is counted *before* the password is checked, under row locks, so a burst of
//! concurrent attempts cannot all slip past the check; a successful sign-in gives it back.

use std::time::Duration;

use sqlx::PgPool;
use time::OffsetDateTime;

use crate::config::ThrottleConfig;

/// The counters' keys for an attempt. They are folded by Postgres, as the `citext` e-mail column
/// is, so no spelling of an address (case, Unicode variants, surrounding spaces) gets a counter of
/// its own.
struct Keys {
    account: String,
    pair: String,
    address: String,
}

async fn keys(conn: &mut sqlx::PgConnection, email: &str, address: &str) -> sqlx::Result<Keys> {
    // The same trim as the account lookup (`users::find_for_login`): any other spelling would be
    // the same account under a counter of its own.
    let email = email.trim();
    let address = network_of(address);
    sqlx::query_as!(
        Keys,
        r#"SELECT 'account:' || left(lower(btrim($1)), 254) AS "account!",
                  'account:' || left(lower(btrim($1)), 254) || ' from ' || left($2, 64) AS "pair!",
                  'ip:' || left($2, 64) AS "address!""#,
        email,
        address
    )
    .fetch_one(conn)
    .await
}

/// The unit a client address is counted in: an IPv4 address, or an IPv6 /64 (one subscriber's
/// network: a client holding one has 2^64 addresses to rotate through).
fn network_of(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let segments = v6.segments();
            let network = std::net::Ipv6Addr::new(
                segments[0],
                segments[1],
                segments[2],
                segments[3],
                0,
                0,
                0,
                0,
            );
            format!("{network}/64")
        }
        Ok(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or(address.to_string(), |v4| v4.to_string()),
        _ => address.to_string(),
    }
}

pub enum Attempt {
    /// Go ahead and check the password, after waiting this long.
    Allowed { delay: Duration },
    /// Locked: try again after this long.
    Wait(Duration),
}

#[derive(Clone, Copy, PartialEq)]
enum Beyond {
    Lock,
    Delay,
}

/// Counts an attempt against every counter, unless a locking one is locked.
pub async fn begin_attempt(
    db: &PgPool,
    config: &ThrottleConfig,
    email: &str,
    address: &str,
) -> sqlx::Result<Attempt> {
    let mut tx = db.begin().await?;
    let Keys {
        account,
        pair,
        address,
    } = keys(&mut tx, email, address).await?;
    let counters = [
        (pair, config.account_free_failures, Beyond::Lock),
        (address, config.address_free_failures, Beyond::Lock),
        (account, config.account_slow_after, Beyond::Delay),
    ];
    let mut rows = Vec::new();
    for (key, free, beyond) in counters {
        sqlx::query!(
            "INSERT INTO login_throttle (key, failures, last_failure) VALUES ($1, 0, now())
             ON CONFLICT (key) DO NOTHING",
            key
        )
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query!(
            r#"SELECT key, failures, last_failure, locked_until, now() AS "now!"
               FROM login_throttle WHERE key = $1 FOR UPDATE"#,
            key
        )
        .fetch_one(&mut *tx)
        .await?;
        let row: (
            String,
            i32,
            OffsetDateTime,
            Option<OffsetDateTime>,
            OffsetDateTime,
        ) = (
            row.key,
            row.failures,
            row.last_failure,
            row.locked_until,
            row.now,
        );
        rows.push((row, free, beyond));
    }
    let wait = rows
        .iter()
        .filter(|(_, _, beyond)| *beyond == Beyond::Lock)
        .filter_map(|((_, _, _, locked_until, now), _, _)| {
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
    let mut delay = Duration::ZERO;
    for ((key, failures, last_failure, _, now), free, beyond) in rows {
        let window = time::Duration::try_from(config.window).unwrap_or(time::Duration::DAY);
        let attempt = if now - last_failure > window {
            1
        } else {
            failures + 1
        };
        let locked_until = match beyond {
            // Locked from the attempt that uses up the allowance: if it fails, the lock stands.
            Beyond::Lock => delay_after(attempt, free, config.first_delay, config.max_delay)
                .map(|delay| now + delay),
            Beyond::Delay => {
                let slow = delay_after(attempt, free, config.slow_delay, config.max_slow_delay);
                delay = slow
                    .and_then(|slow| Duration::try_from(slow).ok())
                    .unwrap_or_default();
                None
            }
        };
        sqlx::query!(
            "UPDATE login_throttle SET failures = $2, last_failure = $3, locked_until = $4 WHERE key = $1",
            key,
            attempt,
            now,
            locked_until
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Attempt::Allowed { delay })
}

/// A successful sign-in clears its account's count and lock, and gives back the attempt it took
/// from the address (without clearing that: one known password must not reset the count for
/// guessing others).
pub async fn record_success(db: &PgPool, email: &str, address: &str) -> sqlx::Result<()> {
    let mut conn = db.acquire().await?;
    let keys = keys(&mut conn, email, address).await?;
    sqlx::query!(
        "DELETE FROM login_throttle WHERE key IN ($1, $2)",
        keys.account,
        keys.pair
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = $1",
        keys.address
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// After a password reset the account starts afresh, from every address.
pub async fn clear_account(db: &PgPool, email: &str) -> sqlx::Result<()> {
    let mut conn = db.acquire().await?;
    let keys = keys(&mut conn, email, "").await?;
    sqlx::query!(
        "DELETE FROM login_throttle WHERE key = $1 OR starts_with(key, $1 || ' from ')",
        keys.account
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Forgets counters that can no longer lock anyone.
pub async fn purge(db: &PgPool, config: &ThrottleConfig) -> sqlx::Result<u64> {
    let deleted = sqlx::query!(
        "DELETE FROM login_throttle WHERE last_failure < now() - make_interval(secs => $1)
           AND (locked_until IS NULL OR locked_until < now())",
        config.window.as_secs_f64()
    )
    .execute(db)
    .await?;
    Ok(deleted.rows_affected())
}

fn delay_after(attempt: i32, free: i32, first: Duration, max: Duration) -> Option<time::Duration> {
    let beyond = attempt - free;
    if beyond < 0 {
        return None;
    }
    let factor = 1u32 << beyond.min(20) as u32;
    let delay = first.saturating_mul(factor).min(max);
    time::Duration::try_from(delay).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_the_last_free_attempt_up_to_the_cap() {
        let config = ThrottleConfig::default();
        let seconds = |attempt| {
            delay_after(attempt, 5, config.first_delay, config.max_delay).map(|d| d.whole_seconds())
        };
        assert_eq!(seconds(4), None);
        assert_eq!(seconds(5), Some(30));
        assert_eq!(seconds(6), Some(60));
        assert_eq!(seconds(7), Some(120));
        assert_eq!(seconds(40), Some(config.max_delay.as_secs() as i64));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_ipv4_by_address() {
        assert_eq!(network_of("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            network_of("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            "2001:db8:1:2::/64"
        );
        assert_eq!(network_of("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(network_of("203.0.113.9"), "203.0.113.9");
        assert_eq!(network_of("unknown"), "unknown");
    }

    #[test]
    fn account_wide_delays_stay_a_few_seconds() {
        let config = ThrottleConfig::default();
        let free = config.account_slow_after;
        let seconds = |attempt| {
            delay_after(attempt, free, config.slow_delay, config.max_slow_delay)
                .map(|d| d.whole_seconds())
        };
        assert_eq!(seconds(free - 1), None);
        assert_eq!(seconds(free), Some(1));
        assert_eq!(seconds(free + 1), Some(2));
        assert_eq!(seconds(free + 100), Some(5));
    }
}
