//! The studio's functions as the page calls them, natively.

use replyby_core::{DEMO_CONFIG, TzTable, load};
use replyby_studio::{check, import_ics, import_osm, preset_dates, preset_document, presets, quotes};
use serde_json::{Value, json};

fn parse(s: &str) -> Value {
    serde_json::from_str(s).expect("the answer is JSON")
}

/// What a JavaScript `text.slice(start, end)` gives.
fn js_slice(text: &str, start: &Value, end: &Value) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    let (s, e) = (start.as_u64().expect("start") as usize, end.as_u64().expect("end") as usize);
    String::from_utf16(&units[s..e]).expect("whole characters")
}

#[test]
fn the_demo_config_is_ok() {
    let r = parse(&check(DEMO_CONFIG));
    assert_eq!(r["problems"], json!([]));
    assert_eq!(r["warnings"], json!([]));
    assert_eq!(r["summary"], "ok — Acme Networks: 3 teams, 4 coverages, 5 plans");
}

#[test]
fn a_bad_zone_in_replyby_checks_words_at_its_value() {
    let text = DEMO_CONFIG.replace("\"Europe/Berlin\"", "\"Europe/Berln\"");
    let r = parse(&check(&text));
    let Err(want) = load(&text, &TzTable) else { panic!("problems expected") };
    let problems = r["problems"].as_array().expect("a list");
    assert_eq!(problems.len(), want.0.len());
    let p = &problems[0];
    assert_eq!(p["path"], "/teams/1/timezone");
    assert_eq!(p["message"], "unknown time zone \"Europe/Berln\" (did you mean \"Europe/Berlin\"?)");
    assert_eq!(p["message"], want.0[0].message.as_str());
    assert_eq!(js_slice(&text, &p["start"], &p["end"]), "\"Europe/Berln\"");
    assert_eq!(r["summary"], Value::Null);
}

#[test]
fn offsets_are_utf16_after_non_ascii_text() {
    let text = r#"{
  "company": "São Paulo 😀 Ltd",
  "teams": [{ "id": "sp", "name": "São Paulo 🏖", "timezone": "America/Sao_Paulx",
              "hours": { "mon-fri": ["09:00-17:00"] } }],
  "coverages": [{ "id": "c", "name": "Horário comercial 🕘", "teams": ["sp"] }],
  "plans": [{ "id": "p", "name": "Básico", "coverage": "c", "first_reply": { "business_days": 1 } }]
}"#;
    let r = parse(&check(text));
    let p = &r["problems"][0];
    assert_eq!(p["path"], "/teams/0/timezone");
    assert_eq!(js_slice(text, &p["start"], &p["end"]), "\"America/Sao_Paulx\"");
    // UTF-16, not bytes nor characters: the emoji before it are two units each.
    let start = p["start"].as_u64().expect("start") as usize;
    let byte = text.find("\"America/Sao_Paulx\"").expect("in the text");
    assert_eq!(start, text[..byte].encode_utf16().count());
    assert_ne!(start, byte);
    assert_ne!(start, text[..byte].chars().count());
}

#[test]
fn unknown_and_missing_fields_and_syntax_errors_have_spans() {
    let text = r#"{ "company": "A", "teams": [{ "id": "x", "name": "X", "timezon": "UTC", "hours": {} }],
  "coverages": [], "plans": [] }"#;
    let r = parse(&check(text));
    let problems = r["problems"].as_array().expect("a list");
    let unknown = problems.iter().find(|p| p["path"] == "/teams/0/timezon").expect("unknown field");
    assert!(unknown["message"].as_str().is_some_and(|m| m.starts_with("unknown field \"timezon\"")));
    assert_eq!(js_slice(text, &unknown["start"], &unknown["end"]), "\"timezon\": \"UTC\"");
    let missing = problems.iter().find(|p| p["message"] == "missing field \"timezone\"").expect("missing field");
    assert_eq!(missing["path"], "/teams/0");
    assert_eq!(
        js_slice(text, &missing["start"], &missing["end"]),
        r#"{ "id": "x", "name": "X", "timezon": "UTC", "hours": {} }"#
    );

    let broken = "{\n  \"company\": \"Café 😀\",\n  \"teams\": [1, 2,]\n}";
    let r = parse(&check(broken));
    let p = &r["problems"][0];
    assert_eq!(p["path"], "");
    assert_eq!(p["message"], "not valid JSON: trailing comma at line 3 column 18");
    assert_eq!(js_slice(broken, &p["start"], &p["end"]), "]");
    assert_eq!(r["problems"].as_array().map(Vec::len), Some(1));

    let empty = parse(&check(""));
    assert_eq!((&empty["problems"][0]["start"], &empty["problems"][0]["end"]), (&json!(0), &json!(0)));
}

