//! Open time seen from another zone: a coverage's runs cut at the visitor's local
//! midnights, for the widget's "this week" list and its 7 × 24 coverage chart.

use crate::Error;
use crate::schedule::Schedule;
use crate::zone::{Instant, Zone, to_local};
use chrono::{DateTime, Days, NaiveDate, Timelike, Utc};

/// Open time on one local day, in wall-clock minutes after local midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalSpan {
    /// Start minute, 0 ≤ start < 1440.
    pub start: u16,
    /// End minute, start < end ≤ 1440 (1440: open through midnight).
    pub end: u16,
}

/// One local day of the viewer's zone and when the coverage is open in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayHours {
    /// The viewer's local date.
    pub date: NaiveDate,
    /// Open spans, in order.
    pub spans: Vec<LocalSpan>,
}

impl DayHours {
    /// Open minutes in each local hour (0–60), for a 24-cell chart row.
    pub fn hour_cells(&self) -> [u8; 24] {
        let mut cells = [0u8; 24];
        for s in &self.spans {
            for (h, cell) in cells.iter_mut().enumerate() {
                let (a, b) = (h as u16 * 60, h as u16 * 60 + 60);
                let overlap = s.end.min(b).saturating_sub(s.start.max(a));
                *cell = cell.saturating_add(overlap as u8).min(60);
            }
        }
        cells
    }
}

fn midnight(zone: &dyn Zone, date: NaiveDate) -> Instant {
    zone.resolve(crate::engine::local_midnight(date))
}

fn minutes(t: chrono::NaiveDateTime) -> u16 {
    (t.hour() * 60 + t.minute()) as u16
}

impl Schedule {
    /// The coverage's open time on `days` local dates of `zone` from `first`, each day's
    /// runs cut at that zone's midnights. A shift that crosses the viewer's midnight shows
    /// on both days.
    pub fn days_in_zone(
        &self,
        coverage: &str,
        zone: &dyn Zone,
        first: NaiveDate,
        days: u32,
    ) -> Result<Vec<DayHours>, Error> {
        let last =
            first.checked_add_days(Days::new(u64::from(days))).ok_or_else(|| Error::OutOfRange(first.to_string()))?;
        let (from, until) = (midnight(zone, first), midnight(zone, last));
        let runs = self.open_runs(coverage, crate::zone::to_utc(from), crate::zone::to_utc(until))?;
        let mut out: Vec<DayHours> = (0..days)
            .filter_map(|k| first.checked_add_days(Days::new(u64::from(k))))
            .map(|date| DayHours { date, spans: vec![] })
            .collect();
        for (s, e) in runs {
            let (s, e) = (to_local(zone, s.timestamp()), to_local(zone, e.timestamp()));
            let mut d = s.date();
            while d <= e.date() {
                let start = if d == s.date() { minutes(s) } else { 0 };
                let end = if d == e.date() { minutes(e) } else { 1440 };
                if end > start
                    && let Some(day) = out.iter_mut().find(|x| x.date == d)
                {
                    day.spans.push(LocalSpan { start, end });
                }
                match d.succ_opt() {
                    Some(n) => d = n,
                    None => break,
                }
            }
        }
        Ok(out)
    }

    /// The next instant after `at` at which what the widget shows can change: the
    /// coverage opening or closing, or a new local day in any of `zones`.
    pub fn next_boundary(
        &self,
        coverage: &str,
        at: DateTime<Utc>,
        zones: &[&dyn Zone],
    ) -> Result<DateTime<Utc>, Error> {
        let st = self.status(coverage, at)?;
        let t = at.timestamp();
        let mut next = st.closes_at.or(st.next_open).map_or(i64::MAX, |x| x.timestamp());
        for z in zones {
            let tomorrow = to_local(*z, t).date().succ_opt().map(|d| midnight(*z, d));
            if let Some(m) = tomorrow.filter(|m| *m > t) {
                next = next.min(m);
            }
        }
        Ok(crate::zone::to_utc(next))
    }
}

#[cfg(all(test, feature = "tz-table"))]
mod tests {
    use super::*;
    use crate::{TzTable, ZoneDb, load};

    fn shift(zone: &str, hours: &str) -> Schedule {
        let json = format!(
            r#"{{ "company": "A", "teams": [{{ "id": "t", "name": "T", "timezone": "{zone}", "hours": {hours} }}],
               "coverages": [{{ "id": "c", "name": "C", "teams": ["t"] }}], "plans": [] }}"#
        );
        load(&json, &TzTable).expect("config")
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn sydney_tuesday_night_shift_seen_from_tokyo_spans_two_days() {
        // Sydney Tue 22:00–Wed 06:00 (+11 in January) = Tokyo (+9) Tue 20:00 → Wed 04:00.
        let s = shift("Australia/Sydney", r#"{ "tue": ["22:00-06:00"] }"#);
        let tokyo = TzTable.zone("Asia/Tokyo").expect("zone");
        let week = s.days_in_zone("c", tokyo.as_ref(), d("2027-01-11"), 7).expect("week");
        let tue = &week[1];
        let wed = &week[2];
        assert_eq!(tue.date, d("2027-01-12"));
        assert_eq!(tue.spans, vec![LocalSpan { start: 20 * 60, end: 1440 }]);
        assert_eq!(wed.spans, vec![LocalSpan { start: 0, end: 4 * 60 }]);
        assert!(week.iter().enumerate().all(|(i, day)| i == 1 || i == 2 || day.spans.is_empty()));
        assert_eq!(tue.hour_cells()[19..].to_vec(), vec![0, 60, 60, 60, 60]);
    }

    #[test]
    fn new_york_hours_seen_from_berlin_across_the_dst_mismatch() {
        // 2027-03-15: New York is on EDT (from 14 March), Berlin still on CET: 6 hours apart, not 7.
        let s = shift("America/New_York", r#"{ "mon-fri": ["09:00-17:00"] }"#);
        let berlin = TzTable.zone("Europe/Berlin").expect("zone");
        let week = s.days_in_zone("c", berlin.as_ref(), d("2027-03-08"), 14).expect("week");
        assert_eq!(week[0].spans, vec![LocalSpan { start: 15 * 60, end: 23 * 60 }]);
        assert_eq!(week[7].spans, vec![LocalSpan { start: 14 * 60, end: 22 * 60 }]);
    }

    #[test]
    fn next_boundary_is_the_nearer_of_a_status_change_and_a_midnight() {
        let s = shift("America/New_York", r#"{ "mon-fri": ["09:00-17:00"] }"#);
        let ny = TzTable.zone("America/New_York").expect("zone");
        let tokyo = TzTable.zone("Asia/Tokyo").expect("zone");
        // Wed 2027-03-03 16:00 New York (21:00Z): closes at 22:00Z; Tokyo midnight is 15:00Z.
        let at: DateTime<Utc> = "2027-03-03T21:00:00Z".parse().expect("t");
        assert_eq!(s.next_boundary("c", at, &[ny.as_ref()]).expect("b").to_rfc3339(), "2027-03-03T22:00:00+00:00");
        let at: DateTime<Utc> = "2027-03-03T14:30:00Z".parse().expect("t");
        assert_eq!(
            s.next_boundary("c", at, &[ny.as_ref(), tokyo.as_ref()]).expect("b").to_rfc3339(),
            "2027-03-03T15:00:00+00:00"
        );
    }
}
