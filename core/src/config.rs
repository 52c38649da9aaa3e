//! The config file, as DESIGN.md writes it: plain serde types, also the source of the
//! shipped JSON Schema. [`crate::load`] turns one into a validated [`crate::Schedule`].

use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// A whole replyby config.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Customer-facing company name.
    pub company: String,
    /// The support teams, each with its own zone, hours and holidays.
    pub teams: Vec<TeamConfig>,
    /// Named sets of teams (or 24/7) that plans buy.
    #[serde(default)]
    pub coverages: Vec<CoverageConfig>,
    /// The plans customers are on.
    #[serde(default)]
    pub plans: Vec<PlanConfig>,
    /// The deferred queue's public settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueConfig>,
    /// Schedule changes staff made (closures, reduced days, notices), layered on the teams'
    /// holidays: the server adds them to the config it serves (see [`crate::changes`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<crate::changes::Change>,
}

/// One team.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamConfig {
    /// Unique id, used by coverages.
    pub id: String,
    /// Customer-facing name.
    pub name: String,
    /// IANA time zone name (`"Europe/Berlin"`).
    pub timezone: String,
    /// Weekly hours: keys `mon` … `sun` or ranges such as `mon-fri`; values are local
    /// intervals `"HH:MM-HH:MM"` (an end before the start runs past midnight).
    #[schemars(with = "BTreeMap<String, Vec<String>>")]
    pub hours: Hours,
    /// Closed days: preset ids, presets with exceptions, or rules.
    #[serde(default)]
    pub holidays: Vec<HolidayEntry>,
}

/// A team's weekly hours: `(key, intervals)` in the order the config wrote them. Written
/// out as a JSON object. A list rather than a map keeps the widget's wasm smaller.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hours(pub Vec<(String, Vec<String>)>);

impl Serialize for Hours {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// One entry of a team's `holidays` list.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
// A config holds a few dozen entries at most; boxing the rule would cost every reader and
// the widget's wasm code for no measurable saving.
#[allow(clippy::large_enum_variant)]
pub enum HolidayEntry {
    /// A preset id such as `"us"`.
    Preset(String),
    /// A preset with some of its holidays left out.
    PresetExcept(PresetRef),
    /// One rule.
    Rule(HolidayRule),
}

/// `{ "preset": "de", "except": ["Whit Monday"] }`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PresetRef {
    /// Preset id.
    pub preset: String,
    /// Names of the preset's holidays to leave out.
    #[serde(default)]
    pub except: Vec<String>,
}

/// One holiday rule: a name and exactly one way of finding its date each year.
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayRule {
    /// Customer-facing name.
    pub name: String,
    /// A single date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// A list of dates, `YYYY-MM-DD` (at least one, each once): a company's own list, or a
    /// calendar no rule expresses. `observed`, `since`, `until` and `hours` apply to each date
    /// as they do to `date` (so one list can say "these Fridays, 09:00-12:00").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<Vec<String>>,
    /// First day of a closure period (inclusive), with `to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last day of a closure period (inclusive), with `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Month 1–12, with `day` or `weekday`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    /// Day of the month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u32>,
    /// `mon` … `sun` (or the full English name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekday: Option<String>,
    /// 1…5 for the n-th weekday of the month, -1 for the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<i32>,
    /// Where the weekday lies relative to `month`/`day`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
    /// Days after (or, negative, before) Western Easter Sunday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub easter: Option<i32>,
    /// What happens when the date falls on a weekend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Observed>,
    /// First year the rule applies (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i32>,
    /// Last year the rule applies (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i32>,
    /// Reduced hours on that date instead of closing all day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Vec<String>>,
    /// Customer-facing note shown beside the closed day ("company retreat").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `YYYY-MM-DD`: from when the widget shows the note (default: 14 days before the date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announce_from: Option<String>,
}

/// The weekday relative to a month/day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The first such weekday on or after the day.
    OnOrAfter,
    /// The first such weekday strictly after the day.
    After,
    /// The last such weekday on or before the day.
    OnOrBefore,
    /// The last such weekday strictly before the day.
    Before,
}

/// Observed-day rule for holidays falling on a weekend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Observed {
    /// The holiday stays on its date.
    #[default]
    None,
    /// Saturday → Friday, Sunday → Monday (US federal).
    NearestWeekday,
    /// Saturday or Sunday → the next Monday.
    Monday,
    /// Saturday or Sunday → the next weekday that is not already a holiday (UK).
    NextFreeWeekday,
    /// Sunday → the Saturday before (Netherlands, King's Day). An extension of DESIGN.md.
    SaturdayIfSunday,
}

/// A coverage: open when any of its teams is, or always.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverageConfig {
    /// Unique id, used by plans.
    pub id: String,
    /// Customer-facing name.
    pub name: String,
    /// Team ids; the first team's zone is the coverage's home zone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<String>,
    /// Open at every instant (no teams).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub always: bool,
}

/// A plan customers buy.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanConfig {
    /// Unique id, used by the embed's `data-plan`.
    pub id: String,
    /// Customer-facing name.
    pub name: String,
    /// Coverage id.
    pub coverage: String,
    /// The first-reply target.
    pub first_reply: FirstReply,
    /// Optional customer-facing sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blurb: Option<String>,
}

/// The first-reply target: exactly one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FirstReply {
    /// Elapsed hours, whatever the coverage.
    Hours(u32),
    /// Elapsed minutes, whatever the coverage.
    Minutes(u32),
    /// Hours while the coverage is open.
    BusinessHours(u32),
    /// Minutes while the coverage is open.
    BusinessMinutes(u32),
    /// Business days after the release date, ending at close.
    BusinessDays(u32),
}

/// The deferred queue's public settings.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// Where the widget posts requests (a path on the serving origin, or an absolute URL).
    #[serde(default = "default_endpoint")]
    pub endpoint: String,
    /// Origins (`https://www.acme.example`) allowed to post cross-origin.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}

fn default_endpoint() -> String {
    "/v1/requests".to_owned()
}

/// The JSON Schema of [`Config`], as shipped in `schema/config.schema.json`.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Config)).unwrap_or_default()
}
