//! Stopping without dropping anything: the accept loop of `replyby serve` and the drain.
//!
//! At SIGTERM (or Ctrl-C): `/readyz` answers `503`; the listener takes what the kernel has
//! already queued and closes, so a new connection is refused (a client retries elsewhere) rather
//! than reset; each open connection gets [`FIRST_REQUEST_GRACE`] for a request already on its
//! way, then answers what it has read and closes; the worker claims nothing more and lets its
//! sends finish; the leases of sends still under way at the end are given back. All of it
//! within [`SHUTDOWN_GRACE`] of the signal.

use super::ops::Ops;
use super::store::ops::OpsStore;
use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

/// How long a connection accepted before the stop may take to send its request. (hyper's own
/// graceful shutdown closes a connection at once when it has not read a request yet, and the
/// client, whose request is already in the socket, sees a reset.)
pub const FIRST_REQUEST_GRACE: Duration = Duration::from_millis(500);

/// Serves `router` on `listener` until `stop`, then drains as the module says. Resolves when
/// every connection is closed; [`drain`] bounds the wait.
pub async fn serve(listener: TcpListener, router: Router, stop: watch::Receiver<bool>) -> std::io::Result<()> {
    let mut connections = tokio::task::JoinSet::new();
    let stopping = stopped(stop.clone());
    tokio::pin!(stopping);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(connection(stream, peer, router.clone(), stop.clone()));
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %crate::serve::logs::redact(&e), "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = &mut stopping => break,
        }
        while connections.try_join_next().is_some() {}
    }
    // What the kernel has already queued was sent to us: take it before closing, so it is
    // answered rather than reset.
    let listener = listener.into_std()?;
    listener.set_nonblocking(true)?;
    while let Ok((stream, peer)) = listener.accept() {
        if stream.set_nonblocking(true).is_ok()
            && let Ok(stream) = TcpStream::from_std(stream)
        {
            connections.spawn(connection(stream, peer, router.clone(), stop.clone()));
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
    Ok(())
}

async fn connection(stream: TcpStream, peer: SocketAddr, router: Router, stop: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let service = router.map_request(move |mut req: hyper::Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        req
    });
    let service = TowerToHyperService::new(service);
    let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stopped(stop) => {}
    }
    // A request already on its way is read and answered.
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = tokio::time::sleep(FIRST_REQUEST_GRACE) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

/// How long a stop may take, from the signal: requests in flight and the sends under way.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Resolves once the stop has begun.
pub async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// The signal has come: stop looking ready, and tell the worker.
pub fn begin_drain(ops: &Ops, stopping: &watch::Sender<bool>) {
    tracing::info!(grace_secs = SHUTDOWN_GRACE.as_secs(), "stopping: no new connections; finishing what is in flight");
    ops.draining.store(true, Ordering::SeqCst);
    let _ = stopping.send(true);
}

/// Waits for the server to answer what it has taken (at most [`SHUTDOWN_GRACE`] after the
/// signal) and the worker to finish its sends, then gives back the leases still held.
pub async fn drain(
    server: impl std::future::IntoFuture<Output = std::io::Result<()>>,
    stop: watch::Receiver<bool>,
    worker: tokio::task::JoinHandle<()>,
    store: Option<Arc<dyn OpsStore>>,
    worker_id: &str,
) -> std::io::Result<()> {
    let server = server.into_future();
    tokio::pin!(server);
    // One budget from the signal for everything: the requests in flight, the worker's sends
    // and giving the leases back. Not a fresh grace for each step.
    let end = async {
        stopped(stop.clone()).await;
        tokio::time::Instant::now() + SHUTDOWN_GRACE
    };
    tokio::pin!(end);
    let end_at = tokio::select! {
        r = &mut server => {
            r?;
            // The server has drained; the signal has come (the server only stops after it).
            end.await
        }
        at = &mut end => {
            tokio::select! {
                r = &mut server => r?,
                _ = tokio::time::sleep_until(at) => tracing::warn!("requests still open after the grace period; closing them"),
            }
            at
        }
    };
    // Leave a moment of the budget to give back the leases of sends cut short.
    let for_leases = Duration::from_millis(500);
    if tokio::time::timeout_at(end_at - for_leases, worker).await.is_err() {
        tracing::warn!("the delivery worker did not stop in time");
    }
    if let Some(store) = store {
        match tokio::time::timeout_at(
            end_at.max(tokio::time::Instant::now() + for_leases),
            store.release_leases(worker_id),
        )
        .await
        {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(leases = n, "gave back the leases of sends cut short"),
            Ok(Err(e)) => {
                tracing::warn!(error = %crate::serve::logs::redact(&e), "could not give back leases; they run out on their own")
            }
            Err(_) => tracing::warn!("the store did not take the leases back in time; they run out on their own"),
        }
    }
    Ok(())
}
