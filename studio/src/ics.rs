//! An `.ics` file's all-day events → replyby holiday rules (docs/config.md "Holidays").
//!
//! The file is read by the icalendar crate's parser (unfolding, parameters, escapes); this
//! module only maps events onto rules. What a rule cannot say is skipped with a reason, never
//! approximated.

use chrono::{Datelike, Duration, NaiveDate};
use icalendar::{CalendarComponent, Component, DatePerhapsTime};
use serde_json::{Value, json};

/// An event left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Its SUMMARY ("Closed" when it has none).
    pub summary: String,
    /// A plain sentence, lowercase, no final period.
    pub reason: String,
}

/// What an import gives: holiday rules (config JSON values) and the events left out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Imported {
    /// Rules, in the file's order.
    pub holidays: Vec<Value>,
    /// Events that are not all-day closures a rule can say.
    pub skipped: Vec<Skipped>,
}

/// Reads the file; `Err` is the parser's message when it does not parse.
pub fn import(text: &str) -> Result<Imported, String> {
    let calendar: icalendar::Calendar = text.parse().map_err(|e: String| tidy(&e))?;
    if calendar.components.is_empty() && calendar.properties.is_empty() {
        return Err("not an iCalendar file (no BEGIN:VCALENDAR … END:VCALENDAR)".to_owned());
    }
    let mut out = Imported::default();
    for component in &calendar.components {
        let CalendarComponent::Event(event) = component else { continue };
        let name = event.get_summary().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("Closed").to_owned();
        match rule(event, &name) {
            Ok(r) => out.holidays.push(r),
            Err(reason) => out.skipped.push(Skipped { summary: name, reason: reason.to_owned() }),
        }
    }
    Ok(out)
}

fn rule(event: &icalendar::Event, name: &str) -> Result<Value, &'static str> {
    if event.property_value("STATUS").is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED")) {
        return Err("cancelled");
    }
    let start = match event.get_start() {
        Some(DatePerhapsTime::Date(d)) => d,
        Some(DatePerhapsTime::DateTime(_)) => return Err("not an all-day event"),
        None => return Err("no start date (DTSTART)"),
    };
    // DTEND is exclusive: an event on the 11th alone ends on the 12th.
    let last = match event.get_end() {
        Some(DatePerhapsTime::Date(end)) if end > start => end - Duration::days(1),
        Some(DatePerhapsTime::Date(_)) => start,
        Some(DatePerhapsTime::DateTime(_)) => return Err("not an all-day event (DTEND has a time)"),
        None if event.property_value("DURATION").is_some() => {
            return Err("a DURATION instead of DTEND is not supported (give the last day with DTEND)");
        }
        None => start,
    };
    let rrule = event.property_value("RRULE");
    let extra_dates =
        ["RDATE", "EXDATE"].iter().any(|k| event.multi_properties().get(*k).is_some_and(|v| !v.is_empty()));
    match rrule {
        None if extra_dates => Err("RDATE and EXDATE need a repeat rule, which this event does not have"),
        None if last == start => Ok(json!({ "name": name, "date": date(start) })),
        None => Ok(json!({ "name": name, "from": date(start), "to": date(last) })),
        Some(_) if extra_dates => Err("repeats with exceptions or extra dates (EXDATE, RDATE)"),
        Some(r) if yearly_on(r, start) => {
            if last != start {
                Err("repeats yearly over several days; a rule repeats only single days")
            } else {
                Ok(json!({ "name": name, "month": start.month(), "day": start.day() }))
            }
        }
        Some(_) => Err("repeats in a way a holiday rule cannot say (only FREQ=YEARLY on one day is imported)"),
    }
}

/// `FREQ=YEARLY` with nothing that changes which days it gives: at most `INTERVAL=1` and the
/// start's own `BYMONTH` / `BYMONTHDAY` (as some calendar programs write them).
fn yearly_on(rrule: &str, start: NaiveDate) -> bool {
    let mut yearly = false;
    for part in rrule.split(';').filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else { return false };
        let ok = match k.to_ascii_uppercase().as_str() {
            "FREQ" => {
                yearly = v.eq_ignore_ascii_case("YEARLY");
                yearly
            }
            "INTERVAL" => v == "1",
            "BYMONTH" => v.parse() == Ok(start.month()),
            "BYMONTHDAY" => v.parse() == Ok(start.day()),
            "WKST" => true,
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    yearly
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The parser's message (nom's `convert_error`: `0: at line 3, in …:`, the line, a caret, maybe
/// `expected 'x', found y`, for each step of the way in) as one line:
/// `line 3: expected ':', found X (in "THE LINE")`.
fn tidy(e: &str) -> String {
    let lines: Vec<&str> = e.strip_prefix("error: ").unwrap_or(e).lines().collect();
    let mut first: Option<(String, String)> = None;
    let mut what = Vec::new();
    let mut i = 0;
    while let Some(l) = lines.get(i) {
        let step = l.split_once(": ").filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        let Some((_, rest)) = step else {
            i += 1;
            continue;
        };
        if let Some(at) = rest.strip_prefix("at line ").and_then(|r| r.strip_suffix(':')) {
            let (n, context) = match at.split_once(", in ") {
                Some((n, c)) => (n, Some(c)),
                None => (at, None),
            };
            if first.is_none() {
                first = Some((n.to_owned(), lines.get(i + 1).map_or("", |s| s.trim()).to_owned()));
            }
            match context {
                Some(c) => what.push(format!("in {c}")),
                None => {
                    if let Some(m) = lines.get(i + 3).filter(|m| !m.trim().is_empty()) {
                        what.push(m.trim().to_owned());
                    }
                }
            }
            i += 3;
        } else {
            what.push(rest.trim().to_owned());
            i += 1;
        }
    }
    // nom's own step names (`Tag`, `Many1`, `Satisfy`) say nothing to a reader; the parser's
    // contexts ("mismatching end", "property cannot be END or BEGIN") do.
    what.retain(|w| {
        let w = w.strip_prefix("in ").unwrap_or(w);
        let w = w.strip_suffix(", got empty input").unwrap_or(w);
        w.contains(' ') && !w.starts_with(char::is_uppercase)
    });
    let what: Vec<String> = what.into_iter().map(|w| w.strip_prefix("in ").map_or(w.clone(), str::to_owned)).collect();
    let what = if what.is_empty() { "not iCalendar".to_owned() } else { what.join(", in ") };
    match first {
        Some((n, source)) if !source.is_empty() => format!("line {n}: {what}: \"{source}\""),
        Some((n, _)) => format!("line {n}: {what}"),
        None if e.trim().is_empty() || e.contains("got empty input") => "the file is empty".to_owned(),
        None => what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yearly_rules() {
        let d = NaiveDate::from_ymd_opt(2027, 3, 14).expect("a date");
        assert!(yearly_on("FREQ=YEARLY", d));
        assert!(yearly_on("FREQ=YEARLY;INTERVAL=1;BYMONTH=3;BYMONTHDAY=14", d));
        assert!(!yearly_on("FREQ=YEARLY;BYMONTH=4", d));
        assert!(!yearly_on("FREQ=YEARLY;COUNT=3", d));
        assert!(!yearly_on("FREQ=WEEKLY", d));
        assert!(!yearly_on("FREQ=YEARLY;BYDAY=2MO", d));
    }
}
