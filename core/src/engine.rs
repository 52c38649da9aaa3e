//! The engine: open intervals, coverage runs, and every time DESIGN.md defines.
//!
//! Everything walks forward from an instant through *runs*: maximal stretches during
//! which a coverage is open, built lazily by merging each team's intervals in start order.

use crate::Error;
use crate::config::FirstReply;
use crate::holidays::Rule;
use crate::hours::Interval;
use crate::schedule::{Coverage, Schedule, Team};
use crate::zone::{Instant, Zone, to_local, to_utc};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

/// How far ahead (in local days) the engine looks before it says "never".
pub const HORIZON_DAYS: u32 = 3 * 366;

/// An open span `[start, end)` as UTC date-times.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// One merged open run of a coverage, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// First open instant (for the run holding the search start, no earlier than a day before it).
    pub start: Instant,
    /// First closed instant.
    pub end: Instant,
    /// False when the horizon was reached while the run was still open, so it may last longer.
    pub end_known: bool,
}

/// Seconds since 1970-01-01T00:00 local at the start of `date`.
pub(crate) fn local_midnight(date: NaiveDate) -> i64 {
    (i64::from(date.num_days_from_ce()) - 719_163) * 86_400
}

/// What is known of a zone's offset near the instants a walk asks about: it is the same
/// over all of `[from, to]`. Each new instant costs one zone lookup, and most cost none.
///
/// It relies on one fact of the zone database: no zone changes its offset twice within
/// four days, so equal offsets at two instants less than four days apart mean no change
/// between them, and a known stretch grows by each such lookup that agrees with it.
#[derive(Debug, Clone, Copy)]
struct OffsetWindow {
    from: Instant,
    to: Instant,
    offset: i32,
}

/// Instants this close together with the same offset have the same offset between them.
const SAME_OFFSET_WITHIN: i64 = 4 * 86_400;
/// How far beyond the known stretch a lookup goes when a day needs more of it: as far as
/// the rule above allows, so one lookup serves the next three days or so.
const LOOK_AHEAD: i64 = SAME_OFFSET_WITHIN - 6 * 3600;
/// Local intervals of date D lie in local [D 00:00, D+2 00:00]; offsets are within ±15 h.
const WINDOW_BEFORE: i64 = 15 * 3600;
const WINDOW_AFTER: i64 = 2 * 86_400 + 15 * 3600;

impl OffsetWindow {
    fn at(zone: &dyn Zone, t: Instant) -> Self {
        OffsetWindow { from: t, to: t, offset: zone.offset_at(t) }
    }

    /// The offset when it is the same over all of `[from, to]` (a day's window, 78 h),
    /// learning what it has to.
    fn constant_over(&mut self, zone: &dyn Zone, from: Instant, to: Instant) -> Option<i32> {
        let w = self;
        if from < w.from || from > w.to {
            let offset = zone.offset_at(from);
            if offset == w.offset && (w.from - from).max(from - w.to) < SAME_OFFSET_WITHIN {
                (w.from, w.to) = (w.from.min(from), w.to.max(from));
            } else {
                *w = OffsetWindow { from, to: from, offset };
            }
        }
        if to > w.to {
            if zone.offset_at(w.to + LOOK_AHEAD) == w.offset {
                w.to += LOOK_AHEAD;
            } else if zone.offset_at(to) == w.offset {
                w.to = to;
            } else {
                return None;
            }
        }
        Some(w.offset)
    }
}

/// Walks one team's intervals forward, a local day at a time.
struct TeamCursor<'a> {
    team: &'a Team,
    next_date: NaiveDate,
    days_left: u32,
    /// The current day's intervals not yet taken, on a day whose offset is constant: each
    /// starts at `base` plus its local start.
    hours: &'a [Interval],
    base: Instant,
    /// On other days, the day's intervals as instants, sorted, and how many are taken.
    buf: Vec<(Instant, Instant)>,
    pos: usize,
    window: OffsetWindow,
    /// No holiday falls before this date; this is the one on it, if any.
    holiday: (NaiveDate, Option<&'a Rule>),
}

