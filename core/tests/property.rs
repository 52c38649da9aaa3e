//! The engine against the minute-walking reference, over random configs in DST-heavy and
//! odd-offset zones and random instants near their transitions.

use crate::reference::{MINUTE, Reference, resolve};
use chrono::{DateTime, Offset, TimeZone, Utc};
use proptest::prelude::*;
use replyby_core::zone::{ZoneDb, to_local};
use replyby_core::{TzTable, load};
use std::collections::HashMap;
use std::sync::OnceLock;

const ZONES: &[&str] = &[
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Havana",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/St_Johns",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Tokyo",
];

/// Every offset change of each zone from 2020 to 2040, found hour by hour. Zones without
/// DST get the first of each month instead, so they still get instants to test.
fn transitions() -> &'static HashMap<&'static str, Vec<i64>> {
    static T: OnceLock<HashMap<&'static str, Vec<i64>>> = OnceLock::new();
    T.get_or_init(|| {
        let start = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).single().map(|t| t.timestamp()).unwrap_or_default();
        let end = Utc.with_ymd_and_hms(2041, 1, 1, 0, 0, 0).single().map(|t| t.timestamp()).unwrap_or_default();
        ZONES
            .iter()
            .map(|name| {
                let tz: chrono_tz::Tz = name.parse().expect("zone");
                let off = |t: i64| {
                    tz.offset_from_utc_datetime(&DateTime::from_timestamp(t, 0).unwrap_or_default().naive_utc()).fix()
                };
                let mut list = Vec::new();
                let mut t = start;
                while t < end {
                    if off(t) != off(t + 3600) {
                        // Narrow to the minute.
                        let mut m = t;
                        while off(m) == off(t) {
                            m += 60;
                        }
                        list.push(m);
                    }
                    t += 3600;
                }
                if list.is_empty() {
                    list = (0..252).map(|k| start + k * 30 * 86_400).collect();
                }
                (*name, list)
            })
            .collect()
    })
}

fn clock(min: u32) -> String {
    if min == 1440 { "24:00".to_owned() } else { format!("{:02}:{:02}", (min % 1440) / 60, min % 60) }
}

#[derive(Debug, Clone)]
struct TeamSpec {
    zone: usize,
    /// Per weekday: up to two (start, length) in minutes; lengths chosen so they never overlap.
    week: Vec<Vec<(u32, u32)>>,
    /// (days from t's UTC date, optional reduced interval)
    holidays: Vec<(i64, Option<(u32, u32)>)>,
    /// A generated preset after those rules (index into [`generated_ids`]).
    preset: Option<usize>,
}

/// The generated presets (python `holidays`), without the hand-written ones.
fn generated_ids() -> &'static [&'static str] {
    static IDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    IDS.get_or_init(|| {
        replyby_core::holidays::preset_list()
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| !["us", "gb-eng", "de", "fr", "nl"].contains(id))
            .collect()
    })
}

fn day_strategy() -> impl Strategy<Value = Vec<(u32, u32)>> {
    prop_oneof![
        1 => Just(vec![]),
        3 => (0u32..288, 1u32..288).prop_map(|(s, l)| vec![(s * 5, l * 5)]),
        2 => (0u32..144, 1u32..72, 0u32..48, 1u32..200).prop_map(|(s, l1, gap, l2)| {
            let s1 = s * 5;
            let s2 = s1 + l1 * 5 + gap * 5;
            if s2 >= 1440 { vec![(s1, l1 * 5)] } else { vec![(s1, l1 * 5), (s2, l2 * 5)] }
        }),
        1 => Just(vec![(0, 1440)]),
        1 => (1200u32..1410, 60u32..600).prop_map(|(s, l)| vec![(s / 5 * 5, l / 5 * 5)]),
    ]
}

fn team_strategy() -> impl Strategy<Value = TeamSpec> {
    (
        0..ZONES.len(),
        proptest::collection::vec(day_strategy(), 7),
        proptest::collection::vec((-3i64..12, proptest::option::of((0u32..200, 1u32..100))), 0..3),
        proptest::option::weighted(0.4, 0..generated_ids().len()),
    )
        .prop_map(|(zone, week, holidays, preset)| TeamSpec {
            zone,
            week,
            holidays: holidays.into_iter().map(|(d, h)| (d, h.map(|(s, l)| (s * 5, l * 5)))).collect(),
            preset,
        })
}

