//! Loading: JSON text → [`Config`] → validated [`Schedule`], reporting every problem at once.

use crate::ConfigErrors;
use crate::config::{Config, CoverageConfig, FirstReply, HolidayEntry, PlanConfig, PresetRef, QueueConfig, TeamConfig};
use crate::holidays::{HolidayCalendar, compile_entries};
use crate::hours::{Interval, parse_day, parse_days};
use crate::suggest::did_you_mean;
use crate::zone::{Zone, ZoneDb};
use chrono::Weekday;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// A team, ready for the engine.
#[derive(Debug, Clone)]
pub struct Team {
    /// Id.
    pub id: String,
    /// Customer-facing name.
    pub name: String,
    /// Its zone.
    pub zone: Arc<dyn Zone>,
    /// Intervals by weekday, Monday first, sorted by start.
    pub week: [Vec<Interval>; 7],
    /// Its holidays.
    pub holidays: HolidayCalendar,
}

impl Team {
    /// The intervals starting on a weekday.
    pub fn hours_on(&self, weekday: Weekday) -> &[Interval] {
        &self.week[weekday.num_days_from_monday() as usize]
    }
}

/// A coverage, ready for the engine.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// Id.
    pub id: String,
    /// Customer-facing name.
    pub name: String,
    /// Indices into [`Schedule::teams`]; the first is the home team.
    pub teams: Vec<usize>,
    /// Open at every instant.
    pub always: bool,
}

/// A plan, ready for the engine.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Id.
    pub id: String,
    /// Customer-facing name.
    pub name: String,
    /// Index into [`Schedule::coverages`].
    pub coverage: usize,
    /// Its target.
    pub first_reply: FirstReply,
    /// Optional customer-facing sentence.
    pub blurb: Option<String>,
}

/// A validated config: what the engine computes with.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The config it was built from.
    pub config: Config,
    /// Teams in config order.
    pub teams: Vec<Team>,
    /// Coverages in config order.
    pub coverages: Vec<Coverage>,
    /// Plans in config order.
    pub plans: Vec<Plan>,
}

/// Parses and validates config text. Every problem is reported, each at its JSON path.
pub fn load(text: &str, zones: &dyn ZoneDb) -> Result<Schedule, ConfigErrors> {
    let config = parse(text)?;
    Schedule::new(config, zones)
}

/// Parses config text into a [`Config`], reporting every structural problem (unknown
/// fields, wrong types, missing fields) at once rather than only the first.
pub fn parse(text: &str) -> Result<Config, ConfigErrors> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let mut errors = ConfigErrors::default();
        errors.push("", format!("not valid JSON: {e}"));
        errors
    })?;
    from_value(value)
}

/// Like [`parse`], from a JSON value.
pub fn from_value(value: Value) -> Result<Config, ConfigErrors> {
    let mut errors = ConfigErrors::default();
    let Value::Object(mut top) = value else {
        errors.push("", "a config must be a JSON object with \"company\", \"teams\", \"coverages\" and \"plans\"");
        return Err(errors);
    };
    const KNOWN: [&str; 5] = ["company", "teams", "coverages", "plans", "queue"];
    for key in top.keys() {
        if !KNOWN.contains(&key.as_str()) {
            let hint = did_you_mean(key, KNOWN).map(|s| format!(" (did you mean \"{s}\"?)")).unwrap_or_default();
            errors.push(format!("/{}", escape(key)), format!("unknown field \"{key}\"{hint}"));
        }
    }
    let company = match top.remove("company") {
        None => {
            errors.push("", "missing field \"company\"");
            None
        }
        Some(v) => typed::<String>(v, "/company", &mut errors),
    };
    let teams = list(top.remove("teams"), "/teams", true, &mut errors, team);
    let coverages = list(top.remove("coverages"), "/coverages", false, &mut errors, typed::<CoverageConfig>);
    let plans = list(top.remove("plans"), "/plans", false, &mut errors, typed::<PlanConfig>);
    let queue = top.remove("queue").and_then(|v| typed::<QueueConfig>(v, "/queue", &mut errors));
    match (company, errors.is_empty()) {
        (Some(company), true) => Ok(Config { company, teams, coverages, plans, queue }),
        _ => Err(errors),
    }
}

