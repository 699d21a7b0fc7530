//! Failed sign-ins slow further attempts, per e-mail address and per client address, with delays
//! that double after each failure beyond a free allowance. Kept in Postgres so every instance agrees.

use std::time::Duration;

use sqlx::PgPool;

use crate::config::ThrottleConfig;

fn account_key(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("ip:{address}")
}

/// How long until either key may try again, if it is locked now.
pub async fn wait_needed(
    db: &PgPool,
    email: &str,
    address: &str,
) -> sqlx::Result<Option<Duration>> {
    let seconds: Option<f64> = sqlx::query_scalar(
        "SELECT max(extract(epoch FROM locked_until - now()))::float8
         FROM login_throttle WHERE key = ANY($1) AND locked_until > now()",
    )
    .bind(vec![account_key(email), address_key(address)])
    .fetch_one(db)
    .await?;
    Ok(seconds.map(|s| Duration::from_secs_f64(s.max(1.0).ceil())))
}

pub async fn record_failure(
    db: &PgPool,
    config: &ThrottleConfig,
    email: &str,
    address: &str,
) -> sqlx::Result<()> {
    let keys = [
        (account_key(email), config.account_free_failures),
        (address_key(address), config.address_free_failures),
    ];
    for (key, free) in keys {
        let failures: i32 = sqlx::query_scalar(
            "INSERT INTO login_throttle (key, failures, last_failure) VALUES ($1, 1, now())
             ON CONFLICT (key) DO UPDATE SET
               failures = CASE WHEN login_throttle.last_failure < now() - make_interval(secs => $2)
                               THEN 1 ELSE login_throttle.failures + 1 END,
               last_failure = now()
             RETURNING failures",
        )
        .bind(&key)
        .bind(config.window.as_secs_f64())
        .fetch_one(db)
        .await?;
        if let Some(delay) = delay_after(failures, free, config) {
            sqlx::query(
                "UPDATE login_throttle SET locked_until = now() + make_interval(secs => $2) WHERE key = $1",
            )
            .bind(&key)
            .bind(delay.as_secs_f64())
            .execute(db)
            .await?;
        }
    }
    Ok(())
}

/// A successful sign-in clears its account's count; the address's count is left to expire,
/// so one known password cannot reset the counter for guessing others.
pub async fn record_success(db: &PgPool, email: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1")
        .bind(account_key(email))
        .execute(db)
        .await?;
    Ok(())
}

fn delay_after(failures: i32, free: i32, config: &ThrottleConfig) -> Option<Duration> {
    let beyond = failures - free;
    if beyond < 0 {
        return None;
    }
    let factor = 1u32 << beyond.min(20) as u32;
    Some(
        config
            .first_delay
            .saturating_mul(factor)
            .min(config.max_delay),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_after_the_free_failures_up_to_the_cap() {
        let config = ThrottleConfig::default();
        assert_eq!(delay_after(4, 5, &config), None);
        assert_eq!(delay_after(5, 5, &config), Some(Duration::from_secs(30)));
        assert_eq!(delay_after(6, 5, &config), Some(Duration::from_secs(60)));
        assert_eq!(delay_after(7, 5, &config), Some(Duration::from_secs(120)));
        assert_eq!(delay_after(40, 5, &config), Some(config.max_delay));
    }
}
