//! Serving: the listener, the background tasks, and a graceful stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;
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
    let reminders = tokio::spawn(crate::chasing::digest::scheduler(
        state.clone(),
        stop_rx.clone(),
    ));

    tracing::info!(
        "portal listening on http://{} (public URL {})",
        listener.local_addr()?,
        state.config.public_url
    );
    let limits = ConnectionLimits::from(&*state.config);
    serve(listener, app(state), limits, shutdown_signal()).await;

    tracing::info!("in-flight requests finished; stopping background work");
    let _ = stop_tx.send(true);
    let _ = outbox.await;
    let _ = reminders.await;
    sessions.abort();
    housekeeping.abort();
    Ok(())
}

/// How much of this instance one client may hold.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Connections served at once; further ones wait in the kernel's listen queue.
    pub max_connections: usize,
    /// A client that has not sent a whole request head by then is disconnected, so slow
    /// trickles of header lines cannot hold connections open.
    pub header_read_timeout: Duration,
    /// How long in-flight requests may take to finish once a stop is asked for.
    pub drain: Duration,
    /// The longest one connection is kept, however busy: browsers open a new one transparently.
    pub max_lifetime: Duration,
}

impl From<&crate::config::Config> for ConnectionLimits {
    fn from(config: &crate::config::Config) -> Self {
        ConnectionLimits {
            max_connections: config.max_connections,
            header_read_timeout: config.header_read_timeout,
            // Requests are answered 408 at the request timeout, so by then every one has ended.
            drain: config.request_timeout + Duration::from_secs(1),
            max_lifetime: Duration::from_secs(300),
        }
    }
}

/// Serves HTTP/1.1 until `stop` completes, then lets in-flight requests finish (up to
/// `limits.drain`). Written on hyper directly because `axum::serve` can set neither a header
/// read timeout nor a connection cap.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    stop: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut stop = std::pin::pin!(stop);
    loop {
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = accept(&listener, &permits) => accepted,
        };
        let Some((stream, peer, permit)) = accepted else {
            continue;
        };
        let router = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let lifetime = limits.max_lifetime;
        tokio::spawn(async move {
            // Closed by the client, timed out reading headers, or malformed: nothing to report.
            // A client that stops reading an answer would otherwise hold its permit for ever
            // (hyper has no write timeout); past its lifetime the connection is dropped.
            let _ = tokio::time::timeout(lifetime, connection).await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "requests still running after {:?}; stopping anyway",
            limits.drain
        );
    }
}

/// The next connection once a permit is free; None after a failed accept (e.g. out of file
/// descriptors), after a pause so the loop does not spin.
async fn accept(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
) -> Option<(
    tokio::net::TcpStream,
    SocketAddr,
    tokio::sync::OwnedSemaphorePermit,
)> {
    let permit = permits.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, peer)) => {
            let _ = stream.set_nodelay(true);
            Some((stream, peer, permit))
        }
        Err(err) => {
            tracing::warn!(%err, "accepting a connection failed");
            tokio::time::sleep(Duration::from_millis(100)).await;
            None
        }
    }
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
