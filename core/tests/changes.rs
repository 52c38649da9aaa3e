//! Schedule changes layered on a team's holidays: DST days, overnight shifts, year
//! boundaries, several zones; validation in `replyby check`'s words; and a property test of
//! the layering against an obviously-correct reading of the rule "a change wins on its dates,
//! elsewhere the team's own holidays decide".

use crate::common::{date, utc, z};
use proptest::prelude::*;
use replyby_core::changes::{Change, apply};
use replyby_core::{Schedule, TzTable, parse};

fn change(json: &str) -> Change {
    Change::parse(json).unwrap_or_else(|e| panic!("change should read:\n{e}"))
}

fn with_changes(config: &str, changes: &[&str]) -> Schedule {
    let base = parse(config).unwrap_or_else(|e| panic!("config should read:\n{e}"));
    let changes: Vec<Change> = changes.iter().map(|c| change(c)).collect();
    for c in &changes {
        let problems = c.check(&base);
        assert!(problems.is_empty(), "{problems}");
    }
    Schedule::new(apply(&base, &changes), &TzTable).unwrap_or_else(|e| panic!("layered config should load:\n{e}"))
}

fn team(zone: &str, hours: &str, holidays: &str) -> String {
    format!(
        r#"{{ "company": "T", "teams": [{{ "id": "t", "name": "T", "timezone": "{zone}", "hours": {hours}, "holidays": {holidays} }}],
        "coverages": [{{ "id": "c", "name": "C", "teams": ["t"] }}],
        "plans": [{{ "id": "p", "name": "P", "coverage": "c", "first_reply": {{ "business_days": 1 }} }}] }}"#
    )
}