impl<'a> TeamCursor<'a> {
    fn new(team: &'a Team, from: Instant) -> Self {
        let window = OffsetWindow::at(team.zone.as_ref(), from);
        // Intervals starting the local day before can still be open at `from`.
        let date = to_utc(from + i64::from(window.offset)).date_naive();
        TeamCursor {
            team,
            next_date: date.pred_opt().unwrap_or(date),
            days_left: HORIZON_DAYS + 2,
            hours: &[],
            base: 0,
            buf: Vec::new(),
            pos: 0,
            window,
            holiday: (NaiveDate::MIN, None),
        }
    }

    /// Takes the open intervals of the team that start on local date `next_date`.
    /// A holiday on that date closes them or replaces them with its reduced hours.
    fn load_day(&mut self) {
        let date = self.next_date;
        self.buf.clear();
        self.pos = 0;
        if date > self.holiday.0 {
            let end_of_year = NaiveDate::from_ymd_opt(date.year(), 12, 31).unwrap_or(date);
            let next = self.team.holidays.first_between(date, end_of_year);
            self.holiday = next.map_or((end_of_year, None), |h| (h.date, Some(h.rule)));
        }
        let hours = match self.holiday {
            (d, Some(rule)) if d == date => rule.hours.as_deref().unwrap_or(&[]),
            _ => self.team.hours_on(date.weekday()),
        };
        if hours.is_empty() {
            return;
        }
        let zone = self.team.zone.as_ref();
        let midnight = local_midnight(date);
        // Hours are sorted and do not overlap (as `parse_day` leaves them), so on a day of
        // one offset their instants come in order as they are.
        debug_assert!(hours.windows(2).all(|w| w[0].end <= w[1].start));
        if let Some(o) = self.window.constant_over(zone, midnight - WINDOW_BEFORE, midnight + WINDOW_AFTER) {
            self.hours = hours;
            self.base = midnight - i64::from(o);
            return;
        }
        // The offset changes near this day: each local time by DESIGN.md's rule, then sorted.
        for iv in hours {
            let s = zone.resolve(midnight + i64::from(iv.start) * 60);
            let e = zone.resolve(midnight + i64::from(iv.end) * 60);
            // An interval that lies wholly inside a spring-forward gap does not happen that day.
            if e > s {
                self.buf.push((s, e));
            }
        }
        crate::sort::sort(&mut self.buf);
    }

    fn peek(&mut self) -> Option<(Instant, Instant)> {
        loop {
            if let Some(iv) = self.hours.first() {
                return Some((self.base + i64::from(iv.start) * 60, self.base + i64::from(iv.end) * 60));
            }
            if let Some(&iv) = self.buf.get(self.pos) {
                return Some(iv);
            }
            if self.days_left == 0 {
                return None;
            }
            self.load_day();
            self.days_left -= 1;
            self.next_date = self.next_date.succ_opt()?;
        }
    }

    fn take(&mut self) {
        match self.hours {
            [_, rest @ ..] => self.hours = rest,
            [] => self.pos += 1,
        }
    }

    fn exhausted(&self) -> bool {
        self.days_left == 0 && self.hours.is_empty() && self.pos == self.buf.len()
    }
}

/// A coverage's runs, in order, from about a day before an instant onwards.
pub struct Runs<'a> {
    cursors: Vec<TeamCursor<'a>>,
    /// `(t, after, holding)`: merging stops once a run starting after t is `after` long,
    /// or a run starting by t reaches `t + holding`, when only that much of each run is
    /// needed. What is left of a run then comes as the next one. [`WHOLE`]: never.
    cut: (Instant, i64, i64),
}

/// A [`Runs::cut`] that keeps runs whole.
const WHOLE: (Instant, i64, i64) = (Instant::MAX, 0, 0);

impl Runs<'_> {
    fn pop_min(&mut self, not_after: Option<Instant>) -> Option<(Instant, Instant)> {
        let mut best: Option<(usize, (Instant, Instant))> = None;
        for (i, c) in self.cursors.iter_mut().enumerate() {
            if let Some(iv) = c.peek()
                && best.is_none_or(|(_, b)| iv.0 < b.0)
            {
                best = Some((i, iv));
            }
        }
        let (i, iv) = best?;
        if not_after.is_some_and(|limit| iv.0 > limit) {
            return None;
        }
        self.cursors[i].take();
        Some(iv)
    }
}

