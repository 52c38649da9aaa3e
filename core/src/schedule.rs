//! Loading: JSON text → [`Config`] → validated [`Schedule`], reporting every problem at once.

use crate::ConfigErrors;
use crate::config::{Config, FirstReply, TeamConfig};
use crate::holidays::{HolidayCalendar, compile_entries};
use crate::hours::{Interval, parse_day, parse_days};
use crate::json::Json;
use crate::preset::PresetSource;
use crate::read::{self, escape};
use crate::suggest::did_you_mean;
use crate::zone::{Zone, ZoneDb};
use chrono::Weekday;
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
    /// Intervals by weekday, Monday first, sorted by start and not overlapping.
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
    /// Notices without a closure, in config order.
    pub notices: Vec<ActiveNotice>,
}

/// A validated notice (see [`crate::config::Notice`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveNotice {
    /// Index into [`Schedule::teams`].
    pub team: usize,
    /// Short name for staff.
    pub name: String,
    /// First day, in the team's zone.
    pub from: chrono::NaiveDate,
    /// Last day, inclusive.
    pub to: chrono::NaiveDate,
    /// Customer-facing text.
    pub note: String,
    /// First day on which it is shown.
    pub announce_from: chrono::NaiveDate,
}

/// Parses and validates config text. Every problem is reported, each at its JSON path.
pub fn load(text: &str, zones: &dyn ZoneDb) -> Result<Schedule, ConfigErrors> {
    let config = parse(text)?;
    Schedule::new(config, zones)
}

/// Like [`load`], with preset documents supplied as `(id, document JSON)`: they serve those
/// ids (before any bundled preset of the same id). What the widget calls, without the
/// `bundled-presets` feature, after fetching the files [`crate::preset_ids`] names. A
/// supplied document that does not read is reported where the config uses it.
pub fn load_with_presets(text: &str, zones: &dyn ZoneDb, presets: &[(&str, &str)]) -> Result<Schedule, ConfigErrors> {
    let config = parse(text)?;
    Schedule::with_presets(config, zones, presets)
}

/// Parses config text into a [`Config`], reporting every structural problem (unknown
/// fields, wrong types, missing fields, keys written twice) at once rather than only the first.
pub fn parse(text: &str) -> Result<Config, ConfigErrors> {
    let value = Json::parse(text).map_err(|e| {
        let mut errors = ConfigErrors::default();
        errors.push("", format!("not valid JSON: {e}"));
        errors
    })?;
    from_json(&value)
}

/// Like [`parse`], from a parsed document.
pub fn from_json(value: &Json) -> Result<Config, ConfigErrors> {
    let mut errors = ConfigErrors::default();
    match read::config(value, &mut errors) {
        Some(config) if errors.is_empty() => Ok(config),
        _ => Err(errors),
    }
}

impl Schedule {
    /// Validates a parsed config against the semantics of DESIGN.md.
    pub fn new(config: Config, zones: &dyn ZoneDb) -> Result<Schedule, ConfigErrors> {
        Schedule::with_presets(config, zones, &[])
    }

    /// Like [`Schedule::new`], with preset documents supplied (see [`load_with_presets`]).
    pub fn with_presets(
        config: Config,
        zones: &dyn ZoneDb,
        presets: &[(&str, &str)],
    ) -> Result<Schedule, ConfigErrors> {
        let presets = PresetSource::new(presets);
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
            .map(|(i, t)| build_team(t, &format!("/teams/{i}"), zones, &presets, &mut errors))
            .collect();
        unique_ids(config.teams.iter().map(|t| t.id.as_str()), "/teams", &mut errors);
        let team_ids: Vec<&str> = config.teams.iter().map(|t| t.id.as_str()).collect();

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
                match team_ids.iter().position(|t| t == id).as_ref() {
                    Some(t) if idx.contains(t) => {
                        errors.push(format!("{path}/teams/{j}"), format!("team \"{id}\" is listed twice"))
                    }
                    Some(t) => idx.push(*t),
                    None => {
                        let hint = did_you_mean(id, team_ids.iter().copied())
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

        let (overrides, notices) = crate::changes::compile(&config, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let teams = teams
            .into_iter()
            .zip(overrides)
            .filter_map(|(team, layer)| {
                team.map(|mut t| {
                    if !layer.is_empty() {
                        t.holidays = t.holidays.with_overrides(layer);
                    }
                    t
                })
            })
            .collect();
        Ok(Schedule { config, teams, coverages, plans, notices })
    }

    /// The notices of a coverage's teams shown on `date` (announced, not yet over), in
    /// config order. The widget passes the home-zone date of now.
    pub fn notices_on(&self, coverage: &Coverage, date: chrono::NaiveDate) -> Vec<&ActiveNotice> {
        self.notices
            .iter()
            .filter(|n| coverage.teams.contains(&n.team) && n.announce_from <= date && date <= n.to)
            .collect()
    }

    /// What `replyby check` (and the config studio) says of a config that loads:
    /// `"Acme Networks: 3 teams, 4 coverages, 5 plans"`.
    pub fn summary(&self) -> String {
        let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        format!(
            "{}: {}, {}, {}",
            self.config.company,
            count(self.teams.len(), "team"),
            count(self.coverages.len(), "coverage"),
            count(self.plans.len(), "plan")
        )
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
    let mut seen = Vec::new();
    for (i, id) in ids.enumerate() {
        if id.trim().is_empty() {
            errors.push(format!("{path}/{i}/id"), "an id must not be empty");
        } else if seen.contains(&id) {
            errors.push(format!("{path}/{i}/id"), format!("id \"{id}\" is used twice"));
        } else {
            seen.push(id);
        }
    }
}

fn build_team(
    t: &TeamConfig,
    path: &str,
    zones: &dyn ZoneDb,
    presets: &PresetSource<'_>,
    errors: &mut ConfigErrors,
) -> Option<Team> {
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
    for (key, list) in &t.hours.0 {
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
    let rules = compile_entries(&t.holidays, &format!("{path}/holidays"), presets, errors);
    if errors.0.len() > before {
        return None;
    }
    Some(Team { id: t.id.clone(), name: t.name.clone(), zone: zone?, week, holidays: HolidayCalendar::new(rules) })
}

fn day_name(d: Weekday) -> &'static str {
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][d.num_days_from_monday() as usize]
}
