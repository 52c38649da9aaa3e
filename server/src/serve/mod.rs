//! `replyby serve`: the deferred queue, the public config and closed-days feed, schedule
//! changes, the staff page, and the built widget with its demo page. This file only mounts
//! each area's routes; each area is a module with its own `routes()`.

pub mod auth;
pub mod catalog;
pub mod config_api;
pub mod deliver;
pub mod erasure;
pub mod error;
pub mod ics;
pub mod intake;
pub mod live;
pub mod logs;
pub mod metrics;
pub mod new_request;
pub mod open_web;
pub mod ops;
pub mod public;
pub mod queue;
pub mod retention;
pub mod schedule_api;
pub mod shutdown;
pub mod staff;
pub mod state;
pub mod store;
pub mod studio;

use axum::Router;
use axum::http::{Method, header};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;

pub use state::{AppState, offset_clock};

/// The router: the intake (CORS for the live config's origins), the public reads (any
/// origin), the staff API and pages, and static files (the widget, readable from any origin).
pub fn app(state: AppState, static_dir: Option<PathBuf>) -> Router {
    let public = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET])
        .expose_headers([header::ETAG, header::CACHE_CONTROL]);
    let ops = state.ops.clone();
    let mut router: Router = intake::routes(&state)
        .merge(queue::routes())
        .merge(schedule_api::routes())
        .merge(config_api::routes())
        .merge(staff::routes())
        .merge(studio::routes(static_dir.clone()))
        .merge(studio::demo_routes(static_dir.clone()))
        .merge(public::routes().layer(public.clone()))
        .merge(open_web::routes().layer(public.clone()))
        .merge(ops::routes())
        .merge(erasure::routes())
        .with_state(state);
    if let Some(dir) = static_dir {
        // The widget as the browser asks for it: `scripts/build-widget.sh` writes each file's
        // brotli (quality 11) and gzip beside it, so the wasm goes out at its budgeted size
        // (a third of its bytes) with no compression work per request. A file without them,
        // or a client that accepts neither, gets the file itself.
        let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
        // The CORS layer replaces the `Vary` that ServeDir sets; a cache that is not told the
        // body depends on Accept-Encoding could hand brotli to a client that cannot read it.
        let files: Router = Router::new().fallback_service(files).layer(public).layer(axum::middleware::map_response(
            |mut r: axum::response::Response| async move {
                r.headers_mut().append(header::VARY, header::HeaderValue::from_static("accept-encoding"));
                r
            },
        ));
        router = router.fallback_service(files);
    }
    router.layer(axum::middleware::from_fn_with_state(ops, ops::track))
}

