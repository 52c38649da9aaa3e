//! Durable storage of requests in PostgreSQL, shared by any number of `replyby serve`
//! instances.
//!
//! A pool of connections, one transaction per call, each statement prepared once per
//! connection. Every session runs with `synchronous_commit = on`, and `open` refuses a server
//! with `fsync` or `full_page_writes` off, so a `201` follows a commit that survives a crash
//! of the database. What keeps the contracts across instances:
//!
//! - **Idempotency:** the insert takes a transaction-scoped advisory lock on its key
//!   (`pg_try_advisory_xact_lock`), held until its commit. When another instance holds it the
//!   insert answers [`StoreError::InFlight`] (a `409`) at once instead of waiting; after that
//!   commit, `ON CONFLICT DO NOTHING` finds the first request, anywhere.
//! - **Deliveries:** claimed with `FOR UPDATE SKIP LOCKED` and leased, so each attempt is
//!   made by one instance, and an instance killed mid-send leaves the lease to run out.
//! - **Receipts:** at most one per address per [`RECEIPT_WINDOW_SECS`], decided by an
//!   `INSERT … ON CONFLICT DO UPDATE … WHERE` on the address's row in `receipts_sent`, which
//!   PostgreSQL makes atomic across concurrent transactions.
//!
//! Every statement that changes something runs inside `BEGIN … COMMIT`, and a call returns
//! only when `COMMIT` has answered: in an implicit transaction PostgreSQL reports a statement
//! complete before its commit is flushed.

use super::{
    Completion, Delivery, DeliveryKind, DisabledEndpoint, Include, Inserted, NewDelivery, RECEIPT_WINDOW_SECS,
    RequestStore, StoreError, StoredRequest,
};
use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use std::str::FromStr;
use std::time::Duration;
use tokio_postgres::Row;
use tokio_postgres::config::SslMode;
use tokio_postgres::error::SqlState;

/// The schema, as numbered migrations applied in order and recorded in `schema_migrations`.
/// An applied migration is never edited; a change is a new file.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/postgres/0001_requests.sql")),
    (2, include_str!("../../../migrations/postgres/0002_deliveries.sql")),
    (3, include_str!("../../../migrations/postgres/0003_staff_schedule.sql")),
];

/// Connections per instance unless the URL says `pool_size=N`: enough for PostgreSQL to commit
/// many requests with one WAL flush.
const POOL_SIZE: usize = 16;
/// How long a call waits for a connection (or for a new one to be made) before answering
/// [`StoreError::Unavailable`].
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The settings every replyby session runs with, whatever the database or role defaults say:
/// a commit returns once it is flushed (and, with `synchronous_standby_names`, on a standby);
/// a session stuck inside a transaction (a frozen instance) is ended so that its advisory and
/// row locks are released; no statement runs for ever.
const SESSION_OPTIONS: &str =
    "-c synchronous_commit=on -c idle_in_transaction_session_timeout=30000 -c statement_timeout=30000";

pub struct PostgresStore {
    pool: Pool,
}

/// Whether `db` names a PostgreSQL database rather than a SQLite file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The connection settings of a `postgres://` URL, and the TLS it asks for.
///
/// `sslmode` absent or `disable`: plain TCP. `prefer`: TLS when the server offers it.
/// `require`, `verify-ca`, `verify-full`: TLS or no connection, and the server's certificate is
/// always verified (like libpq's `verify-full`) against the Mozilla roots and, with
/// `sslrootcert=PATH`, the CA in that PEM file. `pool_size=N`: connections per instance.
struct Target {
    config: tokio_postgres::Config,
    root_cert: Option<String>,
    pool_size: usize,
}

fn parse_url(url: &str) -> Result<Target, StoreError> {
    let bad = |e: String| StoreError::Config(format!("--db: {e}"));
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut ssl_mode = SslMode::Disable;
    let mut root_cert = None;
    let mut pool_size = POOL_SIZE;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                ssl_mode = match value {
                    "disable" => SslMode::Disable,
                    "allow" | "prefer" => SslMode::Prefer,
                    "require" | "verify-ca" | "verify-full" => SslMode::Require,
                    other => return Err(bad(format!("sslmode={other} is not one of disable, prefer, require"))),
                }
            }
            "sslrootcert" => root_cert = Some(value.to_owned()),
            "pool_size" => {
                pool_size =
                    value.parse().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| {
                        bad(format!("pool_size={value} is not a number of connections from 1 to 1000"))
                    })?
            }
            _ => rest.push(pair),
        }
    }
    let url = if rest.is_empty() { base.to_owned() } else { format!("{base}?{}", rest.join("&")) };
    let mut config = tokio_postgres::Config::from_str(&url).map_err(|e| bad(e.to_string()))?;
    config.ssl_mode(ssl_mode);
    let options = match config.get_options() {
        Some(given) => format!("{given} {SESSION_OPTIONS}"),
        None => SESSION_OPTIONS.to_owned(),
    };
    config.options(&options);
    if config.get_application_name().is_none() {
        config.application_name("replyby");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    // Notice a database host that vanished within a minute, not two hours.
    config.keepalives_idle(Duration::from_secs(30));
    Ok(Target { config, root_cert, pool_size })
}

