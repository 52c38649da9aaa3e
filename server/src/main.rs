//! `replyby`: the command line over the scheduling core.

mod backup;
mod bundle;
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
    /// Write the widget's bundle: the config and every holiday preset it names in one file, so
    /// a statically hosted widget has its data after one round trip (`data-config="bundle.json"`).
    Bundle {
        /// Path to the config (JSON); checked first, as `replyby check` does.
        config: PathBuf,
        /// Where to write it (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
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
    /// A coverage's hours for other systems: schema.org JSON-LD or an OSM `opening_hours`
    /// value per team; or `hours import 'Mo-Fr 09:00-17:00'` for a team's `hours` object.
    #[command(args_conflicts_with_subcommands = true)]
    Hours {
        #[command(subcommand)]
        action: Option<HoursAction>,
        /// Path to the config (JSON).
        config: Option<PathBuf>,
        /// Coverage id.
        #[arg(long)]
        coverage: Option<String>,
        /// schema-org (JSON-LD ContactPoints) or osm (opening_hours values).
        #[arg(long, value_parser = ["schema-org", "osm"])]
        format: Option<String>,
        /// First date of closures and reduced days to include, YYYY-MM-DD; defaults to today (UTC).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last date, YYYY-MM-DD; defaults to 365 days after --from.
        #[arg(long)]
        to: Option<NaiveDate>,
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
        /// How log lines are written (stderr): json or text. Also REPLYBY_LOG_FORMAT.
        #[arg(long, value_enum)]
        log_format: Option<serve::logs::Format>,
    },
    /// A consistent copy of a SQLite store, also while `serve` runs on it (PostgreSQL: pg_dump,
    /// see docs/operations.md).
    Backup {
        /// The SQLite file `serve --db` uses.
        #[arg(long)]
        db: String,
        /// Where the copy goes (a new file; never overwritten).
        out: PathBuf,
    },
    /// Staff commands against a running server (token from REPLYBY_STAFF_TOKEN).
    Queue {
        #[command(subcommand)]
        action: QueueAction,
        /// The server.
        #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
        server: String,
    },
    /// Closures, reduced hours and notices, live on every instance (a staff token in
    /// REPLYBY_STAFF_TOKEN: yours from `replyby staff add`, or the bootstrap one).
    Schedule {
        #[command(subcommand)]
        action: ScheduleAction,
        /// The server.
        #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
        server: String,
    },
    /// The config in the server's store: pull, push, versions, rollback (an admin's token in
    /// REPLYBY_STAFF_TOKEN).
    Config {
        #[command(subcommand)]
        action: ConfigAction,
        /// The server.
        #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
        server: String,
    },
    /// Staff members, each with a token of their own (works on the database directly).
    Staff {
        #[command(subcommand)]
        action: StaffAction,
        /// The store: a SQLite file, or postgres://USER[:PASSWORD]@HOST:PORT/DB.
        #[arg(long, global = true, default_value = "replyby.db")]
        db: String,
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
enum ScheduleAction {
    /// Close a team on a date or a period, shorten its hours, or post a notice.
    Add {
        /// Team id.
        #[arg(long)]
        team: String,
        /// Its name (customers see it when there is no note).
        #[arg(long)]
        name: String,
        /// One date, YYYY-MM-DD.
        #[arg(long, conflicts_with_all = ["from", "to"])]
        date: Option<String>,
        /// First day of a period.
        #[arg(long, requires = "to")]
        from: Option<String>,
        /// Last day of a period.
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// Reduced hours instead of closing (repeat for a split day): --hours 10:00-14:00.
        #[arg(long)]
        hours: Vec<String>,
        /// Customer-facing note shown beside the closed day.
        #[arg(long)]
        note: Option<String>,
        /// From when the widget shows the note (default: 14 days before).
        #[arg(long)]
        announce_from: Option<String>,
        /// A notice only: the team keeps its hours (needs --note).
        #[arg(long, conflicts_with = "hours")]
        notice: bool,
    },
    /// The changes, optionally those touching a date range.
    List {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
    },
    /// Remove a change.
    Remove {
        /// Change id (sch_…).
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigAction {
    /// Print the newest config version (or --version N), without schedule changes.
    Pull {
        #[arg(long)]
        version: Option<i64>,
    },
    /// Store a config file as the next version (checked first; every problem is shown).
    Push {
        /// The config (JSON).
        file: PathBuf,
        /// A line for the version list.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Every version: who stored it and when.
    Versions,
    /// Store an earlier version again, as the next version.
    Rollback {
        /// The version to go back to.
        version: i64,
    },
}

#[derive(Debug, Subcommand)]
enum StaffAction {
    /// Add a person; prints their token once (only its SHA-256 is stored).
    Add {
        /// Their name, as the audit trail shows it.
        name: String,
        /// agent: queue, ack, schedule changes. admin: also the config and staff.
        #[arg(long, value_parser = ["agent", "admin"])]
        role: String,
    },
    /// Everyone, with their role (never tokens).
    List,
    /// Remove a person by name or id: their token stops working on every instance.
    Remove {
        /// Name or id.
        who: String,
    },
}

#[derive(Debug, Subcommand)]
enum HoursAction {
    /// Read an OSM `opening_hours` value and print a team's `hours` object.
    Import {
        /// The value, e.g. 'Mo-Fr 09:00-17:00; Sa 10:00-14:00'.
        opening_hours: String,
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
    /// Erase every request from an address and its deliveries, on request (an admin's token);
    /// prints how many.
    Erase {
        /// The customer's e-mail address (any case).
        #[arg(long)]
        email: String,
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
        Command::Bundle { config, output } => {
            read_schedule(&config)?;
            let text = std::fs::read_to_string(&config).with_context(|| format!("cannot read {}", config.display()))?;
            let bundle = bundle::bundle(&text);
            match output {
                Some(out) => {
                    std::fs::write(&out, bundle + "\n").with_context(|| format!("cannot write {}", out.display()))?;
                    Ok(())
                }
                None => {
                    use std::io::Write;
                    match writeln!(std::io::stdout().lock(), "{bundle}") {
                        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                        other => Ok(other?),
                    }
                }
            }
        }
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
            for w in replyby_core::lint::lint(&schedule.config) {
                eprintln!("warning: {}: {}", w.path, w.message);
            }
            println!("{}: ok — {}", config.display(), schedule.summary());
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
        Command::Hours { action: Some(HoursAction::Import { opening_hours }), .. } => {
            match replyby_core::osm_import::import(&opening_hours) {
                Ok(hours) => print_json(&hours),
                Err(errors) => Err(Failure { code: 1, message: errors.describe(&opening_hours) }),
            }
        }
        Command::Hours { action: None, config, coverage, format, from, to } => {
            let (Some(config), Some(coverage), Some(format)) = (config, coverage, format) else {
                return Err(usage(
                    "give CONFIG --coverage ID --format schema-org|osm, or: hours import 'Mo-Fr 09:00-17:00'",
                ));
            };
            let from = from.unwrap_or_else(|| Utc::now().date_naive());
            let to = to.unwrap_or_else(|| from.checked_add_days(chrono::Days::new(365)).unwrap_or(from));
            check_range(from, to)?;
            let s = read_schedule(&config)?;
            if format == "osm" {
                print_json(&serve::open_web::osm_document(&s, &coverage, from, to)?)
            } else {
                print_json(&replyby_core::publish::schema_org(&s, &coverage, from, to)?)
            }
        }
        Command::Schema => print_json(&replyby_core::config::json_schema()),
        Command::Serve { config, settings, db, listen, rate_limit, static_dir, test_clock, log_format } => {
            let log_format = match (log_format, std::env::var("REPLYBY_LOG_FORMAT").ok().as_deref()) {
                (Some(f), _) => f,
                (None, None | Some("")) => serve::logs::Format::Json,
                (None, Some(v)) => <serve::logs::Format as clap::ValueEnum>::from_str(v, true)
                    .map_err(|_| usage(format!("REPLYBY_LOG_FORMAT is \"{v}\"; use json or text")))?,
            };
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
            if let Some(path) = &config {
                read_schedule(path)?;
            }
            serve::logs::init(log_format);
            let token = match std::env::var("REPLYBY_STAFF_TOKEN") {
                Ok(t) if !t.trim().is_empty() => t,
                _ => {
                    let t = uuid::Uuid::new_v4().simple().to_string();
                    // A token is a secret and never goes into a log: it is shown only to a person
                    // at a terminal. Under a service manager, staff sign in with their own
                    // tokens (`replyby staff add`).
                    use std::io::IsTerminal;
                    if std::io::stdout().is_terminal() {
                        println!("replyby serve: no REPLYBY_STAFF_TOKEN set; the staff token for this run is {t}");
                    } else {
                        tracing::warn!(
                            "no REPLYBY_STAFF_TOKEN set and no terminal to show a generated one: no bootstrap admin this run; staff sign in with tokens from `replyby staff add`"
                        );
                    }
                    t
                }
            };
            let rt = tokio::runtime::Runtime::new()?;
            let stores = rt
                .block_on(serve::store::open(&db))
                .map_err(|e| Failure { code: 1, message: format!("{}: {e}", redact_db(&db)) })?;
            let source = match &config {
                Some(path) => serve::live::Source::File(path.clone()),
                None => serve::live::Source::Store,
            };
            let started = test_clock.unwrap_or_else(Utc::now).timestamp();
            let live = rt
                .block_on(serve::live::Live::start(stores.schedule.clone(), source, replyby_core::DEMO_CONFIG, started))
                .map_err(|e| Failure { code: 1, message: e.to_string() })?;
            let mut state = serve::AppState::new(live, stores.requests, stores.schedule, token, rate_limit);
            state.routes = std::sync::Arc::new(settings.routes());
            let metrics_token = settings.metrics_token.as_ref().map(|t| t.expose().to_owned());
            let mut ops = serve::ops::Ops::new(stores.ops, metrics_token);
            ops.retention = settings
                .retention
                .and_then(|r| serve::retention::Policy::from_days(r.erase_after_days, r.spam_erase_after_days));
            state.ops = std::sync::Arc::new(ops);
            // lettre's SMTP pool starts inside the runtime.
            let _runtime = rt.enter();
            let channels = serve::deliver::channels::Channels::new(
                settings,
                state.live.clone(),
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
        Command::Backup { db, out } => {
            if serve::store::postgres::is_url(&db) {
                return Err(usage(
                    "replyby backup copies SQLite stores; back up PostgreSQL with pg_dump (docs/operations.md)",
                ));
            }
            let report =
                backup::sqlite(Path::new(&db), &out).map_err(|e| Failure { code: 1, message: format!("{e:#}") })?;
            print_json(&report)
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
                    QueueAction::Erase { email } => queue_client::erase(&server, &token, &email).await,
                }
            })?;
            println!("{out}");
            Ok(())
        }
        Command::Schedule { action, server } => {
            let token = staff_token()?;
            let rt = tokio::runtime::Runtime::new()?;
            let out = rt.block_on(async {
                match action {
                    ScheduleAction::Add { team, name, date, from, to, hours, note, announce_from, notice } => {
                        let mut change = serde_json::json!({ "team": team, "name": name });
                        let o = change.as_object_mut().expect("an object");
                        for (key, value) in [
                            ("date", date),
                            ("from", from),
                            ("to", to),
                            ("note", note),
                            ("announce_from", announce_from),
                        ] {
                            if let Some(v) = value {
                                o.insert(key.into(), v.into());
                            }
                        }
                        if !hours.is_empty() {
                            o.insert("hours".into(), hours.into());
                        }
                        if notice {
                            o.insert("closed".into(), false.into());
                        }
                        queue_client::schedule_add(&server, &token, change).await
                    }
                    ScheduleAction::List { from, to } => {
                        queue_client::schedule_list(&server, &token, from.as_deref(), to.as_deref()).await
                    }
                    ScheduleAction::Remove { id } => queue_client::schedule_remove(&server, &token, &id).await,
                }
            })?;
            println!("{out}");
            Ok(())
        }
        Command::Config { action, server } => {
            let token = staff_token()?;
            let rt = tokio::runtime::Runtime::new()?;
            let out = rt.block_on(async {
                match action {
                    ConfigAction::Pull { version } => {
                        queue_client::config_pull(&server, &token, version).await.map(|(b, _)| b)
                    }
                    ConfigAction::Push { file, note } => {
                        let text = std::fs::read_to_string(&file)
                            .with_context(|| format!("cannot read {}", file.display()))?;
                        let problems = serve::config_api::problems(&text);
                        if !problems.is_empty() {
                            let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
                            anyhow::bail!("{}: not pushed\n{}", file.display(), lines.join("\n"));
                        }
                        queue_client::config_push(&server, &token, text, &note).await
                    }
                    ConfigAction::Versions => queue_client::config_versions(&server, &token).await,
                    ConfigAction::Rollback { version } => {
                        let (text, _) = queue_client::config_pull(&server, &token, Some(version)).await?;
                        queue_client::config_push(&server, &token, text, &format!("rollback to version {version}"))
                            .await
                    }
                }
            })?;
            println!("{}", out.trim_end());
            Ok(())
        }
        Command::Staff { action, db } => {
            let rt = tokio::runtime::Runtime::new()?;
            let stores = rt
                .block_on(serve::store::open(&db))
                .map_err(|e| Failure { code: 1, message: format!("{}: {e}", redact_db(&db)) })?;
            let store = stores.schedule;
            let now = Utc::now().timestamp();
            let by = serve::store::schedule::Actor { name: "replyby staff (command line)", at: now };
            rt.block_on(async {
                match action {
                    StaffAction::Add { name, role } => {
                        let name = name.trim().to_owned();
                        if name.is_empty() {
                            return Err(usage("a staff member needs a name"));
                        }
                        let token = serve::auth::new_token();
                        let member = serve::store::schedule::StaffMember {
                            id: format!("stf_{}", uuid::Uuid::new_v4().simple()),
                            name: name.clone(),
                            role: serve::store::schedule::Role::parse(&role).ok_or_else(|| usage("--role is agent or admin"))?,
                            created_at: now,
                        };
                        store.add_staff(member.clone(), serve::auth::token_hash(&token), by).await?;
                        eprintln!("added {name} ({role}) as {}; their token is shown once, here — give it to them, it is not stored", member.id);
                        println!("{token}");
                        Ok(())
                    }
                    StaffAction::List => print_json(&store.staff().await?),
                    StaffAction::Remove { who } => {
                        if store.remove_staff(&who, by).await? {
                            println!("removed {who}: their token stops working on every instance");
                            Ok(())
                        } else {
                            Err(Failure { code: 1, message: format!("no staff member is named or has id \"{who}\"") })
                        }
                    }
                }
            })
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

fn staff_token() -> Result<String, Failure> {
    std::env::var("REPLYBY_STAFF_TOKEN").map_err(|_| usage("set REPLYBY_STAFF_TOKEN to your staff token"))
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
