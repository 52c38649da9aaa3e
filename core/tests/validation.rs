//! Validation: every problem at once, each at its JSON path.

use replyby_core::{DEMO_CONFIG, TzTable, load};

fn errors(json: &str) -> Vec<String> {
    match load(json, &TzTable) {
        Ok(_) => panic!("config should be rejected"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn demo_config_loads() {
    assert!(load(DEMO_CONFIG, &TzTable).is_ok());
}

#[test]
fn reports_every_semantic_problem_with_its_path() {
    let got = errors(
        r#"{ "company": "Acme",
        "teams": [
          { "id": "nyc", "name": "New York", "timezone": "America/New_York",
            "hours": { "mon-fri": ["09:00-17:00", "16:00-18:00"], "fri": ["10:00-11:00"], "sat": ["9-5"] },
            "holidays": [{ "name": "Bad", "month": 2, "day": 31 }, { "name": "Sixth", "month": 3, "weekday": "mon", "nth": 6 },
                         { "preset": "de", "except": ["Whitmonday"] }, "gb-scot", { "name": "Two", "date": "2024-01-01", "easter": 1 }] },
          { "id": "berlin", "name": "Berlin", "timezone": "Europe/Berln", "hours": {} }],
        "coverages": [{ "id": "c", "name": "C", "teams": ["nyc", "tokyo"] }, { "id": "a", "name": "A", "always": true }],
        "plans": [{ "id": "p", "name": "P", "coverage": "cc", "first_reply": { "hours": 1 } },
                  { "id": "q", "name": "Q", "coverage": "a", "first_reply": { "business_days": 0 } }] }"#,
    );
    let want = [
        r#"/teams/0/hours/fri: friday is given twice (also in "mon-fri")"#,
        r#"/teams/0/hours/mon-fri/1: interval "16:00-18:00" overlaps "09:00-17:00" on the same day"#,
        r#"/teams/0/hours/sat/0: interval "9-5": "9" is not a time of day HH:MM"#,
        "/teams/0/holidays/0/day: February 31 does not exist",
        "/teams/0/holidays/1/nth: nth must be 1 to 5, or -1 for the last, not 6",
        r#"/teams/0/holidays/2/except/0: preset "de" has no holiday named "Whitmonday" (did you mean "Whit Monday"?)"#,
        r#"/teams/0/holidays/3: unknown holiday preset "gb-scot" (did you mean "gb-sct"?)"#,
        "/teams/0/holidays/4: a holiday rule takes exactly one way to find its date, but this one has date, easter",
        r#"/teams/1/timezone: unknown time zone "Europe/Berln" (did you mean "Europe/Berlin"?)"#,
        r#"/coverages/0/teams/1: no team has id "tokyo""#,
        r#"/plans/0/coverage: no coverage has id "cc" (did you mean "c"?)"#,
        "/plans/1/first_reply/business_days: a first-reply target must be at least 1",
        r#"/plans/1/first_reply: business_days needs a coverage with teams, and coverage "a" is open 24/7 (use "hours")"#,
    ];
    for w in want {
        assert!(got.iter().any(|g| g == w), "missing {w:?} in\n{}", got.join("\n"));
    }
    assert_eq!(got.len(), want.len(), "{}", got.join("\n"));
}

#[test]
fn reports_every_structural_problem_at_once() {
    let got = errors(
        r#"{ "company": "Acme", "plan": [],
        "teams": [{ "id": "nyc", "nme": "x", "name": "N", "timezone": "UTC", "hours": { "mon": ["09:00-10:00"], "mon": [] },
                    "holidays": [{ "name": "X", "date": "2024-01-01", "observd": "monday" }, 7,
                                 { "name": "Y", "month": 1.5, "day": -1, "relation": "nearest" }] },
                  { "id": "b", "name": "B", "timezone": 5, "hours": {}, "holidays": [{ "preset": "us", "exept": [] }] }],
        "coverages": [{ "id": "c", "name": "C", "teams": "nyc", "always": "yes" }],
        "plans": [{ "id": "p", "name": "P", "coverage": "c", "first_reply": { "weeks": 1 } },
                  { "id": "q", "name": "Q", "coverage": "c", "first_reply": { "hours": 1, "minutes": 2 } },
                  { "name": "R", "first_reply": { "business_hours": 4 } }] }"#,
    );
    let want = [
        r#"/plan: unknown field "plan" (did you mean "plans"?)"#,
        r#"/teams/0/nme: unknown field "nme" (did you mean "name"?)"#,
        r#"/teams/0/hours/mon: "mon" is written twice in this object"#,
        r#"/teams/0/holidays/0/observd: unknown field "observd" (did you mean "observed"?)"#,
        "/teams/0/holidays/1: a holiday is a preset id (\"us\") or a rule object, not the number 7",
        "/teams/0/holidays/2/month: expected a whole number from 0 to 4294967295, found the number 1.5",
        "/teams/0/holidays/2/day: expected a whole number from 0 to 4294967295, found the number -1",
        r#"/teams/0/holidays/2/relation: unknown relation "nearest" (use on_or_after, after, on_or_before, before)"#,
        "/teams/1/timezone: expected a string, found the number 5",
        r#"/teams/1/holidays/0/exept: unknown field "exept" (did you mean "except"?)"#,
        r#"/coverages/0/teams: expected a list, found the string "nyc""#,
        r#"/coverages/0/always: expected true or false, found the string "yes""#,
        "/plans/0/first_reply/weeks: unknown target \"weeks\" (use hours, minutes, business_hours, business_minutes, business_days)",
        "/plans/1/first_reply: a first-reply target takes exactly one of hours, minutes, business_hours, business_minutes, business_days, found hours, minutes",
        r#"/plans/2: missing field "id""#,
        r#"/plans/2: missing field "coverage""#,
    ];
    for w in want {
        assert!(got.iter().any(|g| g == w), "missing {w:?} in\n{}", got.join("\n"));
    }
    assert_eq!(got.len(), want.len(), "{}", got.join("\n"));
}

#[test]
fn a_config_that_is_not_an_object_or_misses_its_parts() {
    assert_eq!(errors("[]"), [r#"/: a config must be a JSON object with "company", "teams", "coverages" and "plans""#]);
    assert_eq!(errors("{}"), [r#"/: missing field "company""#, r#"/: missing field "teams""#]);
    assert_eq!(
        errors(r#"{ "company": "A", "teams": [], "queue": { "endpoint": 1 } }"#),
        ["/queue/endpoint: expected a string, found the number 1"]
    );
    assert_eq!(
        errors(r#"{ "company": null, "teams": [], "plans": null }"#),
        ["/company: expected a string, found null"],
        "null is absent only where a field is optional"
    );
}

#[test]
fn broken_json_says_where() {
    let got = errors("{ \"company\": \"Acme\", }");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0], "/: not valid JSON: trailing comma at line 1 column 22");
    let got = errors("{ \"company\": \"Acme\",\n  \"teams\": [}");
    assert_eq!(got, ["/: not valid JSON: expected a value at line 2 column 13"]);
}

#[test]
fn impossible_dates_and_periods() {
    let got = errors(
        r#"{ "company": "A", "teams": [{ "id": "t", "name": "T", "timezone": "UTC", "hours": { "mon": ["09:00-17:00"] },
          "holidays": [{ "name": "A", "date": "2024-02-30" }, { "name": "B", "from": "2024-05-02", "to": "2024-05-01" },
                       { "name": "C", "month": 13, "day": 1 }, { "name": "", "easter": 1 }, { "name": "D", "from": "2024-05-01" },
                       { "name": "E", "month": 5, "day": 1, "since": 2030, "until": 2020 },
                       { "name": "F", "month": 5, "day": 2, "hours": ["10:00-09:00", "08:00-11:00"] }] }] }"#,
    );
    let joined = got.join("\n");
    for needle in [
        r#"/teams/0/holidays/0/date: "2024-02-30" is not a real date YYYY-MM-DD"#,
        r#"/teams/0/holidays/1/to: "to" (2024-05-01) is before "from" (2024-05-02)"#,
        "/teams/0/holidays/2/month: month 13 does not exist (1 to 12)",
        "/teams/0/holidays/3/name: a holiday needs a name",
        r#"/teams/0/holidays/4: a closure period needs both "from" and "to""#,
        r#"/teams/0/holidays/5/until: "until" (2020) is before "since" (2030)"#,
        r#"/teams/0/holidays/6/hours/0: interval "10:00-09:00" overlaps "08:00-11:00" on the same day"#,
    ] {
        assert!(joined.contains(needle), "missing {needle:?} in\n{joined}");
    }
}

#[test]
fn dangling_and_duplicate_ids_and_bad_origins() {
    let got = errors(
        r#"{ "company": "A", "teams": [{ "id": "t", "name": "T", "timezone": "UTC", "hours": {} },
                                       { "id": "t", "name": "U", "timezone": "UTC", "hours": { "mon": ["09:00-10:00"] } }],
          "coverages": [{ "id": "c", "name": "C" }, { "id": "d", "name": "D", "teams": ["t"], "always": true }],
          "plans": [], "queue": { "allowed_origins": ["https://ok.example", "https://bad.example/path"] } }"#,
    );
    let joined = got.join("\n");
    for needle in [
        r#"/teams/1/id: id "t" is used twice"#,
        r#"/coverages/0: a coverage needs "teams" or "always": true"#,
        r#"/coverages/1/teams: an "always" coverage is open 24/7 and takes no teams"#,
        r#"/queue/allowed_origins/1: "https://bad.example/path" is not an origin"#,
    ] {
        assert!(joined.contains(needle), "missing {needle:?} in\n{joined}");
    }
}

#[test]
fn the_shipped_schema_is_current_and_accepts_the_examples() {
    let generated = serde_json::to_string_pretty(&replyby_core::config::json_schema()).expect("schema") + "\n";
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/config.schema.json"))
        .unwrap_or_default();
    assert!(
        generated == shipped,
        "schema/config.schema.json is stale: run `cargo run -p replyby -- schema > schema/config.schema.json`"
    );
}