fn tls(root_cert: Option<&str>) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = root_cert {
        let certs =
            CertificateDer::pem_file_iter(path).map_err(|e| StoreError::Config(format!("sslrootcert {path}: {e}")))?;
        for cert in certs {
            let cert = cert.map_err(|e| StoreError::Config(format!("sslrootcert {path}: {e}")))?;
            roots.add(cert).map_err(|e| StoreError::Config(format!("sslrootcert {path}: {e}")))?;
        }
    }
    let config =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| StoreError::Config(format!("TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// What went wrong, for the log: PostgreSQL's own message and SQLSTATE, or the I/O error
/// under tokio-postgres's summary ("error connecting to server: Connection refused").
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{}: {} (SQLSTATE {})", db.severity(), db.message(), db.code().code());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// Sorts a database error: one that says the database cannot be reached (or is restarting,
/// or ended the session) is [`StoreError::Unavailable`], for a `503` the client retries;
/// anything else is a fault.
pub(super) fn classify(e: tokio_postgres::Error) -> StoreError {
    let transient = [
        SqlState::ADMIN_SHUTDOWN,
        SqlState::CRASH_SHUTDOWN,
        SqlState::CANNOT_CONNECT_NOW,
        SqlState::TOO_MANY_CONNECTIONS,
        SqlState::QUERY_CANCELED,
        SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
        SqlState::READ_ONLY_SQL_TRANSACTION,
    ];
    let text = describe(&e);
    match e.code() {
        Some(code) if code.code().starts_with("08") || transient.contains(code) => StoreError::Unavailable(text),
        Some(_) => StoreError::Postgres(text),
        // No SQLSTATE: the connection broke, timed out or could not be made, unless a value
        // could not be converted (a fault of ours).
        None if text.starts_with("error serializing") || text.starts_with("error deserializing") => {
            StoreError::Postgres(text)
        }
        None => StoreError::Unavailable(text),
    }
}

fn pool_error(e: PoolError) -> StoreError {
    match e {
        PoolError::Backend(e) => classify(e),
        PoolError::Timeout(_) => StoreError::Unavailable("no connection to the database within 5 s".into()),
        PoolError::Closed => StoreError::Stopped,
        other => StoreError::Unavailable(other.to_string()),
    }
}

const COLUMNS: &str = "id, idempotency_key, body_hash, plan, email, name, subject, message, time_zone, locale, received_at, release_at, respond_by, acked_at, spam";

/// A request from `row`, whose columns from `at` on are [`COLUMNS`].
fn request_at(r: &Row, at: usize) -> Result<StoredRequest, tokio_postgres::Error> {
    Ok(StoredRequest {
        id: r.try_get(at)?,
        idempotency_key: r.try_get(at + 1)?,
        body_hash: r.try_get(at + 2)?,
        plan: r.try_get(at + 3)?,
        email: r.try_get(at + 4)?,
        name: r.try_get(at + 5)?,
        subject: r.try_get(at + 6)?,
        message: r.try_get(at + 7)?,
        time_zone: r.try_get(at + 8)?,
        locale: r.try_get(at + 9)?,
        received_at: r.try_get(at + 10)?,
        release_at: r.try_get(at + 11)?,
        respond_by: r.try_get(at + 12)?,
        acked_at: r.try_get(at + 13)?,
        spam: r.try_get(at + 14)?,
    })
}

const DELIVERY_COLUMNS: &str =
    "id, request_id, kind, target, event, state, due_at, attempts, last_error, created_at, delivered_at";

fn delivery(r: &Row) -> Result<Delivery, tokio_postgres::Error> {
    Ok(Delivery {
        id: r.try_get(0)?,
        request_id: r.try_get(1)?,
        kind: r.try_get(2)?,
        target: r.try_get(3)?,
        event: r.try_get(4)?,
        state: r.try_get(5)?,
        due_at: r.try_get(6)?,
        attempts: r.try_get(7)?,
        last_error: r.try_get(8)?,
        created_at: r.try_get(9)?,
        delivered_at: r.try_get(10)?,
    })
}

/// The tail of a statement whose `owner` CTE yields the row the deliveries belong to
/// (`id`, and `at`: the instant they are scheduled), with the deliveries as the arrays $1–$5.
/// A receipt is scheduled only when its address's row in `receipts_sent` is older than the
/// window (or new); the statement answers whether there was an owner and how many receipts
/// were scheduled.
fn schedule_sql(owner: &str) -> String {
    format!(
        "WITH owner AS ({owner}),
         receipt AS (
           INSERT INTO receipts_sent (address, sent_at)
           SELECT DISTINCT d.target, owner.at FROM owner, unnest($2::text[], $3::text[]) AS d(kind, target)
           WHERE d.kind = 'receipt'
           ON CONFLICT (address) DO UPDATE SET sent_at = EXCLUDED.sent_at
           WHERE receipts_sent.sent_at <= EXCLUDED.sent_at - {RECEIPT_WINDOW_SECS}
           RETURNING address
         ),
         scheduled AS (
           INSERT INTO deliveries (id, request_id, kind, target, event, state, due_at, created_at)
           SELECT d.id, owner.id, d.kind, d.target, d.event, 'pending', d.due_at, owner.at
           FROM owner, unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[])
             AS d(id, kind, target, event, due_at)
           WHERE d.kind <> 'receipt' OR d.target IN (SELECT address FROM receipt)
           RETURNING kind
         )
         SELECT (SELECT count(*) FROM owner), (SELECT count(*) FROM scheduled WHERE kind = 'receipt')"
    )
}

/// The deliveries as the five arrays [`schedule_sql`] takes; e-mail addresses lowercase.
struct Arrays {
    ids: Vec<String>,
    kinds: Vec<String>,
    targets: Vec<String>,
    events: Vec<Option<String>>,
    due: Vec<i64>,
    receipts: i64,
}

fn arrays(deliveries: Vec<NewDelivery>) -> Arrays {
    let mut a = Arrays {
        ids: Vec::new(),
        kinds: Vec::new(),
        targets: Vec::new(),
        events: Vec::new(),
        due: Vec::new(),
        receipts: 0,
    };
    for d in deliveries {
        a.receipts += i64::from(d.kind == DeliveryKind::Receipt);
        a.targets.push(if d.kind == DeliveryKind::Webhook { d.target } else { d.target.to_lowercase() });
        a.ids.push(d.id);
        a.kinds.push(d.kind.as_str().to_owned());
        a.events.push(d.event);
        a.due.push(d.due_at);
    }
    a
}

impl PostgresStore {
    /// Connects, checks that the server keeps commits (`fsync`, `full_page_writes`,
    /// `synchronous_commit`), and applies the migrations this binary knows.
    pub async fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let Target { config, root_cert, pool_size } = parse_url(url)?;
        let manager_config = ManagerConfig { recycling_method: RecyclingMethod::Fast };
        let manager = if config.get_ssl_mode() == SslMode::Disable {
            Manager::from_config(config, tokio_postgres::NoTls, manager_config)
        } else {
            Manager::from_config(config, tls(root_cert.as_deref())?, manager_config)
        };
        let pool = Pool::builder(manager)
            .max_size(pool_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| StoreError::Config(e.to_string()))?;
        let store = PostgresStore { pool };
        let mut client = store.pool.get().await.map_err(pool_error)?;
        check_durability(&client).await?;
        migrate(&mut client).await?;
        Ok(store)
    }

    pub(super) async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(pool_error)
    }
}