impl Iterator for Runs<'_> {
    type Item = Run;

    fn next(&mut self) -> Option<Run> {
        let (start, mut end) = self.pop_min(None)?;
        let (t, after, holding) = self.cut;
        let cap = if start > t { start.saturating_add(after) } else { t.saturating_add(holding) };
        // Runs of several teams merge when they touch or overlap.
        while end < cap
            && let Some((_, e)) = self.pop_min(Some(end))
        {
            end = end.max(e);
        }
        let end_known = !self.cursors.iter().any(TeamCursor::exhausted);
        Some(Run { start, end, end_known })
    }
}

/// Where a closed coverage's closing comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// A holiday of the home team.
    Holiday {
        /// Its name ("Presidents' Day").
        name: String,
    },
    /// Simply outside the team's hours.
    OutsideHours,
}

/// `replyby status`: is the coverage open at an instant, and until or from when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// Coverage id.
    pub coverage: String,
    /// The instant asked about.
    #[serde(with = "rfc3339")]
    pub at: DateTime<Utc>,
    /// Open at `at`.
    pub open: bool,
    /// End of the open run holding `at`; `null` when closed or when it never closes.
    #[serde(with = "rfc3339::option")]
    pub closes_at: Option<DateTime<Utc>>,
    /// Start of the next run; `null` when open or when it never opens.
    #[serde(with = "rfc3339::option")]
    pub next_open: Option<DateTime<Utc>>,
    /// Why it is closed; `null` while open.
    pub reason: Option<Reason>,
}

/// `replyby quote`: what a request written at an instant gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// Plan id.
    pub plan: String,
    /// When it was written.
    #[serde(with = "rfc3339")]
    pub submitted_at: DateTime<Utc>,
    /// When the team gets it.
    #[serde(with = "rfc3339")]
    pub release_at: DateTime<Utc>,
    /// By when the customer hears back.
    #[serde(with = "rfc3339")]
    pub respond_by: DateTime<Utc>,
}

/// One closed (or reduced-hours) day of one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosedDay {
    /// The date, in the team's zone.
    pub date: NaiveDate,
    /// Team id.
    pub team: String,
    /// Holiday name.
    pub name: String,
    /// Reduced hours that day; empty when closed all day.
    pub hours: Vec<String>,
    /// Its source marks the date as an estimate (generated presets: lunar calendars).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub estimated: bool,
    /// The customer-facing note of a closure staff announced ("company retreat").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// With a note: the first date on which the widget shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announce_from: Option<NaiveDate>,
}

fn check_range(t: Instant) -> Result<(), Error> {
    // 1900-01-01 .. 2500-01-01 keeps every date computation inside chrono's range.
    if (-2_208_988_800..=16_725_225_600).contains(&t) {
        Ok(())
    } else {
        Err(Error::OutOfRange(crate::text::format_instant(to_utc(t))))
    }
}

fn check_date(d: NaiveDate) -> Result<(), Error> {
    if (1900..2500).contains(&d.year()) { Ok(()) } else { Err(Error::OutOfRange(d.to_string())) }
}

/// The earliest instant at which the coverage has been open for `need` seconds since `t`.
/// Reaching the target exactly at a run's end gives that end.
fn business_time(first: Run, rest: Runs<'_>, t: Instant, need: i64) -> Option<Instant> {
    let mut remaining = need;
    for r in std::iter::once(first).chain(rest) {
        let from = r.start.max(t);
        if remaining <= r.end - from {
            return Some(from + remaining);
        }
        if !r.end_known {
            return None;
        }
        remaining -= r.end - from;
    }
    None
}

impl Schedule {
    fn coverage(&self, id: &str) -> Result<&Coverage, Error> {
        self.coverages.iter().find(|c| c.id == id).ok_or_else(|| Error::UnknownCoverage(id.to_owned()))
    }

    fn plan_by_id(&self, id: &str) -> Result<&crate::Plan, Error> {
        self.plans.iter().find(|p| p.id == id).ok_or_else(|| Error::UnknownPlan(id.to_owned()))
    }

