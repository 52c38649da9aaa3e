//! The published hours checked by software nobody here wrote: the OSM export of every demo
//! team is read by the `opening-hours` crate (an OpenStreetMap `opening_hours` evaluator),
//! whose open/closed answer must be replyby's own at every 5 minutes of a year, DST days
//! included. Holidays are in the export as dated `off` rules, so both sides know them.

use crate::common::{date, local, schedule};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use replyby_core::config::CoverageConfig;
use replyby_core::{DEMO_CONFIG, Schedule, TzTable, parse, publish};
use std::str::FromStr;

/// The demo config with one coverage per team (`only-<team>`), so each team is checked alone.
fn demo_with_team_coverages() -> Schedule {
    let mut config = parse(DEMO_CONFIG).expect("demo config parses");
    let ids: Vec<String> = config.teams.iter().map(|t| t.id.clone()).collect();
    for id in ids {
        config.coverages.push(CoverageConfig {
            id: format!("only-{id}"),
            name: format!("Only {id}"),
            teams: vec![id],
            always: false,
        });
    }
    Schedule::new(config, &TzTable).expect("demo config with team coverages")
}

/// Every instant from local midnight of `from` to local midnight after `to`, 5 minutes apart,
/// with the zone's wall-clock time there.
fn every_five_minutes(zone: &str, from: NaiveDate, to: NaiveDate) -> Vec<(DateTime<Utc>, chrono::NaiveDateTime)> {
    let tz: chrono_tz::Tz = zone.parse().expect("zone");
    let start = local(zone, &format!("{from} 00:00"));
    let end = local(zone, &format!("{} 00:00", to.succ_opt().expect("date")));
    let mut out = Vec::new();
    let mut t = start;
    while t < end {
        out.push((t, tz.from_utc_datetime(&t.naive_utc()).naive_local()));
        t += chrono::TimeDelta::minutes(5);
    }
    out
}

#[test]
fn osm_export_agrees_with_the_opening_hours_crate_every_5_minutes_of_2027() {
    let s = demo_with_team_coverages();
    let (from, to) = (date("2027-01-01"), date("2027-12-31"));
    let mut checked = 0;
    for team in ["nyc", "berlin", "sydney"] {
        let coverage = format!("only-{team}");
        let hours = publish::osm(&s, &coverage, from, to).expect("export");
        let [one] = hours.as_slice() else { panic!("one value for one team: {hours:?}") };
        let zone = one.timezone.clone().expect("a team's zone");
        let oh = opening_hours::OpeningHours::from_str(&one.opening_hours)
            .unwrap_or_else(|e| panic!("{team}: the crate refuses {:?}: {e}", one.opening_hours));
        let instants = every_five_minutes(&zone, from, to);
        let (first, last) = (instants[0].0, instants[instants.len() - 1].0 + chrono::TimeDelta::minutes(5));
        let runs = s.open_runs(&coverage, first, last).expect("runs");
        let mut differences = Vec::new();
        for (t, wall) in &instants {
            let ours = runs.iter().any(|(a, b)| a <= t && t < b);
            let theirs = oh.is_open(*wall);
            if ours != theirs {
                differences.push(format!("{t} ({wall} local): replyby {ours}, opening-hours {theirs}"));
            }
        }
        assert!(
            differences.is_empty(),
            "{team}: {} differences, first: {:?}\n{}",
            differences.len(),
            &differences[..differences.len().min(5)],
            one.opening_hours
        );
        // A year of 5-minute steps, less or more by the hour of each DST change.
        assert!((365 * 288 - 12..=365 * 288 + 12).contains(&instants.len()), "{team}: {}", instants.len());
        checked += instants.len();
    }
    assert!(checked > 3 * 100_000);
}

#[test]
fn osm_export_of_the_demo_teams() {
    let s = demo_with_team_coverages();
    let get = |coverage: &str, from: &str, to: &str| {
        publish::osm(&s, coverage, date(from), date(to)).expect("export")[0].opening_hours.clone()
    };
    // New York: Christmas Eve's reduced hours (a dated rule with times), Christmas closed.
    assert_eq!(
        get("business", "2026-12-20", "2026-12-31"),
        "Mo-Fr 09:00-17:00; 2026 Dec 24 09:00-13:00; 2026 Dec 25 off"
    );
    // Berlin's split days and its winter closure, one `off` date each.
    assert_eq!(
        get("only-berlin", "2026-12-27", "2027-01-02"),
        "Mo-Th 08:00-12:00,13:00-17:00, Fr 08:00-14:00; 2026 Dec 28 off; 2026 Dec 29 off; 2026 Dec 30 off; \
         2026 Dec 31 off; 2027 Jan 01 off"
    );
    // Sydney's Sunday night shift: Easter Monday 2027 (29 March) closes Monday's own hours
    // but not the night shift that started on Sunday, which runs on to 06:00.
    assert_eq!(
        get("only-sydney", "2027-03-26", "2027-03-29"),
        "Mo-Fr 08:30-17:30, Su 22:00-06:00; 2027 Mar 26 off; 2027 Mar 29 00:00-06:00"
    );
}

