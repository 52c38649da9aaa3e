//! Dates and times for the visitor's locale, through `Intl`.

use crate::i18n::Lang;
use crate::intl_zone::{cached, construct_formatter, set};
use chrono::{DateTime, NaiveDate, Utc};
use js_sys::{Array, Date, Intl, Object, Reflect};
use replyby_core::Zone;
use replyby_core::zone::to_local;
use std::cell::RefCell;
use wasm_bindgen::JsValue;

/// (locale, zone, kind) → its formatter.
type Formatters = Vec<((String, String, Kind), Intl::DateTimeFormat)>;

thread_local! {
    static CACHE: RefCell<Formatters> = const { RefCell::new(Vec::new()) };
    /// "today"/"tomorrow" by locale: Intl objects are slow to create, so each is made once.
    static RELATIVE: RefCell<Vec<((String, i64), String)>> = const { RefCell::new(Vec::new()) };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Time,
    Weekday,
    Day,
    ZoneName,
}

/// Formats instants and dates for one locale.
#[derive(Debug, Clone, PartialEq)]
pub struct Fmt {
    /// BCP 47 locale the browser accepted.
    pub locale: String,
    /// The widget's language.
    pub lang: Lang,
}

fn js_date(t: DateTime<Utc>) -> Date {
    Date::new(&JsValue::from_f64(t.timestamp() as f64 * 1000.0))
}

impl Fmt {
    /// A formatter for `locale`, falling back to `en-US` when the browser rejects it.
    pub fn new(locale: &str) -> Fmt {
        let locale = if construct_formatter(locale, &Object::new()).is_some() { locale } else { "en-US" };
        Fmt { locale: locale.to_owned(), lang: Lang::for_locale(locale) }
    }

    fn with<R>(&self, zone: &str, kind: Kind, f: impl FnOnce(&Intl::DateTimeFormat) -> R) -> Option<R> {
        CACHE.with(|cache| {
            let key = (self.locale.clone(), zone.to_owned(), kind);
            let made = cached(cache, key, || {
                let o = Object::new();
                set(&o, "timeZone", zone);
                match kind {
                    Kind::Time => {
                        set(&o, "hour", "2-digit");
                        set(&o, "minute", "2-digit");
                    }
                    Kind::Weekday => set(&o, "weekday", "short"),
                    Kind::Day => {
                        set(&o, "weekday", "short");
                        set(&o, "day", "numeric");
                        set(&o, "month", "short");
                    }
                    Kind::ZoneName => {
                        set(&o, "hour", "numeric");
                        set(&o, "timeZoneName", "short");
                    }
                }
                construct_formatter(&self.locale, &o)
            });
            made.as_ref().map(f)
        })
    }

    fn format(&self, t: DateTime<Utc>, zone: &str, kind: Kind) -> String {
        self.with(zone, kind, |f| f.format().call1(&JsValue::NULL, &js_date(t)).ok().and_then(|v| v.as_string()))
            .flatten()
            .unwrap_or_default()
    }

    /// "09:00" (or "9:00 AM" where the locale writes it so).
    pub fn time(&self, t: DateTime<Utc>, zone: &str) -> String {
        self.format(t, zone, Kind::Time)
    }

    /// "Tue".
    pub fn weekday(&self, t: DateTime<Utc>, zone: &str) -> String {
        self.format(t, zone, Kind::Weekday)
    }

    /// "Tue, 3 Mar" for a calendar date (no zone involved).
    pub fn date(&self, d: NaiveDate) -> String {
        let noon = d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
        self.format(noon, "UTC", Kind::Day)
    }

    /// The zone's short name at an instant ("EST", or "GMT+1" where the locale has none).
    pub fn zone_name(&self, t: DateTime<Utc>, zone: &str) -> String {
        self.with(zone, Kind::ZoneName, |f| {
            let parts: Array = f.format_to_parts(&js_date(t));
            parts.iter().find_map(|p| {
                let kind = Reflect::get(&p, &"type".into()).ok()?.as_string()?;
                (kind == "timeZoneName").then(|| Reflect::get(&p, &"value".into()).ok()?.as_string()).flatten()
            })
        })
        .flatten()
        .unwrap_or_else(|| zone.to_owned())
    }

    /// "today" / "tomorrow" in the locale's words (`Intl.RelativeTimeFormat`).
    fn relative_days(&self, n: i64) -> String {
        RELATIVE.with(|cache| {
            cached(cache, (self.locale.clone(), n), || {
                let o = Object::new();
                set(&o, "numeric", "auto");
                let rtf = Intl::RelativeTimeFormat::new(&Array::of1(&self.locale.clone().into()), &o);
                rtf.format(n as f64, "day").as_string()
            })
            .unwrap_or_default()
        })
    }

    /// The day part of a time people read: "today", "tomorrow", "Tue", or "Tue, 3 Mar".
    pub fn day_of(&self, t: DateTime<Utc>, zone: &dyn Zone, now: DateTime<Utc>) -> String {
        let day = to_local(zone, t.timestamp()).date();
        let today = to_local(zone, now.timestamp()).date();
        match (day - today).num_days() {
            n @ 0..=1 => self.relative_days(n),
            2..=6 => self.weekday(t, zone.name()),
            _ => self.date(day),
        }
    }

    /// "tomorrow 09:00", "Tue 09:00", "today 17:00".
    pub fn when(&self, t: DateTime<Utc>, zone: &dyn Zone, now: DateTime<Utc>) -> String {
        format!("{} {}", self.day_of(t, zone, now), self.time(t, zone.name()))
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
        let team_part = format!("{} {}", self.when(t, team, now), self.zone_name(t, team.name()));
        if team.offset_at(t.timestamp()) == visitor.offset_at(t.timestamp()) {
            return self.when(t, visitor, now);
        }
        let same_day = to_local(team, t.timestamp()).date() == to_local(visitor, t.timestamp()).date();
        let visitor_part = if same_day { self.time(t, visitor.name()) } else { self.when(t, visitor, now) };
        format!("{team_part} ({})", self.lang.your_time(&visitor_part))
    }
}
