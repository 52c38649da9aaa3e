//! The floors for the widget's timing: a wasm-bindgen module that writes one line, either a
//! fixed one or one with a time the browser's `Intl` formats for the visitor in a team's zone
//! (what every line of the widget needs, and what makes the browser load its ICU data).

use wasm_bindgen::prelude::*;

fn write(text: &str) {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("floor")) {
        el.set_text_content(Some(text));
    }
}

/// Writes one fixed line into `#floor`.
#[wasm_bindgen]
pub fn write_line() {
    write("Open now");
}

/// Writes one line with a time formatted by `Intl.DateTimeFormat` (the visitor's locale, New
/// York's zone, hour, minute and the zone's short name) into `#floor`.
#[wasm_bindgen]
pub fn write_intl_line() {
    let options = js_sys::Object::new();
    for (key, value) in
        [("timeZone", "America/New_York"), ("hour", "2-digit"), ("minute", "2-digit"), ("timeZoneName", "short")]
    {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options);
    let time = format.format().call1(&JsValue::NULL, &js_sys::Date::new(&JsValue::from_f64(1.8e12)));
    write(&format!("Open now · back {}", time.ok().and_then(|t| t.as_string()).unwrap_or_default()));
}
