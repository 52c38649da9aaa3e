//! Presets against calendars published by the governments, not against our own rules.
//!
//! Sources (as published):
//! - us: OPM "Federal Holidays" pages 2020–2028, plus the executive orders closing
//!   agencies on 2020-12-24, 2024-12-24, 2025-12-24, 2025-12-26 and the national day of
//!   mourning for President Carter on 2025-01-09.
//! - gb-eng: gov.uk/bank-holidays (england-and-wales), 2020–2027.
//! - de: Bundesministerium des Innern, gesetzliche Feiertage (bundesweit), 2020–2026.
//! - fr: service-public.fr, jours fériés (métropole), 2023–2026.
//! - nl: rijksoverheid.nl, officiële feestdagen, 2023–2025.

use crate::common::date;
use chrono::{Datelike, NaiveDate, Weekday};
use replyby_core::holidays::{PresetHoliday, preset_holidays};

fn dates_in(preset: &str, year: i32) -> Vec<String> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).expect("date");
    let to = NaiveDate::from_ymd_opt(year, 12, 31).expect("date");
    preset_holidays(preset, from, to).expect("preset").into_iter().map(|h| h.date.format("%m-%d").to_string()).collect()
}

fn check(preset: &str, year: i32, official: &str) {
    let official: Vec<String> = official.split_whitespace().map(str::to_owned).collect();
    assert_eq!(dates_in(preset, year), official, "{preset} {year}");
}

#[test]
fn us_federal_matches_opm_2020_to_2028() {
    check("us", 2020, "01-01 01-20 02-17 05-25 07-03 09-07 10-12 11-11 11-26 12-24 12-25");
    check("us", 2021, "01-01 01-18 02-15 05-31 06-18 07-05 09-06 10-11 11-11 11-25 12-24 12-31");
    check("us", 2022, "01-17 02-21 05-30 06-20 07-04 09-05 10-10 11-11 11-24 12-26");
    check("us", 2023, "01-02 01-16 02-20 05-29 06-19 07-04 09-04 10-09 11-10 11-23 12-25");
    check("us", 2024, "01-01 01-15 02-19 05-27 06-19 07-04 09-02 10-14 11-11 11-28 12-24 12-25");
    check("us", 2025, "01-01 01-09 01-20 02-17 05-26 06-19 07-04 09-01 10-13 11-11 11-27 12-24 12-25 12-26");
    check("us", 2026, "01-01 01-19 02-16 05-25 06-19 07-03 09-07 10-12 11-11 11-26 12-25");
    check("us", 2027, "01-01 01-18 02-15 05-31 06-18 07-05 09-06 10-11 11-11 11-25 12-24 12-31");
    check("us", 2028, "01-17 02-21 05-29 06-19 07-04 09-04 10-09 11-10 11-23 12-25");
}

#[test]
fn us_new_year_2028_is_observed_on_friday_31_december_2027() {
    let list = preset_holidays("us", date("2027-12-31"), date("2028-01-01")).expect("preset");
    assert_eq!(
        list,
        vec![PresetHoliday { date: date("2027-12-31"), name: "New Year's Day".to_owned(), estimated: false }]
    );
}

#[test]
fn gb_eng_matches_gov_uk_2020_to_2027() {
    // 2020: early May moved to Friday 8 May for VE day; Boxing Day (Sat) → Monday 28.
    check("gb-eng", 2020, "01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28");
    check("gb-eng", 2021, "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28");
    // 2022: new year substitute, spring bank holiday moved, Platinum Jubilee, State Funeral,
    // Christmas (Sun) → Tuesday 27 because Boxing Day holds Monday 26.
    check("gb-eng", 2022, "01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27");
    // 2023: coronation of King Charles III.
    check("gb-eng", 2023, "01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26");
    check("gb-eng", 2024, "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26");
    check("gb-eng", 2025, "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26");
    check("gb-eng", 2026, "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28");
    check("gb-eng", 2027, "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28");
}

#[test]
fn de_matches_nationwide_holidays() {
    check("de", 2020, "01-01 04-10 04-13 05-01 05-21 06-01 10-03 12-25 12-26");
    check("de", 2023, "01-01 04-07 04-10 05-01 05-18 05-29 10-03 12-25 12-26");
    check("de", 2024, "01-01 03-29 04-01 05-01 05-09 05-20 10-03 12-25 12-26");
    check("de", 2025, "01-01 04-18 04-21 05-01 05-29 06-09 10-03 12-25 12-26");
    check("de", 2026, "01-01 04-03 04-06 05-01 05-14 05-25 10-03 12-25 12-26");
}

