//! Generated presets (python `holidays`), presets supplied at run time, and the `dates` rule.
//! scripts/check-presets.py compares the generated presets with the package itself.

use crate::common::{date, one_team};
use replyby_core::holidays::{Document, preset, preset_document, preset_holidays, preset_list};
use replyby_core::{TzTable, load, load_with_presets, preset_ids};

fn errors(json: &str) -> Vec<String> {
    match load(json, &TzTable) {
        Ok(_) => Vec::new(),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

fn with_holidays(holidays: &str) -> String {
    format!(
        r#"{{ "company": "A", "teams": [{{ "id": "t", "name": "T", "timezone": "Asia/Tokyo",
              "hours": {{ "mon-fri": ["09:00-17:00"] }}, "holidays": {holidays} }}],
            "coverages": [{{ "id": "c", "name": "C", "teams": ["t"] }}],
            "plans": [{{ "id": "p", "name": "P", "coverage": "c", "first_reply": {{ "business_days": 1 }} }}] }}"#
    )
}

#[test]
fn every_bundled_preset_loads() {
    let list = preset_list();
    assert!(list.len() > 850, "{} presets", list.len());
    assert!(list.windows(2).all(|w| w[0].0 < w[1].0), "sorted by id, each once");
    for (id, name) in &list {
        let p = preset(id).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!((p.id.as_str(), p.name.as_str()), (*id, *name));
        assert!(!name.is_empty());
    }
    // Uninhabited territories have no public holidays; every other preset has some.
    let empty: Vec<&str> =
        list.iter().filter(|(id, _)| preset(id).is_ok_and(|p| p.rules.is_empty())).map(|e| e.0).collect();
    assert_eq!(empty, ["bv", "hm", "io"]);
}

#[test]
fn every_exported_document_reads_back_as_the_same_preset() {
    for (id, _) in preset_list() {
        let text = preset_document(id).unwrap_or_else(|| panic!("{id}: no document"));
        let doc = Document::parse(&text).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(doc.base, None, "{id}: self-contained");
        assert_eq!(&doc.compile().unwrap_or_else(|e| panic!("{id}: {e}")), preset(id).expect("preset"), "{id}");
    }
}

#[test]
fn the_list_names_countries_and_subdivisions_and_keeps_the_hand_written_presets() {
    let list = preset_list();
    let name = |id: &str| list.iter().find(|e| e.0 == id).map(|e| e.1);
    assert_eq!(name("jp"), Some("Japan"));
    assert_eq!(name("de-by"), Some("Germany, Bayern"));
    assert_eq!(name("us-ca"), Some("United States, California"));
    assert_eq!(name("gb-sct"), Some("United Kingdom, Scotland"));
    assert_eq!(name("gb"), Some("United Kingdom"));
    for id in ["au-nsw", "ca-on", "in-mh", "br", "es-md", "it", "mx", "za", "kr", "sg", "gb-nir", "gb-wls"] {
        assert!(name(id).is_some(), "{id}");
    }
    // Hand-written presets win over the generated ones with the same id.
    assert_eq!(name("us"), Some("United States, federal holidays (OPM)"));
    assert_eq!(name("gb-eng"), Some("England and Wales, bank holidays"));
    assert_eq!(preset("de").expect("de").rules[0].name, "New Year's Day");
    assert_eq!(preset("de-by").expect("de-by").rules[0].name, "Heilige Drei Könige");
}

#[test]
fn subdivisions_get_their_country_minus_what_they_remove() {
    let days = |id: &str| -> Vec<String> {
        preset_holidays(id, date("2024-01-01"), date("2024-12-31"))
            .expect("preset")
            .into_iter()
            .map(|h| format!("{} {}", h.date.format("%m-%d"), h.name))
            .collect()
    };
    let by = days("de-by");
    assert!(by.contains(&"01-06 Heilige Drei Könige".to_owned()), "{by:?}");
    assert!(by.contains(&"10-03 Tag der Deutschen Einheit".to_owned()), "{by:?}");
    // California does not keep Columbus Day, which the federal calendar has.
    let ca = days("us-ca");
    assert!(ca.iter().any(|d| d == "03-31 Cesar Chavez Day"), "{ca:?}");
    assert!(!ca.iter().any(|d| d.contains("Columbus")), "{ca:?}");
}

