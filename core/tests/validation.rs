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
                         { "preset": "de", "except": ["Whitmonday"] }, "xx", { "name": "Two", "date": "2024-01-01", "easter": 1 }] },
          { "id": "berlin", "name": "Berlin", "timezone": "Europe/Berln", "hours": {} }],
        "coverages": [{ "id": "c", "name": "C", "teams": ["nyc", "tokyo"] }, { "id": "a", "name": "A", "always": true }],
        "plans": [{ "id": "p", "name": "P", "coverage": "cc", "first_reply": { "hours": 1 } },
                  { "id": "q", "name": "Q", "coverage": "a", "first_reply": { "business_days": 0 } }] }"#,
    );
    let want = [
        r#"/teams/0/hours/mon-fri: friday is given twice (also in "fri")"#,
        r#"/teams/0/hours/mon-fri/1: interval "16:00-18:00" overlaps "09:00-17:00" on the same day"#,
        r#"/teams/0/hours/sat/0: interval "9-5": "9" is not a time of day HH:MM"#,
        "/teams/0/holidays/0/day: February 31 does not exist",
        "/teams/0/holidays/1/nth: nth must be 1 to 5, or -1 for the last, not 6",
        r#"/teams/0/holidays/2/except/0: preset "de" has no holiday named "Whitmonday" (did you mean "Whit Monday"?)"#,
        r#"/teams/0/holidays/3: unknown holiday preset "xx" (known presets: us, gb-eng, de, fr, nl)"#,
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
        "teams": [{ "id": "nyc", "nme": "x", "name": "N", "timezone": "UTC", "hours": {},
                    "holidays": [{ "name": "X", "date": "2024-01-01", "observd": "monday" }, 7] },
                  { "id": "b", "name": "B", "timezone": 5, "hours": {} }],
        "coverages": [{ "id": "c", "name": "C", "teams": "nyc" }],
        "plans": [{ "id": "p", "name": "P", "coverage": "c", "first_reply": { "weeks": 1 } }] }"#,
    );
    let joined = got.join("\n");
    for needle in [
        r#"/plan: unknown field "plan" (did you mean "plans"?)"#,
        r#"/teams/0/nme: unknown field "nme", expected one of "id", "name", "timezone", "hours", "holidays""#,
        r#"/teams/0/holidays/0/observd: unknown field "observd""#,
        "/teams/0/holidays/1: a holiday is a preset id (\"us\") or a rule object, not a number",
        "/teams/1/timezone: invalid type: integer 5, expected a string",
        "/coverages/0/teams: invalid type: string \"nyc\", expected a sequence",
        "/plans/0/first_reply: unknown variant \"weeks\"",
    ] {
        assert!(joined.contains(needle), "missing {needle:?} in\n{joined}");
    }
}

#[test]
fn broken_json_says_where() {
    let got = errors("{ \"company\": \"Acme\", }");
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("/: not valid JSON: trailing comma at line 1 column"), "{}", got[0]);
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