/// Refuses a server that could lose a commit it acknowledged, naming the setting.
async fn check_durability(client: &deadpool_postgres::Object) -> Result<(), StoreError> {
    for (setting, wanted) in [("fsync", "on"), ("full_page_writes", "on"), ("synchronous_commit", "on")] {
        let row = client.query_one(&format!("SHOW {setting}"), &[]).await.map_err(classify)?;
        let value: String = row.try_get(0).map_err(classify)?;
        if value != wanted {
            return Err(StoreError::Config(format!(
                "PostgreSQL runs with {setting} = {value}; replyby needs {setting} = {wanted} so that an acknowledged request survives a crash"
            )));
        }
    }
    Ok(())
}

/// Applies the migrations this binary knows and the database lacks, each in its own
/// transaction under one advisory lock (so instances starting at once take turns), and refuses
/// a database that a newer replyby has migrated further.
pub async fn migrate(client: &mut deadpool_postgres::Object) -> Result<(), StoreError> {
    let newest_known = MIGRATIONS.last().map_or(0, |m| m.0);
    for &(version, sql) in MIGRATIONS {
        let tx = client.transaction().await.map_err(classify)?;
        // Waiting for another instance's migration, or a long migration, is no fault here.
        tx.batch_execute(
            "SET LOCAL statement_timeout = 0;
             SELECT pg_advisory_xact_lock(hashtextextended('replyby migrations', 0));
             CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL);",
        )
        .await
        .map_err(classify)?;
        let applied: i64 = tx
            .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])
            .await
            .and_then(|r| r.try_get(0))
            .map_err(classify)?;
        if applied > newest_known {
            return Err(StoreError::Migration(format!(
                "the database is at schema version {applied}, newer than this replyby knows ({newest_known}); run a newer replyby"
            )));
        }
        if applied < version {
            tx.batch_execute(sql)
                .await
                .map_err(|e| StoreError::Migration(format!("migration {version}: {}", describe(&e))))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, extract(epoch FROM now())::int8)",
                &[&version],
            )
            .await
            .map_err(classify)?;
            tracing::info!(version, "applied a PostgreSQL migration");
        }
        tx.commit().await.map_err(classify)?;
    }
    Ok(())
}