    /// The runs of a coverage with teams, from about a day before `from`.
    pub fn runs_from(&self, coverage: &Coverage, from: Instant) -> Runs<'_> {
        self.runs_cut(coverage, from, WHOLE)
    }

    fn runs_cut(&self, coverage: &Coverage, from: Instant, cut: (Instant, i64, i64)) -> Runs<'_> {
        Runs { cursors: coverage.teams.iter().map(|&t| TeamCursor::new(&self.teams[t], from)).collect(), cut }
    }

    /// The open runs of a coverage that overlap `[from, until)`, clipped to it. An
    /// `always` coverage gives the whole range.
    pub fn open_runs(&self, coverage: &str, from: DateTime<Utc>, until: DateTime<Utc>) -> Result<Vec<Span>, Error> {
        let c = self.coverage(coverage)?;
        let (f, u) = (from.timestamp(), until.timestamp());
        check_range(f)?;
        check_range(u)?;
        if c.always {
            return Ok(if f < u { vec![(from, until)] } else { vec![] });
        }
        Ok(self
            .runs_from(c, f)
            .take_while(|r| r.start < u)
            .filter(|r| r.end > f)
            .map(|r| (to_utc(r.start.max(f)), to_utc(r.end.min(u))))
            .collect())
    }

    /// DESIGN.md's `status(coverage, t)`.
    pub fn status(&self, coverage: &str, at: DateTime<Utc>) -> Result<Status, Error> {
        let c = self.coverage(coverage)?;
        let t = at.timestamp();
        check_range(t)?;
        let at = to_utc(t);
        let mut s = Status { coverage: c.id.clone(), at, open: true, closes_at: None, next_open: None, reason: None };
        if c.always {
            return Ok(s);
        }
        // Of a run after t only its start counts.
        match self.runs_cut(c, t, (t, 0, i64::MAX)).find(|r| r.end > t) {
            Some(r) if r.start <= t => {
                s.closes_at = r.end_known.then(|| to_utc(r.end));
            }
            next => {
                s.open = false;
                s.next_open = next.map(|r| to_utc(r.start));
                s.reason = Some(self.closed_reason(c, t, next.map(|r| r.start)));
            }
        }
        Ok(s)
    }

    fn closed_reason(&self, c: &Coverage, t: Instant, next_open: Option<Instant>) -> Reason {
        let home = &self.teams[c.teams[0]];
        let from = to_local(home.zone.as_ref(), t).date();
        let to = match next_open {
            Some(n) => to_local(home.zone.as_ref(), n).date().pred_opt().unwrap_or(from),
            None => from + chrono::Days::new(u64::from(HORIZON_DAYS)),
        };
        match home.holidays.first_between(from, to) {
            Some(h) => Reason::Holiday { name: h.rule.name.clone() },
            None => Reason::OutsideHours,
        }
    }

    /// DESIGN.md's `release_at(plan, t)`.
    pub fn release_at(&self, plan: &str, at: DateTime<Utc>) -> Result<DateTime<Utc>, Error> {
        self.quote(plan, at).map(|q| q.release_at)
    }

    /// DESIGN.md's `respond_by(plan, t)`.
    pub fn respond_by(&self, plan: &str, at: DateTime<Utc>) -> Result<DateTime<Utc>, Error> {
        self.quote(plan, at).map(|q| q.respond_by)
    }

    /// `release_at` and `respond_by` together, as `replyby quote` prints them: one walk
    /// over the coverage's runs answers both.
    pub fn quote(&self, plan: &str, at: DateTime<Utc>) -> Result<Quote, Error> {
        let p = self.plan_by_id(plan)?;
        let t = at.timestamp();
        check_range(t)?;
        let c = &self.coverages[p.coverage];
        let (release, respond) = self.release_and_respond(c, p.first_reply, t)?;
        Ok(Quote {
            plan: p.id.clone(),
            submitted_at: to_utc(t),
            release_at: to_utc(release),
            respond_by: to_utc(respond),
        })
    }

    fn release_and_respond(&self, c: &Coverage, target: FirstReply, t: Instant) -> Result<(Instant, Instant), Error> {
        let elapsed = match target {
            FirstReply::Hours(h) => Some(i64::from(h) * 3600),
            FirstReply::Minutes(m) => Some(i64::from(m) * 60),
            _ => None,
        };
        let business = match target {
            FirstReply::BusinessHours(h) => i64::from(h) * 3600,
            FirstReply::BusinessMinutes(m) => i64::from(m) * 60,
            _ => 0,
        };
        if c.always {
            // Validation rejects business days on an always-open coverage.
            return Ok((t, t + elapsed.unwrap_or(business)));
        }
        // Business time and the release need each run only as far as the target or t: a run
        // cut short there gives the same answers. Business days need whole runs.
        let cut = if matches!(target, FirstReply::BusinessDays(_)) { WHOLE } else { (t, business, business.max(1)) };
        let mut runs = self.runs_cut(c, t, cut);
        let first = runs.find(|r| r.end > t).ok_or_else(|| Error::NeverOpens {
            coverage: c.id.clone(),
            from: crate::text::format_instant(to_utc(t)),
            days: HORIZON_DAYS,
        })?;
        let release = first.start.max(t);
        let unreachable = || Error::TargetUnreachable {
            coverage: c.id.clone(),
            from: crate::text::format_instant(to_utc(t)),
            days: HORIZON_DAYS,
        };
        let respond = match (elapsed, target) {
            (Some(e), _) => Some(t + e),
            (None, FirstReply::BusinessDays(n)) => self.business_days(c, release, runs, n),
            (None, _) => business_time(first, runs, t, business),
        };
        Ok((release, respond.ok_or_else(unreachable)?))
    }

    /// The end of the last run that starts on the n-th home-zone business day after the
    /// release date. `rest` follows the run holding (or starting at) the release, which
    /// starts on or before that date and so is never counted.
    fn business_days(&self, c: &Coverage, release: Instant, rest: Runs<'_>, n: u32) -> Option<Instant> {
        let zone = self.teams[c.teams[0]].zone.as_ref();
        let d0 = to_local(zone, release).date();
        let mut count = 0;
        let mut day: Option<NaiveDate> = None;
        let mut last_end = None;
        for r in rest {
            let d = to_local(zone, r.start).date();
            if d <= d0 {
                continue;
            }
            if day != Some(d) {
                if count == n {
                    return last_end;
                }
                count += 1;
                day = Some(d);
            }
            last_end = r.end_known.then_some(r.end);
            last_end?;
        }
        None
    }

    /// DESIGN.md's `closed_days(coverage, from, to)`: sorted by date, then team id.
    pub fn closed_days(&self, coverage: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<ClosedDay>, Error> {
        let c = self.coverage(coverage)?;
        check_date(from)?;
        check_date(to)?;
        let mut out: Vec<ClosedDay> = c
            .teams
            .iter()
            .flat_map(|&t| {
                let team = &self.teams[t];
                team.holidays.between(from, to).into_iter().map(move |h| ClosedDay {
                    date: h.date,
                    team: team.id.clone(),
                    name: h.rule.name.clone(),
                    hours: h.rule.hours.iter().flatten().map(ToString::to_string).collect(),
                    estimated: h.rule.estimated,
                    note: h.rule.note.clone(),
                    announce_from: h.rule.note.as_ref().map(|_| h.announce_from()),
                })
            })
            .collect();
        crate::sort::sort_by(&mut out, |a, b| (a.date, &a.team).cmp(&(b.date, &b.team)));
        Ok(out)
    }
}

/// RFC 3339 in UTC with seconds and `Z`, as DESIGN.md prints every instant.
pub mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::Serializer;

    /// Formats one instant.
    pub fn format(t: &DateTime<Utc>) -> String {
        crate::text::format_instant(*t)
    }

    /// serde `with` helper.
    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(t))
    }

    /// serde `with` helper for optional instants.
    pub mod option {
        use chrono::{DateTime, Utc};
        use serde::Serializer;

        /// serde `with` helper.
        pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.serialize_str(&super::format(t)),
                None => s.serialize_none(),
            }
        }
    }
}