async fn reload_on_sighup(live: live::Live) {
    #[cfg(unix)]
    {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else { return };
        while hup.recv().await.is_some() {
            match live.reload_file().await {
                Ok(()) => tracing::info!("SIGHUP: config file read again and published"),
                Err(e) => {
                    eprintln!("replyby serve: SIGHUP: the config file was refused, the running config kept:\n{e}");
                    tracing::error!(error = %crate::serve::logs::redact(&e), "SIGHUP: config file refused; the running config is kept");
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = live;
}

/// Runs the service and its delivery worker until Ctrl-C or SIGTERM, then drains within
/// [`shutdown::SHUTDOWN_GRACE`] (see `shutdown.rs`): `/readyz` answers `503`, the listener
/// closes, requests in flight are answered, the worker claims nothing more and lets its sends
/// finish, and the leases of any still sending are given back so another instance sends them
/// at once (at least once).
pub async fn run(
    state: AppState,
    listen: SocketAddr,
    static_dir: Option<PathBuf>,
    sender: Arc<dyn deliver::worker::Send>,
) -> anyhow::Result<()> {
    let sender = Arc::new(metrics::Counted { inner: sender, metrics: state.ops.metrics.clone() });
    let worker_id = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let worker = deliver::worker::Worker {
        store: state.store.clone(),
        clock: state.clock.clone(),
        sender,
        wake: state.wake.clone(),
        id: worker_id.clone(),
    };
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(worker.run_until(shutdown::stopped(stop.clone()), shutdown::SHUTDOWN_GRACE));
    // Every instance sees a change made anywhere within a second; a file-pinned config
    // follows SIGHUP.
    let poller = tokio::spawn(state.live.clone().watch_store(std::time::Duration::from_secs(1)));
    let hup = tokio::spawn(reload_on_sighup(state.live.clone()));
    let retention = match (state.ops.retention, state.ops.store.clone()) {
        (Some(policy), Some(store)) => Some(tokio::spawn(retention::run(store, policy, state.clock.clone()))),
        _ => None,
    };
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(addr = %listener.local_addr()?, "replyby serve listening");
    println!("replyby serve: listening on http://{}", listener.local_addr()?);
    let ops = state.ops.clone();
    tokio::spawn(async move {
        stop_signal().await;
        shutdown::begin_drain(&ops, &stopping);
    });
    let server = shutdown::serve(listener, app(state.clone(), static_dir), stop.clone());
    shutdown::drain(server, stop, worker, state.ops.store.clone(), &worker_id).await?;
    poller.abort();
    hup.abort();
    if let Some(task) = retention {
        task.abort();
    }
    tracing::info!("stopped");
    Ok(())
}

async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::Request;
    use axum::http::StatusCode;
    use store::{Include, Inserted, RequestStore, StoredRequest};
    use tokio::sync::Notify;
    use tower::ServiceExt;

    /// A real store whose inserts wait until released, to hold a request "in flight".
    struct SlowStore {
        gate: Arc<Notify>,
        inner: store::SqliteStore,
    }

    #[async_trait::async_trait]
    impl RequestStore for SlowStore {
        async fn insert(&self, r: StoredRequest, d: Vec<store::NewDelivery>) -> Result<Inserted, store::StoreError> {
            self.gate.notified().await;
            self.inner.insert(r, d).await
        }
        async fn list(&self, now: i64, include: Include) -> Result<Vec<StoredRequest>, store::StoreError> {
            self.inner.list(now, include).await
        }
        async fn ack(&self, id: &str, now: i64, d: Vec<store::NewDelivery>) -> Result<bool, store::StoreError> {
            self.inner.ack(id, now, d).await
        }
        async fn claim(
            &self,
            now: i64,
            lease_until: i64,
            worker: &str,
            limit: usize,
        ) -> Result<Vec<(store::Delivery, StoredRequest)>, store::StoreError> {
            self.inner.claim(now, lease_until, worker, limit).await
        }
        async fn complete(
            &self,
            id: &str,
            worker: &str,
            now: i64,
            c: store::Completion,
        ) -> Result<(), store::StoreError> {
            self.inner.complete(id, worker, now, c).await
        }
        async fn next_due(&self) -> Result<Option<i64>, store::StoreError> {
            self.inner.next_due().await
        }
        async fn deliveries(
            &self,
            state: Option<String>,
            requests: Vec<String>,
        ) -> Result<Vec<store::Delivery>, store::StoreError> {
            self.inner.deliveries(state, requests).await
        }
        async fn retry(&self, id: &str, now: i64) -> Result<bool, store::StoreError> {
            self.inner.retry(id, now).await
        }
        async fn disabled_endpoints(&self) -> Result<Vec<store::DisabledEndpoint>, store::StoreError> {
            self.inner.disabled_endpoints().await
        }
    }

    fn request(key: &str) -> Request<Body> {
        let mut r = Request::post("/v1/requests")
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(Body::from(r#"{"plan":"basic","email":"a@b.example","message":"hi"}"#))
            .unwrap_or_default();
        r.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 9))));
        r
    }

    #[tokio::test]
    async fn a_key_still_in_flight_is_409_and_then_replays() {
        let gate = Arc::new(Notify::new());
        let dir = std::env::temp_dir().join(format!("replyby-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let inner = store::SqliteStore::open(&dir.join("q.db")).expect("store");
        let admin = Arc::new(store::SqliteStore::open(&dir.join("q.db")).expect("store"));
        let store = Arc::new(SlowStore { gate: gate.clone(), inner });
        let live =
            live::Live::start(admin.clone(), live::Source::Store, replyby_core::DEMO_CONFIG, 0).await.expect("live");
        let mut state = AppState::new(live, store, admin, "t".into(), 0);
        // Friday 2027-03-05 20:00 New York: basic is closed, so the request is deferred.
        state.clock = Arc::new(|| "2027-03-06T01:00:00Z".parse().unwrap_or_default());
        let in_flight = state.in_flight.clone();
        let app = app(state, None);
        let first = tokio::spawn(app.clone().oneshot(request("same")));
        // Wait until the first request holds the key (a condition, not a delay).
        while !in_flight.lock().map(|s| s.contains("same")).unwrap_or(false) {
            tokio::task::yield_now().await;
        }
        let second = app.clone().oneshot(request("same")).await.expect("response");
        assert_eq!(second.status(), StatusCode::CONFLICT);
        gate.notify_one();
        let first = first.await.expect("join").expect("response");
        assert_eq!(first.status(), StatusCode::CREATED);
        let bytes = axum::body::to_bytes(first.into_body(), 1 << 16).await.expect("body");
        let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(
            (v["release_at"].as_str(), v["respond_by"].as_str(), v["state"].as_str()),
            (Some("2027-03-08T14:00:00Z"), Some("2027-03-09T22:00:00Z"), Some("deferred"))
        );
        // Once committed, the same key replays the first answer.
        gate.notify_one();
        let third = app.oneshot(request("same")).await.expect("response");
        assert_eq!(third.status(), StatusCode::CREATED);
        let bytes = axum::body::to_bytes(third.into_body(), 1 << 16).await.expect("body");
        let again: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(again, v);
    }
}
