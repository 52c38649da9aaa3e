//! `replyby`: the command line over the scheduling core.

mod lint;
mod queue_client;
mod serve;
mod settings;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use replyby_core::{Schedule, TzTable, load};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// When will I hear back? Support hours, holidays and reply-by times.
#[derive(Debug, Parser)]
#[command(name = "replyby", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a config: exit 0 and a one-line summary, or exit 1 and every error.
    Check {
        /// Path to the config (JSON).
        config: PathBuf,
    },
    /// Is a coverage open at an instant, and until or from when.
    Status {
        /// Path to the config (JSON).
        config: PathBuf,
        /// Coverage id.
        #[arg(long)]
        coverage: String,
        /// The instant (RFC 3339, any offset); defaults to now.
        #[arg(long, value_parser = parse_instant)]
        at: Option<DateTime<Utc>>,
    },
    /// When a request written at an instant reaches the team, and by when it is answered.
    Quote {
        /// Path to the config (JSON).
        config: PathBuf,
        /// Plan id.
        #[arg(long)]
        plan: String,
        /// The instant (RFC 3339, any offset); defaults to now.
        #[arg(long, value_parser = parse_instant)]
        at: Option<DateTime<Utc>>,
    },
    /// The closed days of a coverage's teams between two dates (inclusive).
    ClosedDays {
        /// Path to the config (JSON).
        config: PathBuf,
        /// Coverage id.
        #[arg(long)]
        coverage: String,
        /// First date, YYYY-MM-DD.
        #[arg(long)]
        from: NaiveDate,
        /// Last date, YYYY-MM-DD.
        #[arg(long)]
        to: NaiveDate,
    },
    /// The holidays of a preset between two dates (inclusive).
    #[command(group(clap::ArgGroup::new("what").required(true).args(["preset", "list"])))]
    Holidays {
        /// Preset id: a country (`jp`, `br`) or subdivision (`us-ca`, `de-by`); see --list.
        #[arg(requires_all = ["from", "to"])]
        preset: Option<String>,
        /// First date, YYYY-MM-DD.
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last date, YYYY-MM-DD.
        #[arg(long)]
        to: Option<NaiveDate>,
        /// List every preset: countries and subdivisions.
        #[arg(long, conflicts_with_all = ["preset", "from", "to"])]
        list: bool,
    },
    /// Print the JSON Schema of the config format.
    Schema,
    /// Run the deferred queue, the public config and closed-days feed, and the widget.
    Serve {
        /// Config file; without it, the built-in demo config.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Where released requests go: team e-mail, receipts, webhooks (TOML; holds secrets,
        /// never served). Without it, requests wait in the queue for staff.
        #[arg(long)]
        settings: Option<PathBuf>,
        /// Where requests are kept: a SQLite file, or postgres://USER[:PASSWORD]@HOST:PORT/DB
        /// for several instances sharing one PostgreSQL.
        #[arg(long, default_value = "replyby.db")]
        db: String,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Requests per minute per client on POST /v1/requests; 0 turns the limit off.
        #[arg(long, default_value_t = 60)]
        rate_limit: u32,
        /// Directory with the built widget and demo page (scripts/build-widget.sh makes dist/).
        #[arg(long, default_value = "dist")]
        static_dir: PathBuf,
        /// Tests only: the server's clock starts at this instant and runs on from there.
        /// Hidden, and refused by release builds, so it cannot be switched on in production.
        #[arg(long, hide = true, value_parser = parse_instant)]
        test_clock: Option<DateTime<Utc>>,
    },
    /// Staff commands against a running server (token from REPLYBY_STAFF_TOKEN).
    Queue {
        #[command(subcommand)]
        action: QueueAction,
        /// The server.
        #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
        server: String,
    },
    /// Where released requests went: webhook events, team e-mails, receipts (token from
    /// REPLYBY_STAFF_TOKEN).
    Deliveries {
        #[command(subcommand)]
        action: DeliveriesAction,
        /// The server.
        #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
        server: String,
    },
}

