//! Holiday rules, observed days, presets and a team's holiday calendar.

use crate::ConfigErrors;
use crate::config::{HolidayEntry, HolidayRule, Observed, Relation};
use crate::hours::{Interval, parse_day, parse_weekday};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::sync::{Arc, OnceLock};

pub use crate::preset::{Document, Preset, PresetHoliday, preset, preset_document, preset_holidays, preset_list};

/// A validated holiday rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Customer-facing name.
    pub name: String,
    /// How the date is found.
    pub when: When,
    /// Weekend handling.
    pub observed: Observed,
    /// First year (inclusive).
    pub since: Option<i32>,
    /// Last year (inclusive).
    pub until: Option<i32>,
    /// Reduced hours instead of closed; `None` means closed all day. Sorted by start and
    /// not overlapping, like a team's hours.
    pub hours: Option<Vec<Interval>>,
    /// Its source marks the dates as estimates (generated presets: lunar calendars).
    pub estimated: bool,
    /// The name in other languages (generated presets), shared by a preset's rules.
    pub localized: Option<Arc<Localized>>,
    /// Customer-facing note shown beside the closed day.
    pub note: Option<String>,
    /// From when the note is shown; `None`: [`ANNOUNCE_DAYS`] before the date.
    pub announce_from: Option<NaiveDate>,
}

/// How many days before a closed day its note is shown when the rule does not say.
pub const ANNOUNCE_DAYS: u64 = 14;

/// Holiday names in other languages: for each language (`"en"`, `"pt"`, `"zh-Hans"` …),
/// each name in the preset's own language with its translation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Localized(pub Vec<(String, Vec<(String, String)>)>);

/// The stored language that serves a requested one: `pt-BR` → `pt`, `zh-TW` and
/// `zh-Hant-HK` → `zh-Hant`, `zh`/`zh-CN` → `zh-Hans`, `no`/`nn` → `nb`; ASCII case ignored.
pub fn language_key(lang: &str) -> String {
    let lower = lang.to_ascii_lowercase().replace('_', "-");
    let mut parts = lower.split('-');
    let primary = parts.next().unwrap_or_default();
    match primary {
        "zh" => {
            let traditional = parts.any(|p| matches!(p, "hant" | "tw" | "hk" | "mo"));
            if traditional { "zh-Hant".to_owned() } else { "zh-Hans".to_owned() }
        }
        "no" | "nn" => "nb".to_owned(),
        _ => primary.to_owned(),
    }
}

impl Localized {
    /// The translation of `name` into `lang` (any BCP 47 tag, see [`language_key`]).
    pub fn get(&self, lang: &str, name: &str) -> Option<&str> {
        let key = language_key(lang);
        let (_, table) = self.0.iter().find(|(l, _)| *l == key)?;
        table.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_str())
    }

    /// Every translation of `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter_map(move |(_, t)| t.iter().find(|(n, _)| n == name)).map(|(_, t)| t.as_str())
    }
}

/// How a rule finds its date(s) in a year.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    /// One date.
    Date(NaiveDate),
    /// Every date from the first to the second, inclusive.
    Period(NaiveDate, NaiveDate),
    /// The same month and day every year (29 February only in leap years).
    Fixed {
        /// 1–12.
        month: u32,
        /// Day of month.
        day: u32,
    },
    /// The n-th (1…5, or -1 for last) weekday of a month.
    Nth {
        /// 1–12.
        month: u32,
        /// The weekday.
        weekday: Weekday,
        /// 1…5 or -1.
        nth: i32,
    },
    /// The weekday relative to a month/day.
    Relative {
        /// 1–12.
        month: u32,
        /// Day of month.
        day: u32,
        /// The weekday.
        weekday: Weekday,
        /// Which side.
        relation: Relation,
    },
    /// Days from Western Easter Sunday.
    Easter(i32),
    /// Each of these dates (sorted, each once).
    Dates(Vec<NaiveDate>),
}

/// Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