#[test]
fn osm_export_of_always_and_bad_ranges() {
    let s = schedule(DEMO_CONFIG);
    let h = publish::osm(&s, "always", date("2027-01-01"), date("2027-01-31")).expect("export");
    assert_eq!((h[0].team.as_deref(), h[0].opening_hours.as_str()), (None, "24/7"));
    let two = publish::osm(&s, "extended", date("2027-01-01"), date("2027-01-31")).expect("export");
    assert_eq!(two.iter().map(|h| h.team.as_deref().unwrap_or("")).collect::<Vec<_>>(), ["nyc", "berlin"]);
    assert_eq!(
        publish::osm(&s, "nope", date("2027-01-01"), date("2027-01-31")).map_err(|e| e.to_string()),
        Err("unknown coverage \"nope\"".to_owned())
    );
    assert_eq!(
        publish::osm(&s, "always", date("2027-02-01"), date("2027-01-31")).map_err(|e| e.to_string()),
        Err("the first date (2027-02-01) is after the last (2027-01-31)".to_owned())
    );
    assert!(publish::schema_org(&s, "business", date("2027-01-01"), date("2030-12-31")).is_err());
}

#[test]
fn schema_org_contact_point_for_new_york_in_december_2026() {
    let s = schedule(DEMO_CONFIG);
    let ld = publish::schema_org(&s, "business", date("2026-12-20"), date("2026-12-31")).expect("json-ld");
    let expected = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": "Acme Networks",
        "contactPoint": [{
            "@type": "ContactPoint",
            "contactType": "customer support",
            "name": "Business hours (New York)",
            "description": "New York: times in the America/New_York time zone",
            "hoursAvailable": [
                { "@type": "OpeningHoursSpecification", "opens": "09:00", "closes": "17:00",
                  "dayOfWeek": ["https://schema.org/Monday", "https://schema.org/Tuesday", "https://schema.org/Wednesday",
                                "https://schema.org/Thursday", "https://schema.org/Friday"] },
                { "@type": "OpeningHoursSpecification", "name": "Christmas Eve", "opens": "09:00", "closes": "13:00",
                  "validFrom": "2026-12-24", "validThrough": "2026-12-24" },
                { "@type": "OpeningHoursSpecification", "name": "Christmas Day", "opens": "00:00", "closes": "00:00",
                  "validFrom": "2026-12-25", "validThrough": "2026-12-25" }
            ]
        }]
    });
    assert_eq!(ld, expected);
}

#[test]
fn schema_org_one_contact_point_per_team_and_closures_merged() {
    let s = schedule(DEMO_CONFIG);
    let ld = publish::schema_org(&s, "extended", date("2026-12-27"), date("2026-12-31")).expect("json-ld");
    let points = ld["contactPoint"].as_array().expect("list");
    assert_eq!(
        points.iter().map(|p| p["name"].as_str().unwrap_or("")).collect::<Vec<_>>(),
        ["Extended hours (New York and Berlin) — New York", "Extended hours (New York and Berlin) — Berlin"]
    );
    let berlin = points[1]["hoursAvailable"].as_array().expect("list");
    // Weekly: 08-12 and 13-17 Monday to Thursday, 08-14 Friday; the closure as one entry.
    assert_eq!(berlin.len(), 4, "{berlin:?}");
    assert_eq!(
        (&berlin[3]["name"], &berlin[3]["validFrom"], &berlin[3]["validThrough"]),
        (&serde_json::json!("Winter closure"), &serde_json::json!("2026-12-28"), &serde_json::json!("2026-12-31"))
    );
    // Sydney's Sunday night shift closes on Monday morning.
    let sun = publish::schema_org(&s, "follow-the-sun", date("2027-02-01"), date("2027-02-02")).expect("json-ld");
    let sydney = &sun["contactPoint"][2]["hoursAvailable"];
    let night = sydney.as_array().expect("list").iter().find(|h| h["opens"] == "22:00").expect("night shift");
    assert_eq!(
        (&night["closes"], &night["dayOfWeek"][0]),
        (&serde_json::json!("06:00"), &serde_json::json!("https://schema.org/Sunday"))
    );
    let always = publish::schema_org(&s, "always", date("2027-02-01"), date("2027-02-02")).expect("json-ld");
    assert_eq!(always["contactPoint"][0]["hoursAvailable"][0]["closes"], "23:59");
}

