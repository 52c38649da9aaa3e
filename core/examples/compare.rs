//! replyby's side of the engine comparison (`bench/compare`, `scripts/compare-engines.sh`).
//!
//! ```text
//! cargo run --release -p replyby-core --example compare -- \
//!     --config bench/compare/scenarios.json --out DIR [--instants 10000] [--seed 2027] [--once]
//! ```
//!
//! Every plan of the config is one scenario. The program
//!
//! 1. writes `DIR/inputs.json`: each scenario as the other libraries take it (zone, weekly
//!    hours, the holiday dates of the team's rules and presets, the target in minutes), the
//!    zone's clock changes, and the instants — the nights of every clock change in 2027–2028
//!    every 30 minutes, then seeded pseudo-random instants over 2027–2028 (a quarter on the
//!    hour, a quarter on the minute, half to the second) up to `--instants`. Nothing depends
//!    on the clock or the machine: the same seed gives the same file;
//! 2. writes `DIR/replyby.json`: `quote(plan, t).respond_by` for every instant, RFC 3339 UTC;
//! 3. times the loop (instant in, `quote`, respond-by instant out), repeated until at least
//!    a second has passed, one thread, and records answers and seconds (`--once`: no timing).

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use replyby_core::engine::rfc3339;
use replyby_core::{FirstReply, Schedule, TzTable, load};
use serde_json::{Value, json};
use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant as Clock;

/// The instants' range: 2027-01-01T00:00Z up to (not including) 2029-01-01T00:00Z.
const FROM: i64 = 1_798_761_600;
const TO: i64 = 1_861_920_000;
/// Half the span of clock-change night instants around each change, and their step.
const NIGHT_HALF_SPAN: i64 = 12 * 3600;
const NIGHT_STEP: i64 = 1800;

struct Args {
    config: PathBuf,
    out: PathBuf,
    instants: usize,
    seed: u64,
    once: bool,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("compare: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        config: PathBuf::from("bench/compare/scenarios.json"),
        out: PathBuf::from("target/compare"),
        instants: 10_000,
        seed: 2027,
        once: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--config" => args.config = value()?.into(),
            "--out" => args.out = value()?.into(),
            "--instants" => args.instants = value()?.parse().map_err(|e| format!("--instants: {e}"))?,
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--once" => args.once = true,
            _ => {
                return Err(format!(
                    "unknown argument {a:?} (usage: compare [--config FILE] [--out DIR] [--instants N] [--seed S] [--once])"
                ));
            }
        }
    }
    Ok(args)
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let text = std::fs::read_to_string(&args.config).map_err(|e| format!("{}: {e}", args.config.display()))?;
    let schedule = load(&text, &TzTable).map_err(|e| format!("{}: {e}", args.config.display()))?;
    let scenarios =
        schedule.plans.iter().map(|p| describe(&schedule, &p.id)).collect::<Result<Vec<Value>, String>>()?;

    let transitions = clock_changes(&schedule);
    let instants = make_instants(&transitions, args.instants, args.seed);
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let inputs = json!({
        "seed": args.seed,
        "from": rfc3339::format(&utc(FROM)?),
        "to": rfc3339::format(&utc(TO)?),
        "transitions": transitions.iter().map(|(at, before, after, zone)| json!({
            "zone": zone, "at": at, "offset_before": before, "offset_after": after,
            "kind": if after > before { "gap" } else { "fold" },
        })).collect::<Vec<_>>(),
        "scenarios": scenarios,
        "instants": instants,
    });
    write_json(&args.out.join("inputs.json"), &inputs)?;

    let mut results = Vec::new();
    for plan in &schedule.plans {
        let id = plan.id.as_str();
        // The answers, and a warm-up for the timed passes.
        let answers = instants
            .iter()
            .map(|&t| match schedule.quote(id, utc(t)?) {
                Ok(q) => Ok(Value::from(rfc3339::format(&q.respond_by))),
                Err(e) => Ok(Value::from(format!("error: {e}"))),
            })
            .collect::<Result<Vec<Value>, String>>()?;
        let (count, seconds) = if args.once {
            (0, Value::Null)
        } else {
            let start = Clock::now();
            let mut count = 0usize;
            loop {
                for &t in &instants {
                    let at = DateTime::from_timestamp(black_box(t), 0).unwrap_or_default();
                    let q = schedule.quote(black_box(id), at);
                    black_box(q.map(|q| q.respond_by.timestamp()).unwrap_or_default());
                }
                count += instants.len();
                if start.elapsed().as_secs_f64() >= 1.0 {
                    break;
                }
            }
            (count, Value::from(start.elapsed().as_secs_f64()))
        };
        results.push(json!({ "id": id, "answers": answers, "timed_answers": count, "seconds": seconds }));
    }
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let output = json!({
        "library": "replyby-core",
        "version": format!("{} ({profile} build)", env!("CARGO_PKG_VERSION")),
        "scenarios": results,
    });
    write_json(&args.out.join("replyby.json"), &output)
}

