//! Browser tests (wasm-bindgen-test in headless Chromium): the Intl zone seam against
//! chrono-tz, and the components rendered into a shadow root.
#![cfg(target_arch = "wasm32")]

use chrono::{DateTime, NaiveDateTime, Offset, TimeZone};
use replyby_core::{LocalTime, Zone, ZoneDb};
use replyby_widget::intl_zone::{IntlDb, IntlZone};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DST_ZONES: &[&str] = &[
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Havana",
    "Pacific/Chatham",
    "America/St_Johns",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
];

fn tz_offset(tz: chrono_tz::Tz, t: i64) -> i32 {
    tz.offset_from_utc_datetime(&DateTime::from_timestamp(t, 0).expect("t").naive_utc()).fix().local_minus_utc()
}

/// chrono-tz's answer, in the seam's terms (a gap shifts by the offset before it).
fn tz_candidates(tz: chrono_tz::Tz, local: i64) -> LocalTime {
    let naive: NaiveDateTime = DateTime::from_timestamp(local, 0).expect("t").naive_utc();
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => LocalTime::Single(t.timestamp()),
        chrono::LocalResult::Ambiguous(a, b) => {
            LocalTime::Fold { earlier: a.timestamp().min(b.timestamp()), later: a.timestamp().max(b.timestamp()) }
        }
        chrono::LocalResult::None => LocalTime::Gap { shifted: local - i64::from(tz_offset(tz, local - 86_400)) },
    }
}