fn add_days(date: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n >= 0 { date.checked_add_days(Days::new(n as u64)) } else { date.checked_sub_days(Days::new(n.unsigned_abs())) }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Rule {
    /// The name in `lang` (a BCP 47 tag such as `en`, `pt-BR`, `zh-Hant`) when the preset
    /// has it, else the name in the preset's own language.
    pub fn name_in(&self, lang: &str) -> &str {
        self.localized.as_deref().and_then(|l| l.get(lang, &self.name)).unwrap_or(&self.name)
    }

    /// Whether `name` is this rule's name, or one of its translations (ASCII case ignored).
    pub fn is_named(&self, name: &str) -> bool {
        let name = name.trim();
        self.name.eq_ignore_ascii_case(name)
            || self.localized.as_deref().is_some_and(|l| l.all(&self.name).any(|t| t.eq_ignore_ascii_case(name)))
    }

    fn applies_in(&self, year: i32) -> bool {
        self.since.is_none_or(|s| year >= s) && self.until.is_none_or(|u| year <= u)
    }

    /// The rule's own dates in `year`, before any observed shift.
    pub fn actual_dates(&self, year: i32) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        match &self.when {
            When::Date(d) => {
                if d.year() == year && self.applies_in(year) {
                    out.push(*d);
                }
            }
            When::Dates(dates) => {
                let lo = dates.partition_point(|d| d.year() < year);
                let hi = dates.partition_point(|d| d.year() <= year);
                if self.applies_in(year) {
                    out.extend_from_slice(&dates[lo..hi]);
                }
            }
            When::Period(from, to) => {
                let mut d = (*from).max(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(*from));
                let last = (*to).min(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(*to));
                while d <= last {
                    if self.applies_in(d.year()) {
                        out.push(d);
                    }
                    match d.succ_opt() {
                        Some(n) => d = n,
                        None => break,
                    }
                }
            }
            _ if !self.applies_in(year) => {}
            When::Fixed { month, day } => out.extend(NaiveDate::from_ymd_opt(year, *month, *day)),
            When::Nth { month, weekday, nth } => out.extend(
                NaiveDate::from_weekday_of_month_opt(year, *month, *weekday, *nth as u8).filter(|_| *nth > 0).or_else(
                    || {
                        if *nth != -1 {
                            return None;
                        }
                        let next = if *month == 12 {
                            NaiveDate::from_ymd_opt(year + 1, 1, 1)
                        } else {
                            NaiveDate::from_ymd_opt(year, month + 1, 1)
                        }?;
                        let mut d = next.pred_opt()?;
                        while d.weekday() != *weekday {
                            d = d.pred_opt()?;
                        }
                        Some(d)
                    },
                ),
            ),
            When::Relative { month, day, weekday, relation } => {
                if let Some(base) = NaiveDate::from_ymd_opt(year, *month, *day) {
                    let diff = i64::from(
                        (7 + weekday.num_days_from_monday() as i32 - base.weekday().num_days_from_monday() as i32) % 7,
                    );
                    let back = (7 - diff) % 7;
                    let offset = match relation {
                        Relation::OnOrAfter => diff,
                        Relation::After => {
                            if diff == 0 {
                                7
                            } else {
                                diff
                            }
                        }
                        Relation::OnOrBefore => -back,
                        Relation::Before => {
                            if back == 0 {
                                -7
                            } else {
                                -back
                            }
                        }
                    };
                    out.extend(add_days(base, offset));
                }
            }
            When::Easter(offset) => out.extend(easter_sunday(year).and_then(|e| add_days(e, i64::from(*offset)))),
        }
        out
    }
}

/// One date on which a holiday rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    /// The (observed) date.
    pub date: NaiveDate,
    /// Index into the calendar's rules.
    pub rule: usize,
}