#[async_trait]
impl RequestStore for PostgresStore {
    async fn insert(&self, request: StoredRequest, deliveries: Vec<NewDelivery>) -> Result<Inserted, StoreError> {
        let d = arrays(deliveries);
        let client = self.client().await?;
        // The key's lock is taken in the statement itself and held until COMMIT.
        let insert = client
            .prepare_cached(&schedule_sql(&format!(
                "INSERT INTO requests ({COLUMNS})
                 SELECT $6::text, $7::text, $8::text, $9::text, $10::text, $11::text, $12::text, $13::text,
                        $14::text, $15::text, $16::int8, $17::int8, $18::int8, $19::int8, $20::text
                 WHERE pg_try_advisory_xact_lock(hashtextextended('replyby key:' || $7::text, 0))
                 ON CONFLICT (idempotency_key) DO NOTHING
                 RETURNING id, received_at AS at"
            )))
            .await
            .map_err(classify)?;
        let r = &request;
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 20] = [
            &d.ids,
            &d.kinds,
            &d.targets,
            &d.events,
            &d.due,
            &r.id,
            &r.idempotency_key,
            &r.body_hash,
            &r.plan,
            &r.email,
            &r.name,
            &r.subject,
            &r.message,
            &r.time_zone,
            &r.locale,
            &r.received_at,
            &r.release_at,
            &r.respond_by,
            &r.acked_at,
            &r.spam,
        ];
        // BEGIN, the statement and COMMIT go out together (tokio-postgres pipelines what is
        // polled together, in order): one round trip to the database, whose COMMIT answers once
        // the WAL is flushed. When the statement fails, PostgreSQL turns that COMMIT into a
        // ROLLBACK; when the connection breaks before COMMIT answers, the outcome is unknown and
        // the caller answers 503 — the client's retry with the same key finds out which.
        let (begin, row, commit) = tokio::join!(
            client.batch_execute("BEGIN"),
            client.query_one(&insert, &params),
            client.batch_execute("COMMIT")
        );
        begin.map_err(classify)?;
        let row = row.map_err(classify)?;
        commit.map_err(classify)?;
        let (inserted, receipts): (i64, i64) = (row.try_get(0).map_err(classify)?, row.try_get(1).map_err(classify)?);
        if inserted == 1 {
            if receipts < d.receipts {
                tracing::info!(request = %request.id, "receipt skipped: this address got one in the last 10 minutes");
            }
            return Ok(Inserted::New(request));
        }
        // Nothing inserted: the key is stored already (a replay, or a reused key), or another
        // transaction held it (and may have committed since).
        let existing = client
            .prepare_cached(&format!("SELECT {COLUMNS} FROM requests WHERE idempotency_key = $1"))
            .await
            .map_err(classify)?;
        match client.query_opt(&existing, &[&request.idempotency_key]).await.map_err(classify)? {
            Some(row) => Ok(Inserted::Existing(request_at(&row, 0).map_err(classify)?)),
            None => Err(StoreError::InFlight),
        }
    }

    async fn list(&self, now: i64, include: Include) -> Result<Vec<StoredRequest>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM requests
                 WHERE acked_at IS NULL AND ($1 OR release_at <= $2) AND ($3 OR spam IS NULL)
                 ORDER BY respond_by, received_at"
            ))
            .await
            .map_err(classify)?;
        let rows = client.query(&stmt, &[&include.deferred, &now, &include.spam]).await.map_err(classify)?;
        rows.iter().map(|r| request_at(r, 0)).collect::<Result<_, _>>().map_err(classify)
    }

    async fn ack(&self, id: &str, now: i64, deliveries: Vec<NewDelivery>) -> Result<bool, StoreError> {
        let d = arrays(deliveries);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        let ack = tx
            .prepare_cached(&schedule_sql(
                "UPDATE requests SET acked_at = $7 WHERE id = $6 AND acked_at IS NULL RETURNING id, acked_at AS at",
            ))
            .await
            .map_err(classify)?;
        let row = tx.query_one(&ack, &[&d.ids, &d.kinds, &d.targets, &d.events, &d.due, &id, &now]).await;
        let first: i64 = row.and_then(|r| r.try_get(0)).map_err(classify)?;
        let exists = first == 1
            || tx
                .query_one("SELECT EXISTS (SELECT 1 FROM requests WHERE id = $1)", &[&id])
                .await
                .and_then(|r| r.try_get(0))
                .map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        Ok(exists)
    }

    async fn claim(
        &self,
        now: i64,
        lease_until: i64,
        worker: &str,
        limit: usize,
    ) -> Result<Vec<(Delivery, StoredRequest)>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        // SKIP LOCKED: instances claiming at the same moment take different rows, never wait.
        let stmt = tx
            .prepare_cached(&format!(
                "WITH due AS (
                   SELECT id FROM deliveries
                   WHERE state = 'pending' AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
                   ORDER BY due_at LIMIT $4
                   FOR UPDATE SKIP LOCKED
                 )
                 UPDATE deliveries d SET lease_until = $2, leased_by = $3, attempts = d.attempts + 1
                 FROM due, requests r
                 WHERE d.id = due.id AND r.id = d.request_id
                 RETURNING {}, {}",
                DELIVERY_COLUMNS.split(", ").map(|c| format!("d.{c}")).collect::<Vec<_>>().join(", "),
                COLUMNS.split(", ").map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", "),
            ))
            .await
            .map_err(classify)?;
        let rows = tx.query(&stmt, &[&now, &lease_until, &worker, &(limit as i64)]).await.map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        let mut out: Vec<(Delivery, StoredRequest)> = rows
            .iter()
            .map(|r| Ok((delivery(r)?, request_at(r, 11)?)))
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(classify)?;
        out.sort_by_key(|(d, _)| d.due_at);
        Ok(out)
    }

    async fn complete(&self, id: &str, worker: &str, now: i64, completion: Completion) -> Result<(), StoreError> {
        // $1 id, $2 worker, $3 the instant (delivered at, or due again at), $4 the error.
        let held = "id = $1 AND leased_by = $2 AND state = 'pending'";
        let (sql, at, error) = match &completion {
            Completion::Delivered => (
                format!(
                    "UPDATE deliveries SET state = 'delivered', delivered_at = $3, lease_until = NULL, last_error = $4 WHERE {held}"
                ),
                Some(now),
                None,
            ),
            Completion::RetryAt { at, error } => (
                format!("UPDATE deliveries SET due_at = $3, last_error = $4, lease_until = NULL WHERE {held}"),
                Some(*at),
                Some(error.as_str()),
            ),
            Completion::Dead { error } | Completion::Gone { error } => (
                format!(
                    "UPDATE deliveries SET state = 'dead', delivered_at = $3, last_error = $4, lease_until = NULL WHERE {held}"
                ),
                None,
                Some(error.as_str()),
            ),
        };
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        if let Completion::Gone { error } = &completion {
            let disable = tx
                .prepare_cached(
                    "INSERT INTO disabled_endpoints (url, disabled_at, reason)
                     SELECT target, $2, $3 FROM deliveries WHERE id = $1 ON CONFLICT (url) DO NOTHING",
                )
                .await
                .map_err(classify)?;
            tx.execute(&disable, &[&id, &now, error]).await.map_err(classify)?;
        }
        let stmt = tx.prepare_cached(&sql).await.map_err(classify)?;
        tx.execute(&stmt, &[&id, &worker, &at, &error]).await.map_err(classify)?;
        tx.commit().await.map_err(classify)
    }

    async fn next_due(&self) -> Result<Option<i64>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT MIN(GREATEST(due_at, COALESCE(lease_until, 0))) FROM deliveries WHERE state = 'pending'",
            )
            .await
            .map_err(classify)?;
        client.query_one(&stmt, &[]).await.and_then(|r| r.try_get(0)).map_err(classify)
    }

    async fn deliveries(&self, state: Option<String>, requests: Vec<String>) -> Result<Vec<Delivery>, StoreError> {
        let client = self.client().await?;
        let rows = if requests.is_empty() {
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE ($1::text IS NULL OR state = $1)
                     ORDER BY created_at DESC, id LIMIT 1000"
                ))
                .await
                .map_err(classify)?;
            client.query(&stmt, &[&state]).await
        } else {
            // In the order the requests were asked for, as the SQLite store answers.
            let stmt = client
                .prepare_cached(&format!(
                    "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE request_id = ANY($1::text[])
                     ORDER BY array_position($1::text[], request_id), created_at, id"
                ))
                .await
                .map_err(classify)?;
            client.query(&stmt, &[&requests]).await
        };
        rows.map_err(classify)?.iter().map(delivery).collect::<Result<_, _>>().map_err(classify)
    }

    async fn retry(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        tx.execute(
            "DELETE FROM disabled_endpoints WHERE url = (SELECT target FROM deliveries WHERE id = $1 AND kind = 'webhook')",
            &[&id],
        )
        .await
        .map_err(classify)?;
        let n = tx
            .execute(
                "UPDATE deliveries SET state = 'pending', due_at = $2, attempts = 0, lease_until = NULL
                 WHERE id = $1 AND state <> 'delivered'",
                &[&id, &now],
            )
            .await
            .map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        Ok(n == 1)
    }

    async fn disabled_endpoints(&self) -> Result<Vec<DisabledEndpoint>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT url, disabled_at, reason FROM disabled_endpoints ORDER BY url", &[])
            .await
            .map_err(classify)?;
        rows.iter()
            .map(|r| Ok(DisabledEndpoint { url: r.try_get(0)?, disabled_at: r.try_get(1)?, reason: r.try_get(2)? }))
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(classify)
    }
}

