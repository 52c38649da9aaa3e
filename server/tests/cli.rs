//! The `replyby` binary, run as a user runs it.

mod readme;

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn replyby(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_replyby")).args(args).current_dir(root()).output().expect("run replyby")
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn temp_config(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("replyby-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write config");
    path
}

#[test]
fn check_summarises_a_good_config() {
    let out = replyby(&["check", "examples/design.json"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "examples/design.json: ok — Acme Networks: 2 teams, 3 coverages, 3 plans\n"
    );
    assert_eq!(stderr(&out), "");
}

#[test]
fn check_lists_every_error_and_exits_1() {
    let path = temp_config(
        "bad.json",
        r#"{ "company": "A", "teams": [{ "id": "t", "name": "T", "timezone": "Europe/Berln", "hours": { "mon": ["09:00-17:00", "10:00-11:00"] } }],
             "coverages": [{ "id": "c", "name": "C", "teams": ["x"] }], "plans": [] }"#,
    );
    let out = replyby(&["check", path.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(r#"/teams/0/timezone: unknown time zone "Europe/Berln" (did you mean "Europe/Berlin"?)"#),
        "{err}"
    );
    assert!(
        err.contains(r#"/teams/0/hours/mon/1: interval "10:00-11:00" overlaps "09:00-17:00" on the same day"#),
        "{err}"
    );
    assert!(err.contains(r#"/coverages/0/teams/0: no team has id "x""#), "{err}");
    assert!(err.contains(": 3 problems"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn check_warns_about_personal_contacts_but_passes() {
    let path = temp_config(
        "contact.json",
        r#"{ "company": "A", "teams": [{ "id": "t", "name": "T", "timezone": "UTC", "hours": { "mon": ["09:00-17:00"] } }],
             "coverages": [{ "id": "c", "name": "C", "teams": ["t"] }],
             "plans": [{ "id": "p", "name": "P", "coverage": "c", "first_reply": { "hours": 1 },
                         "blurb": "Urgent? Call Dave on +1 555 010 4477 or dave.smith@a.example; or support@a.example" }] }"#,
    );
    let out = replyby(&["check", path.to_str().expect("path")]);
    assert!(out.status.success());
    let err = stderr(&out);
    assert!(err.contains(r#"warning: /plans/0/blurb: "+1 555 010 4477" looks like a phone number"#), "{err}");
    assert!(
        err.contains(r#"warning: /plans/0/blurb: "dave.smith@a.example" looks like a personal e-mail address"#),
        "{err}"
    );
    assert!(!err.contains("support@a.example\" looks"), "{err}");
}

#[test]
fn status_prints_design_md_fields() {
    let v = json(&replyby(&[
        "status",
        "examples/design.json",
        "--coverage",
        "business",
        "--at",
        "2027-02-15T10:00:00-05:00",
    ]));
    assert_eq!(
        v,
        serde_json::json!({ "coverage": "business", "at": "2027-02-15T15:00:00Z", "open": false, "closes_at": null,
            "next_open": "2027-02-16T14:00:00Z", "reason": { "kind": "holiday", "name": "Washington's Birthday" } })
    );
}

#[test]
fn quote_prints_release_and_respond_by() {
    // Friday 20:00 New York → Monday 09:00 → one business day → Tuesday at close.
    let v = json(&replyby(&["quote", "examples/design.json", "--plan", "basic", "--at", "2027-03-06T01:00:00Z"]));
    assert_eq!(
        v,
        serde_json::json!({ "plan": "basic", "submitted_at": "2027-03-06T01:00:00Z",
            "release_at": "2027-03-08T14:00:00Z", "respond_by": "2027-03-09T22:00:00Z" })
    );
    // Without --at the answer is about now, and still well-formed.
    let now = json(&replyby(&["quote", "examples/design.json", "--plan", "enterprise"]));
    assert!(now["submitted_at"].as_str().is_some_and(|s| s.ends_with('Z') && s.len() == 20), "{now}");
}

#[test]
fn closed_days_are_sorted_by_date_and_team() {
    let v = json(&replyby(&[
        "closed-days",
        "examples/design.json",
        "--coverage",
        "extended",
        "--from",
        "2027-05-01",
        "--to",
        "2027-06-30",
    ]));
    let rows: Vec<(String, String, String)> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|r| {
            (
                r["date"].as_str().unwrap_or("").into(),
                r["team"].as_str().unwrap_or("").into(),
                r["name"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    let want = [
        ("2027-05-01", "berlin", "Labour Day"),
        ("2027-05-06", "berlin", "Ascension Day"),
        ("2027-05-31", "nyc", "Memorial Day"),
        ("2027-06-11", "nyc", "Company retreat"),
        ("2027-06-18", "nyc", "Juneteenth National Independence Day"),
    ];
    let want: Vec<(String, String, String)> =
        want.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(rows, want);
    assert_eq!(v[0]["hours"], serde_json::json!([]));
}

#[test]
fn holidays_lists_a_preset_across_a_year_boundary() {
    let v = json(&replyby(&["holidays", "us", "--from", "2027-12-20", "--to", "2028-01-05"]));
    assert_eq!(
        v,
        serde_json::json!([{ "date": "2027-12-24", "name": "Christmas Day" }, { "date": "2027-12-31", "name": "New Year's Day" }])
    );
    let long = json(&replyby(&["holidays", "us", "--from", "2020-01-01", "--to", "2060-12-31"]));
    assert!(long.as_array().is_some_and(|a| a.len() > 440), "{}", long.as_array().map_or(0, Vec::len));
}

#[test]
fn bad_input_exits_1_and_bad_usage_exits_2() {
    let unknown_plan = replyby(&["quote", "examples/design.json", "--plan", "gold"]);
    assert_eq!(unknown_plan.status.code(), Some(1));
    assert_eq!(stderr(&unknown_plan), "replyby: unknown plan \"gold\"\n");
    let missing = replyby(&["status", "examples/nope.json", "--coverage", "business"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).starts_with("replyby: cannot read examples/nope.json"));
    let preset = replyby(&["holidays", "xx", "--from", "2027-01-01", "--to", "2027-12-31"]);
    assert_eq!(preset.status.code(), Some(1));
    for args in [
        &["quote", "examples/design.json", "--plan", "basic", "--at", "tomorrow"][..],
        &["status", "examples/design.json"],
        &["holidays", "us", "--from", "2027-02-30", "--to", "2027-12-31"],
        &["holidays", "us", "--from", "2027-12-31", "--to", "2027-01-01"],
        &["frobnicate"],
    ] {
        let out = replyby(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn example_configs_validate_against_the_shipped_schema() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("schema/config.schema.json")).expect("schema"))
            .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    for example in ["examples/acme.json", "examples/design.json"] {
        let config: Value =
            serde_json::from_str(&std::fs::read_to_string(root().join(example)).expect("example")).expect("json");
        let errors: Vec<String> = validator.iter_errors(&config).map(|e| format!("{}: {e}", e.instance_path)).collect();
        assert!(errors.is_empty(), "{example}: {errors:?}");
    }
    // The schema is not a rubber stamp: it rejects unknown fields and wrong types.
    let bad = serde_json::json!({ "company": "A", "teams": [{ "id": "t", "name": "T", "timezone": "UTC", "hours": {}, "colour": "red" }] });
    assert!(!validator.is_valid(&bad));
    let bad = serde_json::json!({ "company": 7, "teams": [] });
    assert!(!validator.is_valid(&bad));
}