/// Every holiday date of `rules` in the years `first..=last`, observed shifts applied,
/// one entry per date (the first rule in the list wins), sorted by date.
pub fn occurrences(rules: &[Rule], first: i32, last: i32) -> Vec<Occurrence> {
    // Observed days can cross a year boundary, so look one year beyond each side.
    let mut actual: Vec<(NaiveDate, usize)> = Vec::new();
    for (idx, rule) in rules.iter().enumerate() {
        for year in first - 1..=last + 1 {
            actual.extend(rule.actual_dates(year).into_iter().map(|d| (d, idx)));
        }
    }
    let needs_shift = |d: NaiveDate, idx: usize| match rules[idx].observed {
        Observed::None => false,
        Observed::SaturdayIfSunday => d.weekday() == Weekday::Sun,
        _ => is_weekend(d),
    };
    // A handful of dates a year: a list is enough (and smaller in the wasm than a tree).
    let mut taken: Vec<NaiveDate> = actual.iter().filter(|(d, i)| !needs_shift(*d, *i)).map(|(d, _)| *d).collect();
    let mut out: Vec<Occurrence> = Vec::with_capacity(actual.len());
    // Unshifted dates first, then shifted ones in rule order and date order, so that
    // "next free weekday" sees every holiday already placed (Christmas before Boxing Day).
    let mut shifted: Vec<(NaiveDate, usize)> = Vec::new();
    for (d, idx) in actual {
        if needs_shift(d, idx) { shifted.push((d, idx)) } else { out.push(Occurrence { date: d, rule: idx }) }
    }
    crate::sort::sort(&mut shifted);
    for (d, idx) in shifted {
        let moved = match rules[idx].observed {
            Observed::NearestWeekday => {
                if d.weekday() == Weekday::Sat {
                    d.pred_opt()
                } else {
                    d.succ_opt()
                }
            }
            Observed::Monday => add_days(d, if d.weekday() == Weekday::Sat { 2 } else { 1 }),
            Observed::SaturdayIfSunday => d.pred_opt(),
            Observed::NextFreeWeekday => {
                let mut c = d.succ_opt();
                while let Some(x) = c {
                    if !is_weekend(x) && !taken.contains(&x) {
                        break;
                    }
                    c = x.succ_opt();
                }
                c
            }
            Observed::None => Some(d),
        };
        if let Some(m) = moved {
            taken.push(m);
            out.push(Occurrence { date: m, rule: idx });
        }
    }
    let (lo, hi) = (NaiveDate::from_ymd_opt(first, 1, 1), NaiveDate::from_ymd_opt(last, 12, 31));
    out.retain(|o| lo.is_none_or(|lo| o.date >= lo) && hi.is_none_or(|hi| o.date <= hi));
    crate::sort::sort(&mut out);
    out.dedup_by_key(|o| o.date);
    out
}

/// The years whose holidays are kept once computed; others are computed on each call.
const CACHED_YEARS: (i32, i32) = (2000, 2100);

/// A team's holidays: its rules, and their dates per year, each year computed the first
/// time it is asked for (loading a config stays cheap; the widget loads one on the main
/// thread).
#[derive(Debug)]
pub struct HolidayCalendar {
    rules: Vec<Rule>,
    /// How many of `rules`, from the start, are overrides (schedule changes): their dates
    /// win over the others', and they take no part in the others' observed-day shifting.
    overrides: usize,
    years: Vec<OnceLock<Vec<Occurrence>>>,
}

impl Clone for HolidayCalendar {
    fn clone(&self) -> Self {
        HolidayCalendar::new(self.rules.clone()).overriding(self.overrides)
    }
}

impl PartialEq for HolidayCalendar {
    fn eq(&self, other: &Self) -> bool {
        self.rules == other.rules && self.overrides == other.overrides
    }
}

/// A holiday on a date, as found in a calendar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Holiday<'a> {
    /// The date.
    pub date: NaiveDate,
    /// The rule that decides its name and hours.
    pub rule: &'a Rule,
}

impl Holiday<'_> {
    /// The first date on which its note is shown: the rule's `announce_from`, else
    /// [`ANNOUNCE_DAYS`] before the date (before a closure period's first day).
    pub fn announce_from(&self) -> NaiveDate {
        let first = match self.rule.when {
            When::Period(from, _) => from.min(self.date),
            _ => self.date,
        };
        self.rule.announce_from.unwrap_or_else(|| first.checked_sub_days(Days::new(ANNOUNCE_DAYS)).unwrap_or(first))
    }

    /// Its name in `lang` where the preset has one (see [`Rule::name_in`]).
    pub fn name_in(&self, lang: &str) -> &str {
        self.rule.name_in(lang)
    }
}

impl HolidayCalendar {
    /// A calendar of these rules, in priority order.
    pub fn new(rules: Vec<Rule>) -> Self {
        let n = (CACHED_YEARS.1 - CACHED_YEARS.0 + 1) as usize;
        HolidayCalendar { rules, overrides: 0, years: (0..n).map(|_| OnceLock::new()).collect() }
    }

    fn overriding(mut self, n: usize) -> Self {
        self.overrides = n;
        self
    }

    /// This calendar with `layer` over it: on a date of a `layer` rule (the first in the
    /// list wins), that rule decides; elsewhere this calendar does, its observed days
    /// computed as if the layer were not there (a company closure does not move a bank
    /// holiday's substitute day).
    pub fn with_overrides(&self, layer: Vec<Rule>) -> Self {
        let n = layer.len();
        let mut rules = layer;
        rules.extend(self.rules[self.overrides..].iter().cloned());
        HolidayCalendar::new(rules).overriding(n)
    }