#[test]
fn fr_matches_service_public() {
    check("fr", 2023, "01-01 04-10 05-01 05-08 05-18 05-29 07-14 08-15 11-01 11-11 12-25");
    check("fr", 2024, "01-01 04-01 05-01 05-08 05-09 05-20 07-14 08-15 11-01 11-11 12-25");
    check("fr", 2025, "01-01 04-21 05-01 05-08 05-29 06-09 07-14 08-15 11-01 11-11 12-25");
    check("fr", 2026, "01-01 04-06 05-01 05-08 05-14 05-25 07-14 08-15 11-01 11-11 12-25");
}

#[test]
fn nl_matches_rijksoverheid() {
    check("nl", 2023, "01-01 04-07 04-09 04-10 04-27 05-05 05-18 05-28 05-29 12-25 12-26");
    check("nl", 2024, "01-01 03-29 03-31 04-01 04-27 05-05 05-09 05-19 05-20 12-25 12-26");
    // 27 April 2025 is a Sunday: King's Day is Saturday 26 April.
    check("nl", 2025, "01-01 04-18 04-20 04-21 04-26 05-05 05-29 06-08 06-09 12-25 12-26");
}

#[test]
fn every_year_2020_to_2060_has_the_shape_of_each_calendar() {
    for year in 2020..=2060 {
        let from = NaiveDate::from_ymd_opt(year, 1, 1).expect("date");
        let to = NaiveDate::from_ymd_opt(year, 12, 31).expect("date");
        for (preset, weekdays_only, expected) in
            [("gb-eng", true, 8), ("de", false, 9), ("fr", false, 11), ("nl", false, 11)]
        {
            let list = preset_holidays(preset, from, to).expect("preset");
            let n = match (preset, year) {
                ("gb-eng", 2022) => 10,
                ("gb-eng", 2023) => 9,
                // Easter on 30 March 2059 puts Ascension on 8 May, Victory in Europe Day.
                ("fr", 2059) => 10,
                _ => expected,
            };
            // Fixed holidays can coincide with Easter-based ones; one date then counts once.
            assert_eq!(list.len(), n, "{preset} {year}: {list:?}");
            if weekdays_only {
                assert!(
                    list.iter().all(|h| !matches!(h.date.weekday(), Weekday::Sat | Weekday::Sun)),
                    "{preset} {year}"
                );
            }
        }
        // US: every observed day on a weekday; eleven holidays once Juneteenth exists,
        // give or take a New Year's Day observed in the previous December.
        let us = preset_holidays("us", from, to).expect("preset");
        assert!(us.iter().all(|h| !matches!(h.date.weekday(), Weekday::Sat | Weekday::Sun)), "us {year}");
        if year >= 2026 {
            let jan1_moved = NaiveDate::from_ymd_opt(year, 1, 1).is_some_and(|d| d.weekday() == Weekday::Sat);
            let next_jan1_moved = NaiveDate::from_ymd_opt(year + 1, 1, 1).is_some_and(|d| d.weekday() == Weekday::Sat);
            assert_eq!(us.len(), 11 - usize::from(jan1_moved) + usize::from(next_jan1_moved), "us {year}");
        }
        // NL King's Day is never on a Sunday.
        let nl = preset_holidays("nl", from, to).expect("preset");
        let kings = nl.iter().find(|h| h.name == "King's Day").expect("king's day");
        assert_ne!(kings.date.weekday(), Weekday::Sun);
    }
}

#[test]
fn unknown_preset_says_did_you_mean_instead_of_listing_thousands() {
    let e = preset_holidays("us-cx", date("2024-01-01"), date("2024-12-31")).expect_err("unknown");
    assert_eq!(e.to_string(), r#"unknown holiday preset "us-cx" (did you mean "us-ca"?)"#);
    let e = preset_holidays("narnia", date("2024-01-01"), date("2024-12-31")).expect_err("unknown");
    assert_eq!(
        e.to_string(),
        r#"unknown holiday preset "narnia" (ids are ISO 3166 codes in lowercase, such as "jp", "us-ca" or "gb-sct")"#
    );
}