#[wasm_bindgen_test]
fn intl_zones_agree_with_chrono_tz_on_every_transition_2020_to_2040() {
    let start = 1_577_836_800; // 2020-01-01T00:00:00Z
    let end = 2_240_611_200; // 2041-01-01T00:00:00Z
    let mut checked = 0;
    for name in DST_ZONES {
        let tz: chrono_tz::Tz = name.parse().expect("zone");
        let intl = IntlZone::new(name).expect("the browser knows the zone");
        // Every transition, found hour by hour and narrowed to the minute.
        let mut transitions = Vec::new();
        let mut t = start;
        while t < end {
            if tz_offset(tz, t) != tz_offset(tz, t + 3600) {
                let mut m = t;
                while tz_offset(tz, m) == tz_offset(tz, t) {
                    m += 60;
                }
                transitions.push(m);
            }
            t += 3600;
        }
        if *name != "Asia/Kolkata" {
            assert!(transitions.len() >= 38, "{name}: {} transitions", transitions.len());
        } else {
            transitions = (0..21).map(|y| start + y * 31_557_600).collect();
        }
        for tr in transitions {
            for d in [-3600, -60, -1, 0, 1, 60, 3600] {
                assert_eq!(intl.offset_at(tr + d), tz_offset(tz, tr + d), "{name} offset at {}", tr + d);
            }
            // Wall-clock times across the gap or fold, every 15 minutes, and its edges.
            let local = tr + i64::from(tz_offset(tz, tr - 1));
            for k in -8..=8 {
                for l in [local + k * 900, local + k * 900 - 60] {
                    assert_eq!(intl.local_candidates(l), tz_candidates(tz, l), "{name} local {l}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 10_000, "{checked}");
}

#[wasm_bindgen_test]
fn unknown_zones_are_none_and_validation_names_them() {
    assert!(IntlZone::new("Europe/Berln").is_none());
    assert!(IntlDb.zone("Mars/Olympus_Mons").is_none());
    let json = r#"{ "company": "A", "teams": [{ "id": "t", "name": "T", "timezone": "Europe/Berln", "hours": {} }] }"#;
    let err = replyby_core::load(json, &IntlDb).expect_err("unknown zone");
    assert_eq!(
        err.to_string(),
        r#"/teams/0/timezone: unknown time zone "Europe/Berln" (did you mean "Europe/Berlin"?)"#
    );
}

// ---- components ----

const CONFIG: &str = include_str!("../examples/acme.json");

/// Runs Yew's scheduler and yields to the event loop until the widget has rendered all
/// of its stages (`aria-busy` gone) (a condition, not a guessed delay; bounded so a hang fails the test).
async fn settle(root: &web_sys::Element) {
    for _ in 0..500 {
        yew::scheduler::flush().await;
        if root.query_selector(".replyby:not([aria-busy]) > :not(.loading)").ok().flatten().is_some() {
            yew::scheduler::flush().await;
            return;
        }
        gloo::timers::future::TimeoutFuture::new(0).await;
    }
    panic!("the widget never left its loading state");
}

/// Mounts a widget like embed.js does (into a shadow root) and returns the root's text and HTML.
async fn render(options: &[(&str, &str)]) -> (String, String, replyby_widget::MountHandle) {
    let doc = web_sys::window().and_then(|w| w.document()).expect("document");
    let host = doc.create_element("div").expect("div");
    doc.body().expect("body").append_child(&host).expect("append");
    let shadow = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).expect("shadow");
    let root = doc.create_element("div").expect("div");
    shadow.append_child(&root).expect("append");
    let opts = js_sys::Object::new();
    for (k, v) in options {
        js_sys::Reflect::set(&opts, &(*k).into(), &(*v).into()).expect("set");
    }
    let handle = replyby_widget::mount(root.clone(), opts.into());
    settle(&root).await;
    let text = root.dyn_ref::<web_sys::HtmlElement>().map(|e| e.inner_text()).unwrap_or_default();
    (text, root.inner_html(), handle)
}

#[wasm_bindgen_test]
async fn badge_on_presidents_day_seen_from_berlin() {
    let (text, _, mut h) = render(&[
        ("config", CONFIG),
        ("view", "badge"),
        ("plan", "basic"),
        ("timeZone", "Europe/Berlin"),
        ("locale", "en-GB"),
        ("now", "2027-02-15T15:00:00Z"),
    ])
    .await;
    assert!(text.contains("Closed for Washington's Birthday · back tomorrow 09:00"), "{text}");
    assert!(text.contains("(15:00 your time)"), "{text}");
    h.unmount();
}

#[wasm_bindgen_test]
async fn badge_open_says_the_target_in_words_and_in_german() {
    let (text, _, _h) = render(&[
        ("config", CONFIG),
        ("view", "badge"),
        ("plan", "pro"),
        ("locale", "en-GB"),
        ("now", "2027-03-03T15:00:00Z"),
    ])
    .await;
    assert!(text.contains("Open now · replies within 4 business hours"), "{text}");
    let (de, html, _h) = render(&[
        ("config", CONFIG),
        ("view", "badge"),
        ("plan", "pro"),
        ("locale", "de-DE"),
        ("lang", "de"),
        ("catalog", include_str!("../i18n/de.json")),
        ("now", "2027-03-03T15:00:00Z"),
    ])
    .await;
    assert!(de.contains("Jetzt erreichbar · Antwort innerhalb von 4 Arbeitsstunden"), "{de}");
    assert!(html.contains(r#"lang="de-DE" dir="ltr""#), "{html}");
}

#[wasm_bindgen_test]
async fn without_its_language_file_a_locale_gets_english_sentences_and_english_formatting() {
    // A German locale but no German sentences (the file did not load): English throughout,
    // never English sentences around German dates.
    let (text, html, _h) = render(&[
        ("config", CONFIG),
        ("view", "badge"),
        ("plan", "basic"),
        ("timeZone", "Europe/Berlin"),
        ("locale", "de-DE"),
        ("now", "2027-02-15T15:00:00Z"),
    ])
    .await;
    assert!(text.contains("back tomorrow 09:00"), "{text}");
    assert!(!text.contains("morgen"), "{text}");
    assert!(html.contains(r#"lang="en""#), "{html}");
    // A broken file is the same, and says why on the console.
    let (text, _, _h) = render(&[
        ("config", CONFIG),
        ("view", "badge"),
        ("plan", "basic"),
        ("locale", "de-DE"),
        ("lang", "de"),
        ("catalog", "{ \"status.open\": "),
        ("now", "2027-03-03T15:00:00Z"),
    ])
    .await;
    assert!(text.contains("Open now · replies within 1 business day"), "{text}");
}

#[wasm_bindgen_test]
async fn arabic_is_right_to_left_with_its_own_digits_and_plurals() {
    let (text, html, _h) = render(&[
        ("config", CONFIG),
        ("view", "panel"),
        ("plan", "pro"),
        ("timeZone", "Asia/Tokyo"),
        ("locale", "ar-EG"),
        ("lang", "ar"),
        ("catalog", include_str!("../i18n/ar.json")),
        ("now", "2027-03-03T15:00:00Z"),
    ])
    .await;
    assert!(html.contains(r#"lang="ar-EG" dir="rtl""#), "{html}");
    // Four business hours: Arabic's "few" form (3–10), with Eastern Arabic digits.
    assert!(text.contains("الرد خلال ٤ ساعات عمل"), "{text}");
    assert!(!text.chars().any(|c| c.is_ascii_digit()), "no Western digit in an ar-EG widget: {text}");
}

#[wasm_bindgen_test]
async fn a_shift_to_midnight_ends_at_24_00_in_the_locale_s_own_digits() {
    let config = r#"{ "company": "Late Co", "teams": [{ "id": "t", "name": "T", "timezone": "Asia/Tokyo",
        "hours": { "mon-sun": ["18:00-24:00"] } }], "coverages": [{ "id": "c", "name": "Evenings", "teams": ["t"] }],
        "plans": [{ "id": "p", "name": "Evening", "coverage": "c", "first_reply": { "hours": 2 } }] }"#;
    let (ja, _, _h) = render(&[
        ("config", config),
        ("view", "panel"),
        ("timeZone", "Asia/Tokyo"),
        ("locale", "ja-JP"),
        ("lang", "ja"),
        ("catalog", include_str!("../i18n/ja.json")),
        ("now", "2027-01-11T00:00:00Z"),
    ])
    .await;
    assert!(ja.contains("18:00～24:00"), "{ja}");
    let (us, _, _h) = render(&[
        ("config", config),
        ("view", "panel"),
        ("timeZone", "Asia/Tokyo"),
        ("locale", "en-US"),
        ("now", "2027-01-11T00:00:00Z"),
    ])
    .await;
    assert!(us.contains("06:00 PM–12:00 AM"), "a 12-hour clock ends the day at 12:00 AM: {us}");
}

#[wasm_bindgen_test]
async fn panel_shows_promise_week_and_closed_days() {
    let (text, html, _h) = render(&[
        ("config", CONFIG),
        ("view", "panel"),
        ("plan", "basic"),
        ("timeZone", "America/New_York"),
        ("locale", "en-US"),
        ("now", "2027-02-13T01:00:00Z"), // Friday 20:00 New York, before Presidents' Day
    ])
    .await;
    assert!(text.contains("Write now and hear back by"), "{text}");
    assert!(text.contains("Washington's Birthday"), "{text}");
    assert_eq!(html.matches("<tr").count(), 7, "{html}");
    assert!(html.contains("<form") && html.contains("id=\"rb-email\"") && html.contains("id=\"rb-message\""), "{html}");
    assert!(text.contains("Your request will reach the team"), "{text}");
}

#[wasm_bindgen_test]
async fn a_night_shift_seen_from_tokyo_spans_two_days_in_the_week_list() {
    let config = r#"{ "company": "Night Co", "teams": [{ "id": "syd", "name": "Sydney", "timezone": "Australia/Sydney",
        "hours": { "tue": ["22:00-06:00"] } }], "coverages": [{ "id": "c", "name": "Nights", "teams": ["syd"] }],
        "plans": [{ "id": "p", "name": "Night", "coverage": "c", "first_reply": { "business_hours": 1 } }] }"#;
    let (text, _, _h) = render(&[
        ("config", config),
        ("view", "panel"),
        ("timeZone", "Asia/Tokyo"),
        ("locale", "en-GB"),
        ("now", "2027-01-11T00:00:00Z"),
    ])
    .await;
    assert!(text.contains("20:00–24:00"), "{text}");
    assert!(text.contains("00:00–04:00"), "{text}");
}

#[wasm_bindgen_test]
async fn compare_lists_every_plan_with_a_chart() {
    let (text, html, _h) =
        render(&[("config", CONFIG), ("view", "compare"), ("locale", "en-GB"), ("now", "2027-03-03T15:00:00Z")]).await;
    for plan in ["Basic", "Pro", "Global", "Enterprise", "Critical"] {
        assert!(text.contains(plan), "{plan} in {text}");
    }
    assert_eq!(html.matches("<svg").count(), 5);
    assert!(text.contains("1 business day") && text.contains("30 minutes"), "{text}");
}

#[wasm_bindgen_test]
async fn broken_configs_and_unknown_plans_show_a_neutral_message() {
    let (text, _, _h) = render(&[("config", "{ \"company\": 1 }"), ("view", "badge"), ("locale", "en-GB")]).await;
    assert_eq!(text.trim(), "Support hours are unavailable right now.");
    let (text, _, _h) = render(&[("config", CONFIG), ("view", "badge"), ("plan", "gold"), ("locale", "en-GB")]).await;
    assert_eq!(text.trim(), "Support hours are unavailable right now.");
    let (text, _, _h) = render(&[("config", CONFIG), ("view", "poster"), ("locale", "en-GB")]).await;
    assert_eq!(text.trim(), "Support hours are unavailable right now.");
}

#[wasm_bindgen_test]
async fn config_text_is_never_interpreted_as_html() {
    let config = CONFIG.replace("Acme Networks", "<img src=x onerror=alert(1)>Acme");
    let (text, html, _h) =
        render(&[("config", &config), ("view", "panel"), ("locale", "en-GB"), ("now", "2027-03-03T15:00:00Z")]).await;
    assert!(text.contains("<img src=x onerror=alert(1)>Acme"), "{text}");
    assert!(!html.contains("<img"), "{html}");
}

#[wasm_bindgen_test]
async fn holiday_names_come_in_the_visitor_s_language_where_the_preset_has_them_and_estimates_say_so() {
    let config = |preset: &str, zone: &str| {
        format!(
            r#"{{ "company": "Co", "teams": [{{ "id": "t", "name": "T", "timezone": "{zone}",
            "hours": {{ "mon-fri": ["09:00-17:00"] }}, "holidays": ["{preset}"] }}],
            "coverages": [{{ "id": "c", "name": "C", "teams": ["t"] }}],
            "plans": [{{ "id": "p", "name": "P", "coverage": "c", "first_reply": {{ "hours": 2 }} }}] }}"#
        )
    };
    let jp = config("jp", "Asia/Tokyo");
    // Friday 2027-01-01, New Year's Day in Japan: the preset names it in Japanese and English.
    let now = ("now", "2027-01-01T03:00:00Z");
    let (en, _, _h) = render(&[("config", &jp), ("view", "panel"), ("locale", "en-GB"), now]).await;
    assert!(en.contains("Closed for New Year's Day"), "{en}");
    let (ja, _, _h) = render(&[
        ("config", &jp),
        ("view", "panel"),
        ("locale", "ja"),
        ("lang", "ja"),
        ("catalog", include_str!("../i18n/ja.json")),
        now,
    ])
    .await;
    assert!(ja.contains("休業日（元日）"), "{ja}");
    // A German visitor: the preset has no German names, so its own (Japanese) one.
    let (de, _, _h) = render(&[
        ("config", &jp),
        ("view", "badge"),
        ("locale", "de"),
        ("lang", "de"),
        ("catalog", include_str!("../i18n/de.json")),
        now,
    ])
    .await;
    assert!(de.contains("Geschlossen (元日)"), "{de}");
    // India's Id-ul-Fitr falls by the moon: its date is an estimate, and the list says so.
    let india = config("in", "Asia/Kolkata");
    let (en, _, _h) =
        render(&[("config", &india), ("view", "panel"), ("locale", "en-GB"), ("now", "2027-03-01T06:00:00Z")]).await;
    assert!(en.contains("Id-ul-Fitr (estimated date)"), "{en}");
    assert!(!en.contains("Holi (estimated date)"), "{en}");
}

