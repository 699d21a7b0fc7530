//! Serving: the listener, the background tasks, and a graceful stop.

use std::net::SocketAddr;
use std::time::Duration;

use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::PostgresStore;

use crate::config::Config;
use crate::{AppState, accounts, app, mail};

pub async fn run(pool: PgPool, config: Config, bind: SocketAddr) -> anyhow::Result<()> {
    let listener = TcpListener::bind(bind)
        .await
        .map_err(|err| anyhow::anyhow!("cannot listen on {bind}: {err}"))?;
    let state = AppState::new(pool.clone(), config);
    let (stop_tx, stop_rx) = watch::channel(false);

    let outbox = tokio::spawn(mail::worker::run(state.clone(), stop_rx.clone()));
    let sessions = tokio::spawn(
        PostgresStore::new(pool.clone()).continuously_delete_expired(Duration::from_secs(10 * 60)),
    );
    let housekeeping = tokio::spawn(housekeeping(state.clone()));

    tracing::info!(
        "portal listening on http://{} (public URL {})",
        listener.local_addr()?,
        state.config.public_url
    );
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;

    tracing::info!("in-flight requests finished; stopping background work");
    let _ = stop_tx.send(true);
    let _ = outbox.await;
    sessions.abort();
    housekeeping.abort();
    Ok(())
}

/// Hourly: forget sign-in counters that can no longer lock anyone.
async fn housekeeping(state: AppState) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        if let Err(err) = accounts::throttle::purge(&state.db, &state.config.throttle).await {
            tracing::warn!(%err, "purging sign-in counters failed");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}
