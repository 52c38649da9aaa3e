//! Reading a [`Json`] document into the config types, every problem at its JSON path.
//!
//! Hand-written rather than serde-derived so the widget's WebAssembly stays small (see
//! [`crate::json`]); `tests/validation.rs` pins the messages and the schema test pins the
//! shape against `schema/config.schema.json`, which is generated from the same types.

use crate::ConfigErrors;
use crate::config::{
    Config, CoverageConfig, FirstReply, HolidayEntry, HolidayRule, Hours, Observed, PlanConfig, PresetRef, QueueConfig,
    Relation, TeamConfig,
};
use crate::json::Json;
use crate::suggest::did_you_mean;

/// JSON Pointer escaping of one key (RFC 6901).
pub(crate) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// An object being read: unknown and repeated keys are reported when it is opened.
pub(crate) struct Obj<'a> {
    path: String,
    fields: &'a [(String, Json)],
}

impl<'a> Obj<'a> {
    /// Opens `v` as an object with these fields; `what` names it in the error.
    pub(crate) fn open(
        v: &'a Json,
        path: &str,
        what: &str,
        known: &[&str],
        errors: &mut ConfigErrors,
    ) -> Option<Obj<'a>> {
        let Json::Object(fields) = v else {
            errors.push(path, format!("{what} must be an object, found {}", v.describe()));
            return None;
        };
        for (i, (key, _)) in fields.iter().enumerate() {
            let at = format!("{path}/{}", escape(key));
            if !repeated(fields, i, &at, errors) && !known.contains(&key.as_str()) {
                errors.push(at, format!("unknown field \"{key}\" ({})", hint(key, known, "fields:")));
            }
        }
        Some(Obj { path: path.to_owned(), fields })
    }

    /// The value, `null` included.
    fn raw(&self, key: &str) -> Option<&'a Json> {
        self.fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value; `null` counts as absent (optional fields).
    fn get(&self, key: &str) -> Option<&'a Json> {
        self.raw(key).filter(|v| **v != Json::Null)
    }

    fn at(&self, key: &str) -> String {
        format!("{}/{key}", self.path)
    }

    /// A required field.
    pub(crate) fn req<T>(&self, key: &str, errors: &mut ConfigErrors, read: Reader<T>) -> Option<T> {
        match self.raw(key) {
            Some(v) => read(v, &self.at(key), errors),
            None => {
                errors.push(self.path.clone(), format!("missing field \"{key}\""));
                None
            }
        }
    }

    /// An optional field (`null` counts as absent). `None` inside means absent; the outer
    /// `None` means present but wrong.
    pub(crate) fn opt<T>(&self, key: &str, errors: &mut ConfigErrors, read: Reader<T>) -> Option<Option<T>> {
        match self.get(key) {
            Some(v) => read(v, &self.at(key), errors).map(Some),
            None => Some(None),
        }
    }

    /// An optional list, empty when absent.
    fn list<T>(&self, key: &str, errors: &mut ConfigErrors, read: Reader<T>) -> Option<Vec<T>> {
        match self.get(key) {
            Some(v) => list(v, &self.at(key), errors, read),
            None => Some(Vec::new()),
        }
    }
}

/// Reports key `i` of an object when an earlier key has the same name.
fn repeated(fields: &[(String, Json)], i: usize, at: &str, errors: &mut ConfigErrors) -> bool {
    let key = &fields[i].0;
    let twice = fields[..i].iter().any(|(k, _)| k == key);
    if twice {
        errors.push(at, format!("\"{key}\" is written twice in this object"));
    }
    twice
}

/// `did you mean "x"?` when a known word is close, else `{otherwise} a, b, c`.
fn hint(word: &str, known: &[&str], otherwise: &str) -> String {
    match did_you_mean(word, known.iter().copied()) {
        Some(s) => format!("did you mean \"{s}\"?"),
        None => format!("{otherwise} {}", known.join(", ")),
    }
}

/// Reads one value at a path, reporting what is wrong.
pub(crate) type Reader<T> = fn(&Json, &str, &mut ConfigErrors) -> Option<T>;

fn mismatch<T>(expected: &str, v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<T> {
    errors.push(path, format!("expected {expected}, found {}", v.describe()));
    None
}

pub(crate) fn string(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        _ => mismatch("a string", v, path, errors),
    }
}