#[test]
fn nyc_christmas_eve_2027_reduced_hours_win_over_the_observed_federal_holiday() {
    // 25 Dec 2027 is a Saturday, so the US preset closes Friday 24 Dec (observed). Staff open
    // 10:00-14:00 that Friday anyway: the change comes first and decides the day.
    let base = team("America/New_York", r#"{ "mon-fri": ["09:00-17:00"] }"#, r#"["us"]"#);
    let before = with_changes(&base, &[]);
    assert!(!before.status("c", utc("2027-12-24T16:00:00Z")).expect("status").open);
    let s = with_changes(&base, &[r#"{"team":"t","name":"Holiday rush","date":"2027-12-24","hours":["10:00-14:00"]}"#]);
    let st = s.status("c", utc("2027-12-24T16:00:00Z")).expect("status");
    assert!(st.open);
    assert_eq!(z(st.closes_at).as_deref(), Some("2027-12-24T19:00:00Z"));
    let days = s.closed_days("c", date("2027-12-24"), date("2027-12-24")).expect("closed days");
    assert_eq!((days[0].name.as_str(), days[0].hours.clone()), ("Holiday rush", vec!["10:00-14:00".to_owned()]));
}

#[test]
fn nyc_spring_forward_closure_of_an_overnight_team_keeps_the_shift_that_started_the_day_before() {
    // Nights 22:00-06:00 every day; closed on Sunday 14 March 2027, the day clocks spring
    // forward. The shift that starts on Saturday still runs to 06:00 EDT on Sunday (10:00Z);
    // Sunday's own shift is gone; Monday's starts at 22:00 EDT (02:00Z Tuesday).
    let base = team("America/New_York", r#"{ "mon-sun": ["22:00-06:00"] }"#, "[]");
    let s = with_changes(&base, &[r#"{"team":"t","name":"Offsite","date":"2027-03-14","note":"Team offsite"}"#]);
    let early = s.status("c", utc("2027-03-14T09:00:00Z")).expect("status");
    assert!(early.open);
    assert_eq!(z(early.closes_at).as_deref(), Some("2027-03-14T10:00:00Z"));
    let later = s.status("c", utc("2027-03-15T01:00:00Z")).expect("status");
    assert!(!later.open);
    assert_eq!(z(later.next_open).as_deref(), Some("2027-03-16T02:00:00Z"));
    assert_eq!(serde_json::to_value(&later.reason).expect("json")["name"], "Offsite");
    // A request then is released Monday 22:00 EDT and, one business day on, answered by the
    // end of Tuesday's shift (Wednesday 06:00 EDT).
    let q = s.quote("p", utc("2027-03-14T12:00:00Z")).expect("quote");
    assert_eq!(z(Some(q.release_at)).as_deref(), Some("2027-03-16T02:00:00Z"));
    assert_eq!(z(Some(q.respond_by)).as_deref(), Some("2027-03-17T10:00:00Z"));
}

#[test]
fn a_reduced_day_cuts_an_overnight_shift_short() {
    // Berlin, nights 20:00-04:00. Reduced hours 20:00-23:00 on Saturday 27 March 2027 (the
    // night clocks spring forward): the shift that starts that evening ends at 23:00 CET.
    let base = team("Europe/Berlin", r#"{ "mon-sun": ["20:00-04:00"] }"#, "[]");
    let plain = with_changes(&base, &[]);
    assert_eq!(
        z(plain.status("c", utc("2027-03-27T21:00:00Z")).expect("status").closes_at).as_deref(),
        Some("2027-03-28T02:00:00Z"),
        "without the change, the night runs to 04:00 CEST"
    );
    let s = with_changes(&base, &[r#"{"team":"t","name":"Short night","date":"2027-03-27","hours":["20:00-23:00"]}"#]);
    let st = s.status("c", utc("2027-03-27T21:00:00Z")).expect("status");
    assert_eq!(z(st.closes_at).as_deref(), Some("2027-03-27T22:00:00Z"));
    let after = s.status("c", utc("2027-03-27T23:30:00Z")).expect("status");
    assert!(!after.open);
    // Sunday's shift starts 20:00 CEST.
    assert_eq!(z(after.next_open).as_deref(), Some("2027-03-28T18:00:00Z"));
    // The shift that started on Friday is untouched: open at 01:00 CET Saturday.
    assert!(s.status("c", utc("2027-03-27T00:00:00Z")).expect("status").open);
}

#[test]
fn nyc_fall_back_reduced_hours_starting_in_the_fold_start_at_the_earlier_instant() {
    // 7 Nov 2027, 01:30 happens twice in New York: the earlier (EDT, 05:30Z) is meant. Until
    // 03:00 EST (08:00Z): two and a half hours open.
    let base = team("America/New_York", r#"{ "mon-sun": ["09:00-17:00"] }"#, "[]");
    let s = with_changes(&base, &[r#"{"team":"t","name":"Night watch","date":"2027-11-07","hours":["01:30-03:00"]}"#]);
    let st = s.status("c", utc("2027-11-07T05:00:00Z")).expect("status");
    assert_eq!(z(st.next_open).as_deref(), Some("2027-11-07T05:30:00Z"));
    let open = s.status("c", utc("2027-11-07T05:30:00Z")).expect("status");
    assert_eq!(z(open.closes_at).as_deref(), Some("2027-11-07T08:00:00Z"));
}

#[test]
fn a_closure_across_the_new_year_in_tokyo_moves_release_into_january() {
    let base = team("Asia/Tokyo", r#"{ "mon-fri": ["09:00-18:00"] }"#, "[]");
    let s = with_changes(
        &base,
        &[
            r#"{"team":"t","name":"Year-end break","from":"2027-12-29","to":"2028-01-04","note":"Closed for the new year"}"#,
        ],
    );
    // Wednesday 29 Dec 2027 10:00 JST.
    let q = s.quote("p", utc("2027-12-29T01:00:00Z")).expect("quote");
    assert_eq!(z(Some(q.release_at)).as_deref(), Some("2028-01-05T00:00:00Z"));
    assert_eq!(z(Some(q.respond_by)).as_deref(), Some("2028-01-06T09:00:00Z"));
    let days = s.closed_days("c", date("2027-12-28"), date("2028-01-05")).expect("closed days");
    let dates: Vec<String> = days.iter().map(|d| d.date.to_string()).collect();
    assert_eq!(dates.first().map(String::as_str), Some("2027-12-29"));
    assert_eq!(dates.last().map(String::as_str), Some("2028-01-04"));
    assert_eq!(days.len(), 7);
    // The note is announced 14 days before the period's first day, on every day of it.
    assert!(days.iter().all(|d| d.announce_from == Some(date("2027-12-15"))));
}

#[test]
fn two_zones_each_change_is_read_in_its_own_team_zone() {
    let config = r#"{ "company": "T", "teams": [
        { "id": "nyc", "name": "New York", "timezone": "America/New_York", "hours": { "mon-fri": ["09:00-17:00"] } },
        { "id": "syd", "name": "Sydney", "timezone": "Australia/Sydney", "hours": { "mon-fri": ["09:00-17:00"] } }],
      "coverages": [{ "id": "c", "name": "C", "teams": ["nyc", "syd"] }],
      "plans": [{ "id": "p", "name": "P", "coverage": "c", "first_reply": { "business_hours": 1 } }] }"#;
    // Sydney closes Wednesday 10 March 2027 (its own date); New York is open as ever that day.
    let s = with_changes(config, &[r#"{"team":"syd","name":"Offsite","date":"2027-03-10"}"#]);
    // 10:00 AEDT on 10 March = 23:00Z on 9 March: Sydney would be open, New York is not.
    let st = s.status("c", utc("2027-03-09T23:00:00Z")).expect("status");
    assert!(!st.open);
    // Next: New York's Wednesday 09:00 EST (14:00Z).
    assert_eq!(z(st.next_open).as_deref(), Some("2027-03-10T14:00:00Z"));
}

#[test]
fn a_notice_keeps_the_hours_and_shows_from_its_announce_date_until_its_last_day() {
    let base = team("Europe/Berlin", r#"{ "mon-fri": ["09:00-17:00"] }"#, "[]");
    let s = with_changes(
        &base,
        &[
            r#"{"team":"t","name":"Slow week","from":"2027-03-08","to":"2027-03-12","closed":false,"note":"Replies are slower this week","announce_from":"2027-03-05"}"#,
        ],
    );
    assert!(s.status("c", utc("2027-03-09T10:00:00Z")).expect("status").open);
    let c = &s.coverages[0];
    assert!(s.notices_on(c, date("2027-03-04")).is_empty());
    assert_eq!(s.notices_on(c, date("2027-03-05"))[0].note, "Replies are slower this week");
    assert_eq!(s.notices_on(c, date("2027-03-12")).len(), 1);
    assert!(s.notices_on(c, date("2027-03-13")).is_empty());
}

#[test]
fn changes_with_problems_report_each_at_its_path_in_check_s_words() {
    let config = parse(replyby_core::DEMO_CONFIG).expect("demo");
    let problems = |json: &str| -> Vec<String> {
        match Change::parse(json) {
            Err(e) => e.iter().map(ToString::to_string).collect(),
            Ok(c) => c.check(&config).iter().map(ToString::to_string).collect(),
        }
    };
    assert_eq!(
        problems(r#"{"team":"nyk","name":"X","date":"2027-02-30","hours":["25:00-26:00"]}"#),
        vec![
            "/team: no team has id \"nyk\" (did you mean \"nyc\"?)".to_owned(),
            "/date: \"2027-02-30\" is not a real date YYYY-MM-DD".to_owned(),
            "/hours/0: interval \"25:00-26:00\": \"25:00\" is not a time of day (00:00 to 23:59, or 24:00 at an end)"
                .to_owned(),
        ]
    );
    assert_eq!(
        problems(r#"{"team":"nyc","name":"X","closed":false,"from":"2027-03-02","to":"2027-03-01"}"#),
        vec!["/note: a notice needs a \"note\": the text customers see".to_owned()]
    );
    assert_eq!(
        problems(r#"{"team":"nyc","name":"X","when":"friday"}"#)[0],
        "/when: unknown field \"when\" (fields: id, team, name, date, from, to, hours, note, announce_from, closed)"
    );
    assert_eq!(
        problems(r#"{"team":"nyc","name":"X"}"#),
        vec!["/: a closure needs \"date\", or \"from\" and \"to\"".to_owned()]
    );
    assert_eq!(
        problems(r#"{"team":"nyc","name":"X","date":"2027-03-01","note":"  "}"#),
        vec!["/note: customer-facing text must not be empty".to_owned()]
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// On every date of two years, the layered calendar names exactly what the slow rule
    /// says: the newest change covering the date, else the team's own holiday, else nothing.
    #[test]
    fn layering_matches_the_newest_change_else_the_team_s_own_holidays(
        spans in proptest::collection::vec((0i64..700, 0i64..20, proptest::option::of(0u32..20)), 0..6),
        preset in prop_oneof![Just("us"), Just("de"), Just("gb-eng"), Just("jp")],
    ) {
        let base = team("America/New_York", r#"{ "mon-fri": ["09:00-17:00"] }"#, &format!(r#"["{preset}"]"#));
        let config = parse(&base).expect("config");
        let start = date("2027-01-01");
        let changes: Vec<Change> = spans.iter().enumerate().map(|(i, (from, len, reduced))| {
            let a = start + chrono::Duration::days(*from);
            let b = a + chrono::Duration::days(*len);
            Change {
                team: "t".into(),
                name: format!("C{i}"),
                from: Some(a.to_string()),
                to: Some(b.to_string()),
                hours: reduced.map(|h| vec![format!("{:02}:00-{:02}:30", h, h)]),
                closed: true,
                ..Change::default()
            }
        }).collect();
        // In the order they were made: the newest covering change wins.
        let plain = Schedule::new(config.clone(), &TzTable).expect("plain");
        let layered = Schedule::new(apply(&config, &changes), &TzTable).expect("layered");
        let to = date("2028-12-31");
        let got = layered.closed_days("c", start, to).expect("closed days");
        let own = plain.closed_days("c", start, to).expect("closed days");
        let mut want = Vec::new();
        let mut d = start;
        while d <= to {
            let by_change = changes.iter().rev().find(|c| c.span().is_some_and(|(a, b)| a <= d && d <= b));
            match by_change {
                Some(c) => want.push((d, c.name.clone(), c.hours.clone().unwrap_or_default())),
                None => {
                    if let Some(h) = own.iter().find(|h| h.date == d) {
                        want.push((d, h.name.clone(), h.hours.clone()));
                    }
                }
            }
            d = d.succ_opt().expect("date");
        }
        let got: Vec<_> = got.into_iter().map(|h| (h.date, h.name, h.hours)).collect();
        prop_assert_eq!(got, want);
    }
}
