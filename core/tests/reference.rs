//! A deliberately slow, obviously-correct reference for the engine.
//!
//! - Local → instant is found by trying every offset the zone uses within two days and
//!   keeping the earliest that round-trips; in a gap, by locating the transition minute
//!   by minute and moving the wall-clock time later by the gap's length.
//! - Openness is "some interval of some team contains t", checked interval by interval.
//! - Every answer is found by walking forward one minute at a time.
//!
//! It shares only the holiday calendar with the engine (tested on its own against
//! official calendars) and the zones' raw `offset_at`.

use chrono::{Datelike, Days, NaiveDate};
use replyby_core::config::FirstReply;
use replyby_core::zone::{Instant, Zone, to_local};
use replyby_core::{Schedule, Team};
use std::cell::RefCell;
use std::collections::HashMap;

pub const MINUTE: i64 = 60;

fn local_midnight(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or_default()
}

/// DESIGN.md's local-time rule, by search.
pub fn resolve(zone: &dyn Zone, local: i64) -> Instant {
    let mut offsets: Vec<i32> = (-(2 * 96)..=(2 * 96)).map(|k| zone.offset_at(local + k * 900)).collect();
    offsets.sort_unstable();
    offsets.dedup();
    let fits: Vec<Instant> =
        offsets.iter().map(|o| local - i64::from(*o)).filter(|u| i64::from(zone.offset_at(*u)) == local - u).collect();
    if let Some(earliest) = fits.iter().min() {
        return *earliest;
    }
    // A gap: find the transition instant T whose wall clock jumps over `local`.
    let mut u = local - 2 * 86_400;
    while u < local + 2 * 86_400 {
        let (before, after) = (i64::from(zone.offset_at(u - MINUTE)), i64::from(zone.offset_at(u)));
        if after > before && u + before <= local && local < u + after {
            // Shift the wall-clock time later by the gap, then read it in the new offset.
            return (local + (after - before)) - after;
        }
        u += MINUTE;
    }
    panic!("local time {local} neither exists nor falls in a gap in {}", zone.name());
}

/// The intervals of a team that start on local date `d`, as instants (empty ones included;
/// they contain no instant).
fn intervals_on(team: &Team, d: NaiveDate) -> Vec<(Instant, Instant)> {
    let hours = match team.holidays.on(d) {
        Some(h) => h.rule.hours.clone().unwrap_or_default(),
        None => team.hours_on(d.weekday()).to_vec(),
    };
    hours
        .iter()
        .map(|iv| {
            let s = resolve(team.zone.as_ref(), local_midnight(d) + i64::from(iv.start) * 60);
            let e = resolve(team.zone.as_ref(), local_midnight(d) + i64::from(iv.end) * 60);
            (s, e)
        })
        .collect()
}

type Memo = HashMap<(usize, NaiveDate), Vec<(Instant, Instant)>>;

pub struct Reference<'a> {
    pub schedule: &'a Schedule,
    pub teams: Vec<usize>,
    /// Memo of `intervals_on` by (team, date): the walk asks for the same days often.
    memo: RefCell<Memo>,
}

impl<'a> Reference<'a> {
    pub fn new(schedule: &'a Schedule, teams: Vec<usize>) -> Self {
        Reference { schedule, teams, memo: RefCell::default() }
    }

    /// Open when any interval of any team, starting on a local date from two days before
    /// `t`'s date to the day after, contains `t`.
    pub fn is_open(&self, t: Instant) -> bool {
        self.teams.iter().any(|&i| {
            let team = &self.schedule.teams[i];
            let today = to_local(team.zone.as_ref(), t).date();
            (0..4u64).any(|k| {
                let Some(d) = today.checked_sub_days(Days::new(2)).and_then(|d| d.checked_add_days(Days::new(k)))
                else {
                    return false;
                };
                let mut memo = self.memo.borrow_mut();
                let list = memo.entry((i, d)).or_insert_with(|| intervals_on(team, d));
                list.iter().any(|(s, e)| *s <= t && t < *e)
            })
        })
    }

    /// The first minute boundary `m > t` (within `limit`) at which openness differs from `open`.
    fn next_change(&self, t: Instant, open: bool, limit: Instant) -> Option<Instant> {
        let mut m = t + MINUTE;
        while m <= limit {
            if self.is_open(m) != open {
                return Some(m);
            }
            m += MINUTE;
        }
        None
    }

    /// (open, closes_at, next_open), walking at most `limit` ahead.
    pub fn status(&self, t: Instant, limit: Instant) -> (bool, Option<Instant>, Option<Instant>) {
        let open = self.is_open(t);
        let change = self.next_change(t, open, limit);
        if open { (true, change, None) } else { (false, None, change) }
    }

    pub fn respond_by(&self, target: FirstReply, t: Instant, home: &Team, limit: Instant) -> Option<Instant> {
        let need = match target {
            FirstReply::Hours(h) => return Some(t + i64::from(h) * 3600),
            FirstReply::Minutes(m) => return Some(t + i64::from(m) * 60),
            FirstReply::BusinessHours(h) => i64::from(h) * 60,
            FirstReply::BusinessMinutes(m) => i64::from(m),
            FirstReply::BusinessDays(n) => return self.business_days(n, t, home, limit),
        };
        // Count open minutes; the target is met at the end of the minute that completes it.
        let mut counted = 0;
        let mut m = t;
        while m < limit {
            if self.is_open(m) {
                counted += 1;
                if counted == need {
                    return Some(m + MINUTE);
                }
            }
            m += MINUTE;
        }
        None
    }

    fn business_days(&self, n: u32, t: Instant, home: &Team, limit: Instant) -> Option<Instant> {
        let release = if self.is_open(t) { t } else { self.next_change(t, false, limit)? };
        let day_of = |i: Instant| to_local(home.zone.as_ref(), i).date();
        let d0 = day_of(release);
        let mut days: Vec<NaiveDate> = Vec::new();
        let mut last_end = None;
        let mut prev_open = true; // the run holding `release` started on or before d0
        let mut m = release;
        while m < limit {
            let open = self.is_open(m);
            if open && !prev_open {
                let d = day_of(m);
                if d > d0 && days.last() != Some(&d) {
                    if days.len() == n as usize {
                        return last_end;
                    }
                    days.push(d);
                }
            }
            if !open && prev_open && !days.is_empty() {
                last_end = Some(m);
            }
            prev_open = open;
            m += MINUTE;
        }
        None
    }
}
