//! The floor for the widget's timing: a wasm-bindgen module that writes one line.

use wasm_bindgen::prelude::*;

/// Writes one line into `#floor`.
#[wasm_bindgen]
pub fn write_line() {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("floor")) {
        el.set_text_content(Some("Open now"));
    }
}