mod import {
    use proptest::prelude::*;
    use replyby_core::hours::{Interval, parse_days};
    use replyby_core::osm_import::import;
    use replyby_core::publish::osm_weekly;

    /// A team's `hours` object back as a week of intervals, as the config reads it.
    fn week_of(hours: &replyby_core::config::Hours) -> [Vec<Interval>; 7] {
        let mut week: [Vec<Interval>; 7] = Default::default();
        for (key, list) in &hours.0 {
            for d in parse_days(key).expect("day key") {
                let mut day: Vec<Interval> = list.iter().map(|s| Interval::parse(s).expect("interval")).collect();
                day.sort();
                week[d.num_days_from_monday() as usize] = day;
            }
        }
        week
    }

    fn json(text: &str) -> String {
        match import(text) {
            Ok(h) => serde_json::to_string(&h).unwrap_or_default(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn the_issue_example_and_friends() {
        assert_eq!(json("Mo-Fr 09:00-17:00; Sa 10:00-14:00"), r#"{"mon-fri":["09:00-17:00"],"sat":["10:00-14:00"]}"#);
        assert_eq!(json("24/7"), r#"{"mon-sun":["00:00-24:00"]}"#);
        assert_eq!(json("Mo-Su 09:00-17:00; We off"), r#"{"mon-tue":["09:00-17:00"],"thu-sun":["09:00-17:00"]}"#);
        assert_eq!(json("Su 22:00-30:00"), r#"{"sun":["22:00-06:00"]}"#);
        assert_eq!(
            json("Sa-Mo 10:00-12:00, Mo 12:00-13:00"),
            r#"{"mon":["10:00-12:00","12:00-13:00"],"sat-sun":["10:00-12:00"]}"#
        );
        assert_eq!(json("Mo 09:00-12:00, Mo 11:00-14:00"), r#"{"mon":["09:00-14:00"]}"#);
        assert_eq!(json("closed"), "{}");
    }

    #[test]
    fn what_hours_cannot_say_is_an_error_at_its_column() {
        for (text, column, words) in [
            ("Mo-Fr 09:00-17:00; PH off", 20, "holiday rules"),
            ("Mo-Fr sunrise-17:00", 7, "times of the sun"),
            ("week 01-10 Mo 09:00-17:00", 1, "week numbers"),
            ("Mo-Fr 09:00+", 12, "open end"),
            ("Mo-Fr 09:00-17:00; Dec 25 off", 20, "dates, months"),
            ("Mo[1] 09:00-12:00", 3, "n-th weekday"),
            ("Mo-Fr 09:00-17:00 || \"by appointment\"", 19, "fallback"),
            ("Mo-Fr 09:00-17:00; We 12:00-13:00 off", 35, "closed time ranges"),
            ("Mo-Fr 09:00-1700", 13, "not OSM opening_hours syntax"),
        ] {
            let e = import(text).expect_err(text);
            assert_eq!(e.0[0].column, column, "{text}: {e}");
            assert!(e.0[0].message.contains(words), "{text}: {e}");
        }
    }

    fn day() -> impl Strategy<Value = Vec<Interval>> {
        // Up to three intervals on a quarter-hour grid, sorted, not overlapping; the last may
        // run past midnight, or end at 24:00.
        prop::collection::vec(0u16..96, 0..=6)
            .prop_flat_map(|mut cuts| {
                cuts.sort();
                cuts.dedup();
                let pairs: Vec<(u16, u16)> = cuts.chunks_exact(2).map(|p| (p[0] * 15, p[1] * 15)).collect();
                (Just(pairs), 0u16..4, 0u16..95)
            })
            .prop_map(|(pairs, last, over)| {
                let mut day: Vec<Interval> = pairs.iter().map(|&(s, e)| Interval { start: s, end: e }).collect();
                if let Some(l) = day.last_mut() {
                    match last {
                        1 => l.end = 1440,
                        2 if l.start > 15 => l.end = 1440 + 15 + (over * 15) % (l.start - 15),
                        _ => {}
                    }
                }
                day.retain(|iv| iv.end > iv.start);
                day
            })
    }

    proptest! {
        #[test]
        fn importing_the_exported_week_gives_the_same_hours(week in prop::array::uniform7(day())) {
            let text = osm_weekly(&week);
            let hours = import(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(week_of(&hours), week, "{}", text);
        }
    }
}
