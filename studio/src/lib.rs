//! # replyby-studio
//!
//! The config studio's WebAssembly module: the page (plain JavaScript, `studio/web/`) calls
//! these functions as it edits a config. Each takes strings and answers one JSON string; none
//! panics or throws — a failure is an `"error"` or `"errors"` member of the answer.
//!
//! Problems are exactly `replyby check`'s (the core's `load` with chrono-tz's zone table, the
//! bundled presets and `replyby_core::lint`), each with the UTF-16 range (a JavaScript string
//! index, for `setSelectionRange`) of the text it is about.

pub mod ics;
pub mod span;

use chrono::NaiveDate;
use replyby_core::json::Json;
use replyby_core::{ConfigError, TzTable, holidays, load, osm_import};
use serde_json::{Value, json};
use wasm_bindgen::prelude::wasm_bindgen;

/// `replyby check` in the page: `{"problems":[{path,message,start,end}],"warnings":[…],
/// "summary":"ok — Acme Networks: 3 teams, 4 coverages, 5 plans"|null}`. `start`/`end` are
/// UTF-16 offsets of the value at `path` (an unknown or repeated key: the key and its value; a
/// missing field: the object that lacks it; a JSON syntax error: the character at its line and
/// column; the whole document: 0..0). Warnings (personal contacts in customer-facing text) come
/// only with a config that loads, as in `replyby check`.
#[wasm_bindgen]
pub fn check(text: &str) -> String {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut summary = Value::Null;
    match load(text, &TzTable) {
        Ok(schedule) => {
            for w in replyby_core::lint::lint(&schedule.config) {
                warnings.push(located(text, &w.path, &w.message, false));
            }
            summary = Value::String(format!("ok — {}", schedule.summary()));
        }
        Err(errors) => {
            let syntax = Json::parse(text).err();
            for ConfigError { path, message } in errors.0 {
                match &syntax {
                    Some(e) if path.is_empty() => {
                        let r = span::line_column(text, e.line, e.column);
                        problems.push(item(&path, &message, span::utf16(text, r.start), span::utf16(text, r.end)));
                    }
                    _ => {
                        let key = message.starts_with("unknown field")
                            || message.ends_with("is written twice in this object");
                        problems.push(located(text, &path, &message, key));
                    }
                }
            }
        }
    }
    json!({ "problems": problems, "warnings": warnings, "summary": summary }).to_string()
}

fn located(text: &str, path: &str, message: &str, with_key: bool) -> Value {
    let r = if path.is_empty() { None } else { span::locate(text, path, with_key).map(|(r, _)| r) };
    let r = r.unwrap_or(0..0);
    item(path, message, span::utf16(text, r.start), span::utf16(text, r.end))
}

fn item(path: &str, message: &str, start: usize, end: usize) -> Value {
    json!({ "path": path, "message": message, "start": start, "end": end })
}

/// Every bundled holiday preset, countries and subdivisions, sorted by id:
/// `[{"id":"de","name":"Germany"},…]`.
#[wasm_bindgen]
pub fn presets() -> String {
    let all: Vec<Value> =
        holidays::preset_list().into_iter().map(|(id, name)| json!({ "id": id, "name": name })).collect();
    Value::Array(all).to_string()
}

/// A preset's holidays in a year: `{"dates":[{"date":"2027-01-01","name":"New Year's Day"},…]}`
/// (`"estimated": true` on dates the source marks as estimates), or `{"error":"…"}`.
#[wasm_bindgen]
pub fn preset_dates(id: &str, year: i32) -> String {
    let range = (1900..=2500)
        .contains(&year)
        .then(|| NaiveDate::from_ymd_opt(year, 1, 1).zip(NaiveDate::from_ymd_opt(year, 12, 31)))
        .flatten();
    let Some((from, to)) = range else {
        return error(replyby_core::Error::OutOfRange(format!("year {year}")));
    };
    match holidays::preset_holidays(id, from, to) {
        Ok(dates) => match serde_json::to_value(&dates) {
            Ok(dates) => json!({ "dates": dates }).to_string(),
            Err(e) => error(e),
        },
        Err(e) => error(e),
    }
}

/// A bundled preset's document (JSON text, what the widget fetches as `presets/<id>.json`), or
/// `""` when there is no such preset.
#[wasm_bindgen]
pub fn preset_document(id: &str) -> String {
    holidays::preset_document(id).unwrap_or_default()
}

/// An OSM `opening_hours` value as a team's hours: `{"hours":{"mon-fri":["09:00-17:00"]}}`, or
/// `{"errors":[{"column":20,"message":"…","start":19,"end":20}],"described":"…"}` (`column`
/// 1-based in characters as `replyby hours import` says it; `start`/`end` UTF-16 offsets of
/// that character in `text`; `described` the text with a caret under each).
#[wasm_bindgen]
pub fn import_osm(text: &str) -> String {
    match osm_import::import(text) {
        Ok(hours) => match serde_json::to_value(&hours) {
            Ok(hours) => json!({ "hours": hours }).to_string(),
            Err(e) => error(e),
        },
        Err(errors) => {
            let list: Vec<Value> = errors
                .0
                .iter()
                .map(|e| {
                    let r = span::line_column(text, 1, e.column);
                    json!({
                        "column": e.column,
                        "message": e.message,
                        "start": span::utf16(text, r.start),
                        "end": span::utf16(text, r.end),
                    })
                })
                .collect();
            json!({ "errors": list, "described": errors.describe(text) }).to_string()
        }
    }
}

