//! Schedule changes staff make without touching the config: a closure (one date or a
//! period), reduced hours on a date, or a notice with no closure. A change is data first:
//! [`Change::parse`] reads one (every problem at its JSON path), [`Change::check`] validates
//! it against a config in `replyby check`'s words, and [`apply`] layers changes on a config,
//! giving the config customers see (`GET /v1/config`) and the schedule every time is
//! computed from.
//!
//! A closure or reduced day becomes a holiday rule placed *before* the team's own holidays,
//! so it wins over a preset on the same date (the first rule on a date decides its name and
//! hours). A notice becomes an entry of the config's `notices`.
//!
//! ```
//! use replyby_core::changes::{Change, apply};
//! use replyby_core::{Schedule, TzTable, parse};
//! let config = parse(replyby_core::DEMO_CONFIG)?;
//! let change = Change::parse(r#"{"team": "nyc", "name": "Offsite", "date": "2027-03-10",
//!                                "note": "Closed for our team offsite"}"#)?;
//! let schedule = Schedule::new(apply(&config, &[change]), &TzTable)?;
//! let days = schedule.closed_days("business", "2027-03-10".parse()?, "2027-03-10".parse()?)?;
//! assert_eq!(days[0].name, "Offsite");
//! assert_eq!(days[0].note.as_deref(), Some("Closed for our team offsite"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::ConfigErrors;
use crate::config::{Config, HolidayRule};
use crate::holidays::Rule;
use crate::json::Json;
use crate::read::{Obj, string, strings};
use crate::schedule::ActiveNotice;
use crate::suggest::did_you_mean;
use chrono::{Days, NaiveDate};

/// One schedule change, as staff write it (`POST /v1/schedule`, `replyby schedule add`).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The store's id for it (`sch_…`); absent in a change not yet stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The team's id.
    pub team: String,
    /// Its name: shown to customers for a closure ("Company retreat").
    pub name: String,
    /// One date, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// First day of a period (inclusive), with `to`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last day of a period (inclusive), with `from`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Reduced hours on those days instead of closing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<Vec<String>>,
    /// Customer-facing note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// From when the widget shows the note (default: 14 days before).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announce_from: Option<String>,
    /// `false`: a notice only, the team keeps its hours.
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub closed: bool,
}

fn yes() -> bool {
    true
}

const FIELDS: [&str; 10] = ["id", "team", "name", "date", "from", "to", "hours", "note", "announce_from", "closed"];

impl Change {
    /// Reads a change from JSON text; every structural problem at its path (`/date`).
    pub fn parse(text: &str) -> Result<Change, ConfigErrors> {
        let value = Json::parse(text).map_err(|e| {
            let mut errors = ConfigErrors::default();
            errors.push("", format!("not valid JSON: {e}"));
            errors
        })?;
        let mut errors = ConfigErrors::default();
        let change = Change::from_json(&value, "", &mut errors);
        match change {
            Some(c) if errors.is_empty() => Ok(c),
            _ => Err(errors),
        }
    }

    /// Like [`Change::parse`], from a parsed value at `path`.
    pub fn from_json(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<Change> {
        let o = Obj::open(v, path, "a schedule change", &FIELDS, errors)?;
        let before = errors.0.len();
        let closed = match v.get("closed") {
            None | Some(Json::Null) => true,
            Some(Json::Bool(b)) => *b,
            Some(other) => {
                errors.push(format!("{path}/closed"), format!("expected true or false, found {}", other.describe()));
                true
            }
        };
        let change = Change {
            id: o.opt("id", errors, string).flatten(),
            team: o.req("team", errors, string).unwrap_or_default(),
            name: o.req("name", errors, string).unwrap_or_default(),
            date: o.opt("date", errors, string).flatten(),
            from: o.opt("from", errors, string).flatten(),
            to: o.opt("to", errors, string).flatten(),
            hours: o.opt("hours", errors, strings).flatten(),
            note: o.opt("note", errors, string).flatten(),
            announce_from: o.opt("announce_from", errors, string).flatten(),
            closed,
        };
        (errors.0.len() == before).then_some(change)
    }

    /// Every problem of this change against `config`, at paths within the change (`/team`,
    /// `/hours/0`), in the words `replyby check` uses for the same mistake in a config.
    pub fn check(&self, config: &Config) -> ConfigErrors {
        let mut errors = ConfigErrors::default();
        self.check_at("", config, &mut errors);
        errors
    }

    /// Like [`Change::check`], with paths under `path` (`/changes/0`).
    pub(crate) fn check_at(&self, path: &str, config: &Config, errors: &mut ConfigErrors) {
        let before = errors.0.len();
        self.problems(config, errors);
        for e in &mut errors.0[before..] {
            e.path = if e.path.is_empty() && !path.is_empty() { path.to_owned() } else { format!("{path}{}", e.path) };
        }
    }

    fn problems(&self, config: &Config, errors: &mut ConfigErrors) {
        if !config.teams.iter().any(|t| t.id == self.team) {
            let hint = did_you_mean(&self.team, config.teams.iter().map(|t| t.id.as_str()))
                .map(|s| format!(" (did you mean \"{s}\"?)"))
                .unwrap_or_default();
            errors.push("/team", format!("no team has id \"{}\"{hint}", self.team));
        }
        if self.closed {
            if self.date.is_none() && self.from.is_none() && self.to.is_none() {
                errors.push("", "a closure needs \"date\", or \"from\" and \"to\"");
            } else {
                crate::holidays::compile_rule(&self.rule(), "", errors);
            }
        } else {
            let notice = self.notice();
            if self.date.is_some() && (self.from.is_some() || self.to.is_some()) {
                errors.push("", "a notice takes \"date\", or \"from\" and \"to\", not both");
            } else if self.date.is_none() && (self.from.is_none() || self.to.is_none()) {
                errors.push("", "a notice needs \"date\", or \"from\" and \"to\"");
            }
            if self.hours.is_some() {
                errors.push("/hours", "a notice with \"closed\": false keeps the team's hours; leave \"hours\" out");
            }
            if self.note.is_none() {
                errors.push("/note", "a notice needs a \"note\": the text customers see");
            }
            if errors.is_empty() {
                check_notice(&notice, "", errors);
            }
        }
    }

    /// The holiday rule a closure or reduced day becomes.
    pub fn rule(&self) -> HolidayRule {
        HolidayRule {
            name: self.name.clone(),
            date: self.date.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            hours: self.hours.clone(),
            note: self.note.clone(),
            announce_from: self.announce_from.clone(),
            ..HolidayRule::default()
        }
    }

    fn notice(&self) -> Notice<'_> {
        let (from, to) = match &self.date {
            Some(d) => (d.clone(), d.clone()),
            None => (self.from.clone().unwrap_or_default(), self.to.clone().unwrap_or_default()),
        };
        Notice {
            name: &self.name,
            from,
            to,
            note: self.note.as_deref().unwrap_or_default(),
            announce_from: self.announce_from.as_deref(),
        }
    }

