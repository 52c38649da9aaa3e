//! DESIGN.md's semantics at their edges, one scenario a test. Expected instants are
//! worked out by hand from the zones' published rules.

use crate::common::{date, local, one_team, s, schedule, utc, z};
use replyby_core::{DEMO_CONFIG, Error, Reason};

const WEEKDAYS: &str = r#"{ "mon-fri": ["09:00-17:00"] }"#;
const BD1: &str = r#"{ "business_days": 1 }"#;

#[test]
fn presidents_day_closes_nyc_and_reopens_tuesday() {
    let s_ = one_team("America/New_York", WEEKDAYS, r#"["us"]"#, BD1);
    let st = s_.status("c", local("America/New_York", "2027-02-15 10:00")).expect("status");
    assert!(!st.open);
    assert_eq!(z(st.next_open).as_deref(), Some("2027-02-16T14:00:00Z"));
    assert_eq!(st.reason, Some(Reason::Holiday { name: "Washington's Birthday".into() }));
    assert_eq!(st.closes_at, None);
}

#[test]
fn friday_evening_request_is_released_monday_and_due_tuesday_at_close() {
    let s_ = one_team("America/New_York", WEEKDAYS, "[]", BD1);
    let q = s_.quote("p", local("America/New_York", "2027-03-05 20:00")).expect("quote");
    assert_eq!(s(q.release_at), "2027-03-08T14:00:00Z");
    // Still EST: US DST starts on 14 March 2027.
    assert_eq!(s(q.respond_by), "2027-03-09T22:00:00Z");
    let st = s_.status("c", local("America/New_York", "2027-03-05 20:00")).expect("status");
    assert_eq!(st.reason, Some(Reason::OutsideHours));
}

#[test]
fn open_run_status_gives_closes_at_and_no_reason() {
    let s_ = one_team("America/New_York", WEEKDAYS, "[]", BD1);
    let st = s_.status("c", utc("2027-03-03T15:00:00Z")).expect("status");
    assert!(st.open);
    assert_eq!(z(st.closes_at).as_deref(), Some("2027-03-03T22:00:00Z"));
    assert_eq!((st.next_open, st.reason), (None, None));
    // Half-open: open at the start instant, closed at the end instant.
    assert!(s_.status("c", utc("2027-03-03T14:00:00Z")).expect("status").open);
    assert!(!s_.status("c", utc("2027-03-03T22:00:00Z")).expect("status").open);
}

#[test]
fn nyc_spring_forward_interval_starting_at_0200_opens_at_0300_edt() {
    // 2024-03-10 is a Sunday; 02:00 does not exist and shifts to 03:00 EDT (07:00Z).
    let s_ = one_team("America/New_York", r#"{ "sun": ["02:00-04:00"] }"#, "[]", r#"{ "business_minutes": 30 }"#);
    let st = s_.status("c", utc("2024-03-10T06:59:00Z")).expect("status");
    assert_eq!(z(st.next_open).as_deref(), Some("2024-03-10T07:00:00Z"));
    let q = s_.quote("p", utc("2024-03-10T06:00:00Z")).expect("quote");
    assert_eq!(s(q.respond_by), "2024-03-10T07:30:00Z");
    let open = s_.status("c", utc("2024-03-10T07:30:00Z")).expect("status");
    assert_eq!(z(open.closes_at).as_deref(), Some("2024-03-10T08:00:00Z"));
}

#[test]
fn nyc_spring_forward_request_at_0230_wall_clock() {
    // An interval starting in the gap at 02:30 starts at 03:30 EDT.
    let s_ = one_team("America/New_York", r#"{ "sun": ["02:30-05:00"] }"#, "[]", r#"{ "hours": 1 }"#);
    let st = s_.status("c", utc("2024-03-10T05:00:00Z")).expect("status");
    assert_eq!(z(st.next_open).as_deref(), Some("2024-03-10T07:30:00Z"));
}

#[test]
fn nyc_fall_back_interval_ending_at_0130_ends_at_the_first_0130() {
    // 2024-11-03: 01:00–02:00 happens twice. "00:00-01:30" ends at 01:30 EDT (05:30Z);
    // "01:30-03:00" starts at 01:30 EDT and ends at 03:00 EST (08:00Z): 2.5 hours.
    let s_ = one_team("America/New_York", r#"{ "sun": ["00:00-01:30"] }"#, "[]", r#"{ "hours": 1 }"#);
    let st = s_.status("c", utc("2024-11-03T04:30:00Z")).expect("status");
    assert_eq!(z(st.closes_at).as_deref(), Some("2024-11-03T05:30:00Z"));
    let s2 = one_team("America/New_York", r#"{ "sun": ["01:30-03:00"] }"#, "[]", r#"{ "business_minutes": 150 }"#);
    let q = s2.quote("p", utc("2024-11-03T05:00:00Z")).expect("quote");
    assert_eq!(s(q.release_at), "2024-11-03T05:30:00Z");
    assert_eq!(s(q.respond_by), "2024-11-03T08:00:00Z");
}

#[test]
fn lord_howe_half_hour_spring_forward() {
    // Lord Howe: +10:30, and +11:00 from 2024-10-06 02:00 (clocks go to 02:30).
    // "02:00-03:00" on that Sunday opens at 02:30 (+11) = 15:30Z Saturday, closes 03:00 (+11).
    let s_ = one_team("Australia/Lord_Howe", r#"{ "sun": ["02:00-03:00"] }"#, "[]", r#"{ "business_minutes": 60 }"#);
    let st = s_.status("c", utc("2024-10-05T15:00:00Z")).expect("status");
    assert_eq!(z(st.next_open).as_deref(), Some("2024-10-05T15:30:00Z"));
    let q = s_.quote("p", utc("2024-10-05T15:00:00Z")).expect("quote");
    // Only 30 minutes that day; the next 30 come the following Sunday 02:00 (+11) = 15:00Z.
    assert_eq!(s(q.respond_by), "2024-10-12T15:30:00Z");
}

#[test]
fn lord_howe_half_hour_fall_back_takes_the_earlier_instant() {
    // 2024-04-07 02:00 (+11) → 01:30 (+10:30): 01:30–02:00 happens twice.
    // "01:45-03:00" starts at the first 01:45 (+11) = 14:45Z on the 6th.
    let s_ = one_team("Australia/Lord_Howe", r#"{ "sun": ["01:45-03:00"] }"#, "[]", r#"{ "hours": 1 }"#);
    let st = s_.status("c", utc("2024-04-06T14:00:00Z")).expect("status");
    assert_eq!(z(st.next_open).as_deref(), Some("2024-04-06T14:45:00Z"));
    let open = s_.status("c", utc("2024-04-06T15:00:00Z")).expect("status");
    assert_eq!(z(open.closes_at).as_deref(), Some("2024-04-06T16:30:00Z"));
}

#[test]
fn havana_dst_starts_at_midnight() {
    // Havana: 2024-03-10 00:00 (-5) → 01:00 (-4). A Saturday shift "20:00-24:00" ends at
    // the nonexistent midnight, i.e. 01:00 CDT = 05:00Z; Sunday "00:00-02:00" opens then.
    let hours = r#"{ "sat": ["20:00-24:00"], "sun": ["00:00-02:00"] }"#;
    let s_ = one_team("America/Havana", hours, "[]", r#"{ "business_minutes": 300 }"#);
    let st = s_.status("c", utc("2024-03-10T02:00:00Z")).expect("status");
    // The two intervals touch and merge into one run: 01:00Z → 06:00Z.
    assert_eq!(z(st.closes_at).as_deref(), Some("2024-03-10T06:00:00Z"));
    let q = s_.quote("p", utc("2024-03-10T01:00:00Z")).expect("quote");
    assert_eq!(s(q.respond_by), "2024-03-10T06:00:00Z");
}

#[test]
fn havana_fall_back_at_one_oclock() {
    // 2024-11-03 01:00 (-4) → 00:00 (-5). "00:30-03:00" starts at the first 00:30 (-4) = 04:30Z.
    let s_ = one_team("America/Havana", r#"{ "sun": ["00:30-03:00"] }"#, "[]", r#"{ "hours": 1 }"#);
    let st = s_.status("c", utc("2024-11-03T04:00:00Z")).expect("status");
    assert_eq!(z(st.next_open).as_deref(), Some("2024-11-03T04:30:00Z"));
    assert_eq!(
        z(s_.status("c", utc("2024-11-03T05:00:00Z")).expect("s").closes_at).as_deref(),
        Some("2024-11-03T08:00:00Z")
    );
}

#[test]
fn odd_offsets_kolkata_chatham_st_johns() {
    let k = one_team("Asia/Kolkata", WEEKDAYS, "[]", r#"{ "business_hours": 8 }"#);
    let q = k.quote("p", utc("2024-06-03T00:00:00Z")).expect("quote");
    assert_eq!((s(q.release_at), s(q.respond_by)), ("2024-06-03T03:30:00Z".into(), "2024-06-03T11:30:00Z".into()));

    // Chatham: +12:45, +13:45 from 2024-09-29 02:45 (→ 03:45). "02:45-04:00" opens at 03:45 (+13:45).
    let c = one_team("Pacific/Chatham", r#"{ "sun": ["02:45-04:00"] }"#, "[]", r#"{ "hours": 1 }"#);
    let st = c.status("c", utc("2024-09-28T13:00:00Z")).expect("status");
    assert_eq!(z(st.next_open).as_deref(), Some("2024-09-28T14:00:00Z"));

    // St John's: -03:30 in winter, -02:30 in summer.
    let sj = one_team("America/St_Johns", WEEKDAYS, "[]", r#"{ "business_hours": 1 }"#);
    assert_eq!(s(sj.quote("p", utc("2024-01-15T00:00:00Z")).expect("q").release_at), "2024-01-15T12:30:00Z");
    assert_eq!(s(sj.quote("p", utc("2024-07-15T00:00:00Z")).expect("q").release_at), "2024-07-15T11:30:00Z");
}

#[test]
fn overnight_shift_seen_across_midnight_and_holiday_only_closes_shifts_starting_that_day() {
    // Tokyo, Tuesday 22:00 → Wednesday 06:00. Wednesday is a holiday: the shift that
    // started Tuesday still runs; Wednesday's own shift does not start.
    let hours = r#"{ "tue-wed": ["22:00-06:00"] }"#;
    let s_ =
        one_team("Asia/Tokyo", hours, r#"[{ "name": "Founders' Day", "date": "2024-06-05" }]"#, r#"{ "hours": 1 }"#);
    let st = s_.status("c", local("Asia/Tokyo", "2024-06-05 03:00")).expect("status");
    assert!(st.open);
    assert_eq!(st.closes_at, Some(local("Asia/Tokyo", "2024-06-05 06:00")));
    let later = s_.status("c", local("Asia/Tokyo", "2024-06-05 23:00")).expect("status");
    assert!(!later.open);
    assert_eq!(later.next_open, Some(local("Asia/Tokyo", "2024-06-11 22:00")));
}

#[test]
fn twenty_four_hour_days_merge_into_one_run() {
    let s_ = one_team("Europe/London", r#"{ "mon-fri": ["00:00-24:00"] }"#, "[]", r#"{ "business_hours": 100 }"#);
    let st = s_.status("c", local("Europe/London", "2024-06-05 12:00")).expect("status");
    assert_eq!(st.closes_at, Some(local("Europe/London", "2024-06-08 00:00")));
    // Wed 12:00 + 100 open hours: 60 to Saturday 00:00, 40 more from Monday 00:00.
    let q = s_.quote("p", local("Europe/London", "2024-06-05 12:00")).expect("quote");
    assert_eq!(q.respond_by, local("Europe/London", "2024-06-11 16:00"));
}

#[test]
fn business_hours_reaching_the_target_at_a_run_end_give_that_end() {
    let s_ = one_team("America/New_York", WEEKDAYS, "[]", r#"{ "business_hours": 8 }"#);
    let q = s_.quote("p", local("America/New_York", "2027-03-03 09:00")).expect("quote");
    assert_eq!(q.respond_by, local("America/New_York", "2027-03-03 17:00"));
    let q = s_.quote("p", local("America/New_York", "2027-03-03 09:01")).expect("quote");
    assert_eq!(q.respond_by, local("America/New_York", "2027-03-04 09:01"));
}

#[test]
fn elapsed_targets_ignore_the_coverage() {
    let s_ = one_team("America/New_York", WEEKDAYS, "[]", r#"{ "minutes": 90 }"#);
    let t = local("America/New_York", "2027-03-06 23:00");
    let q = s_.quote("p", t).expect("quote");
    assert_eq!(q.respond_by, t + chrono::Duration::minutes(90));
    assert_eq!(q.release_at, local("America/New_York", "2027-03-08 09:00"));
}

#[test]
fn reduced_hours_on_a_holiday_replace_the_day() {
    let s_ = one_team(
        "America/New_York",
        WEEKDAYS,
        r#"[{ "name": "Christmas Eve", "month": 12, "day": 24, "hours": ["09:00-13:00"] }]"#,
        r#"{ "business_hours": 6 }"#,
    );
    let st = s_.status("c", local("America/New_York", "2026-12-24 12:00")).expect("status");
    assert_eq!(st.closes_at, Some(local("America/New_York", "2026-12-24 13:00")));
    let after = s_.status("c", local("America/New_York", "2026-12-24 14:00")).expect("status");
    assert_eq!(after.reason, Some(Reason::Holiday { name: "Christmas Eve".into() }));
    let q = s_.quote("p", local("America/New_York", "2026-12-24 10:00")).expect("quote");
    assert_eq!(q.respond_by, local("America/New_York", "2026-12-25 12:00"));
    let days = s_.closed_days("c", date("2026-12-01"), date("2026-12-31")).expect("days");
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].hours, vec!["09:00-13:00".to_owned()]);
}

#[test]
fn new_year_holidays_on_the_first_and_last_day_of_a_year() {
    // US observes New Year 2028 on Friday 31 December 2027.
    let s_ = one_team("America/New_York", WEEKDAYS, r#"["us"]"#, BD1);
    let st = s_.status("c", local("America/New_York", "2027-12-31 10:00")).expect("status");
    assert_eq!(st.reason, Some(Reason::Holiday { name: "New Year's Day".into() }));
    assert_eq!(st.next_open, Some(local("America/New_York", "2028-01-03 09:00")));
    let q = s_.quote("p", local("America/New_York", "2027-12-30 18:00")).expect("quote");
    assert_eq!(q.release_at, local("America/New_York", "2028-01-03 09:00"));
    assert_eq!(q.respond_by, local("America/New_York", "2028-01-04 17:00"));
    // An overnight shift on 31 December runs into 1 January even though 1 January is closed.
    let n = one_team("Europe/Berlin", r#"{ "mon-sun": ["22:00-06:00"] }"#, r#"["de"]"#, r#"{ "hours": 1 }"#);
    let st = n.status("c", local("Europe/Berlin", "2025-01-01 03:00")).expect("status");
    assert_eq!(st.closes_at, Some(local("Europe/Berlin", "2025-01-01 06:00")));
    let closed = n.status("c", local("Europe/Berlin", "2025-01-01 23:00")).expect("status");
    assert_eq!(closed.next_open, Some(local("Europe/Berlin", "2025-01-02 22:00")));
}

#[test]
fn several_teams_in_several_zones_merge_runs_and_use_the_home_zone() {
    let s_ = schedule(DEMO_CONFIG);
    // 2027-03-03 (Wed). Berlin lunch 12:00–13:00 CET = 06:00–07:00 New York: extended is closed.
    let st = s_.status("extended", local("Europe/Berlin", "2027-03-03 12:30")).expect("status");
    assert!(!st.open);
    assert_eq!(st.next_open, Some(local("Europe/Berlin", "2027-03-03 13:00")));
    // From Berlin 13:00 the run lasts to New York 17:00 (Berlin 17:00 touches NY 09:00... no:
    // NY 09:00 is Berlin 15:00, inside Berlin's afternoon, so they overlap and merge).
    let open = s_.status("extended", local("Europe/Berlin", "2027-03-03 13:30")).expect("status");
    assert_eq!(open.closes_at, Some(local("America/New_York", "2027-03-03 17:00")));
    // Pro: 4 business hours from Berlin 11:00 = 1h before lunch + 3h after.
    let q = s_.quote("pro", local("Europe/Berlin", "2027-03-03 11:00")).expect("quote");
    assert_eq!(q.respond_by, local("Europe/Berlin", "2027-03-03 16:00"));
}

#[test]
fn business_days_count_home_zone_dates_on_which_runs_start() {
    // Berlin-first coverage of Berlin + New York: New York's 17:00 close is 23:00 Berlin,
    // and the run that starts on a Berlin date ends at New York's close.
    let s_ = schedule(
        r#"{ "company": "T", "teams": [
          { "id": "ber", "name": "B", "timezone": "Europe/Berlin", "hours": { "mon-fri": ["08:00-12:00", "13:00-17:00"] } },
          { "id": "nyc", "name": "N", "timezone": "America/New_York", "hours": { "mon-fri": ["09:00-17:00"] } }],
          "coverages": [{ "id": "c", "name": "C", "teams": ["ber", "nyc"] }],
          "plans": [{ "id": "p", "name": "P", "coverage": "c", "first_reply": { "business_days": 2 } }] }"#,
    );
    // Saturday → released Monday 08:00 Berlin; business days Tue, Wed; Wednesday's last run
    // starts 13:00 Berlin and merges with New York until 17:00 New York.
    let q = s_.quote("p", local("Europe/Berlin", "2027-03-06 12:00")).expect("quote");
    assert_eq!(q.release_at, local("Europe/Berlin", "2027-03-08 08:00"));
    assert_eq!(q.respond_by, local("America/New_York", "2027-03-10 17:00"));
}

#[test]
fn always_coverage_is_open_with_no_end() {
    let s_ = schedule(DEMO_CONFIG);
    let st = s_.status("always", utc("2027-01-01T00:00:00Z")).expect("status");
    assert!(st.open);
    assert_eq!((st.closes_at, st.next_open, st.reason), (None, None, None));
    let q = s_.quote("enterprise", utc("2027-01-01T00:00:00Z")).expect("quote");
    assert_eq!((s(q.release_at), s(q.respond_by)), ("2027-01-01T00:00:00Z".into(), "2027-01-01T01:00:00Z".into()));
}

#[test]
fn a_coverage_that_never_opens_is_an_error_not_a_hang() {
    let s_ = one_team(
        "Europe/Paris",
        WEEKDAYS,
        r#"[{ "name": "Sabbatical", "from": "2025-01-01", "to": "2029-12-31" }]"#,
        r#"{ "business_hours": 1 }"#,
    );
    let at = utc("2025-06-01T00:00:00Z");
    let e = s_.quote("p", at).expect_err("never opens");
    assert!(matches!(e, Error::NeverOpens { .. }), "{e}");
    assert_eq!(e.to_string(), "coverage \"c\" never opens within 1098 days of 2025-06-01T00:00:00Z");
    let st = s_.status("c", at).expect("status");
    assert_eq!((st.open, st.next_open), (false, None));
    assert_eq!(st.reason, Some(Reason::Holiday { name: "Sabbatical".into() }));
}

#[test]
fn closed_days_are_sorted_by_date_then_team_in_each_teams_zone() {
    let s_ = schedule(DEMO_CONFIG);
    let days = s_.closed_days("extended", date("2026-12-20"), date("2027-01-02")).expect("days");
    let got: Vec<(String, &str, &str)> =
        days.iter().map(|d| (d.date.to_string(), d.team.as_str(), d.name.as_str())).collect();
    let want = vec![
        ("2026-12-24".to_string(), "nyc", "Christmas Eve"),
        ("2026-12-25".to_string(), "berlin", "Christmas Day"),
        ("2026-12-25".to_string(), "nyc", "Christmas Day"),
        ("2026-12-26".to_string(), "berlin", "Second Day of Christmas"),
        ("2026-12-28".to_string(), "berlin", "Winter closure"),
        ("2026-12-29".to_string(), "berlin", "Winter closure"),
        ("2026-12-30".to_string(), "berlin", "Winter closure"),
        ("2026-12-31".to_string(), "berlin", "Winter closure"),
        ("2027-01-01".to_string(), "berlin", "New Year's Day"),
        ("2027-01-01".to_string(), "nyc", "New Year's Day"),
    ];
    assert_eq!(got, want);
    assert!(s_.closed_days("always", date("2026-01-01"), date("2026-12-31")).expect("days").is_empty());
}

#[test]
fn unknown_ids_are_errors() {
    let s_ = schedule(DEMO_CONFIG);
    assert_eq!(s_.status("nope", utc("2027-01-01T00:00:00Z")).expect_err("e"), Error::UnknownCoverage("nope".into()));
    assert_eq!(s_.quote("nope", utc("2027-01-01T00:00:00Z")).expect_err("e"), Error::UnknownPlan("nope".into()));
}

#[test]
fn status_json_has_the_fields_design_md_names() {
    let s_ = one_team("America/New_York", WEEKDAYS, r#"["us"]"#, BD1);
    let st = s_.status("c", local("America/New_York", "2027-02-15 10:00")).expect("status");
    let json = serde_json::to_string(&st).expect("json");
    assert_eq!(
        json,
        r#"{"coverage":"c","at":"2027-02-15T15:00:00Z","open":false,"closes_at":null,"next_open":"2027-02-16T14:00:00Z","reason":{"kind":"holiday","name":"Washington's Birthday"}}"#
    );
}

#[test]
fn the_first_rule_on_a_date_decides_its_name_and_hours() {
    let first_reduced = one_team(
        "Europe/London",
        WEEKDAYS,
        r#"[{ "name": "Half day", "date": "2027-03-03", "hours": ["09:00-12:00"] }, { "name": "Closed", "date": "2027-03-03" }]"#,
        BD1,
    );
    let st = first_reduced.status("c", local("Europe/London", "2027-03-03 10:00")).expect("status");
    assert_eq!(st.closes_at, Some(local("Europe/London", "2027-03-03 12:00")));
    let days = first_reduced.closed_days("c", date("2027-03-03"), date("2027-03-03")).expect("days");
    assert_eq!((days[0].name.as_str(), days[0].hours.clone()), ("Half day", vec!["09:00-12:00".to_owned()]));

    let first_closed = one_team(
        "Europe/London",
        WEEKDAYS,
        r#"[{ "name": "Closed", "date": "2027-03-03" }, { "name": "Half day", "date": "2027-03-03", "hours": ["09:00-12:00"] }]"#,
        BD1,
    );
    let st = first_closed.status("c", local("Europe/London", "2027-03-03 10:00")).expect("status");
    assert!(!st.open);
    assert_eq!(st.reason, Some(Reason::Holiday { name: "Closed".into() }));
}

#[test]
fn observed_monday_moves_weekend_holidays_to_the_next_monday() {
    // Australia Day 2025-01-26 is a Sunday → Monday 27th; 2030-01-26 is a Saturday → Monday 28th.
    let s_ = one_team(
        "Australia/Sydney",
        WEEKDAYS,
        r#"[{ "name": "Australia Day", "month": 1, "day": 26, "observed": "monday" }]"#,
        BD1,
    );
    let got: Vec<String> = s_
        .closed_days("c", date("2025-01-01"), date("2030-12-31"))
        .expect("days")
        .iter()
        .map(|d| d.date.to_string())
        .collect();
    assert_eq!(got, ["2025-01-27", "2026-01-26", "2027-01-26", "2028-01-26", "2029-01-26", "2030-01-28"]);
}
