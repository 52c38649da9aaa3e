//! `replyby`: the command line over the scheduling core.

mod lint;

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
    Holidays {
        /// Preset id: us, gb-eng, de, fr, nl.
        preset: String,
        /// First date, YYYY-MM-DD.
        #[arg(long)]
        from: NaiveDate,
        /// Last date, YYYY-MM-DD.
        #[arg(long)]
        to: NaiveDate,
    },
    /// Print the JSON Schema of the config format.
    Schema,
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
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
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
            println!(
                "{}: ok — {}: {} teams, {} coverages, {} plans",
                config.display(),
                schedule.config.company,
                schedule.teams.len(),
                schedule.coverages.len(),
                schedule.plans.len()
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
        Command::Holidays { preset, from, to } => {
            check_range(from, to)?;
            #[derive(Serialize)]
            struct Day {
                date: NaiveDate,
                name: String,
            }
            let days: Vec<Day> = replyby_core::holidays::preset_holidays(&preset, from, to)?
                .into_iter()
                .map(|(date, name)| Day { date, name })
                .collect();
            print_json(&days)
        }
        Command::Schema => print_json(&replyby_core::config::json_schema()),
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