#[cfg(test)]
mod tests {
    //! The store contract, run against both stores (`sqlite::…` and `postgres::…`), and what
    //! only several instances on one PostgreSQL can show. The PostgreSQL half needs
    //! `REPLYBY_TEST_PG`, a superuser URL (`scripts/pg.sh start` prints one); without it those
    //! tests say so and pass.
    use super::*;
    use crate::serve::store::SqliteStore;
    use std::sync::Arc;

    const T0: i64 = 1_800_000_000;

    fn request(key: &str, email: &str, at: i64) -> StoredRequest {
        StoredRequest {
            id: format!("req_{key}"),
            idempotency_key: key.into(),
            body_hash: format!("hash-{key}"),
            plan: "basic".into(),
            email: email.into(),
            name: Some("Jo".into()),
            subject: None,
            message: "the router — ça marche pas 🙂".into(),
            time_zone: Some("Europe/Paris".into()),
            locale: None,
            received_at: at,
            release_at: at + 60,
            respond_by: at + 3600,
            acked_at: None,
            spam: None,
        }
    }

    fn webhook(id: &str, event: &str, due_at: i64) -> NewDelivery {
        NewDelivery {
            id: id.into(),
            kind: DeliveryKind::Webhook,
            target: "http://127.0.0.1:9/Hook".into(),
            event: Some(event.into()),
            due_at,
        }
    }

    fn receipt(id: &str, to: &str, due_at: i64) -> NewDelivery {
        NewDelivery { id: id.into(), kind: DeliveryKind::Receipt, target: to.into(), event: None, due_at }
    }

    // The helper the integration tests and the load bench share (one copy of it).
    mod pg_url {
        include!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/pg_url.rs"));
    }
    use pg_url::with_database;

    /// A new, empty database on `REPLYBY_TEST_PG`'s server; `None` (with the reason printed)
    /// when the variable is not set.
    async fn fresh_database(name: &str) -> Option<String> {
        let Ok(admin) = std::env::var("REPLYBY_TEST_PG") else {
            eprintln!("skipped: REPLYBY_TEST_PG is not set (a superuser URL; scripts/pg.sh start prints one)");
            return None;
        };
        let (client, connection) =
            tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.expect("REPLYBY_TEST_PG");
        tokio::spawn(connection);
        let db = format!("replyby_unit_{}_{name}", std::process::id());
        for sql in [format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"), format!("CREATE DATABASE {db}")] {
            client.batch_execute(&sql).await.expect("create database");
        }
        Some(with_database(&admin, &db))
    }