    /// The first and last date the change covers (for listing a range).
    pub fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let d = |s: &Option<String>| s.as_deref().and_then(crate::text::parse_date);
        match (d(&self.date), d(&self.from), d(&self.to)) {
            (Some(one), _, _) => Some((one, one)),
            (None, Some(a), Some(b)) => Some((a, b)),
            _ => None,
        }
    }
}

/// The config customers see: `config` with `changes` (in the order they were made) added to
/// its `changes`. [`crate::Schedule::new`] layers them on the teams' holidays: a closure or
/// reduced day overrides whatever the team's own holidays say on its dates (the newest
/// change wins where two overlap) without moving any observed day, and a notice with
/// `"closed": false` only shows its text.
pub fn apply(config: &Config, changes: &[Change]) -> Config {
    let mut out = config.clone();
    out.changes.extend(changes.iter().cloned());
    out
}

struct Notice<'a> {
    name: &'a str,
    from: String,
    to: String,
    note: &'a str,
    announce_from: Option<&'a str>,
}

fn check_notice(n: &Notice<'_>, path: &str, errors: &mut ConfigErrors) -> Option<(NaiveDate, NaiveDate, NaiveDate)> {
    let date = |s: &str, key: &str, errors: &mut ConfigErrors| {
        crate::holidays::parse_date(s, &format!("{path}/{key}"), errors)
    };
    let from = date(&n.from, "from", errors);
    let to = date(&n.to, "to", errors);
    let announce = n.announce_from.map(|s| date(s, "announce_from", errors));
    if n.note.trim().is_empty() {
        errors.push(format!("{path}/note"), "customer-facing text must not be empty");
    }
    if n.name.trim().is_empty() {
        errors.push(format!("{path}/name"), "a notice needs a name");
    }
    let (from, to) = (from?, to?);
    if from > to {
        errors.push(format!("{path}/to"), format!("\"to\" ({to}) is before \"from\" ({from})"));
        return None;
    }
    let announce = match announce {
        Some(a) => a?,
        None => from.checked_sub_days(Days::new(crate::holidays::ANNOUNCE_DAYS)).unwrap_or(from),
    };
    Some((from, to, announce))
}

/// What a config's `changes` compile to: each team's override rules (newest first) and the
/// notices. Called by [`crate::Schedule::new`], problems at `/changes/{i}/…`.
pub(crate) fn compile(config: &Config, errors: &mut ConfigErrors) -> (Vec<Vec<Rule>>, Vec<ActiveNotice>) {
    let mut overrides: Vec<Vec<Rule>> = vec![Vec::new(); config.teams.len()];
    let mut notices = Vec::new();
    for (i, c) in config.changes.iter().enumerate() {
        let path = format!("/changes/{i}");
        let before = errors.0.len();
        c.check_at(&path, config, errors);
        if errors.0.len() > before {
            continue;
        }
        let Some(team) = config.teams.iter().position(|t| t.id == c.team) else { continue };
        if c.closed {
            let mut scratch = ConfigErrors::default();
            if let Some(rule) = crate::holidays::compile_rule(&c.rule(), &path, &mut scratch) {
                overrides[team].insert(0, rule);
            }
        } else if let Some((from, to, announce_from)) = check_notice(&c.notice(), &path, &mut ConfigErrors::default()) {
            notices.push(ActiveNotice {
                team,
                name: c.name.trim().to_owned(),
                from,
                to,
                note: c.note.as_deref().unwrap_or_default().trim().to_owned(),
                announce_from,
            });
        }
    }
    (overrides, notices)
}
