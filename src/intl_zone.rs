//! The core's zone seam over the browser's own zone database (`Intl.DateTimeFormat` with
//! `timeZone`), so the wasm carries no zone table.

use js_sys::{Array, Date, Intl, Object, Reflect};
use replyby_core::{Zone, ZoneDb};
use std::cell::RefCell;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// One numeric, 24-hour, en-US formatter per zone: creating them is the slow part.
    static FORMATTERS: RefCell<Vec<(String, Intl::DateTimeFormat)>> = const { RefCell::new(Vec::new()) };
}

/// A zone answered by `Intl`. Holds only its name (formatters live in a thread-local
/// cache), so it is `Send + Sync` as the core's seam asks.
#[derive(Debug, Clone)]
pub struct IntlZone {
    name: String,
}

/// A lookup in a small cache, made and kept on a miss. A few entries at most, so a list
/// (less code in the wasm than a hash map).
pub(crate) fn cached<K: PartialEq, V: Clone>(
    cache: &RefCell<Vec<(K, V)>>,
    key: K,
    make: impl FnOnce() -> Option<V>,
) -> Option<V> {
    if let Some((_, v)) = cache.borrow().iter().find(|(k, _)| *k == key) {
        return Some(v.clone());
    }
    let v = make()?;
    cache.borrow_mut().push((key, v.clone()));
    Some(v)
}

pub(crate) fn set(obj: &Object, key: &str, value: &str) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &JsValue::from_str(value));
}

/// Builds a formatter for `zone`, or `None` when the browser does not know the zone
/// (`Intl.DateTimeFormat` throws a RangeError, which is caught here).
fn formatter(zone: &str) -> Option<Intl::DateTimeFormat> {
    let opts = Object::new();
    set(&opts, "timeZone", zone);
    set(&opts, "hourCycle", "h23");
    for key in ["year", "month", "day", "hour", "minute", "second"] {
        set(&opts, key, "numeric");
    }
    construct_formatter("en-US", &opts)
}

/// `new Intl.DateTimeFormat(locale, options)`, with the RangeError an unknown zone or
/// locale throws caught instead of aborting the module.
pub fn construct_formatter(locale: &str, options: &Object) -> Option<Intl::DateTimeFormat> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor = Reflect::get(&intl, &"DateTimeFormat".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
    let args = Array::of2(&locale.into(), options);
    Reflect::construct(&ctor, &args).ok().map(JsCast::unchecked_into)
}

impl IntlZone {
    /// The zone called `name`, if the browser knows it.
    pub fn new(name: &str) -> Option<IntlZone> {
        FORMATTERS.with(|cache| cached(cache, name.to_owned(), || formatter(name)))?;
        Some(IntlZone { name: name.to_owned() })
    }
}

impl Zone for IntlZone {
    fn name(&self) -> &str {
        &self.name
    }

    fn offset_at(&self, instant: i64) -> i32 {
        FORMATTERS.with(|cache| {
            let cache = cache.borrow();
            let Some((_, f)) = cache.iter().find(|(n, _)| *n == self.name) else { return 0 };
            // One call and one short string ("3/5/2027, 14:03:09" in en-US), read as its six
            // numbers in order: month, day, year, hour, minute, second. formatToParts gives the
            // same numbers labelled, at about ten times the cost.
            let text = f.format().call1(&JsValue::NULL, &Date::new(&JsValue::from_f64(instant as f64 * 1000.0)));
            let text = text.ok().and_then(|t| t.as_string()).unwrap_or_default();
            let mut n = [0i64; 6];
            let mut numbers = text.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty());
            for slot in &mut n {
                *slot = numbers.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            }
            let v = [n[2], n[0], n[1], n[3], n[4], n[5]];
            let local = chrono::NaiveDate::from_ymd_opt(v[0] as i32, v[1] as u32, v[2] as u32)
                .and_then(|d| d.and_hms_opt((v[3] % 24) as u32, v[4] as u32, v[5] as u32))
                .map(|t| t.and_utc().timestamp())
                .unwrap_or(instant);
            (local - instant) as i32
        })
    }
}

/// The browser's zone database.
#[derive(Debug, Clone, Copy, Default)]
pub struct IntlDb;

impl ZoneDb for IntlDb {
    fn zone(&self, name: &str) -> Option<Arc<dyn Zone>> {
        IntlZone::new(name).map(|z| Arc::new(z) as Arc<dyn Zone>)
    }

    fn names(&self) -> Vec<String> {
        // Intl.supportedValuesOf('timeZone'), where the browser has it.
        let intl = Reflect::get(&js_sys::global(), &"Intl".into()).unwrap_or(JsValue::UNDEFINED);
        let f =
            Reflect::get(&intl, &"supportedValuesOf".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let list = f.and_then(|f| f.call1(&intl, &"timeZone".into()).ok());
        list.map(|l| Array::from(&l).iter().filter_map(|v| v.as_string()).collect()).unwrap_or_default()
    }
}

thread_local! {
    /// The browser's own zone and locale, read once: each `new Intl.DateTimeFormat()` is
    /// costly (the first one loads ICU data), and renders ask often.
    static BROWSER: (String, String) = {
        let f = Intl::DateTimeFormat::new(&Array::new(), &Object::new());
        let opts = f.resolved_options();
        let get = |k: &str| Reflect::get(&opts, &k.into()).ok().and_then(|v| v.as_string());
        (get("timeZone").unwrap_or_else(|| "UTC".to_owned()), get("locale").unwrap_or_else(|| "en-US".to_owned()))
    };
}

/// The visitor's zone, as the browser reports it.
pub fn browser_zone() -> String {
    BROWSER.with(|b| b.0.clone())
}

/// The visitor's locale, as the browser reports it.
pub fn browser_locale() -> String {
    BROWSER.with(|b| b.1.clone())
}
