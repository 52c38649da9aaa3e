//! The closed-days iCalendar feed (RFC 5545), one all-day event per closed day and team.

use super::deliver::ics::{escape_text as escape, fold};
use chrono::{DateTime, Days, NaiveDate, Utc};
use replyby_core::ClosedDay;

fn ymd(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// The feed for a coverage.
pub fn feed(
    company: &str,
    coverage_id: &str,
    coverage_name: &str,
    team_names: &[(String, String)],
    days: &[ClosedDay],
    now: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for line in [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//replyby//closed days//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{}", escape(&format!("{company} — {coverage_name}: closed days"))),
        "REFRESH-INTERVAL;VALUE=DURATION:PT12H".to_owned(),
    ] {
        fold(&line, &mut out);
    }
    for d in days {
        let team = team_names.iter().find(|(id, _)| *id == d.team).map(|(_, n)| n.as_str()).unwrap_or(&d.team);
        let summary = if d.hours.is_empty() {
            format!("{team}: closed for {}", d.name)
        } else {
            format!("{team}: reduced hours {} ({})", d.hours.join(", "), d.name)
        };
        let end = d.date.checked_add_days(Days::new(1)).unwrap_or(d.date);
        for line in [
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}-{}-{}@replyby", ymd(d.date), escape(&d.team), escape(coverage_id)),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", ymd(d.date)),
            format!("DTEND;VALUE=DATE:{}", ymd(end)),
            format!("SUMMARY:{}", escape(&summary)),
            "TRANSP:TRANSPARENT".to_owned(),
            "END:VEVENT".to_owned(),
        ] {
            fold(&line, &mut out);
        }
    }
    fold("END:VCALENDAR", &mut out);
    out
}