    async fn sqlite(name: &str) -> Option<Arc<dyn RequestStore>> {
        let dir = std::env::temp_dir().join(format!("replyby-contract-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        Some(Arc::new(SqliteStore::open(&dir.join("q.db")).expect("sqlite")))
    }

    async fn postgres(name: &str) -> Option<Arc<dyn RequestStore>> {
        let url = fresh_database(name).await?;
        Some(Arc::new(PostgresStore::open(&url).await.expect("postgres")))
    }

    /// Each contract test, once per store.
    macro_rules! contract {
        ($($test:ident),* $(,)?) => {
            mod on_sqlite {
                $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    if let Some(store) = super::sqlite(stringify!($test)).await { super::$test(store).await }
                })*
            }
            mod on_postgres {
                $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    if let Some(store) = super::postgres(stringify!($test)).await { super::$test(store).await }
                })*
            }
        };
    }

    contract!(
        a_key_is_stored_once_and_answers_with_the_first_request,
        receipts_at_most_one_per_address_per_window,
        an_ack_schedules_its_deliveries_once,
        a_lease_holds_a_delivery_until_it_runs_out,
        gone_disables_the_endpoint_until_staff_retry,
        listing_follows_the_queue_rules,
    );

    async fn a_key_is_stored_once_and_answers_with_the_first_request(store: Arc<dyn RequestStore>) {
        let first = request("k1", "jo@example.com", T0);
        let got = store.insert(first.clone(), vec![webhook("d1", "request.received", T0)]).await.expect("insert");
        assert_eq!(got, Inserted::New(first.clone()));
        let mut again = request("k1", "other@example.com", T0 + 5);
        again.id = "req_other".into();
        again.body_hash = "another".into();
        let got = store.insert(again, vec![webhook("d2", "request.received", T0 + 5)]).await.expect("insert");
        assert_eq!(got, Inserted::Existing(first.clone()), "the first request, byte for byte");
        let all = store.deliveries(None, Vec::new()).await.expect("deliveries");
        assert_eq!(all.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["d1"], "the replay scheduled nothing");
        assert_eq!(store.list(T0 + 100, Include { deferred: true, spam: true }).await.expect("list"), vec![first]);
    }

    async fn receipts_at_most_one_per_address_per_window(store: Arc<dyn RequestStore>) {
        for (i, (email, at)) in
            [("Jo@Example.com", T0), ("jo@example.com", T0 + 10), ("jo@example.com", T0 + RECEIPT_WINDOW_SECS + 1)]
                .into_iter()
                .enumerate()
        {
            let r = request(&format!("r{i}"), email, at);
            store.insert(r, vec![receipt(&format!("rc{i}"), email, at)]).await.expect("insert");
        }
        let receipts: Vec<(String, String)> = store
            .deliveries(None, vec!["req_r0".into(), "req_r1".into(), "req_r2".into()])
            .await
            .expect("deliveries")
            .into_iter()
            .filter(|d| d.kind == "receipt")
            .map(|d| (d.request_id, d.target))
            .collect();
        assert_eq!(
            receipts,
            [("req_r0".to_owned(), "jo@example.com".to_owned()), ("req_r2".to_owned(), "jo@example.com".to_owned())]
        );
    }

    async fn an_ack_schedules_its_deliveries_once(store: Arc<dyn RequestStore>) {
        store.insert(request("a", "jo@example.com", T0), Vec::new()).await.expect("insert");
        assert!(store.ack("req_a", T0 + 9, vec![webhook("ack1", "request.acknowledged", T0 + 9)]).await.expect("ack"));
        assert!(
            store.ack("req_a", T0 + 10, vec![webhook("ack2", "request.acknowledged", T0 + 10)]).await.expect("ack")
        );
        assert!(!store.ack("req_none", T0, Vec::new()).await.expect("ack"));
        let d = store.deliveries(None, vec!["req_a".into()]).await.expect("deliveries");
        assert_eq!(
            d.iter().map(|d| (d.id.as_str(), d.created_at, d.due_at)).collect::<Vec<_>>(),
            [("ack1", T0 + 9, T0 + 9)]
        );
        assert!(store.list(T0 + 100, Include { deferred: true, spam: true }).await.expect("list").is_empty());
    }

    async fn a_lease_holds_a_delivery_until_it_runs_out(store: Arc<dyn RequestStore>) {
        let deliveries = vec![webhook("late", "request.released", T0 + 60), webhook("now", "request.received", T0)];
        store.insert(request("l", "jo@example.com", T0), deliveries).await.expect("insert");
        assert_eq!(store.next_due().await.expect("next"), Some(T0));
        let claimed = store.claim(T0, T0 + 30, "w1", 10).await.expect("claim");
        assert_eq!(
            claimed.iter().map(|(d, r)| (d.id.as_str(), d.attempts, r.id.as_str())).collect::<Vec<_>>(),
            [("now", 1, "req_l")]
        );
        assert_eq!(claimed[0].1, request("l", "jo@example.com", T0));
        // Leased: nobody else gets it, and the worker sleeps until the lease or the next one.
        assert!(store.claim(T0 + 29, T0 + 59, "w2", 10).await.expect("claim").is_empty());
        assert_eq!(store.next_due().await.expect("next"), Some(T0 + 30));
        // w1 died mid-send: once the lease ends, w2 sends it (the second attempt), and w1's
        // late answer changes nothing.
        let again = store.claim(T0 + 30, T0 + 60, "w2", 1).await.expect("claim");
        assert_eq!(again.iter().map(|(d, _)| (d.id.as_str(), d.attempts)).collect::<Vec<_>>(), [("now", 2)]);
        store.complete("now", "w1", T0 + 31, Completion::Dead { error: "late".into() }).await.expect("complete");
        store.complete("now", "w2", T0 + 32, Completion::Delivered).await.expect("complete");
        store
            .complete("late", "w2", T0 + 32, Completion::RetryAt { at: T0 + 99, error: "not leased".into() })
            .await
            .expect("complete");
        let d = store.deliveries(None, vec!["req_l".into()]).await.expect("deliveries");
        let now = d.iter().find(|d| d.id == "now").expect("now");
        assert_eq!(
            (now.state.as_str(), now.delivered_at, now.last_error.as_deref()),
            ("delivered", Some(T0 + 32), None)
        );
        let late = d.iter().find(|d| d.id == "late").expect("late");
        assert_eq!((late.state.as_str(), late.due_at, late.attempts), ("pending", T0 + 60, 0), "not w2's to complete");
        // A failed attempt comes back at its retry time.
        let late_claim = store.claim(T0 + 60, T0 + 90, "w1", 5).await.expect("claim");
        assert_eq!(late_claim.len(), 1);
        store
            .complete("late", "w1", T0 + 61, Completion::RetryAt { at: T0 + 120, error: "HTTP 503".into() })
            .await
            .expect("complete");
        assert_eq!(store.next_due().await.expect("next"), Some(T0 + 120));
        assert_eq!(store.deliveries(Some("delivered".into()), Vec::new()).await.expect("list").len(), 1);
    }

    async fn gone_disables_the_endpoint_until_staff_retry(store: Arc<dyn RequestStore>) {
        store
            .insert(request("g", "jo@example.com", T0), vec![webhook("g1", "request.received", T0)])
            .await
            .expect("insert");
        let (d, _) = store.claim(T0, T0 + 30, "w", 1).await.expect("claim").pop().expect("one");
        store.complete(&d.id, "w", T0 + 1, Completion::Gone { error: "HTTP 410".into() }).await.expect("complete");
        let disabled = store.disabled_endpoints().await.expect("disabled");
        assert_eq!(
            disabled,
            [DisabledEndpoint {
                url: "http://127.0.0.1:9/Hook".into(),
                disabled_at: T0 + 1,
                reason: "HTTP 410".into()
            }]
        );
        let dead = store.deliveries(Some("dead".into()), Vec::new()).await.expect("dead");
        assert_eq!((dead.len(), dead[0].last_error.as_deref()), (1, Some("HTTP 410")));
        assert!(store.retry("g1", T0 + 50).await.expect("retry"));
        assert!(store.disabled_endpoints().await.expect("disabled").is_empty());
        let (d, _) = store.claim(T0 + 50, T0 + 80, "w", 1).await.expect("claim").pop().expect("again");
        assert_eq!((d.attempts, d.due_at), (1, T0 + 50));
        store.complete("g1", "w", T0 + 51, Completion::Delivered).await.expect("complete");
        assert!(!store.retry("g1", T0 + 52).await.expect("retry"), "a delivered delivery is not sent again");
        assert!(!store.retry("nope", T0 + 52).await.expect("retry"));
    }

    async fn listing_follows_the_queue_rules(store: Arc<dyn RequestStore>) {
        let mut held = request("held", "a@example.com", T0);
        held.release_at = T0 + 1000;
        held.respond_by = T0 + 2000;
        let mut spam = request("spam", "b@example.com", T0);
        spam.spam = Some("Website filled".into());
        let open = request("open", "c@example.com", T0 + 1);
        for r in [held.clone(), spam.clone(), open.clone()] {
            store.insert(r, Vec::new()).await.expect("insert");
        }
        let ids = |v: Vec<StoredRequest>| v.into_iter().map(|r| r.id).collect::<Vec<_>>();
        let at = T0 + 100;
        assert_eq!(ids(store.list(at, Include::default()).await.expect("list")), ["req_open"]);
        assert_eq!(
            ids(store.list(at, Include { deferred: true, spam: false }).await.expect("list")),
            ["req_held", "req_open"]
        );
        assert_eq!(
            ids(store.list(at, Include { deferred: false, spam: true }).await.expect("list")),
            ["req_spam", "req_open"]
        );
    }

    #[test]
    fn urls_select_tls_and_keep_replyby_s_session_settings() {
        let t = parse_url("postgres://u:p%40ss@db.example:5433/q").expect("url");
        assert_eq!(t.config.get_ssl_mode(), SslMode::Disable, "plain unless the URL asks");
        assert_eq!(t.config.get_dbname(), Some("q"));
        assert_eq!(t.config.get_password(), Some(&b"p@ss"[..]));
        assert_eq!(t.config.get_options(), Some(SESSION_OPTIONS));
        let t = parse_url("postgresql://u@h/q?sslmode=require&sslrootcert=/etc/ca.pem&options=-c%20work_mem%3D8MB")
            .expect("url");
        assert_eq!((t.config.get_ssl_mode(), t.root_cert.as_deref()), (SslMode::Require, Some("/etc/ca.pem")));
        assert_eq!((t.pool_size, parse_url("postgres://h/q?pool_size=8").expect("url").pool_size), (POOL_SIZE, 8));
        assert!(parse_url("postgres://h/q?pool_size=0").is_err());
        assert_eq!(t.config.get_options(), Some(format!("-c work_mem=8MB {SESSION_OPTIONS}").as_str()));
        assert_eq!(
            parse_url("postgres://u@h/q?sslmode=verify-full").expect("url").config.get_ssl_mode(),
            SslMode::Require
        );
        let e = parse_url("postgres://u@h/q?sslmode=sometimes").err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("--db: sslmode=sometimes is not one of disable, prefer, require"));
        assert!(is_url("postgres://h/q") && is_url("postgresql://h/q") && !is_url("replyby.db"));
        assert_eq!(with_database("postgres://u@h:1/postgres?x=1", "t"), "postgres://u@h:1/t?x=1");
        assert_eq!(with_database("postgres://u@h:1", "t"), "postgres://u@h:1/t");
    }

    async fn two_stores(name: &str) -> Option<(String, PostgresStore, PostgresStore)> {
        let url = fresh_database(name).await?;
        let a = PostgresStore::open(&url).await.expect("a");
        let b = PostgresStore::open(&url).await.expect("b");
        Some((url, a, b))
    }

    async fn admin(url: &str) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("connect");
        tokio::spawn(connection);
        client
    }

    #[tokio::test]
    async fn a_key_held_by_another_instance_is_in_flight_until_its_commit() {
        let Some((url, a, b)) = two_stores("in_flight").await else { return };
        // Another instance's transaction holds the key (as an insert does until its COMMIT).
        let mut other = admin(&url).await;
        let tx = other.transaction().await.expect("begin");
        tx.execute("SELECT pg_advisory_xact_lock(hashtextextended('replyby key:' || $1, 0))", &[&"k"])
            .await
            .expect("lock");
        for store in [&a, &b] {
            let e = store.insert(request("k", "jo@example.com", T0), Vec::new()).await.err();
            assert!(matches!(e, Some(StoreError::InFlight)), "{e:?}");
        }
        tx.commit().await.expect("commit");
        let first = request("k", "jo@example.com", T0);
        assert_eq!(a.insert(first.clone(), Vec::new()).await.expect("insert"), Inserted::New(first.clone()));
        let mut second = request("k", "jo@example.com", T0 + 3);
        second.id = "req_second".into();
        assert_eq!(b.insert(second, Vec::new()).await.expect("insert"), Inserted::Existing(first));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn racing_instances_store_each_key_once_and_mail_one_receipt() {
        let Some((_, a, b)) = two_stores("race").await else { return };
        let (a, b): (Arc<dyn RequestStore>, Arc<dyn RequestStore>) = (Arc::new(a), Arc::new(b));
        let mut tasks = Vec::new();
        for i in 0..400 {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            // Keys sent to both instances at once; every request from one address.
            let key = format!("race-{}", i / 2);
            tasks.push(tokio::spawn(async move {
                let mut r = request(&key, "same@example.com", T0 + i);
                r.id = format!("req_{i}");
                loop {
                    match store.insert(r.clone(), vec![receipt(&format!("rcpt-{i}"), "same@example.com", T0)]).await {
                        Err(StoreError::InFlight) => tokio::task::yield_now().await,
                        other => return (key, other.expect("insert")),
                    }
                }
            }));
        }
        let mut winners = std::collections::HashMap::new();
        let mut new = 0;
        for t in tasks {
            let (key, got) = t.await.expect("join");
            let r = match got {
                Inserted::New(r) => {
                    new += 1;
                    r
                }
                Inserted::Existing(r) => r,
            };
            assert_eq!(winners.entry(key).or_insert_with(|| r.id.clone()), &r.id, "one request per key");
        }
        assert_eq!((new, winners.len()), (200, 200));
        assert_eq!(a.list(T0 + 9999, Include { deferred: true, spam: true }).await.expect("list").len(), 200);
        let receipts = b.deliveries(None, Vec::new()).await.expect("deliveries");
        assert_eq!(receipts.len(), 1, "one receipt per address per window, across instances");
    }

    /// Records who sent what; each send takes a moment, so that claims overlap.
    struct Recorder(std::sync::Mutex<Vec<(String, String)>>, String);

    #[async_trait]
    impl crate::serve::deliver::worker::Send for Recorder {
        async fn send(
            &self,
            d: &Delivery,
            _: &StoredRequest,
            _: chrono::DateTime<chrono::Utc>,
        ) -> crate::serve::deliver::worker::Attempt {
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.0.lock().expect("lock").push((d.id.clone(), self.1.clone()));
            crate::serve::deliver::worker::Attempt::Delivered
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_instances_workers_send_each_delivery_once() {
        use crate::serve::deliver::worker::Worker;
        let Some((_, a, b)) = two_stores("workers").await else { return };
        let (a, b): (Arc<dyn RequestStore>, Arc<dyn RequestStore>) = (Arc::new(a), Arc::new(b));
        let now = chrono::Utc::now().timestamp();
        for i in 0..150 {
            let hooks = (0..2).map(|j| webhook(&format!("d{i}-{j}"), "request.received", now)).collect();
            a.insert(request(&format!("w{i}"), "jo@example.com", now), hooks).await.expect("insert");
        }
        let mut tasks = Vec::new();
        for (store, name) in [(a.clone(), "instance-a"), (b.clone(), "instance-b")] {
            let sender = Arc::new(Recorder(std::sync::Mutex::new(Vec::new()), name.into()));
            let worker = Worker {
                store,
                clock: Arc::new(chrono::Utc::now),
                sender: sender.clone(),
                wake: Arc::default(),
                id: name.into(),
            };
            tasks.push((tokio::spawn(worker.run()), sender));
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while b.deliveries(Some("delivered".into()), Vec::new()).await.expect("list").len() < 300 {
            assert!(std::time::Instant::now() < deadline, "not all delivered in time");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut sent = Vec::new();
        for (task, sender) in tasks {
            task.abort();
            sent.extend(sender.0.lock().expect("lock").clone());
        }
        let mut ids: Vec<&str> = sent.iter().map(|(d, _)| d.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!((ids.len(), sent.len()), (300, 300), "each delivery sent once");
        assert!(sent.iter().any(|(_, w)| w == "instance-a") && sent.iter().any(|(_, w)| w == "instance-b"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn instances_starting_at_once_migrate_once_and_a_newer_schema_is_refused() {
        let Some(url) = fresh_database("migrate").await else { return };
        let opens: Vec<_> = (0..4)
            .map(|_| {
                tokio::spawn({
                    let url = url.clone();
                    async move { PostgresStore::open(&url).await.map(|_| ()) }
                })
            })
            .collect();
        for o in opens {
            o.await.expect("join").expect("every instance comes up");
        }
        let db = admin(&url).await;
        let versions: Vec<i64> = db
            .query("SELECT version FROM schema_migrations ORDER BY version", &[])
            .await
            .expect("versions")
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(versions, MIGRATIONS.iter().map(|m| m.0).collect::<Vec<_>>());
        db.execute("INSERT INTO schema_migrations VALUES (999, 0)", &[]).await.expect("future");
        let e = PostgresStore::open(&url).await.err().map(|e| e.to_string()).unwrap_or_default();
        let newest = MIGRATIONS.last().map(|m| m.0).unwrap_or_default();
        assert!(e.contains(&format!("schema version 999, newer than this replyby knows ({newest})")), "{e}");
    }

    /// `/readyz` says not ready while a session does not commit synchronously (a pooler in
    /// front of PostgreSQL can hand out a session whose settings replyby did not make), and
    /// ready again once it does: `RESET` goes back to the session default replyby connects with.
    #[tokio::test]
    async fn readiness_needs_synchronous_commit_in_the_session() {
        use crate::serve::store::ops::OpsStore;
        let Some(url) = fresh_database("ready_sync").await else { return };
        let sep = if url.contains('?') { '&' } else { '?' };
        // One connection, so the session changed below is the one `ready` asks.
        let store = PostgresStore::open(&format!("{url}{sep}pool_size=1")).await.expect("open");
        assert_eq!(store.ready().await, Ok(()));
        store.client().await.expect("client").batch_execute("SET synchronous_commit = off").await.expect("set");
        assert_eq!(
            store.ready().await,
            Err("PostgreSQL session runs with synchronous_commit = off; replyby needs on".to_owned())
        );
        store.client().await.expect("client").batch_execute("RESET synchronous_commit").await.expect("reset");
        assert_eq!(store.ready().await, Ok(()));
    }
}