    fn compute(&self, y: i32) -> Vec<Occurrence> {
        if self.overrides == 0 {
            return occurrences(&self.rules, y, y);
        }
        let (layer, own) = self.rules.split_at(self.overrides);
        let mut out = occurrences(layer, y, y);
        let n = self.overrides;
        out.extend(
            occurrences(own, y, y)
                .into_iter()
                .filter(|o| !out.iter().any(|l| l.date == o.date))
                .map(|o| Occurrence { date: o.date, rule: o.rule + n })
                .collect::<Vec<_>>(),
        );
        crate::sort::sort(&mut out);
        out
    }

    /// The rules, in priority order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The occurrences of one year, sorted by date: cached, or computed now.
    fn year(&self, y: i32) -> std::borrow::Cow<'_, [Occurrence]> {
        match usize::try_from(y - CACHED_YEARS.0).ok().and_then(|i| self.years.get(i)) {
            Some(slot) => std::borrow::Cow::Borrowed(slot.get_or_init(|| self.compute(y)).as_slice()),
            None => std::borrow::Cow::Owned(self.compute(y)),
        }
    }

    /// The holiday on `date`, if any.
    pub fn on(&self, date: NaiveDate) -> Option<Holiday<'_>> {
        self.first_between(date, date)
    }

    /// The first holiday from `from` to `to`, inclusive, if any: what [`Self::between`]
    /// would list first, without building the list.
    pub fn first_between(&self, from: NaiveDate, to: NaiveDate) -> Option<Holiday<'_>> {
        if self.rules.is_empty() {
            return None;
        }
        for y in from.year()..=to.year() {
            let year = self.year(y);
            if let Some(o) = year.iter().find(|o| o.date >= from) {
                return (o.date <= to).then(|| Holiday { date: o.date, rule: &self.rules[o.rule] });
            }
        }
        None
    }

    /// Every holiday from `from` to `to`, inclusive, sorted by date.
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> Vec<Holiday<'_>> {
        let mut out = Vec::new();
        if from > to || self.rules.is_empty() {
            return out;
        }
        for y in from.year()..=to.year() {
            let year = self.year(y);
            out.extend(
                year.iter()
                    .filter(|o| o.date >= from && o.date <= to)
                    .map(|o| Holiday { date: o.date, rule: &self.rules[o.rule] }),
            );
        }
        out
    }
}

pub(crate) fn parse_date(text: &str, path: &str, errors: &mut ConfigErrors) -> Option<NaiveDate> {
    match crate::text::parse_date(text) {
        Some(d) if (1900..=2500).contains(&d.year()) => Some(d),
        Some(_) => {
            errors.push(path, format!("date \"{text}\" is out of range (years 1900 to 2500)"));
            None
        }
        _ => {
            errors.push(path, format!("\"{text}\" is not a real date YYYY-MM-DD"));
            None
        }
    }
}

