//! Reaching PostgreSQL at start-up: create the database when missing, apply migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use sqlx::{PgPool, Postgres};
use tower_sessions_sqlx_store::PostgresStore;

pub mod page_connections;

pub static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("DATABASE_URL is not a PostgreSQL URL ({0})")]
    BadUrl(sqlx::Error),
    #[error(
        "cannot reach PostgreSQL at {target} ({cause}); start one with `docker compose up -d db` \
         or `pg_ctlcluster 15 main start`, or point --database-url / DATABASE_URL at yours"
    )]
    Unreachable { target: String, cause: String },
    #[error("applying migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("preparing the session table failed: {0}")]
    Sessions(sqlx::Error),
}

/// Connects to the portal's database, creating it first if the server has none by that name.
pub async fn connect(url: &str) -> Result<PgPool, StartupError> {
    let options = without_loopback_tls(
        PgConnectOptions::from_str(url).map_err(StartupError::BadUrl)?,
        url,
    );
    let target = format!(
        "{}:{} as {} (database {})",
        options.get_host(),
        options.get_port(),
        options.get_username(),
        options.get_database().unwrap_or("<default>")
    );
    let unreachable = |cause: sqlx::Error| StartupError::Unreachable {
        target: target.clone(),
        cause: cause.to_string(),
    };
    let exists = tokio::time::timeout(Duration::from_secs(10), Postgres::database_exists(url))
        .await
        .map_err(|_| StartupError::Unreachable {
            target: target.clone(),
            cause: "no answer within 10 seconds".into(),
        })?
        .map_err(unreachable)?;
    if !exists {
        tracing::info!(%target, "creating the database");
        Postgres::create_database(url).await.map_err(unreachable)?;
    }
    PgPoolOptions::new()
        // At 32 connections on two cores, 16 backends served 4% more review pages a second than
        // 20 (alternated runs, 2026-12-06): fewer processes taking turns on the same cores.
        .max_connections(16)
        // sqlx pings every connection it hands out by default: a round trip per request that
        // `perf` put at a tenth of the review page's CPU. A connection that died (a database
        // restart) fails its next statement instead and is dropped from the pool.
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(unreachable)
}

/// On this machine's own loopback or socket, TLS protects nothing and costs every statement an
/// encryption on both sides; sqlx's default (`prefer`) would use it whenever the server offers it.
/// An `sslmode` written in the URL (or `ssl-mode`, or `PGSSLMODE`) is always obeyed.
fn without_loopback_tls(options: PgConnectOptions, url: &str) -> PgConnectOptions {
    let host = options.get_host();
    let local = host.starts_with('/')
        || host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback());
    let asked = url.contains("sslmode=")
        || url.contains("ssl-mode=")
        || std::env::var_os("PGSSLMODE").is_some();
    if local && !asked {
        options.ssl_mode(PgSslMode::Disable)
    } else {
        options
    }
}

/// Brings the schema up to date; safe to run from several instances at once (sqlx takes a lock).
pub async fn prepare(pool: &PgPool) -> Result<(), StartupError> {
    MIGRATIONS.run(pool).await?;
    PostgresStore::new(pool.clone())
        .migrate()
        .await
        .map_err(StartupError::Sessions)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(url: &str) -> PgSslMode {
        without_loopback_tls(PgConnectOptions::from_str(url).unwrap(), url).get_ssl_mode()
    }

    #[test]
    fn tls_is_left_off_only_on_loopback_and_only_unless_asked_for() {
        assert!(matches!(
            mode("postgres://p@127.0.0.1:5432/db"),
            PgSslMode::Disable
        ));
        assert!(matches!(
            mode("postgres://p@localhost/db"),
            PgSslMode::Disable
        ));
        assert!(matches!(
            mode("postgres://p@[::1]:5432/db"),
            PgSslMode::Disable
        ));
        assert!(matches!(mode("postgres://p@db:5432/db"), PgSslMode::Prefer));
        assert!(matches!(
            mode("postgres://p@10.0.0.5/db"),
            PgSslMode::Prefer
        ));
        assert!(matches!(
            mode("postgres://p@127.0.0.1/db?sslmode=require"),
            PgSslMode::Require
        ));
        assert!(matches!(
            mode("postgres://p@127.0.0.1/db?ssl-mode=require"),
            PgSslMode::Require
        ));
    }
}