#[test]
fn warnings_are_replyby_checks() {
    let text = DEMO_CONFIG.replace("\"Three offices, one queue\"", "\"Call Dave on +1 (555) 010-4477\"");
    let r = parse(&check(&text));
    assert_eq!(r["problems"], json!([]));
    let w = &r["warnings"][0];
    assert_eq!(w["path"], "/plans/2/blurb");
    let schedule = load(&text, &TzTable).expect("loads");
    assert_eq!(w["message"], replyby_core::lint::lint(&schedule.config)[0].message.as_str());
    assert_eq!(js_slice(&text, &w["start"], &w["end"]), "\"Call Dave on +1 (555) 010-4477\"");
    assert!(r["summary"].is_string());
}

#[test]
fn presets_and_their_dates() {
    let list = parse(&presets());
    let list = list.as_array().expect("a list");
    assert!(list.len() > 100);
    assert!(list.iter().any(|p| p["id"] == "de" && p["name"].as_str().is_some_and(|n| n.starts_with("Germany"))));
    assert!(list.contains(&json!({ "id": "de-by", "name": "Germany, Bayern" })));

    let de = parse(&preset_dates("de", 2027));
    let dates = de["dates"].as_array().expect("dates");
    assert_eq!(dates[0]["date"], "2027-01-01");
    assert!(dates.iter().all(|d| d["date"].as_str().is_some_and(|s| s.starts_with("2027-"))));
    let unknown = parse(&preset_dates("dd", 2027));
    assert!(unknown["error"].as_str().is_some_and(|e| e.starts_with("unknown holiday preset \"dd\"")));
    assert!(parse(&preset_dates("de", 99999))["error"].is_string());
    assert!(parse(&preset_dates("de", i32::MIN))["error"].is_string());

    let doc = preset_document("de");
    assert!(replyby_core::json::Json::parse(&doc).is_ok());
    assert_eq!(preset_document("nope"), "");
}

#[test]
fn osm_import_ok_and_errors() {
    let r = parse(&import_osm("Mo-Fr 09:00-17:00; Sa 10:00-14:00"));
    assert_eq!(r, json!({ "hours": { "mon-fri": ["09:00-17:00"], "sat": ["10:00-14:00"] } }));

    let text = "Mo-Fr 09:00-17:00; PH off";
    let r = parse(&import_osm(text));
    let e = &r["errors"][0];
    assert_eq!((&e["column"], &e["start"], &e["end"]), (&json!(20), &json!(19), &json!(20)));
    assert!(e["message"].is_string());
    let errors = replyby_core::osm_import::import(text).expect_err("errors");
    assert_eq!(r["described"], errors.describe(text).as_str());

    // After non-ASCII text, the UTF-16 range still covers the column's character.
    let text = "Mo-Fr 09:00-17:00; Sa 10:00-14:00 \"Öffnungszeiten 😀\"; PH off";
    let r = parse(&import_osm(text));
    for e in r["errors"].as_array().expect("errors") {
        let column = e["column"].as_u64().expect("column") as usize;
        let want: String = text.chars().nth(column - 1).map(String::from).unwrap_or_default();
        assert_eq!(js_slice(text, &e["start"], &e["end"]), want);
    }
}

const ICS: &str = "BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Acme Networks//Closures//EN\r
CALSCALE:GREGORIAN\r
BEGIN:VEVENT\r
UID:retreat-2027@acme.example\r
DTSTAMP:20260901T120000Z\r
DTSTART;VALUE=DATE:20270611\r
DTEND;VALUE=DATE:20270612\r
SUMMARY:Company retreat\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:winter-2026@acme.example\r
DTSTAMP:20260901T120000Z\r
DTSTART;VALUE=DATE:20261228\r
DTEND;VALUE=DATE:20270101\r
SUMMARY:Winter closure\r
DESCRIPTION:The office is closed between the years\\, as every year.\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:founders@acme.example\r
DTSTAMP:20260901T120000Z\r
DTSTART;VALUE=DATE:20270314\r
DTEND;VALUE=DATE:20270315\r
RRULE:FREQ=YEARLY\r
SUMMARY:Founders' day\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:call@acme.example\r
DTSTAMP:20260901T120000Z\r
DTSTART;TZID=Europe/Berlin:20270105T100000\r
DTEND;TZID=Europe/Berlin:20270105T110000\r
SUMMARY:Team call\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:inventory@acme.example\r
DTSTAMP:20260901T120000Z\r
DTSTART;VALUE=DATE:20270104\r
RRULE:FREQ=MONTHLY;BYDAY=1MO\r
SUMMARY:Inventory\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:anon@acme.example\r
DTSTAMP:20260901T120000Z\r
DTSTART;VALUE=DATE:20270802\r
END:VEVENT\r
END:VCALENDAR\r
";