/// `examples/acme.json` with staff's schedule changes, as `replyby serve` publishes them: New
/// York closed on Wednesday 10 March 2027 with a note announced from 5 March, and a notice
/// without a closure for 1–5 March.
fn with_changes() -> String {
    let changes = r#"{ "changes": [
        { "team": "nyc", "name": "Company offsite", "date": "2027-03-10",
          "note": "Closed for our team offsite", "announce_from": "2027-03-05" },
        { "team": "nyc", "name": "Slow week", "from": "2027-03-01", "to": "2027-03-05", "closed": false,
          "note": "Replies are slower this week" } ],"#;
    CONFIG.trim_start().replacen('{', changes, 1)
}

#[wasm_bindgen_test]
async fn a_closure_s_note_shows_from_its_announce_date_and_a_notice_until_its_last_day() {
    let config = with_changes();
    let panel = |now: &'static str| {
        let config = config.clone();
        async move {
            let (text, html, _h) = render(&[
                ("config", &config),
                ("view", "panel"),
                ("plan", "basic"),
                ("timeZone", "Asia/Tokyo"),
                ("locale", "en-US"),
                ("now", now),
            ])
            .await;
            (text, html)
        }
    };
    // Thursday 4 March, 23:30 in New York (Friday 13:30 in Tokyo): the closed day is listed
    // without its note (announced from the 5th in New York), the notice is up.
    let (text, html) = panel("2027-03-05T04:30:00Z").await;
    assert!(text.contains("Company offsite"), "{text}");
    assert!(!text.contains("Closed for our team offsite"), "{text}");
    assert!(html.contains(r#"role="note" class="notice">Replies are slower this week</p>"#), "{html}");
    // Saturday 6 March: the note is beside the closed day, the notice is over.
    let (text, html) = panel("2027-03-06T15:00:00Z").await;
    assert!(text.contains("Company offsite — Closed for our team offsite"), "{text}");
    assert!(!html.contains("class=\"notice\""), "{html}");
    // The quote steps over the closed Wednesday: a Basic request sent on Tuesday evening is
    // answered by the end of Thursday.
    let (text, _) = panel("2027-03-10T01:00:00Z").await;
    assert!(text.contains("Thu, Mar 11"), "{text}");
}

#[wasm_bindgen_test]
async fn update_shows_a_new_config_in_place() {
    let base = [
        ("view", "panel"),
        ("plan", "basic"),
        ("timeZone", "America/New_York"),
        ("locale", "en-US"),
        ("now", "2027-03-06T15:00:00Z"),
    ];
    let mut options = vec![("config", CONFIG)];
    options.extend(base);
    let (text, _, handle) = render(&options).await;
    assert!(!text.contains("Company offsite"), "{text}");
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .and_then(|b| b.last_element_child())
        .and_then(|host| host.shadow_root())
        .and_then(|s| s.first_element_child())
        .expect("the widget's root");
    let config = with_changes();
    let opts = js_sys::Object::new();
    for (k, v) in base.iter().chain([("config", config.as_str())].iter()) {
        js_sys::Reflect::set(&opts, &(*k).into(), &(*v).into()).expect("set");
    }
    handle.update(opts.into());
    for _ in 0..500 {
        yew::scheduler::flush().await;
        if root.text_content().unwrap_or_default().contains("Closed for our team offsite") {
            return;
        }
        gloo::timers::future::TimeoutFuture::new(0).await;
    }
    panic!("the new config was never shown: {}", root.text_content().unwrap_or_default());
}