fn list<T>(
    value: Option<Value>,
    path: &str,
    required: bool,
    errors: &mut ConfigErrors,
    item: impl Fn(Value, &str, &mut ConfigErrors) -> Option<T>,
) -> Vec<T> {
    match value {
        None if required => {
            errors.push("", format!("missing field \"{}\"", &path[1..]));
            Vec::new()
        }
        None => Vec::new(),
        Some(Value::Array(items)) => {
            items.into_iter().enumerate().filter_map(|(i, v)| item(v, &format!("{path}/{i}"), errors)).collect()
        }
        Some(other) => {
            errors.push(path, format!("expected a list, found {}", kind(&other)));
            Vec::new()
        }
    }
}

fn team(value: Value, path: &str, errors: &mut ConfigErrors) -> Option<TeamConfig> {
    let Value::Object(mut obj) = value else {
        errors.push(path, format!("a team must be an object, found {}", kind(&value)));
        return None;
    };
    let holidays = list(obj.remove("holidays"), &format!("{path}/holidays"), false, errors, holiday_entry);
    let mut team = typed::<TeamConfig>(Value::Object(obj), path, errors)?;
    team.holidays = holidays;
    Some(team)
}

fn holiday_entry(value: Value, path: &str, errors: &mut ConfigErrors) -> Option<HolidayEntry> {
    match value {
        Value::String(s) => Some(HolidayEntry::Preset(s)),
        Value::Object(ref o) if o.contains_key("preset") => {
            typed::<PresetRef>(value, path, errors).map(HolidayEntry::PresetExcept)
        }
        Value::Object(_) => typed(value, path, errors).map(HolidayEntry::Rule),
        other => {
            errors.push(path, format!("a holiday is a preset id (\"us\") or a rule object, not {}", kind(&other)));
            None
        }
    }
}

pub(crate) fn typed<T: DeserializeOwned>(value: Value, path: &str, errors: &mut ConfigErrors) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(v),
        Err(e) => {
            let mut p = path.to_owned();
            for seg in e.path().iter() {
                use serde_path_to_error::Segment;
                match seg {
                    Segment::Seq { index } => p.push_str(&format!("/{index}")),
                    Segment::Map { key } | Segment::Enum { variant: key } => p.push_str(&format!("/{}", escape(key))),
                    Segment::Unknown => {}
                }
            }
            errors.push(p, plain(&e.into_inner().to_string()));
            None
        }
    }
}