#[test]
fn ics_all_day_events_become_rules() {
    let r = parse(&import_ics(ICS));
    assert_eq!(
        r["holidays"],
        json!([
            { "name": "Company retreat", "date": "2027-06-11" },
            { "name": "Winter closure", "from": "2026-12-28", "to": "2026-12-31" },
            { "name": "Founders' day", "month": 3, "day": 14 },
            { "name": "Closed", "date": "2027-08-02" },
        ])
    );
    assert_eq!(
        r["skipped"],
        json!([
            { "summary": "Team call", "reason": "not an all-day event" },
            { "summary": "Inventory", "reason": "repeats in a way a holiday rule cannot say (only FREQ=YEARLY on one day is imported)" },
        ])
    );

    // The rules are what the config reader accepts: put them into a team and load it.
    let mut config: Value = serde_json::from_str(DEMO_CONFIG).expect("JSON");
    let holidays = config["teams"][1]["holidays"].as_array_mut().expect("a list");
    holidays.extend(r["holidays"].as_array().expect("rules").iter().cloned());
    let text = config.to_string();
    let schedule = load(&text, &TzTable).expect("the imported rules load");
    let closed = schedule
        .closed_days(
            "extended",
            chrono::NaiveDate::from_ymd_opt(2028, 3, 14).expect("a date"),
            chrono::NaiveDate::from_ymd_opt(2028, 3, 14).expect("a date"),
        )
        .expect("closed days");
    assert!(closed.iter().any(|d| d.team == "berlin" && d.name == "Founders' day"));
    assert_eq!(parse(&check(&text))["problems"], json!([]));
}

#[test]
fn ics_that_does_not_parse_is_an_error() {
    let r = parse(&import_ics("BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270611\n"));
    let m = r["errors"][0]["message"].as_str().expect("a message");
    assert!(m.starts_with("line "), "{m}");
    let r = parse(&import_ics("hello"));
    assert!(r["errors"][0]["message"].is_string(), "{r}");
    let r = parse(&import_ics(""));
    assert!(r["errors"][0]["message"].is_string(), "{r}");
}

#[test]
fn quotes_agree_with_the_schedule() {
    let at = "2027-02-05T20:00:00-05:00";
    let r = parse(&quotes(DEMO_CONFIG, at));
    let schedule = load(DEMO_CONFIG, &TzTable).expect("loads");
    let instant = replyby_core::text::parse_instant(at).expect("an instant");
    let list = r["quotes"].as_array().expect("quotes");
    assert_eq!(list.len(), schedule.plans.len());
    for (q, p) in list.iter().zip(&schedule.plans) {
        let want = schedule.quote(&p.id, instant).expect("a quote");
        let mut want = serde_json::to_value(&want).expect("JSON");
        want["name"] = Value::String(p.name.clone());
        assert_eq!(q, &want);
    }
    assert_eq!(list[1]["plan"], "pro");
    assert_eq!(list[1]["name"], "Pro");

    assert!(parse(&quotes(DEMO_CONFIG, "tomorrow"))["error"].is_string());
    let bad = parse(&quotes("{", at));
    assert!(bad["error"].as_str().is_some_and(|e| e.contains("not valid JSON")));
}

#[test]
fn a_visitors_wall_time_becomes_an_instant_by_the_cores_rule_at_gaps_and_folds() {
    let at = |zone: &str, local: &str| parse(&replyby_studio::local_instant(zone, local));
    assert_eq!(at("America/Sao_Paulo", "2027-03-03T23:00")["instant"], "2027-03-04T02:00:00Z");
    assert_eq!(at("Asia/Tokyo", "2027-01-01T00:00:00")["instant"], "2026-12-31T15:00:00Z");
    // New York's spring-forward gap: 02:30 does not exist and moves later by the hour (03:30 EDT).
    assert_eq!(at("America/New_York", "2024-03-10T02:30")["instant"], "2024-03-10T07:30:00Z");
    // Its fall-back fold: 01:30 happens twice; the earlier (EDT) is meant.
    assert_eq!(at("America/New_York", "2024-11-03T01:30")["instant"], "2024-11-03T05:30:00Z");
    assert!(at("Europe/Berln", "2027-03-03T10:00")["error"].as_str().is_some_and(|e| e.contains("Europe/Berln")));
    assert!(at("UTC", "tomorrow")["error"].as_str().is_some_and(|e| e.contains("tomorrow")));
}