#[derive(Debug, Subcommand)]
enum DeliveriesAction {
    /// Deliveries (webhook events, team e-mails, receipts), newest first, and disabled endpoints.
    List {
        /// Only those in this state.
        #[arg(long, value_parser = ["pending", "delivered", "dead"])]
        state: Option<String>,
    },
    /// Send a dead delivery again now (and turn its webhook endpoint back on).
    Retry {
        /// Delivery id.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum QueueAction {
    /// Released requests, earliest reply-by first.
    List {
        /// Also show requests still held until the team opens.
        #[arg(long)]
        include_deferred: bool,
        /// Also show requests kept as suspected spam (they tripped a bot check).
        #[arg(long)]
        include_spam: bool,
    },
    /// Mark a request handled.
    Ack {
        /// Request id.
        id: String,
    },
}

fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("\"{s}\" is not an RFC 3339 instant like 2027-02-16T14:00:00Z ({e})"))
}

/// A failure and its exit code: 1 for bad input, 2 for bad usage.
struct Failure {
    code: u8,
    message: String,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure { code: 1, message: e.to_string() }
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure { code: 2, message: message.into() }
}

fn read_schedule(path: &Path) -> Result<Schedule, Failure> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    load(&text, &TzTable)
        .map_err(|errors| Failure { code: 1, message: format!("{}: invalid config\n{errors}", path.display()) })
}

