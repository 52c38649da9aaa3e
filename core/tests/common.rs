use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use replyby_core::{Schedule, TzTable, load};

pub fn schedule(json: &str) -> Schedule {
    match load(json, &TzTable) {
        Ok(s) => s,
        Err(e) => panic!("config should load:\n{e}"),
    }
}

/// A config of one team, one coverage "c" and a plan "p" with the given target.
pub fn one_team(zone: &str, hours: &str, holidays: &str, first_reply: &str) -> Schedule {
    schedule(&format!(
        r#"{{ "company": "T", "teams": [{{ "id": "t", "name": "T", "timezone": "{zone}", "hours": {hours}, "holidays": {holidays} }}],
        "coverages": [{{ "id": "c", "name": "C", "teams": ["t"] }}],
        "plans": [{{ "id": "p", "name": "P", "coverage": "c", "first_reply": {first_reply} }}] }}"#
    ))
}

pub fn utc(s: &str) -> DateTime<Utc> {
    match s.parse() {
        Ok(t) => t,
        Err(e) => panic!("{s}: {e}"),
    }
}

/// A local wall-clock time in a zone (must be unambiguous), as UTC.
pub fn local(zone: &str, s: &str) -> DateTime<Utc> {
    let tz: chrono_tz::Tz = zone.parse().expect("zone");
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("local time");
    tz.from_local_datetime(&naive).single().expect("unambiguous").with_timezone(&Utc)
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

pub fn z(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| replyby_core::engine::rfc3339::format(&t))
}

pub fn s(t: DateTime<Utc>) -> String {
    replyby_core::engine::rfc3339::format(&t)
}