#[test]
fn estimated_dates_are_flagged_in_holidays_and_closed_days() {
    // Albania's Islamic holidays are estimates in python holidays (its lunar tables).
    let list = preset_holidays("al", date("2030-01-01"), date("2030-12-31")).expect("al");
    let estimated: Vec<_> = list.iter().filter(|h| h.estimated).collect();
    assert!(!estimated.is_empty() && estimated.len() < list.len(), "{list:?}");
    assert!(list.iter().all(|h| !h.name.contains("estimated")), "{list:?}");
    let json = serde_json::to_string(&list).expect("json");
    assert!(json.contains(r#""estimated":true"#) && json.matches("estimated").count() == estimated.len(), "{json}");

    let s = one_team("Europe/Tirane", r#"{ "mon-fri": ["09:00-17:00"] }"#, r#"["al"]"#, r#"{ "business_days": 1 }"#);
    let days = s.closed_days("c", date("2030-01-01"), date("2030-12-31")).expect("days");
    assert_eq!(days.iter().filter(|d| d.estimated).count(), estimated.len());
    let json = serde_json::to_string(&days).expect("json");
    assert_eq!(json.matches(r#""estimated":true"#).count(), estimated.len(), "{json}");
}

#[test]
fn names_in_other_languages() {
    let jp = preset("jp").expect("jp");
    let new_year = jp.rules.iter().find(|r| r.name == "元日").expect("元日");
    assert_eq!(new_year.name_in("en"), "New Year's Day");
    assert_eq!(new_year.name_in("en-GB"), "New Year's Day");
    assert_eq!(new_year.name_in("ja"), "元日");
    assert_eq!(new_year.name_in("pt-BR"), "元日", "no Portuguese: the preset's own language");
    let de = preset("de-by").expect("de-by");
    let all_saints = de.rules.iter().find(|r| r.name == "Allerheiligen").expect("Allerheiligen");
    assert_eq!(all_saints.name_in("EN"), "All Saints' Day");
    assert_eq!(all_saints.name_in("uk"), "День усіх святих");

    // Through a team's calendar, and `except` takes a translated name too.
    let s = one_team("Asia/Tokyo", r#"{ "mon-fri": ["09:00-17:00"] }"#, r#"["jp"]"#, r#"{ "business_days": 1 }"#);
    let h = s.teams[0].holidays.on(date("2027-01-01")).expect("new year");
    assert_eq!((h.rule.name.as_str(), h.name_in("en")), ("元日", "New Year's Day"));
    let s = one_team(
        "Asia/Tokyo",
        r#"{ "mon-fri": ["09:00-17:00"] }"#,
        r#"[{ "preset": "jp", "except": ["New Year's Day"] }]"#,
        r#"{ "business_days": 1 }"#,
    );
    assert!(s.teams[0].holidays.on(date("2027-01-01")).is_none());
}

#[test]
fn unknown_preset_in_a_config_says_did_you_mean() {
    let got = errors(&with_holidays(r#"["jpn", { "preset": "de-bya" }, "atlantis"]"#));
    assert_eq!(
        got,
        [
            r#"/teams/0/holidays/0: unknown holiday preset "jpn" (did you mean "jp"?)"#,
            r#"/teams/0/holidays/1/preset: unknown holiday preset "de-bya" (did you mean "de-by"?)"#,
            r#"/teams/0/holidays/2: unknown holiday preset "atlantis" (ids are ISO 3166 codes in lowercase, such as "jp", "us-ca" or "gb-sct")"#,
        ]
    );
}

#[test]
fn dates_rule_closes_each_listed_date_with_its_options() {
    let s = one_team(
        "Asia/Tokyo",
        r#"{ "mon-fri": ["09:00-17:00"] }"#,
        r#"[{ "name": "Retreat", "dates": ["2027-06-11", "2027-01-04", "2028-03-03"], "until": 2027 },
            { "name": "Short", "dates": ["2027-06-14"], "hours": ["09:00-12:00"] },
            { "name": "Moved", "dates": ["2027-06-19"], "observed": "monday" }]"#,
        r#"{ "business_days": 1 }"#,
    );
    let days = s.closed_days("c", date("2027-01-01"), date("2028-12-31")).expect("days");
    let got: Vec<String> = days
        .iter()
        .map(|d| format!("{} {} {}", d.date, d.name, d.hours.join(",")))
        .map(|s| s.trim().to_owned())
        .collect();
    assert_eq!(got, ["2027-01-04 Retreat", "2027-06-11 Retreat", "2027-06-14 Short 09:00-12:00", "2027-06-21 Moved"]);
}

#[test]
fn dates_rule_problems_at_their_path() {
    let got = errors(&with_holidays(
        r#"[{ "name": "B", "dates": ["2027-01-04", 5] }, { "name": "C", "dates": "2027-01-04" }]"#,
    ));
    assert_eq!(
        got,
        [
            "/teams/0/holidays/0/dates/1: expected a string, found the number 5",
            r#"/teams/0/holidays/1/dates: expected a list, found the string "2027-01-04""#
        ]
    );
    let got = errors(&with_holidays(
        r#"[{ "name": "A", "dates": [] },
            { "name": "C", "dates": ["2027-05-05"], "date": "2027-05-06" },
            { "name": "D", "dates": ["2027-01-04", "x", "2027-01-05", "2027-01-05"] }]"#,
    ));
    assert_eq!(
        got,
        [
            r#"/teams/0/holidays/0/dates: a "dates" list needs at least one date"#,
            r#"/teams/0/holidays/1: a holiday rule takes exactly one way to find its date, but this one has date, dates"#,
            r#"/teams/0/holidays/2/dates/1: "x" is not a real date YYYY-MM-DD"#,
            "/teams/0/holidays/2/dates/3: 2027-01-05 is listed twice (also at /teams/0/holidays/2/dates/2)",
        ],
    );
    let got = errors(&with_holidays(r#"[{ "name": "B", "dates": ["2027-01-04", "2027-02-30", "2027-01-04"] }]"#));
    assert_eq!(
        got,
        [
            r#"/teams/0/holidays/0/dates/1: "2027-02-30" is not a real date YYYY-MM-DD"#,
            "/teams/0/holidays/0/dates/2: 2027-01-04 is listed twice (also at /teams/0/holidays/0/dates/0)",
        ]
    );
}

#[test]
fn preset_ids_names_what_a_config_needs_and_tolerates_anything() {
    let config =
        with_holidays(r#"["jp", { "preset": "de-by", "except": [] }, { "name": "X", "date": "2027-01-01" }, "jp"]"#)
            .replace(r#""teams": ["#, r#""teams": [{ "holidays": ["us-ca", 5, { "preset": 7 }] }, "#);
    assert_eq!(preset_ids(&config), ["us-ca", "jp", "de-by"]);
    assert!(preset_ids("{ not json").is_empty());
    assert!(preset_ids(r#"{ "teams": 5 }"#).is_empty());
    assert!(preset_ids("[]").is_empty());
}

#[test]
fn load_with_presets_takes_exported_documents_and_behaves_like_load() {
    let config = with_holidays(r#"["jp", { "preset": "de-by", "except": ["Fronleichnam"] }]"#);
    let ids = preset_ids(&config);
    let docs: Vec<(String, String)> =
        ids.iter().map(|id| (id.clone(), preset_document(id).expect("document"))).collect();
    let supplied: Vec<(&str, &str)> = docs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let a = load(&config, &TzTable).expect("bundled");
    let b = load_with_presets(&config, &TzTable, &supplied).expect("supplied");
    let (from, to) = (date("2020-01-01"), date("2060-12-31"));
    assert_eq!(a.closed_days("c", from, to).expect("a"), b.closed_days("c", from, to).expect("b"));
    assert_eq!(a.teams[0].holidays, b.teams[0].holidays);

    // The exported document of a subdivision is self-contained and reads back the same.
    let doc = Document::parse(&docs[1].1).expect("de-by reads");
    assert_eq!(doc.base, None);
    assert_eq!(doc.compile().expect("compiles"), *preset("de-by").expect("de-by"));
}

#[test]
fn supplied_documents_win_and_their_problems_are_reported_where_used() {
    let mine =
        r#"{ "id": "jp", "name": "Mine", "rules": [{ "name": "Only", "dates": ["2027-01-05"], "estimated": true }] }"#;
    let s = load_with_presets(&with_holidays(r#"["jp"]"#), &TzTable, &[("jp", mine)]).expect("loads");
    let days = s.closed_days("c", date("2027-01-01"), date("2027-12-31")).expect("days");
    assert_eq!(days.len(), 1);
    assert!(days[0].estimated && days[0].name == "Only");

    let bad = r#"{ "id": "jp", "name": "Bad", "rules": [{ "name": "X", "dates": ["2027-13-01"] }], "extra": 1 }"#;
    let other = r#"{ "id": "br", "name": "B", "rules": [] }"#;
    let based = r#"{ "id": "zz-a", "name": "Z", "base": "zz", "rules": [] }"#;
    let config = with_holidays(r#"["jp", "xx", "zz-a"]"#);
    let got: Vec<String> = load_with_presets(&config, &TzTable, &[("jp", bad), ("xx", other), ("zz-a", based)])
        .expect_err("bad")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        got,
        [
            r#"/teams/0/holidays/0: preset "jp" cannot be read: /extra: unknown field "extra" (fields: id, name, lang, base, remove, rules, l10n)"#,
            r#"/teams/0/holidays/1: the document supplied as preset "xx" is preset "br""#,
            r#"/teams/0/holidays/2: preset "zz-a" is written against "zz", which was not supplied"#,
        ]
    );
    let got = load_with_presets(
        &config.replace(r#", "xx", "zz-a""#, ""),
        &TzTable,
        &[("jp", &bad.replace(r#", "extra": 1"#, ""))],
    )
    .expect_err("bad date")
    .to_string();
    assert_eq!(
        got,
        r#"/teams/0/holidays/0: preset "jp" cannot be read: /rules/0/dates/0: "2027-13-01" is not a real date YYYY-MM-DD"#
    );
}

#[test]
fn a_document_against_its_country_resolves_like_the_bundled_one() {
    // A subdivision written against its country, both supplied: what the bundle stores.
    let country = r#"{ "id": "qq", "name": "Q", "rules": [
        { "name": "New Year", "month": 1, "day": 1, "since": 2020, "until": 2060 },
        { "name": "Easter Monday", "easter": 1, "since": 2020, "until": 2060 }],
        "l10n": { "de": { "New Year": "Neujahr" } } }"#;
    let sub = r#"{ "id": "qq-a", "name": "Q, A", "base": "qq", "remove": ["2027-03-29"],
        "rules": [{ "name": "Local", "dates": ["2027-01-01", "2027-05-05"] }], "l10n": { "de": { "Local": "Lokal" } } }"#;
    let s =
        load_with_presets(&with_holidays(r#"["qq-a"]"#), &TzTable, &[("qq-a", sub), ("qq", country)]).expect("loads");
    let days = s.closed_days("c", date("2027-01-01"), date("2028-12-31")).expect("days");
    let got: Vec<String> = days.iter().map(|d| format!("{} {}", d.date, d.name)).collect();
    // The subdivision's own rule wins on 1 January; Easter Monday 2027 is removed, 2028 kept.
    assert_eq!(got, ["2027-01-01 Local", "2027-05-05 Local", "2028-01-01 New Year", "2028-04-17 Easter Monday"]);
    let cal = &s.teams[0].holidays;
    assert_eq!(cal.on(date("2027-05-05")).expect("local").name_in("de"), "Lokal");
    assert_eq!(cal.on(date("2028-01-01")).expect("new year").name_in("de-AT"), "Neujahr");
}
