//! Hours on the open web: a coverage's hours as schema.org JSON-LD and as OpenStreetMap
//! `opening_hours` values, for search engines, maps, status pages and chatbots.
//!
//! Both formats write *local wall-clock* times without a zone, so a coverage is published
//! one team at a time: one `ContactPoint`, or one `opening_hours` value, per team, each in
//! its team's zone. (A coverage of New York and Berlin has no single "09:00" that both mean.)
//! An `always` coverage is the same in every zone.
//!
//! Special days (holidays, closures, reduced hours, schedule changes) between two dates are
//! written as dated entries: `validFrom`/`validThrough` in schema.org, dated rules in OSM.
//!
//! ```
//! use replyby_core::{load, TzTable, publish};
//! use chrono::NaiveDate;
//!
//! let schedule = load(replyby_core::DEMO_CONFIG, &TzTable)?;
//! let (from, to) = (NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
//! let hours = publish::osm(&schedule, "business", from, to)?;
//! assert_eq!(hours[0].opening_hours, "Mo-Fr 09:00-17:00; 2026 Dec 24 09:00-13:00; 2026 Dec 25 off");
//! let ld = publish::schema_org(&schedule, "business", from, to)?;
//! assert_eq!(ld["contactPoint"][0]["contactType"], "customer support");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::Error;
use crate::hours::Interval;
use crate::schedule::{Coverage, Schedule, Team};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;
use serde_json::{Value, json};

/// The longest range of dates one call publishes (about three years).
pub const MAX_RANGE_DAYS: i64 = 1100;

/// A local time span of one day, in minutes after its midnight, `0 ≤ start < end ≤ 1440`.
pub type DaySpan = (u16, u16);

/// One team's `opening_hours` value, as [`osm`] answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OsmHours {
    /// Team id; `None` for an `always` coverage.
    pub team: Option<String>,
    /// The zone its times are in; `None` for an `always` coverage.
    pub timezone: Option<String>,
    /// The OSM `opening_hours` value.
    pub opening_hours: String,
}

const OSM_DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
const OSM_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SCHEMA_DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

fn coverage<'a>(schedule: &'a Schedule, id: &str) -> Result<&'a Coverage, Error> {
    schedule.coverages.iter().find(|c| c.id == id).ok_or_else(|| Error::UnknownCoverage(id.to_owned()))
}

fn check_dates(from: NaiveDate, to: NaiveDate) -> Result<(), Error> {
    for d in [from, to] {
        if !(1900..2500).contains(&d.year()) {
            return Err(Error::OutOfRange(d.to_string()));
        }
    }
    let days = (to - from).num_days();
    if days < 0 {
        return Err(Error::BadRange(format!("the first date ({from}) is after the last ({to})")));
    }
    if days >= MAX_RANGE_DAYS {
        return Err(Error::BadRange(format!(
            "{from} to {to} is {} days; publish at most {MAX_RANGE_DAYS} at a time",
            days + 1
        )));
    }
    Ok(())
}

/// The weekly part of a team's hours as an OSM `opening_hours` value: days with the same
/// intervals share a rule (`Mo-Fr 09:00-17:00, Su 22:00-06:00`); an overnight interval is
/// written as OSM writes it, ending on the next day (`22:00-06:00`). Always open is `24/7`,
/// never open `closed`.
pub fn osm_weekly(week: &[Vec<Interval>; 7]) -> String {
    if week.iter().all(|d| d.len() == 1 && d[0].start == 0 && d[0].end == 1440) {
        return "24/7".to_owned();
    }
    let mut rules: Vec<String> = Vec::new();
    let mut done = [false; 7];
    for first in 0..7 {
        if done[first] || week[first].is_empty() {
            continue;
        }
        let same: Vec<usize> = (first..7).filter(|&d| week[d] == week[first]).collect();
        for &d in &same {
            done[d] = true;
        }
        let times: Vec<String> = week[first].iter().map(ToString::to_string).collect();
        rules.push(format!("{} {}", osm_day_list(&same), times.join(",")));
    }
    // `,` (OSM's additional rule) rather than `;`: a later `;` rule would replace the whole
    // of each day it names, the morning of an overnight shift from the day before included.
    if rules.is_empty() { "closed".to_owned() } else { rules.join(", ") }
}

/// `[0, 1, 2, 4]` → `Mo-We,Fr`.
fn osm_day_list(days: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let mut j = i;
        while j + 1 < days.len() && days[j + 1] == days[j] + 1 {
            j += 1;
        }
        parts.push(match j - i {
            0 => OSM_DAYS[days[i]].to_owned(),
            1 => format!("{},{}", OSM_DAYS[days[i]], OSM_DAYS[days[j]]),
            _ => format!("{}-{}", OSM_DAYS[days[i]], OSM_DAYS[days[j]]),
        });
        i = j + 1;
    }
    parts.join(",")
}

