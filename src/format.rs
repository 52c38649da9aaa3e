//! The visitor's language: the widget's sentences ([`crate::i18n`]) filled with dates,
//! times and numbers that `Intl` formats for the same language, so the two never disagree
//! (an Arabic sentence gets the digits and day names of its locale, never "24:00" written by
//! hand).

use crate::i18n::{Texts, fill, same_language};
use crate::intl_zone::{construct_formatter, set};
use chrono::{DateTime, NaiveDate, Utc};
use js_sys::{Array, Date, Intl, Object, Reflect};
use replyby_core::Zone;
use replyby_core::zone::to_local;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// Intl objects, by what they format and for which locale (and zone): slow to create,
    /// so each is made once. One cache of plain values for every kind keeps the wasm small.
    static INTL: RefCell<Vec<(String, JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// The Intl object cached under `key`, made by `make` on first use. (The cache itself is
/// reached through two plain functions, so each caller adds only its own `make`.)
fn intl<T: JsCast>(key: String, make: impl FnOnce() -> Option<JsValue>) -> Option<T> {
    let value = match lookup(&key) {
        Some(v) => v,
        None => store(key, make()?),
    };
    Some(value.unchecked_into())
}

fn lookup(key: &str) -> Option<JsValue> {
    INTL.with(|cache| cache.borrow().iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
}

fn store(key: String, value: JsValue) -> JsValue {
    INTL.with(|cache| cache.borrow_mut().push((key, value.clone())));
    value
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Time = b't' as isize,
    /// A time that ends a day: "24:00" where the locale counts hours 0–23, "12:00 AM" where
    /// it writes a 12-hour clock.
    EndOfDay = b'e' as isize,
    /// The time with the zone's short name: "09:00 GMT-5", "GMT-5 09:00".
    TimeZone = b'z' as isize,
    Weekday = b'w' as isize,
    /// The weekday in full, for sentences ("by Wednesday 17:00", "水曜日 17:00").
    WeekdayLong = b'W' as isize,
    Day = b'd' as isize,
}

/// Formats sentences, instants, dates and numbers for one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Fmt {
    /// BCP 47 locale handed to `Intl`: the language of the sentences, or the visitor's own
    /// locale of that language (`pt-BR` for Portuguese).
    pub locale: String,
    /// The sentences.
    pub text: Texts,
}

fn js_date(t: DateTime<Utc>) -> Date {
    Date::new(&JsValue::from_f64(t.timestamp() as f64 * 1000.0))
}

fn locales(locale: &str) -> Array {
    Array::of1(&locale.into())
}

impl Fmt {
    /// The sentences of `lang` from its catalog's text (both as `embed.js` negotiated them),
    /// formatted for `locale` when that is
    /// a locale of the same language and `Intl` accepts it (else for `lang` itself). Without
    /// a catalog, or with one that cannot be read, English, formatted for `locale` only when
    /// it is an English one (a German visitor then reads English times, not German ones); the
    /// second value is then the line for the console.
    pub fn new(locale: &str, lang: Option<&str>, catalog: Option<&str>) -> (Fmt, Option<String>) {
        let (text, error) = match (catalog, lang) {
            (Some(c), Some(lang)) if lang != "en" => match Texts::parse(lang, c) {
                Ok(t) => (t, None),
                Err(e) => (Texts::english(), Some(format!("the language file i18n/{lang}.json: {e}; showing English"))),
            },
            _ => (Texts::english(), None),
        };
        let own = same_language(locale, &text.lang) && construct_formatter(locale, &Object::new()).is_some();
        let locale = if own { locale.to_owned() } else { text.lang.clone() };
        (Fmt { locale, text }, error)
    }

    /// True for a right-to-left language.
    pub fn rtl(&self) -> bool {
        self.text.rtl()
    }

    /// The sentence under `key`, without placeholders.
    pub fn t(&self, key: &str) -> String {
        self.text.template(key, "other").to_owned()
    }

    /// The sentence under `key` with its placeholders filled.
    pub fn tr(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.text.template(key, "other"), args)
    }

    /// The plural sentence under `key` for `n` (its form chosen by `Intl.PluralRules`), with
    /// `{n}` the number as `Intl` writes it and the other placeholders filled.
    pub fn count(&self, key: &str, n: u32, args: &[(&str, &str)]) -> String {
        let rules: Option<Intl::PluralRules> = intl(format!("p{}", self.text.lang), || {
            Some(Intl::PluralRules::new(&locales(&self.text.lang), &Object::new()).into())
        });
        let category = rules.map(|r| String::from(r.select(f64::from(n))));
        let number = self.number(n.into(), 1);
        let mut all = vec![("n", number.as_str())];
        all.extend_from_slice(args);
        fill(self.text.template(key, category.as_deref().unwrap_or("other")), &all)
    }

    /// The number `n` (a JS number, or its decimal text) in the locale's digits, with at
    /// least `digits` of them ("06").
    pub fn number(&self, n: JsValue, digits: u8) -> String {
        let f: Option<Intl::NumberFormat> = intl(format!("n{digits}{}", self.locale), || {
            let o = Object::new();
            let _ = Reflect::set(&o, &"minimumIntegerDigits".into(), &JsValue::from(digits));
            Some(Intl::NumberFormat::new(&locales(&self.locale), &o).into())
        });
        f.and_then(|f| f.format().call1(&JsValue::NULL, &n).ok()?.as_string()).unwrap_or_default()
    }

    /// "a, b and c" in the locale's words.
    pub fn list(&self, items: &[String]) -> String {
        let f: Option<Intl::ListFormat> = intl(format!("l{}", self.locale), || {
            let o = Object::new();
            set(&o, "type", "conjunction");
            Some(Intl::ListFormat::new(&locales(&self.locale), &o).into())
        });
        f.map(|f| String::from(f.format(&items.iter().map(JsValue::from).collect())))
            .unwrap_or_else(|| items.join(", "))
    }

    fn format(&self, t: DateTime<Utc>, zone: &str, kind: Kind) -> String {
        let made: Option<Intl::DateTimeFormat> = intl(format!("{}{}|{zone}", kind as u8, self.locale), || {
            let o = Object::new();
            set(&o, "timeZone", zone);
            match kind {
                Kind::Time | Kind::EndOfDay | Kind::TimeZone => {
                    set(&o, "hour", "2-digit");
                    set(&o, "minute", "2-digit");
                }
                Kind::Weekday => set(&o, "weekday", "short"),
                Kind::WeekdayLong => set(&o, "weekday", "long"),
                Kind::Day => {
                    set(&o, "weekday", "short");
                    set(&o, "day", "numeric");
                    set(&o, "month", "short");
                }
            }
            if kind == Kind::TimeZone {
                set(&o, "timeZoneName", "short");
            }
            let made = construct_formatter(&self.locale, &o)?;
            let cycle = Reflect::get(&made.resolved_options(), &"hourCycle".into()).ok().and_then(|c| c.as_string());
            if kind == Kind::EndOfDay && cycle.as_deref() == Some("h23") {
                set(&o, "hourCycle", "h24");
                return construct_formatter(&self.locale, &o).map(Into::into);
            }
            Some(made.into())
        });
        made.and_then(|f| f.format().call1(&JsValue::NULL, &js_date(t)).ok()?.as_string()).unwrap_or_default()
    }

    /// "09:00" (or "9:00 AM" where the locale writes it so).
    pub fn time(&self, t: DateTime<Utc>, zone: &str) -> String {
        self.format(t, zone, Kind::Time)
    }

    /// The time at which a span ends: as [`Fmt::time`], but the midnight that ends a day is
    /// "24:00" where the locale counts hours from 0 to 23.
    pub fn end_time(&self, t: DateTime<Utc>, zone: &str) -> String {
        self.format(t, zone, Kind::EndOfDay)
    }

    /// "09:00–17:00".
    pub fn range(&self, start: &str, end: &str) -> String {
        self.tr("time.range", &[("start", start), ("end", end)])
    }

    /// "Tue" for a calendar date.
    pub fn weekday(&self, d: NaiveDate) -> String {
        self.format(noon(d), "UTC", Kind::Weekday)
    }

    /// "Tue, 3 Mar" for a calendar date (no zone involved).
    pub fn date(&self, d: NaiveDate) -> String {
        self.format(noon(d), "UTC", Kind::Day)
    }

    /// "today" / "tomorrow" in the locale's words (`Intl.RelativeTimeFormat`).
    fn relative_days(&self, n: i64) -> String {
        let f: Option<Intl::RelativeTimeFormat> = intl(format!("r{}", self.locale), || {
            let o = Object::new();
            set(&o, "numeric", "auto");
            Some(Intl::RelativeTimeFormat::new(&locales(&self.locale), &o).into())
        });
        f.map(|f| String::from(f.format(n as f64, "day"))).unwrap_or_default()
    }

    /// The day part of a time people read: "today", "tomorrow", "Tuesday", or "Tue, 3 Mar".
    pub fn day_of(&self, t: DateTime<Utc>, zone: &dyn Zone, now: DateTime<Utc>) -> String {
        let day = to_local(zone, t.timestamp()).date();
        let today = to_local(zone, now.timestamp()).date();
        match (day - today).num_days() {
            n @ 0..=1 => self.relative_days(n),
            2..=6 => self.format(noon(day), "UTC", Kind::WeekdayLong),
            _ => self.date(day),
        }
    }

    fn day_time(&self, t: DateTime<Utc>, zone: &dyn Zone, now: DateTime<Utc>, kind: Kind) -> String {
        let time = self.format(t, zone.name(), kind);
        self.tr("time.day_time", &[("day", &self.day_of(t, zone, now)), ("time", &time)])
    }

    /// "tomorrow 09:00", "Tuesday 09:00", "today 17:00" (in the language's own order and words).
    pub fn when(&self, t: DateTime<Utc>, zone: &dyn Zone, now: DateTime<Utc>) -> String {
        self.day_time(t, zone, now, Kind::Time)
    }

    /// A time in the team's zone with the visitor's beside it when they differ:
    /// "Tue 09:00 EST (15:00 your time)".
    pub fn team_and_visitor(
        &self,
        t: DateTime<Utc>,
        team: &dyn Zone,
        visitor: &dyn Zone,
        now: DateTime<Utc>,
    ) -> String {
        if team.offset_at(t.timestamp()) == visitor.offset_at(t.timestamp()) {
            return self.when(t, visitor, now);
        }
        let team_part = self.day_time(t, team, now, Kind::TimeZone);
        let same_day = to_local(team, t.timestamp()).date() == to_local(visitor, t.timestamp()).date();
        let visitor_part = if same_day { self.time(t, visitor.name()) } else { self.when(t, visitor, now) };
        self.tr("time.your_time", &[("when", &team_part), ("yours", &visitor_part)])
    }
}

fn noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}