fn boolean(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<bool> {
    match v {
        Json::Bool(b) => Some(*b),
        _ => mismatch("true or false", v, path, errors),
    }
}

fn whole<T: TryFrom<i64>>(v: &Json, path: &str, errors: &mut ConfigErrors, range: &str) -> Option<T> {
    match v.as_i64().and_then(|n| T::try_from(n).ok()) {
        Some(n) => Some(n),
        None => mismatch(&format!("a whole number {range}"), v, path, errors),
    }
}

fn u32_(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<u32> {
    whole(v, path, errors, "from 0 to 4294967295")
}

fn i32_(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<i32> {
    whole(v, path, errors, "from -2147483648 to 2147483647")
}

/// A list, every item read (and every bad item reported).
pub(crate) fn list<T>(v: &Json, path: &str, errors: &mut ConfigErrors, read: Reader<T>) -> Option<Vec<T>> {
    let Json::Array(items) = v else { return mismatch("a list", v, path, errors) };
    let before = errors.0.len();
    let out: Vec<T> = items.iter().enumerate().filter_map(|(i, v)| read(v, &format!("{path}/{i}"), errors)).collect();
    (errors.0.len() == before).then_some(out)
}

pub(crate) fn strings(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<Vec<String>> {
    list(v, path, errors, string)
}

/// A lowercase keyword from a fixed set.
fn keyword<T: Copy>(v: &Json, path: &str, errors: &mut ConfigErrors, what: &str, words: &[(&str, T)]) -> Option<T> {
    let s = string(v, path, errors)?;
    if let Some((_, t)) = words.iter().find(|(w, _)| *w == s) {
        return Some(*t);
    }
    let names: Vec<&str> = words.iter().map(|(w, _)| *w).collect();
    errors.push(path, format!("unknown {what} \"{s}\" ({})", hint(&s, &names, "use")));
    None
}

/// A whole config document.
pub(crate) fn config(v: &Json, errors: &mut ConfigErrors) -> Option<Config> {
    let Json::Object(_) = v else {
        errors.push("", "a config must be a JSON object with \"company\", \"teams\", \"coverages\" and \"plans\"");
        return None;
    };
    let o = Obj::open(v, "", "a config", &["company", "teams", "coverages", "plans", "queue", "changes"], errors)?;
    let before = errors.0.len();
    let company = o.req("company", errors, string);
    let teams = o.req("teams", errors, |v, p, e| list(v, p, e, team));
    let coverages = o.list("coverages", errors, coverage);
    let plans = o.list("plans", errors, plan);
    let queue = o.opt("queue", errors, queue);
    let changes = o.list("changes", errors, crate::changes::Change::from_json);
    if errors.0.len() > before {
        return None;
    }
    Some(Config {
        company: company?,
        teams: teams?,
        coverages: coverages?,
        plans: plans?,
        queue: queue?,
        changes: changes?,
    })
}

fn team(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<TeamConfig> {
    let o = Obj::open(v, path, "a team", &["id", "name", "timezone", "hours", "holidays"], errors)?;
    let (id, name, timezone) =
        (o.req("id", errors, string), o.req("name", errors, string), o.req("timezone", errors, string));
    let hours = o.req("hours", errors, hours);
    let holidays = o.list("holidays", errors, holiday_entry);
    Some(TeamConfig { id: id?, name: name?, timezone: timezone?, hours: hours?, holidays: holidays? })
}

fn hours(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<Hours> {
    let Json::Object(fields) = v else { return mismatch("an object of days and intervals", v, path, errors) };
    let before = errors.0.len();
    let mut out = Vec::new();
    for (i, (key, value)) in fields.iter().enumerate() {
        let at = format!("{path}/{}", escape(key));
        if !repeated(fields, i, &at, errors)
            && let Some(list) = strings(value, &at, errors)
        {
            out.push((key.clone(), list));
        }
    }
    (errors.0.len() == before).then_some(Hours(out))
}

fn holiday_entry(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<HolidayEntry> {
    match v {
        Json::String(s) => Some(HolidayEntry::Preset(s.clone())),
        Json::Object(_) if v.get("preset").is_some() => {
            let o = Obj::open(v, path, "a preset reference", &["preset", "except"], errors)?;
            let preset = o.req("preset", errors, string);
            let except = o.list("except", errors, string);
            Some(HolidayEntry::PresetExcept(PresetRef { preset: preset?, except: except? }))
        }
        Json::Object(_) => holiday_rule(v, path, errors).map(HolidayEntry::Rule),
        _ => {
            errors.push(path, format!("a holiday is a preset id (\"us\") or a rule object, not {}", v.describe()));
            None
        }
    }
}

const RULE_FIELDS: [&str; 17] = [
    "name",
    "date",
    "dates",
    "from",
    "to",
    "month",
    "day",
    "weekday",
    "nth",
    "relation",
    "easter",
    "observed",
    "since",
    "until",
    "hours",
    "note",
    "announce_from",
];

/// A preset's rules take one more field: `"estimated": true` when its source marks the dates
/// as estimates (lunar calendars). Configs do not.
const PRESET_RULE_FIELDS: [&str; 16] = [
    "name",
    "date",
    "dates",
    "from",
    "to",
    "month",
    "day",
    "weekday",
    "nth",
    "relation",
    "easter",
    "observed",
    "since",
    "until",
    "hours",
    "estimated",
];

/// One holiday rule of a config.
pub(crate) fn holiday_rule(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<HolidayRule> {
    rule_with(v, path, errors, &RULE_FIELDS)
}

/// One rule of a preset document, and whether its dates are estimates.
pub(crate) fn preset_rule(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<(HolidayRule, bool)> {
    let rule = rule_with(v, path, errors, &PRESET_RULE_FIELDS)?;
    let at = format!("{path}/estimated");
    let estimated = match v.get("estimated") {
        None | Some(Json::Null) => false,
        Some(b) => boolean(b, &at, errors)?,
    };
    Some((rule, estimated))
}

fn rule_with(v: &Json, path: &str, errors: &mut ConfigErrors, fields: &[&str]) -> Option<HolidayRule> {
    let o = Obj::open(v, path, "a holiday rule", fields, errors)?;
    let before = errors.0.len();
    let rule = HolidayRule {
        name: o.req("name", errors, string).unwrap_or_default(),
        date: o.opt("date", errors, string).flatten(),
        dates: o.opt("dates", errors, strings).flatten(),
        from: o.opt("from", errors, string).flatten(),
        to: o.opt("to", errors, string).flatten(),
        month: o.opt("month", errors, u32_).flatten(),
        day: o.opt("day", errors, u32_).flatten(),
        weekday: o.opt("weekday", errors, string).flatten(),
        nth: o.opt("nth", errors, i32_).flatten(),
        relation: o.opt("relation", errors, relation).flatten(),
        easter: o.opt("easter", errors, i32_).flatten(),
        observed: o.opt("observed", errors, observed).flatten(),
        since: o.opt("since", errors, i32_).flatten(),
        until: o.opt("until", errors, i32_).flatten(),
        hours: o.opt("hours", errors, strings).flatten(),
        note: o.opt("note", errors, string).flatten(),
        announce_from: o.opt("announce_from", errors, string).flatten(),
    };
    (errors.0.len() == before).then_some(rule)
}

fn relation(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<Relation> {
    use Relation::*;
    keyword(
        v,
        path,
        errors,
        "relation",
        &[("on_or_after", OnOrAfter), ("after", After), ("on_or_before", OnOrBefore), ("before", Before)],
    )
}

fn observed(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<Observed> {
    use Observed::*;
    keyword(
        v,
        path,
        errors,
        "observed rule",
        &[
            ("none", None),
            ("nearest_weekday", NearestWeekday),
            ("monday", Monday),
            ("next_free_weekday", NextFreeWeekday),
            ("saturday_if_sunday", SaturdayIfSunday),
        ],
    )
}

fn coverage(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<CoverageConfig> {
    let o = Obj::open(v, path, "a coverage", &["id", "name", "teams", "always"], errors)?;
    let (id, name) = (o.req("id", errors, string), o.req("name", errors, string));
    let teams = o.list("teams", errors, string);
    let always = o.opt("always", errors, boolean);
    Some(CoverageConfig { id: id?, name: name?, teams: teams?, always: always?.unwrap_or(false) })
}

fn plan(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<PlanConfig> {
    let o = Obj::open(v, path, "a plan", &["id", "name", "coverage", "first_reply", "blurb"], errors)?;
    let (id, name, coverage) =
        (o.req("id", errors, string), o.req("name", errors, string), o.req("coverage", errors, string));
    let first_reply = o.req("first_reply", errors, first_reply);
    let blurb = o.opt("blurb", errors, string);
    Some(PlanConfig { id: id?, name: name?, coverage: coverage?, first_reply: first_reply?, blurb: blurb? })
}

const TARGETS: [&str; 5] = ["hours", "minutes", "business_hours", "business_minutes", "business_days"];

fn first_reply(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<FirstReply> {
    let Json::Object(fields) = v else {
        return mismatch("an object with one target such as { \"business_hours\": 4 }", v, path, errors);
    };
    let [(key, amount)] = fields.as_slice() else {
        let found: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        errors.push(
            path,
            format!(
                "a first-reply target takes exactly one of {}, found {}",
                TARGETS.join(", "),
                if found.is_empty() { "none".to_owned() } else { found.join(", ") }
            ),
        );
        return None;
    };
    let at = format!("{path}/{}", escape(key));
    let Some(kind) = TARGETS.iter().position(|t| t == key) else {
        errors.push(at, format!("unknown target \"{key}\" ({})", hint(key, &TARGETS, "use")));
        return None;
    };
    let n = u32_(amount, &at, errors)?;
    Some([
        FirstReply::Hours,
        FirstReply::Minutes,
        FirstReply::BusinessHours,
        FirstReply::BusinessMinutes,
        FirstReply::BusinessDays,
    ][kind](n))
}

fn queue(v: &Json, path: &str, errors: &mut ConfigErrors) -> Option<QueueConfig> {
    let o = Obj::open(v, path, "the queue settings", &["endpoint", "allowed_origins"], errors)?;
    let endpoint = o.opt("endpoint", errors, string);
    let allowed_origins = o.list("allowed_origins", errors, string);
    Some(QueueConfig {
        endpoint: endpoint?.unwrap_or_else(|| "/v1/requests".to_owned()),
        allowed_origins: allowed_origins?,
    })
}
