//! OSM `opening_hours` → a team's `hours` (feature `osm-import`): what `replyby hours import`
//! prints and what the config studio will call. The grammar is the `opening-hours-syntax`
//! crate's; this module only maps its rules onto weekly hours. Whatever weekly hours cannot
//! say (sunrise, `PH` and other holiday rules, dates, months, week numbers, open ends, `||`
//! fallbacks, comments, `unknown`, closed time ranges) is an error at its position in the
//! text, never dropped.
//!
//! ```
//! let hours = replyby_core::osm_import::import("Mo-Fr 09:00-17:00; Sa 10:00-14:00")?;
//! assert_eq!(serde_json::to_string(&hours)?, r#"{"mon-fri":["09:00-17:00"],"sat":["10:00-14:00"]}"#);
//! let err = replyby_core::osm_import::import("Mo-Fr 09:00-17:00; PH off").unwrap_err();
//! assert_eq!(err.0[0].column, 20);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::config::Hours;
use crate::hours::Interval;
use opening_hours_syntax::rules::day::WeekDayRange;
use opening_hours_syntax::rules::time::{Time, TimeSpan};
use opening_hours_syntax::rules::{RuleKind, RuleOperator, RuleSequence};
use std::fmt;

/// One thing in the text that weekly hours cannot say, or that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// 1-based column (in characters) where it is.
    pub column: usize,
    /// A plain sentence, lowercase, no final period.
    pub message: String,
}

/// Every problem found, in text order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportErrors(pub Vec<ImportError>);

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "column {}: {}", e.column, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}

impl ImportErrors {
    /// Each problem with the text and a caret under its column.
    pub fn describe(&self, text: &str) -> String {
        let mut out = Vec::new();
        for e in &self.0 {
            out.push(format!("column {}: {}\n  {text}\n  {}^", e.column, e.message, " ".repeat(e.column - 1)));
        }
        out.join("\n")
    }
}

/// Reads an OSM `opening_hours` value as a team's weekly `hours`: `;` rules replace the
/// hours of the days they name, `,` rules add to them, `off` closes whole days.
pub fn import(text: &str) -> Result<Hours, ImportErrors> {
    let column = |byte: usize| text[..byte.min(text.len())].chars().count() + 1;
    if let Err(e) = opening_hours_syntax::parse(text) {
        let (at, message) = match &e {
            opening_hours_syntax::Error::Syntax(p) => {
                let at = match p.location {
                    pest::error::InputLocation::Pos(at) | pest::error::InputLocation::Span((at, _)) => at,
                };
                (at, "this is not OSM opening_hours syntax".to_owned())
            }
            other => (0, format!("not usable: {other}")),
        };
        return Err(ImportErrors(vec![ImportError { column: column(at), message }]));
    }
    let mut week: [Vec<Interval>; 7] = Default::default();
    let mut errors = Vec::new();
    for (offset, chunk) in chunks(text) {
        let Ok(expr) = opening_hours_syntax::parse(chunk) else {
            errors.push(ImportError { column: column(offset), message: "this rule does not parse on its own".into() });
            continue;
        };
        let mut problems: Vec<(usize, String)> = Vec::new();
        for rule in &expr.rules {
            apply(rule, chunk, &mut week, &mut problems);
        }
        problems.sort();
        problems.dedup();
        errors.extend(problems.into_iter().map(|(at, message)| ImportError { column: column(offset + at), message }));
    }
    for (d, day) in week.iter_mut().enumerate() {
        crate::sort::sort(day);
        let mut merged: Vec<Interval> = Vec::new();
        for iv in day.drain(..) {
            match merged.last_mut() {
                Some(last) if iv.start < last.end => last.end = last.end.max(iv.end),
                _ => merged.push(iv),
            }
        }
        if merged.iter().any(|iv| iv.end - iv.start > 1440 || (iv.end - iv.start == 1440 && iv.start != 0)) {
            errors.push(ImportError {
                column: 1,
                message: format!(
                    "{}'s hours add up to more than 24 hours in a row, which one day cannot hold",
                    DAYS[d]
                ),
            });
        }
        *day = merged;
    }
    if !errors.is_empty() {
        return Err(ImportErrors(errors));
    }
    Ok(to_hours(&week))
}

const KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// The text split at `;` outside quotes, each piece with its byte offset (leading spaces skipped).
fn chunks(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, ch) in text.char_indices().chain(std::iter::once((text.len(), ';'))) {
        match ch {
            '"' => quoted = !quoted,
            ';' if !quoted => {
                let piece = &text[start..i];
                let lead = piece.len() - piece.trim_start().len();
                if !piece.trim().is_empty() {
                    out.push((start + lead, piece.trim()));
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

/// The byte offset of the first of `tokens` (any case) in `chunk`, else 0.
fn find(chunk: &str, tokens: &[&str]) -> usize {
    let lower = chunk.to_ascii_lowercase();
    tokens.iter().filter_map(|t| lower.find(&t.to_ascii_lowercase())).min().unwrap_or(0)
}

fn apply(rule: &RuleSequence, chunk: &str, week: &mut [Vec<Interval>; 7], problems: &mut Vec<(usize, String)>) {
    let before = problems.len();
    let mut fail = |at: usize, message: &str| problems.push((at, message.to_owned()));
    if rule.operator == RuleOperator::Fallback {
        fail(find(chunk, &["||"]), "a fallback rule (||) has no equivalent in weekly hours");
    }
    if !rule.comment.is_empty() {
        fail(find(chunk, &["\""]), "comments cannot be kept in hours; remove the quoted text");
    }
    if rule.kind == RuleKind::Unknown {
        fail(find(chunk, &["unknown"]), "\"unknown\" hours cannot be expressed: say open or off");
    }
    let ds = &rule.day_selector;
    if !ds.year.is_empty() || !ds.monthday.is_empty() {
        fail(
            find(
                chunk,
                &[
                    "19", "20", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
                    "easter",
                ],
            ),
            "dates, months and years are not weekly hours: add closures as holidays or schedule changes",
        );
    }
    if !ds.week.is_empty() {
        fail(find(chunk, &["week"]), "week numbers cannot be expressed in weekly hours");
    }
    let mut days = [ds.weekday.is_empty(); 7];
    for w in &ds.weekday {
        match w {
            WeekDayRange::Holiday { .. } => {
                fail(
                    find(chunk, &["PH", "SH"]),
                    "holiday rules (PH, SH) cannot be expressed here: give the team holidays instead",
                );
            }
            WeekDayRange::Fixed { range, offset, nth_from_start, nth_from_end } => {
                if *offset != 0 || nth_from_start.contains(&false) || nth_from_end.contains(&false) {
                    fail(find(chunk, &["["]), "the n-th weekday of a month cannot be expressed in weekly hours");
                }
                let (a, b) = (range.start().num_days_from_monday(), range.end().num_days_from_monday());
                let mut d = a;
                loop {
                    days[d as usize] = true;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
        }
    }
    let full_day = rule.time_selector.spans.len() == 1
        && rule.time_selector.spans[0].range.start == Time::Fixed(opening_hours_syntax::ExtendedTime::MIDNIGHT_00)
        && rule.time_selector.spans[0].range.end == Time::Fixed(opening_hours_syntax::ExtendedTime::MIDNIGHT_24);
    let mut intervals = Vec::new();
    for span in &rule.time_selector.spans {
        match interval(span, chunk) {
            Ok(iv) => intervals.push(iv),
            Err((at, message)) => fail(at, &message),
        }
    }
    if rule.kind == RuleKind::Closed && !full_day {
        fail(find(chunk, &["off", "closed"]), "closed time ranges cannot be expressed: write only the open hours");
    }
    if problems.len() > before {
        return;
    }
    for (d, on) in days.iter().enumerate() {
        if !on {
            continue;
        }
        match (rule.kind, rule.operator) {
            (RuleKind::Closed, _) => week[d].clear(),
            (_, RuleOperator::Normal) => week[d] = intervals.clone(),
            _ => week[d].extend(intervals.iter().copied()),
        }
    }
}

fn minutes(t: &Time) -> Option<u16> {
    match t {
        Time::Fixed(t) => Some(u16::from(t.hour()) * 60 + u16::from(t.minute())),
        Time::Variable(_) => None,
    }
}

fn interval(span: &TimeSpan, chunk: &str) -> Result<Interval, (usize, String)> {
    let (Some(start), Some(end)) = (minutes(&span.range.start), minutes(&span.range.end)) else {
        return Err((
            find(chunk, &["sunrise", "sunset", "dawn", "dusk"]),
            "times of the sun (sunrise, sunset, dawn, dusk) cannot be expressed in hours".to_owned(),
        ));
    };
    if span.open_end {
        return Err((find(chunk, &["+"]), "an open end (+) cannot be expressed: give a closing time".to_owned()));
    }
    if span.repeats.is_some() {
        return Err((find(chunk, &["/"]), "repeating points in time cannot be expressed".to_owned()));
    }
    let at = find(chunk, &[&format!("{:02}:{:02}", start / 60, start % 60)]);
    if start >= 1440 {
        return Err((at, "an interval must start before 24:00".to_owned()));
    }
    // OSM writes an overnight interval either ending "earlier" (22:00-06:00) or past 24:00 (22:00-30:00).
    let end = if end <= start { end + 1440 } else { end };
    if end - start > 1440 || (end - start == 1440 && start != 0) {
        return Err((at, "an interval longer than 24 hours cannot be expressed".to_owned()));
    }
    Ok(Interval { start, end })
}

/// Days with the same intervals side by side share a key (`mon-fri`); closed days are left out.
fn to_hours(week: &[Vec<Interval>; 7]) -> Hours {
    let mut out = Vec::new();
    let mut d = 0;
    while d < 7 {
        if week[d].is_empty() {
            d += 1;
            continue;
        }
        let mut e = d;
        while e + 1 < 7 && week[e + 1] == week[d] {
            e += 1;
        }
        let key = if e == d { KEYS[d].to_owned() } else { format!("{}-{}", KEYS[d], KEYS[e]) };
        out.push((key, week[d].iter().map(ToString::to_string).collect()));
        d = e + 1;
    }
    Hours(out)
}