/// serde's messages, made plain: quotes instead of backticks (none around numbers), no
/// "at line" noise (the path says where).
fn plain(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    let mut out = String::with_capacity(message.len());
    for (i, part) in message.split('`').enumerate() {
        let quoted = i % 2 == 1 && part.parse::<f64>().is_err();
        if quoted {
            out.push('"');
        }
        out.push_str(part);
        if quoted {
            out.push('"');
        }
    }
    out
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// JSON Pointer escaping of one key (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl Schedule {
    /// Validates a parsed config against the semantics of DESIGN.md.
    pub fn new(config: Config, zones: &dyn ZoneDb) -> Result<Schedule, ConfigErrors> {
        let mut errors = ConfigErrors::default();
        if config.company.trim().is_empty() {
            errors.push("/company", "the company name must not be empty");
        }
        if config.teams.is_empty() {
            errors.push("/teams", "at least one team is needed");
        }
        let teams: Vec<Option<Team>> = config
            .teams
            .iter()
            .enumerate()
            .map(|(i, t)| build_team(t, &format!("/teams/{i}"), zones, &mut errors))
            .collect();
        unique_ids(config.teams.iter().map(|t| t.id.as_str()), "/teams", &mut errors);
        let team_index: BTreeMap<&str, usize> =
            config.teams.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).rev().collect();

        let mut coverages = Vec::new();
        for (i, c) in config.coverages.iter().enumerate() {
            let path = format!("/coverages/{i}");
            check_text(&c.name, &format!("{path}/name"), &mut errors);
            let mut idx = Vec::new();
            if c.always && !c.teams.is_empty() {
                errors.push(format!("{path}/teams"), "an \"always\" coverage is open 24/7 and takes no teams");
            }
            if !c.always && c.teams.is_empty() {
                errors.push(path.clone(), "a coverage needs \"teams\" or \"always\": true");
            }
            for (j, id) in c.teams.iter().enumerate() {
                match team_index.get(id.as_str()) {
                    Some(t) if idx.contains(t) => {
                        errors.push(format!("{path}/teams/{j}"), format!("team \"{id}\" is listed twice"))
                    }
                    Some(t) => idx.push(*t),
                    None => {
                        let hint = did_you_mean(id, team_index.keys().copied())
                            .map(|s| format!(" (did you mean \"{s}\"?)"))
                            .unwrap_or_default();
                        errors.push(format!("{path}/teams/{j}"), format!("no team has id \"{id}\"{hint}"));
                    }
                }
            }
            if !idx.is_empty()
                && idx.iter().all(|t| teams[*t].as_ref().is_some_and(|t| t.week.iter().all(Vec::is_empty)))
            {
                errors
                    .push(path.clone(), format!("coverage \"{}\" never opens: none of its teams has any hours", c.id));
            }
            coverages.push(Coverage { id: c.id.clone(), name: c.name.clone(), teams: idx, always: c.always });
        }
        unique_ids(config.coverages.iter().map(|c| c.id.as_str()), "/coverages", &mut errors);

        let mut plans = Vec::new();
        for (i, p) in config.plans.iter().enumerate() {
            let path = format!("/plans/{i}");
            check_text(&p.name, &format!("{path}/name"), &mut errors);
            let Some(ci) = config.coverages.iter().position(|c| c.id == p.coverage) else {
                let hint = did_you_mean(&p.coverage, config.coverages.iter().map(|c| c.id.as_str()))
                    .map(|s| format!(" (did you mean \"{s}\"?)"))
                    .unwrap_or_default();
                errors.push(format!("{path}/coverage"), format!("no coverage has id \"{}\"{hint}", p.coverage));
                continue;
            };
            let (key, amount) = match p.first_reply {
                FirstReply::Hours(n) => ("hours", n),
                FirstReply::Minutes(n) => ("minutes", n),
                FirstReply::BusinessHours(n) => ("business_hours", n),
                FirstReply::BusinessMinutes(n) => ("business_minutes", n),
                FirstReply::BusinessDays(n) => ("business_days", n),
            };
            if amount == 0 {
                errors.push(format!("{path}/first_reply/{key}"), "a first-reply target must be at least 1");
            }
            let limit = match p.first_reply {
                FirstReply::Minutes(_) | FirstReply::BusinessMinutes(_) => 525_600,
                FirstReply::BusinessDays(_) => 366,
                _ => 8_760,
            };
            if amount > limit {
                errors.push(
                    format!("{path}/first_reply/{key}"),
                    format!("a first-reply target of {amount} {key} is more than a year ({limit})"),
                );
            }
            if matches!(p.first_reply, FirstReply::BusinessDays(_)) && config.coverages[ci].always {
                errors.push(
                    format!("{path}/first_reply"),
                    format!(
                        "business_days needs a coverage with teams, and coverage \"{}\" is open 24/7 (use \"hours\")",
                        p.coverage
                    ),
                );
            }
            if let Some(b) = &p.blurb {
                check_text(b, &format!("{path}/blurb"), &mut errors);
            }
            plans.push(Plan {
                id: p.id.clone(),
                name: p.name.clone(),
                coverage: ci,
                first_reply: p.first_reply,
                blurb: p.blurb.clone(),
            });
        }
        unique_ids(config.plans.iter().map(|p| p.id.as_str()), "/plans", &mut errors);

        if let Some(q) = &config.queue {
            if !(q.endpoint.starts_with('/') || q.endpoint.starts_with("https://") || q.endpoint.starts_with("http://"))
            {
                errors.push(
                    "/queue/endpoint",
                    format!("\"{}\" must be a path (\"/v1/requests\") or an http(s) URL", q.endpoint),
                );
            }
            for (i, o) in q.allowed_origins.iter().enumerate() {
                if !is_origin(o) {
                    errors.push(
                        format!("/queue/allowed_origins/{i}"),
                        format!("\"{o}\" is not an origin like \"https://www.example.com\" (scheme and host, no path)"),
                    );
                }
            }
        }

        if !errors.is_empty() {
            return Err(errors);
        }
        let teams = teams.into_iter().flatten().collect();
        Ok(Schedule { config, teams, coverages, plans })
    }

    /// The plan with this id.
    pub fn plan_index(&self, id: &str) -> Option<usize> {
        self.plans.iter().position(|p| p.id == id)
    }
}