fn days_in_month(month: u32) -> u32 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Validates one rule; pushes every problem with its path and returns it when sound.
pub(crate) fn compile_rule(raw: &HolidayRule, path: &str, errors: &mut ConfigErrors) -> Option<Rule> {
    let before = errors.0.len();
    if raw.name.trim().is_empty() {
        errors.push(format!("{path}/name"), "a holiday needs a name");
    }
    let forms: Vec<&str> = [
        raw.date.as_ref().map(|_| "date"),
        raw.dates.as_ref().map(|_| "dates"),
        (raw.from.is_some() || raw.to.is_some()).then_some("from/to"),
        raw.easter.map(|_| "easter"),
        raw.month.map(|_| "month"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let when = match forms.as_slice() {
        [] => {
            errors.push(path, "a holiday rule needs exactly one of \"date\", \"dates\", \"from\"/\"to\", \"month\" (with \"day\" or \"weekday\") or \"easter\"");
            None
        }
        [one] => compile_when(raw, one, path, errors),
        many => {
            errors.push(
                path,
                format!("a holiday rule takes exactly one way to find its date, but this one has {}", many.join(", ")),
            );
            None
        }
    };
    if raw.month.is_none()
        && (raw.day.is_some() || raw.weekday.is_some() || raw.nth.is_some() || raw.relation.is_some())
    {
        errors.push(path, "\"day\", \"weekday\", \"nth\" and \"relation\" need a \"month\"");
    }
    let observed = raw.observed.unwrap_or_default();
    if observed != Observed::None && matches!(when, Some(When::Period(..))) {
        errors.push(format!("{path}/observed"), "\"observed\" does not apply to a closure period");
    }
    if let (Some(s), Some(u)) = (raw.since, raw.until)
        && s > u
    {
        errors.push(format!("{path}/until"), format!("\"until\" ({u}) is before \"since\" ({s})"));
    }
    for (key, year) in [("since", raw.since), ("until", raw.until)] {
        if let Some(y) = year.filter(|y| !(1900..=2500).contains(y)) {
            errors.push(format!("{path}/{key}"), format!("year {y} is out of range (1900 to 2500)"));
        }
    }
    let note = raw.note.as_ref().map(|n| n.trim().to_owned());
    if note.as_ref().is_some_and(String::is_empty) {
        errors.push(format!("{path}/note"), "customer-facing text must not be empty");
    }
    let announce_from =
        raw.announce_from.as_deref().and_then(|d| parse_date(d, &format!("{path}/announce_from"), errors));
    let hours = raw.hours.as_ref().map(|list| {
        if list.is_empty() {
            errors.push(
                format!("{path}/hours"),
                "reduced hours need at least one interval (leave \"hours\" out to close all day)",
            );
        }
        parse_day(list, &format!("{path}/hours"), errors)
    });
    if errors.0.len() > before {
        return None;
    }
    Some(Rule {
        name: raw.name.trim().to_owned(),
        when: when?,
        observed,
        since: raw.since,
        until: raw.until,
        hours,
        estimated: false,
        localized: None,
        note,
        announce_from,
    })
}

fn compile_when(raw: &HolidayRule, form: &str, path: &str, errors: &mut ConfigErrors) -> Option<When> {
    match form {
        "date" => parse_date(raw.date.as_deref()?, &format!("{path}/date"), errors).map(When::Date),
        "dates" => {
            let list = raw.dates.as_ref()?;
            if list.is_empty() {
                errors.push(format!("{path}/dates"), "a \"dates\" list needs at least one date");
                return None;
            }
            let before = errors.0.len();
            let mut dates: Vec<(NaiveDate, usize)> = Vec::with_capacity(list.len());
            for (i, text) in list.iter().enumerate() {
                if let Some(d) = parse_date(text, &format!("{path}/dates/{i}"), errors) {
                    dates.push((d, i));
                }
            }
            crate::sort::sort(&mut dates);
            for pair in dates.windows(2) {
                if pair[0].0 == pair[1].0 {
                    errors.push(
                        format!("{path}/dates/{}", pair[1].1),
                        format!("{} is listed twice (also at {path}/dates/{})", pair[1].0, pair[0].1),
                    );
                }
            }
            (errors.0.len() == before).then(|| When::Dates(dates.into_iter().map(|(d, _)| d).collect()))
        }
        "from/to" => {
            let (Some(f), Some(t)) = (&raw.from, &raw.to) else {
                errors.push(path, "a closure period needs both \"from\" and \"to\"");
                return None;
            };
            let (f, t) =
                (parse_date(f, &format!("{path}/from"), errors)?, parse_date(t, &format!("{path}/to"), errors)?);
            if t < f {
                errors.push(format!("{path}/to"), format!("\"to\" ({t}) is before \"from\" ({f})"));
                return None;
            }
            Some(When::Period(f, t))
        }
        "easter" => {
            let e = raw.easter?;
            if !(-200..=200).contains(&e) {
                errors.push(
                    format!("{path}/easter"),
                    format!("an Easter offset of {e} days is out of range (-200 to 200)"),
                );
                return None;
            }
            Some(When::Easter(e))
        }
        _ => {
            let month = raw.month?;
            if !(1..=12).contains(&month) {
                errors.push(format!("{path}/month"), format!("month {month} does not exist (1 to 12)"));
                return None;
            }
            let weekday = match &raw.weekday {
                None => None,
                Some(w) => match parse_weekday(w) {
                    Some(w) => Some(w),
                    None => {
                        errors.push(format!("{path}/weekday"), format!("\"{w}\" is not a weekday (mon … sun)"));
                        return None;
                    }
                },
            };
            if let Some(day) = raw.day
                && (day == 0 || day > days_in_month(month))
            {
                errors.push(format!("{path}/day"), format!("{} {day} does not exist", MONTHS[month as usize - 1]));
                return None;
            }
            match (raw.day, weekday, raw.nth, raw.relation) {
                (Some(day), None, None, None) => Some(When::Fixed { month, day }),
                (None, Some(weekday), Some(nth), None) => {
                    if !(1..=5).contains(&nth) && nth != -1 {
                        errors
                            .push(format!("{path}/nth"), format!("nth must be 1 to 5, or -1 for the last, not {nth}"));
                        return None;
                    }
                    Some(When::Nth { month, weekday, nth })
                }
                (Some(day), Some(weekday), None, Some(relation)) => {
                    Some(When::Relative { month, day, weekday, relation })
                }
                _ => {
                    errors.push(path, "a \"month\" rule takes \"day\"; or \"weekday\" and \"nth\"; or \"day\", \"weekday\" and \"relation\"");
                    None
                }
            }
        }
    }
}

/// Expands a team's `holidays` list into rules in priority order, its presets from `presets`.
pub(crate) fn compile_entries(
    entries: &[HolidayEntry],
    path: &str,
    presets: &crate::preset::PresetSource<'_>,
    errors: &mut ConfigErrors,
) -> Vec<Rule> {
    let mut rules = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let p = format!("{path}/{i}");
        match entry {
            HolidayEntry::Preset(id) => match presets.get(id) {
                Ok(preset) => rules.extend(preset.rules.iter().cloned()),
                Err(e) => errors.push(p, e),
            },
            HolidayEntry::PresetExcept(r) => match presets.get(&r.preset) {
                Ok(preset) => {
                    for (j, name) in r.except.iter().enumerate() {
                        if !preset.rules.iter().any(|rule| rule.is_named(name)) {
                            let mut names: Vec<&str> = preset.rules.iter().map(|r| r.name.as_str()).collect();
                            crate::sort::sort(&mut names);
                            names.dedup();
                            let hint = crate::suggest::did_you_mean(name, names.iter().copied())
                                .map(|s| format!(" (did you mean \"{s}\"?)"))
                                .unwrap_or_default();
                            errors.push(
                                format!("{p}/except/{j}"),
                                format!("preset \"{}\" has no holiday named \"{name}\"{hint}", r.preset),
                            );
                        }
                    }
                    rules
                        .extend(preset.rules.iter().filter(|rule| !r.except.iter().any(|n| rule.is_named(n))).cloned());
                }
                Err(e) => errors.push(format!("{p}/preset"), e),
            },
            HolidayEntry::Rule(raw) => rules.extend(compile_rule(raw, &p, errors)),
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn easter_matches_published_dates() {
        // Published Western Easter Sundays.
        for (y, m, day) in [
            (2000, 4, 23),
            (2008, 3, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2038, 4, 25),
            (2049, 4, 18),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), Some(d(y, m, day)), "{y}");
        }
    }

    #[test]
    fn relations_pick_the_right_side() {
        let rule = |relation| Rule {
            name: "x".into(),
            when: When::Relative { month: 11, day: 1, weekday: Weekday::Wed, relation },
            observed: Observed::None,
            since: None,
            until: None,
            hours: None,
            estimated: false,
            localized: None,
            note: None,
            announce_from: None,
        };
        // 2023-11-01 is a Wednesday.
        assert_eq!(rule(Relation::OnOrAfter).actual_dates(2023), vec![d(2023, 11, 1)]);
        assert_eq!(rule(Relation::After).actual_dates(2023), vec![d(2023, 11, 8)]);
        assert_eq!(rule(Relation::OnOrBefore).actual_dates(2023), vec![d(2023, 11, 1)]);
        assert_eq!(rule(Relation::Before).actual_dates(2023), vec![d(2023, 10, 25)]);
        // 2024-11-01 is a Friday.
        assert_eq!(rule(Relation::OnOrAfter).actual_dates(2024), vec![d(2024, 11, 6)]);
        assert_eq!(rule(Relation::OnOrBefore).actual_dates(2024), vec![d(2024, 10, 30)]);
    }

    #[test]
    fn nth_five_is_absent_in_short_months_and_last_is_found() {
        let rule = |nth| Rule {
            name: "x".into(),
            when: When::Nth { month: 2, weekday: Weekday::Mon, nth },
            observed: Observed::None,
            since: None,
            until: None,
            hours: None,
            estimated: false,
            localized: None,
            note: None,
            announce_from: None,
        };
        assert!(rule(5).actual_dates(2023).is_empty());
        assert_eq!(rule(5).actual_dates(2016), vec![d(2016, 2, 29)]);
        assert_eq!(rule(-1).actual_dates(2023), vec![d(2023, 2, 27)]);
    }
}