fn utc(t: i64) -> Result<DateTime<Utc>, String> {
    DateTime::from_timestamp(t, 0).ok_or_else(|| format!("instant {t} is out of range"))
}

fn write_json(path: &std::path::Path, value: &Value) -> Result<(), String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))
}

/// A plan as businesstimedelta and dayjs-business-time take it, or why they cannot.
fn describe(schedule: &Schedule, plan_id: &str) -> Result<Value, String> {
    let unfit = |why: &str| format!("plan {plan_id:?}: {why}, which the compared libraries cannot express");
    let plan = schedule.plans.iter().find(|p| p.id == plan_id).ok_or_else(|| unfit("no such plan"))?;
    let minutes = match plan.first_reply {
        FirstReply::BusinessHours(h) => h * 60,
        FirstReply::BusinessMinutes(m) => m,
        _ => return Err(unfit("its target is not business hours or minutes")),
    };
    let coverage = &schedule.coverages[plan.coverage];
    let [team] = coverage.teams.as_slice() else {
        return Err(unfit("its coverage is not one team"));
    };
    let team = &schedule.teams[*team];
    let mut hours = serde_json::Map::new();
    for day in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun] {
        let mut intervals = Vec::new();
        for i in team.hours_on(day) {
            if i.end >= 1440 {
                return Err(unfit("an interval runs to or past midnight"));
            }
            let clock = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
            intervals.push(json!([clock(i.start), clock(i.end)]));
        }
        hours.insert(day.to_string().to_lowercase(), Value::from(intervals));
    }
    // Every holiday date from a month before the instants to a year after them: the
    // libraries take a list of dates, and businesstimedelta needs one ahead of every instant.
    let (first, last) = (date(2026, 12, 1)?, date(2029, 12, 31)?);
    let closed = schedule.closed_days(&coverage.id, first, last).map_err(|e| e.to_string())?;
    if closed.iter().any(|d| !d.hours.is_empty()) {
        return Err(unfit("a holiday has reduced hours"));
    }
    Ok(json!({
        "id": plan.id,
        "timezone": team.zone.name(),
        "hours": hours,
        "holidays": closed.iter().map(|d| d.date.to_string()).collect::<Vec<_>>(),
        "target_minutes": minutes,
    }))
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("{y}-{m}-{d} is not a date"))
}

/// Every clock change of the scenarios' zones in the range, as (instant, offset before,
/// offset after, zone), found hour by hour (every zone here changes on the hour).
fn clock_changes(schedule: &Schedule) -> Vec<(i64, i32, i32, String)> {
    let mut names = Vec::new();
    let mut out = Vec::new();
    for team in &schedule.teams {
        if names.contains(&team.zone.name()) {
            continue;
        }
        names.push(team.zone.name());
        let mut t = FROM;
        while t < TO {
            let (before, after) = (team.zone.offset_at(t), team.zone.offset_at(t + 3600));
            if before != after {
                out.push((t + 3600, before, after, team.zone.name().to_owned()));
            }
            t += 3600;
        }
    }
    out.sort();
    out
}

/// The instants: the nights of the clock changes, then seeded pseudo-random ones.
fn make_instants(transitions: &[(i64, i32, i32, String)], n: usize, seed: u64) -> Vec<i64> {
    let mut out: Vec<i64> = transitions
        .iter()
        .flat_map(|&(at, ..)| (-NIGHT_HALF_SPAN..NIGHT_HALF_SPAN).step_by(NIGHT_STEP as usize).map(move |d| at + d))
        .collect();
    out.truncate(n);
    let mut rng = SplitMix64(seed);
    let span = (TO - FROM) as u64;
    while out.len() < n {
        let t = FROM + (rng.next() % span) as i64;
        let t = match rng.next() % 4 {
            0 => t - t.rem_euclid(3600),
            1 => t - t.rem_euclid(60),
            _ => t,
        };
        out.push(t);
    }
    out
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny seeded generator, so the instants need
/// no crate and are the same on every machine.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