fn target_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..2000).prop_map(|m| format!(r#"{{ "business_minutes": {m} }}"#)),
        (1u32..30).prop_map(|h| format!(r#"{{ "business_hours": {h} }}"#)),
        (1u32..4).prop_map(|d| format!(r#"{{ "business_days": {d} }}"#)),
        (1u32..50).prop_map(|h| format!(r#"{{ "hours": {h} }}"#)),
        (1u32..600).prop_map(|m| format!(r#"{{ "minutes": {m} }}"#)),
    ]
}

fn config_json(teams: &[TeamSpec], target: &str, t: i64) -> String {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let base = DateTime::from_timestamp(t, 0).unwrap_or_default().date_naive();
    let team_json: Vec<String> = teams
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let hours: Vec<String> = spec
                .week
                .iter()
                .enumerate()
                .map(|(d, ivs)| {
                    let list: Vec<String> =
                        ivs.iter().map(|(s, l)| format!("\"{}-{}\"", clock(*s), clock(s + l))).collect();
                    format!("\"{}\": [{}]", DAYS[d], list.join(", "))
                })
                .collect();
            let mut holidays: Vec<String> = spec
                .holidays
                .iter()
                .enumerate()
                .map(|(k, (days, reduced))| {
                    let d = base + chrono::Duration::days(*days);
                    let hours = reduced
                        .map(|(s, l)| format!(r#", "hours": ["{}-{}"]"#, clock(s), clock(s + l)))
                        .unwrap_or_default();
                    format!(r#"{{ "name": "H{k}", "date": "{d}"{hours} }}"#)
                })
                .collect();
            holidays.extend(spec.preset.map(|p| format!("\"{}\"", generated_ids()[p])));
            format!(
                r#"{{ "id": "t{i}", "name": "T{i}", "timezone": "{}", "hours": {{ {} }}, "holidays": [{}] }}"#,
                ZONES[spec.zone],
                hours.join(", "),
                holidays.join(", ")
            )
        })
        .collect();
    let ids: Vec<String> = (0..teams.len()).map(|i| format!("\"t{i}\"")).collect();
    format!(
        r#"{{ "company": "P", "teams": [{}], "coverages": [{{ "id": "c", "name": "C", "teams": [{}] }}],
            "plans": [{{ "id": "p", "name": "P", "coverage": "c", "first_reply": {target} }}] }}"#,
        team_json.join(", "),
        ids.join(", ")
    )
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1500)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_the_minute_walking_reference(
        teams in proptest::collection::vec(team_strategy(), 1..4),
        target in target_strategy(),
        pick in any::<prop::sample::Index>(),
        near in -4 * 1440i64..4 * 1440,
    ) {
        // Hours that never open make every question unanswerable; covered elsewhere.
        prop_assume!(teams.iter().any(|t| t.week.iter().any(|d| !d.is_empty())));
        let zone = ZONES[teams[0].zone];
        let list = &transitions()[zone];
        let t = list[pick.index(list.len())] + near * MINUTE;
        let json = config_json(&teams, &target, t);
        let schedule = load(&json, &TzTable).map_err(|e| TestCaseError::fail(format!("{e}\n{json}")))?;
        let at = DateTime::from_timestamp(t, 0).unwrap_or_default();
        let reference = Reference::new(&schedule, (0..teams.len()).collect());
        let limit = t + 16 * 86_400;

        let st = schedule.status("c", at).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (open, closes_at, next_open) = reference.status(t, limit);
        prop_assert_eq!(st.open, open, "open at {}\n{}", at, json);
        if open {
            if let Some(c) = closes_at {
                prop_assert_eq!(st.closes_at.map(|x| x.timestamp()), Some(c), "closes_at from {}\n{}", at, json);
            } else {
                prop_assert!(st.closes_at.is_none_or(|x| x.timestamp() > limit));
            }
        } else if let Some(n) = next_open {
            prop_assert_eq!(st.next_open.map(|x| x.timestamp()), Some(n), "next_open from {}\n{}", at, json);
        } else {
            prop_assert!(st.next_open.is_none_or(|x| x.timestamp() > limit));
        }

        let home = &schedule.teams[0];
        let first_reply = schedule.plans[0].first_reply;
        let want = reference.respond_by(first_reply, t, home, limit + 30 * 86_400);
        match (schedule.quote("p", at), want) {
            (Ok(q), Some(w)) => {
                let release = if open { t } else { next_open.unwrap_or(i64::MAX) };
                prop_assert_eq!(q.release_at.timestamp(), release, "release_at from {}\n{}", at, json);
                prop_assert_eq!(q.respond_by.timestamp(), w, "respond_by ({:?}) from {}\n{}", first_reply, at, json);
            }
            (Ok(q), None) => prop_assert!(q.respond_by.timestamp() > limit, "engine answered {} where the reference found none\n{}", q.respond_by, json),
            (Err(e), Some(w)) => prop_assert!(false, "engine failed ({e}) where the reference found {w}\n{json}"),
            (Err(_), None) => {}
        }
    }

    #[test]
    fn local_time_rule_matches_the_reference_search(zone in 0..ZONES.len(), pick in any::<prop::sample::Index>(), near in -180i64..180) {
        let z = TzTable.zone(ZONES[zone]).expect("zone");
        let list = &transitions()[ZONES[zone]];
        let instant = list[pick.index(list.len())];
        // Local wall-clock times around the transition, at the minute.
        let local = to_local(z.as_ref(), instant).and_utc().timestamp() + near * MINUTE;
        prop_assert_eq!(z.resolve(local), resolve(z.as_ref(), local), "{} local {}", ZONES[zone], local);
    }
}

/// Each zone really has the transitions the property test leans on.
#[test]
fn the_dst_zones_have_transitions_between_2020_and_2040() {
    for zone in ["America/New_York", "Australia/Lord_Howe", "America/Havana", "Pacific/Chatham", "America/St_Johns"] {
        let n = transitions()[zone].len();
        assert!((38..=44).contains(&n), "{zone}: {n}");
    }
}