fn is_origin(o: &str) -> bool {
    let rest = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains('/') && !r.contains('?') && !r.contains('#') && !r.contains(' '))
}

fn check_text(text: &str, path: &str, errors: &mut ConfigErrors) {
    if text.trim().is_empty() {
        errors.push(path, "customer-facing text must not be empty");
    }
}

fn unique_ids<'a>(ids: impl Iterator<Item = &'a str>, path: &str, errors: &mut ConfigErrors) {
    let mut seen = HashSet::new();
    for (i, id) in ids.enumerate() {
        if id.trim().is_empty() {
            errors.push(format!("{path}/{i}/id"), "an id must not be empty");
        } else if !seen.insert(id) {
            errors.push(format!("{path}/{i}/id"), format!("id \"{id}\" is used twice"));
        }
    }
}

fn build_team(t: &TeamConfig, path: &str, zones: &dyn ZoneDb, errors: &mut ConfigErrors) -> Option<Team> {
    let before = errors.0.len();
    check_text(&t.name, &format!("{path}/name"), errors);
    let zone = zones.zone(&t.timezone);
    if zone.is_none() {
        let names = zones.names();
        let hint = did_you_mean(&t.timezone, names.iter().map(String::as_str))
            .map(|s| format!(" (did you mean \"{s}\"?)"))
            .unwrap_or_default();
        errors.push(format!("{path}/timezone"), format!("unknown time zone \"{}\"{hint}", t.timezone));
    }
    let mut week: [Vec<Interval>; 7] = Default::default();
    let mut given: [Option<&str>; 7] = [None; 7];
    for (key, list) in &t.hours {
        let p = format!("{path}/hours/{}", escape(key));
        match parse_days(key) {
            Err(e) => errors.push(p, e),
            Ok(days) => {
                let intervals = parse_day(list, &p, errors);
                for d in days {
                    let i = d.num_days_from_monday() as usize;
                    if let Some(other) = given[i] {
                        errors.push(p.clone(), format!("{} is given twice (also in \"{other}\")", day_name(d)));
                    }
                    given[i] = Some(key);
                    week[i] = intervals.clone();
                }
            }
        }
    }
    let rules = compile_entries(&t.holidays, &format!("{path}/holidays"), errors);
    if errors.0.len() > before {
        return None;
    }
    Some(Team { id: t.id.clone(), name: t.name.clone(), zone: zone?, week, holidays: HolidayCalendar::new(rules) })
}

fn day_name(d: Weekday) -> &'static str {
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][d.num_days_from_monday() as usize]
}