/// The intervals that start on `date` for a team: its holiday's or change's (reduced
/// hours, or none when closed), else its weekday's.
fn starting_on(team: &Team, date: NaiveDate) -> &[Interval] {
    match team.holidays.on(date) {
        Some(h) => h.rule.hours.as_deref().unwrap_or(&[]),
        None => team.hours_on(date.weekday()),
    }
}

/// The open spans of local date D: the parts of D's intervals before midnight and the
/// parts of D−1's overnight intervals after it, merged where they touch.
fn day_spans(today: &[Interval], yesterday: &[Interval]) -> Vec<DaySpan> {
    let mut spans: Vec<DaySpan> = today.iter().map(|iv| (iv.start, iv.end.min(1440))).collect();
    spans.extend(yesterday.iter().filter(|iv| iv.end > 1440).map(|iv| (0, iv.end - 1440)));
    crate::sort::sort(&mut spans);
    let mut out: Vec<DaySpan> = Vec::new();
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// When a team is open on local date `date`, in wall-clock minutes of that day, counting
/// its holidays and schedule changes (an overnight interval of the day before counts on
/// this one after midnight). Local wall-clock time: what OSM and schema.org can say.
pub fn local_day(team: &Team, date: NaiveDate) -> Vec<DaySpan> {
    let yesterday = date.pred_opt().map_or(&[][..], |d| starting_on(team, d));
    day_spans(starting_on(team, date), yesterday)
}

/// The same day by the weekly hours alone, as a reader of the weekly rule sees it.
fn weekly_day(team: &Team, date: NaiveDate) -> Vec<DaySpan> {
    day_spans(team.hours_on(date.weekday()), team.hours_on(date.weekday().pred()))
}

fn clock(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn osm_date(d: NaiveDate) -> String {
    format!("{} {} {:02}", d.year(), OSM_MONTHS[d.month0() as usize], d.day())
}

/// One team's `opening_hours`: the weekly hours, then a dated rule for each date from
/// `from` to `to` on which the team's day differs from them — `2027 Dec 25 off` for a
/// closed day, `2027 Dec 24 09:00-13:00` for reduced hours. A dated rule states the whole
/// local day, so a holiday that cancels an overnight shift also dates the morning after.
pub fn osm_team(team: &Team, from: NaiveDate, to: NaiveDate) -> String {
    let mut rules = vec![osm_weekly(&team.week)];
    for date in from.iter_days().take_while(|d| *d <= to) {
        let actual = local_day(team, date);
        if actual == weekly_day(team, date) {
            continue;
        }
        let when = osm_date(date);
        rules.push(if actual.is_empty() {
            format!("{when} off")
        } else {
            let spans: Vec<String> = actual.iter().map(|&(s, e)| format!("{}-{}", clock(s), clock(e))).collect();
            format!("{when} {}", spans.join(","))
        });
    }
    rules.join("; ")
}

/// A coverage's hours as OSM `opening_hours` values, one per team (each in its zone; see
/// the module docs), with the special days from `from` to `to` (inclusive) as dated rules.
/// An `always` coverage is one value, `24/7`.
pub fn osm(schedule: &Schedule, coverage_id: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<OsmHours>, Error> {
    let c = coverage(schedule, coverage_id)?;
    check_dates(from, to)?;
    if c.always {
        return Ok(vec![OsmHours { team: None, timezone: None, opening_hours: "24/7".to_owned() }]);
    }
    Ok(c.teams
        .iter()
        .map(|&t| {
            let team = &schedule.teams[t];
            OsmHours {
                team: Some(team.id.clone()),
                timezone: Some(schedule.config.teams[t].timezone.clone()),
                opening_hours: osm_team(team, from, to),
            }
        })
        .collect())
}

/// `HH:MM` for schema.org's `opens`/`closes`: the end of the day (24:00) is written 23:59,
/// as schema.org's consumers read "00:00 to 23:59" as all day.
fn schema_time(m: u16) -> String {
    if m >= 1440 { "23:59".to_owned() } else { clock(m) }
}

fn schema_day(d: Weekday) -> String {
    format!("https://schema.org/{}", SCHEMA_DAYS[d.num_days_from_monday() as usize])
}

/// The weekly `OpeningHoursSpecification`s of a week: one per distinct interval, naming
/// every weekday it starts on; an overnight interval closes on the next day (`22:00` to
/// `06:00`).
fn schema_weekly(week: &[Vec<Interval>; 7]) -> Vec<Value> {
    let mut seen: Vec<Interval> = Vec::new();
    for day in week {
        for iv in day {
            if !seen.contains(iv) {
                seen.push(*iv);
            }
        }
    }
    crate::sort::sort(&mut seen);
    seen.iter()
        .map(|iv| {
            let days: Vec<String> = (0..7u8)
                .filter(|&d| week[usize::from(d)].contains(iv))
                .filter_map(|d| Weekday::try_from(d).ok())
                .map(schema_day)
                .collect();
            let closes = if iv.end > 1440 { clock(iv.end - 1440) } else { schema_time(iv.end) };
            json!({
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": days,
                "opens": clock(iv.start),
                "closes": closes,
            })
        })
        .collect()
}

/// The dated `OpeningHoursSpecification`s of a team from `from` to `to`: a closed day is
/// `opens` = `closes` = `00:00` (consecutive days of one closure share an entry), a reduced
/// day one entry per interval; each bounded by `validFrom`/`validThrough` and named.
fn schema_special(team: &Team, from: NaiveDate, to: NaiveDate) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut open_closure: Option<(String, NaiveDate, NaiveDate)> = None;
    let flush = |c: &mut Option<(String, NaiveDate, NaiveDate)>, out: &mut Vec<Value>| {
        if let Some((name, first, last)) = c.take() {
            out.push(json!({
                "@type": "OpeningHoursSpecification",
                "name": name,
                "opens": "00:00",
                "closes": "00:00",
                "validFrom": first.to_string(),
                "validThrough": last.to_string(),
            }));
        }
    };
    for h in team.holidays.between(from, to) {
        match h.rule.hours.as_deref() {
            None | Some([]) => match &mut open_closure {
                Some((name, _, last)) if *name == h.rule.name && last.succ_opt() == Some(h.date) => *last = h.date,
                _ => {
                    flush(&mut open_closure, &mut out);
                    open_closure = Some((h.rule.name.clone(), h.date, h.date));
                }
            },
            Some(hours) => {
                flush(&mut open_closure, &mut out);
                for iv in hours {
                    let closes = if iv.end > 1440 { clock(iv.end - 1440) } else { schema_time(iv.end) };
                    out.push(json!({
                        "@type": "OpeningHoursSpecification",
                        "name": h.rule.name,
                        "opens": clock(iv.start),
                        "closes": closes,
                        "validFrom": h.date.to_string(),
                        "validThrough": h.date.to_string(),
                    }));
                }
            }
        }
    }
    flush(&mut open_closure, &mut out);
    out
}

/// A coverage's hours as schema.org JSON-LD: an `Organization` (the company) whose
/// `contactPoint`s are `ContactPoint`s with `contactType` "customer support", named after
/// the coverage, with `hoursAvailable` as `OpeningHoursSpecification`s — the weekly hours,
/// then the closures and reduced days from `from` to `to` (inclusive) bounded by
/// `validFrom`/`validThrough`. Times are wall-clock times in the team's zone, which
/// schema.org cannot name, so there is one `ContactPoint` per team, its `description`
/// naming the zone. What the widget puts in a `<script type="application/ld+json">`.
pub fn schema_org(schedule: &Schedule, coverage_id: &str, from: NaiveDate, to: NaiveDate) -> Result<Value, Error> {
    let c = coverage(schedule, coverage_id)?;
    check_dates(from, to)?;
    let points: Vec<Value> = if c.always {
        let all: Vec<String> = (0..7u8).filter_map(|d| Weekday::try_from(d).ok()).map(schema_day).collect();
        vec![json!({
            "@type": "ContactPoint",
            "contactType": "customer support",
            "name": c.name,
            "hoursAvailable": [{
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": all,
                "opens": "00:00",
                "closes": "23:59",
            }],
        })]
    } else {
        c.teams
            .iter()
            .map(|&t| {
                let team = &schedule.teams[t];
                let name = if c.teams.len() == 1 { c.name.clone() } else { format!("{} — {}", c.name, team.name) };
                let mut hours = schema_weekly(&team.week);
                hours.extend(schema_special(team, from, to));
                json!({
                    "@type": "ContactPoint",
                    "contactType": "customer support",
                    "name": name,
                    "description": format!("{}: times in the {} time zone", team.name, schedule.config.teams[t].timezone),
                    "hoursAvailable": hours,
                })
            })
            .collect()
    };
    Ok(json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": schedule.config.company,
        "contactPoint": points,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(s: &str) -> Interval {
        Interval::parse(s).unwrap_or(Interval { start: 0, end: 1 })
    }

    #[test]
    fn weekly_groups_days_with_the_same_hours() {
        let mut week: [Vec<Interval>; 7] = Default::default();
        for d in [0, 1, 2, 4] {
            week[d] = vec![iv("09:00-12:00"), iv("13:00-17:00")];
        }
        week[3] = vec![iv("09:00-12:00")];
        week[6] = vec![iv("22:00-06:00")];
        assert_eq!(osm_weekly(&week), "Mo-We,Fr 09:00-12:00,13:00-17:00, Th 09:00-12:00, Su 22:00-06:00");
        assert_eq!(osm_weekly(&Default::default()), "closed");
        let all: [Vec<Interval>; 7] = std::array::from_fn(|_| vec![iv("00:00-24:00")]);
        assert_eq!(osm_weekly(&all), "24/7");
    }

    #[test]
    fn a_day_holds_the_night_shift_of_the_day_before() {
        assert_eq!(day_spans(&[iv("05:00-09:00")], &[iv("22:00-06:00")]), vec![(0, 540)]);
        assert_eq!(day_spans(&[iv("18:00-24:00")], &[]), vec![(1080, 1440)]);
    }
}