mod week_grid {
    use super::parse;
    use chrono::Weekday;
    use proptest::prelude::*;
    use replyby_core::{TzTable, load};
    use replyby_studio::{hours_by_day, hours_from_days};
    use serde_json::{Value, json};

    fn days_of(hours: &Value) -> Vec<Vec<String>> {
        let r = parse(&hours_by_day(&hours.to_string()));
        serde_json::from_value(r["days"].clone()).expect("seven lists")
    }

    fn hours_of(days: &[Vec<String>]) -> Value {
        let r = parse(&hours_from_days(&json!(days).to_string()));
        // What the page's Object.fromEntries makes of the entries, in their order.
        let mut out = serde_json::Map::new();
        for pair in r["entries"].as_array().expect("entries") {
            out.insert(pair[0].as_str().expect("key").to_owned(), pair[1].clone());
        }
        Value::Object(out)
    }

    #[test]
    fn keys_are_read_as_the_core_reads_them_including_wrapping_ranges() {
        let days = days_of(
            &json!({ "mon-thu": ["08:00-12:00", "13:00-17:00"], "fri": ["08:00-14:00"], "sat-mon": ["22:00-02:00"] }),
        );
        assert_eq!(days[0], ["08:00-12:00", "13:00-17:00", "22:00-02:00"]);
        assert_eq!(days[4], ["08:00-14:00"]);
        assert_eq!(days[5], ["22:00-02:00"]);
        assert_eq!(days[6], ["22:00-02:00"]);
        assert!(
            parse(&hours_by_day(r#"{"weekdays": ["09:00-17:00"]}"#))["error"]
                .as_str()
                .is_some_and(|e| e.contains("weekdays"))
        );
        assert!(parse(&hours_by_day("[1]"))["error"].is_string());
    }

    #[test]
    fn runs_of_equal_days_become_one_key_in_week_order() {
        let nine = vec!["09:00-17:00".to_owned()];
        let days =
            vec![nine.clone(), nine.clone(), nine.clone(), nine.clone(), vec!["08:00-13:00".to_owned()], vec![], nine];
        let r = parse(&hours_from_days(&json!(days).to_string()));
        assert_eq!(
            r["entries"],
            json!([["mon-thu", ["09:00-17:00"]], ["fri", ["08:00-13:00"]], ["sun", ["09:00-17:00"]]])
        );
        assert!(parse(&hours_from_days("[[]]"))["error"].as_str().is_some_and(|e| e.contains("1 days")));
    }

    fn interval() -> impl Strategy<Value = String> {
        // Valid intervals of the format, overnight ones (end before start) included.
        (0u32..24, 0u32..4, 0u32..24, 0u32..4).prop_filter_map("empty interval", |(h1, q1, h2, q2)| {
            let (a, b) = (h1 * 60 + q1 * 15, h2 * 60 + q2 * 15);
            (a != b).then(|| format!("{:02}:{:02}-{:02}:{:02}", h1, q1 * 15, h2, q2 * 15))
        })
    }

    fn week() -> impl Strategy<Value = Vec<Vec<String>>> {
        // Few distinct day lists, so runs of equal days are common.
        prop::collection::vec(prop::collection::vec(interval(), 0..2), 1..4).prop_flat_map(|choices| {
            prop::collection::vec(0..choices.len(), 7)
                .prop_map(move |pick| pick.into_iter().map(|i| choices[i].clone()).collect())
        })
    }

    proptest! {
        /// The grid's round trip loses nothing, and the hours it writes mean, to the core, the
        /// very days the grid showed (Team::hours_on, for every config that loads).
        #[test]
        fn the_grid_writes_back_what_it_shows_and_the_core_agrees(days in week()) {
            let hours = hours_of(&days);
            prop_assert_eq!(days_of(&hours), days.clone());
            let config = json!({ "company": "C", "teams": [{ "id": "t", "name": "T", "timezone": "UTC", "hours": hours }] });
            if let Ok(schedule) = load(&config.to_string(), &TzTable) {
                let weekdays = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
                for (i, d) in weekdays.iter().enumerate() {
                    let mut seen: Vec<String> = schedule.teams[0].hours_on(*d).iter().map(ToString::to_string).collect();
                    // As the core writes each interval ("00:15-00:00" is "00:15-24:00").
                    let mut shown: Vec<String> = days[i]
                        .iter()
                        .map(|t| replyby_core::hours::Interval::parse(t).map(|v| v.to_string()).unwrap_or_else(|e| e))
                        .collect();
                    seen.sort();
                    shown.sort();
                    prop_assert_eq!(seen, shown, "day {}", i);
                }
            }
        }
    }
}