/// An `.ics` file's all-day events as holiday rules:
/// `{"holidays":[{"name":"Company retreat","date":"2027-06-11"},{"name":…,"from":…,"to":…},
/// {"name":…,"month":3,"day":14}],"skipped":[{"summary":"Team call","reason":"not an all-day event"}]}`,
/// or `{"errors":[{"message":"line 3: …"}]}` when the file does not parse.
#[wasm_bindgen]
pub fn import_ics(text: &str) -> String {
    match ics::import(text) {
        Ok(i) => json!({ "holidays": i.holidays, "skipped": i.skipped }).to_string(),
        Err(message) => json!({ "errors": [{ "message": message }] }).to_string(),
    }
}

/// Every plan's quote for a request written at `at` (RFC 3339):
/// `{"quotes":[{"plan":"pro","name":"Pro","submitted_at":…,"release_at":…,"respond_by":…}]}`,
/// in config order; a plan with no answer (its coverage never opens in the horizon) has
/// `"error"` instead of the three times. `{"error":"…"}` when the config does not load or
/// `at` is not an instant.
#[wasm_bindgen]
pub fn quotes(text: &str, at: &str) -> String {
    let schedule = match load(text, &TzTable) {
        Ok(s) => s,
        Err(errors) => return error(format!("the config does not load:\n{errors}")),
    };
    let Some(instant) = replyby_core::text::parse_instant(at) else {
        return error(format!("\"{at}\" is not an RFC 3339 instant (such as 2027-02-05T20:00:00-05:00)"));
    };
    let list: Vec<Value> = schedule
        .plans
        .iter()
        .map(|p| match schedule.quote(&p.id, instant).map(|q| serde_json::to_value(&q)) {
            Ok(Ok(Value::Object(mut q))) => {
                q.insert("name".to_owned(), Value::String(p.name.clone()));
                Value::Object(q)
            }
            Ok(Ok(_)) => json!({ "plan": p.id, "name": p.name, "error": "no quote" }),
            Ok(Err(e)) => json!({ "plan": p.id, "name": p.name, "error": e.to_string() }),
            Err(e) => json!({ "plan": p.id, "name": p.name, "error": e.to_string() }),
        })
        .collect();
    json!({ "quotes": list }).to_string()
}

/// A visitor's wall-clock time (`YYYY-MM-DDTHH:MM[:SS]`, what a `datetime-local` control
/// gives) in zone `zone` as an instant: `{"instant":"2027-03-04T02:00:00Z"}`, by the core's one
/// rule (`Zone::resolve`: a time in a DST gap moves later by the gap, a time that occurs twice
/// is the earlier), so the studio's "Instant" control means what the rest of replyby means.
/// `{"error":"…"}` for an unknown zone or a text that is not such a time.
#[wasm_bindgen]
pub fn local_instant(zone: &str, local: &str) -> String {
    use replyby_core::ZoneDb;
    let Some(z) = TzTable.zone(zone) else { return error(format!("unknown time zone \"{zone}\"")) };
    let parsed = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M"));
    let Ok(wall) = parsed else { return error(format!("\"{local}\" is not a local time YYYY-MM-DDTHH:MM")) };
    let instant = z.resolve(wall.and_utc().timestamp());
    match chrono::DateTime::from_timestamp(instant, 0) {
        Some(t) => json!({ "instant": replyby_core::text::format_instant(t) }).to_string(),
        None => error(format!("\"{local}\" is out of range")),
    }
}

/// The days of the week, Monday first, as `hours` keys name them.
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A team's `hours` object as seven lists, Monday first — what the studio's grid shows: each key
/// (`mon`, `mon-fri`, a wrapping `sat-mon`) read by the core's own `parse_days`, its intervals
/// added to each day it names, as written (the grid shows text; `check` judges it).
/// `{"days":[[…],…]}`, or `{"error":"…"}` when a key is not a day or a range of days.
#[wasm_bindgen]
pub fn hours_by_day(hours: &str) -> String {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(hours) else {
        return error("the hours are not a JSON object");
    };
    let mut days: Vec<Vec<Value>> = vec![Vec::new(); 7];
    for (key, list) in &map {
        let weekdays = match replyby_core::hours::parse_days(key) {
            Ok(d) => d,
            Err(e) => return error(format!("\"{key}\": {e}")),
        };
        let items: Vec<Value> = match list {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        for d in weekdays {
            days[d.num_days_from_monday() as usize].extend(items.iter().cloned());
        }
    }
    json!({ "days": days }).to_string()
}

/// Seven lists of intervals (Monday first) back to an `hours` object: each run of consecutive
/// days (Monday to Sunday, not wrapping) with the same list becomes one key (`mon-fri`), a day
/// alone its own (`sat`); closed days are left out. `{"entries":[["mon-fri",[…]],["sat",[…]]]}`
/// in week order (a JSON object here would come out in key order: `fri` before `mon-thu`), for
/// the page's `Object.fromEntries`; or `{"error":"…"}`.
#[wasm_bindgen]
pub fn hours_from_days(days: &str) -> String {
    let Ok(days) = serde_json::from_str::<Vec<Vec<String>>>(days) else {
        return error("the days are not seven lists of intervals");
    };
    if days.len() != 7 {
        return error(format!("{} days given; a week has 7", days.len()));
    }
    let mut entries = Vec::new();
    let mut i = 0;
    while i < 7 {
        let mut j = i;
        while j + 1 < 7 && days[j + 1] == days[i] {
            j += 1;
        }
        if !days[i].is_empty() {
            let key = if j > i { format!("{}-{}", DAYS[i], DAYS[j]) } else { DAYS[i].to_owned() };
            entries.push(json!([key, days[i]]));
        }
        i = j + 1;
    }
    json!({ "entries": entries }).to_string()
}

fn error(e: impl std::fmt::Display) -> String {
    json!({ "error": e.to_string() }).to_string()
}