fn print_json(value: &impl Serialize) -> Result<(), Failure> {
    use std::io::Write;
    let text = serde_json::to_string_pretty(value)?;
    match writeln!(std::io::stdout().lock(), "{text}") {
        // `replyby … | head`: the reader has gone, which is not an error of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn check_range(from: NaiveDate, to: NaiveDate) -> Result<(), Failure> {
    if from > to { Err(usage(format!("--from ({from}) is after --to ({to})"))) } else { Ok(()) }
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Check { config } => {
            let text = std::fs::read_to_string(&config).with_context(|| format!("cannot read {}", config.display()))?;
            let schedule = match load(&text, &TzTable) {
                Ok(s) => s,
                Err(errors) => {
                    let n = errors.0.len();
                    return Err(Failure {
                        code: 1,
                        message: format!(
                            "{errors}\n{}: {n} problem{}",
                            config.display(),
                            if n == 1 { "" } else { "s" }
                        ),
                    });
                }
            };
            for w in lint::lint(&schedule.config) {
                eprintln!("warning: {}: {}", w.path, w.message);
            }
            let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
            println!(
                "{}: ok — {}: {}, {}, {}",
                config.display(),
                schedule.config.company,
                count(schedule.teams.len(), "team"),
                count(schedule.coverages.len(), "coverage"),
                count(schedule.plans.len(), "plan")
            );
            Ok(())
        }
        Command::Status { config, coverage, at } => {
            let s = read_schedule(&config)?;
            print_json(&s.status(&coverage, at.unwrap_or_else(Utc::now))?)
        }
        Command::Quote { config, plan, at } => {
            let s = read_schedule(&config)?;
            print_json(&s.quote(&plan, at.unwrap_or_else(Utc::now))?)
        }
        Command::ClosedDays { config, coverage, from, to } => {
            check_range(from, to)?;
            let s = read_schedule(&config)?;
            print_json(&s.closed_days(&coverage, from, to)?)
        }
        Command::Holidays { list: true, .. } => {
            #[derive(Serialize)]
            struct Entry {
                id: &'static str,
                name: &'static str,
            }
            let all: Vec<Entry> =
                replyby_core::holidays::preset_list().into_iter().map(|(id, name)| Entry { id, name }).collect();
            print_json(&all)
        }
        Command::Holidays { preset: Some(preset), from: Some(from), to: Some(to), .. } => {
            check_range(from, to)?;
            print_json(&replyby_core::holidays::preset_holidays(&preset, from, to)?)
        }
        Command::Holidays { .. } => Err(usage("give a preset with --from and --to, or --list")),
        Command::Schema => print_json(&replyby_core::config::json_schema()),
        Command::Serve { config, settings, db, listen, rate_limit, static_dir, test_clock } => {
            let env = |name: &str| std::env::var(name).ok();
            let settings = match &settings {
                Some(path) => settings::Settings::load(path, &env).map_err(|errors| Failure {
                    code: 1,
                    message: format!("{}: invalid settings\n{errors}", path.display()),
                })?,
                None => settings::Settings::default(),
            };
            if test_clock.is_some() && !cfg!(debug_assertions) {
                return Err(usage("--test-clock is for tests and only accepted by debug builds"));
            }
            let schedule = match &config {
                Some(path) => read_schedule(path)?,
                None => load(replyby_core::DEMO_CONFIG, &TzTable)
                    .map_err(|e| Failure { code: 1, message: e.to_string() })?,
            };
            tracing_subscriber::fmt()
                .json()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
                )
                .with_writer(std::io::stderr)
                .init();
            let token = match std::env::var("REPLYBY_STAFF_TOKEN") {
                Ok(t) if !t.trim().is_empty() => t,
                _ => {
                    let t = uuid::Uuid::new_v4().simple().to_string();
                    println!("replyby serve: no REPLYBY_STAFF_TOKEN set; the staff token for this run is {t}");
                    t
                }
            };
            let rt = tokio::runtime::Runtime::new()?;
            let store = rt
                .block_on(serve::store::open(&db))
                .map_err(|e| Failure { code: 1, message: format!("{}: {e}", redact_db(&db)) })?;
            let mut state = serve::AppState::new(schedule, store, token, rate_limit);
            state.routes = std::sync::Arc::new(settings.routes());
            // lettre's SMTP pool starts inside the runtime.
            let _runtime = rt.enter();
            let channels = serve::deliver::channels::Channels::new(
                settings,
                state.schedule.clone(),
                state.store.clone(),
                serve::catalog::lookup,
            )
            .map_err(|e| Failure { code: 1, message: format!("settings: {e}") })?;
            if let Some(start) = test_clock {
                eprintln!(
                    "replyby serve: TEST CLOCK: now is {} and runs on from there",
                    replyby_core::engine::rfc3339::format(&start)
                );
                tracing::warn!(start = %start, "test clock in use");
                state.clock = serve::offset_clock(start);
            }
            let dir = static_dir.is_dir().then_some(static_dir.clone());
            if dir.is_none() {
                eprintln!(
                    "replyby serve: {} not found; serving the API without the widget (run scripts/build-widget.sh)",
                    static_dir.display()
                );
            }
            rt.block_on(serve::run(state, listen, dir, std::sync::Arc::new(channels)))
                .map_err(|e| Failure { code: 1, message: e.to_string() })
        }
        Command::Queue { action, server } => {
            let token = std::env::var("REPLYBY_STAFF_TOKEN")
                .map_err(|_| usage("set REPLYBY_STAFF_TOKEN to the staff token"))?;
            let rt = tokio::runtime::Runtime::new()?;
            let out = rt.block_on(async {
                match action {
                    QueueAction::List { include_deferred, include_spam } => {
                        queue_client::list(&server, &token, include_deferred, include_spam).await
                    }
                    QueueAction::Ack { id } => queue_client::ack(&server, &token, &id).await,
                }
            })?;
            println!("{out}");
            Ok(())
        }
        Command::Deliveries { action, server } => {
            let token = std::env::var("REPLYBY_STAFF_TOKEN")
                .map_err(|_| usage("set REPLYBY_STAFF_TOKEN to the staff token"))?;
            let rt = tokio::runtime::Runtime::new()?;
            let out = rt.block_on(async {
                match action {
                    DeliveriesAction::List { state } => {
                        queue_client::deliveries(&server, &token, state.as_deref()).await
                    }
                    DeliveriesAction::Retry { id } => queue_client::retry(&server, &token, &id).await,
                }
            })?;
            println!("{out}");
            Ok(())
        }
    }
}

/// The `--db` value for messages: a PostgreSQL URL without its password.
fn redact_db(db: &str) -> String {
    match (db.split_once("://"), db.rfind('@')) {
        (Some((scheme, rest)), Some(at)) if scheme.starts_with("postgres") => {
            let userinfo = &rest[..at - scheme.len() - 3];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***{}", &db[at..])
        }
        _ => db.to_owned(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("replyby: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
