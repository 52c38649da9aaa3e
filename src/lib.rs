//! # replyby-widget
//!
//! The embeddable widget: Yew function components compiled to WebAssembly, mounted by
//! `embed.js` into a Shadow DOM root. Every time it shows comes from `replyby-core`, with
//! zones from the browser's own `Intl` database ([`intl_zone`]) instead of a zone table.
//!
//! **Invariant:** components only render what the core computed; nothing here decides a time.

pub mod app;
pub mod components;
pub mod format;
pub mod i18n;
pub mod intl_zone;
pub mod model;
pub mod outbox;

use app::{App, AppProps};
use js_sys::Reflect;
use model::Options;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::AppHandle;

/// A mounted widget; `update()` shows a refetched config, `unmount()` removes it and stops
/// its timer.
#[wasm_bindgen]
pub struct MountHandle {
    slot: Rc<RefCell<Slot>>,
    fmt: Rc<format::Fmt>,
}

/// Where a widget stands: its model being built, rendered, or unmounted.
enum Slot {
    Building,
    Rendered(AppHandle<App>),
    Gone,
}

#[wasm_bindgen]
impl MountHandle {
    /// Removes the widget.
    pub fn unmount(&mut self) {
        if let Slot::Rendered(app) = std::mem::replace(&mut *self.slot.borrow_mut(), Slot::Gone) {
            app.destroy();
        }
    }

    /// Shows a new config in place (`embed.js` refetched it: staff changed the hours), in
    /// the same language: the form keeps what the visitor typed, the outbox its requests. A
    /// config that does not validate is reported on the console and the shown one kept.
    pub fn update(&self, options: JsValue) {
        let options = options_from_js(&options);
        let (slot, fmt) = (self.slot.clone(), self.fmt.clone());
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(model) = built(&options, fmt.clone()).await
                && let Slot::Rendered(app) = &mut *slot.borrow_mut()
            {
                app.update(AppProps { model: Some(model), fmt, frozen: options.now });
            }
        });
    }
}

/// The model, or `None` with the reasons on the console.
async fn built(options: &Options, fmt: Rc<format::Fmt>) -> Option<Rc<model::Model>> {
    match model::build(options, fmt).await {
        Ok(m) => Some(Rc::new(m)),
        Err(lines) => {
            for line in lines {
                web_sys::console::error_1(&format!("replyby: {line}").into());
            }
            None
        }
    }
}

fn string(options: &JsValue, key: &str) -> Option<String> {
    Reflect::get(options, &JsValue::from_str(key)).ok().and_then(|v| v.as_string()).filter(|s| !s.trim().is_empty())
}

/// `{id: text, …}` → pairs.
fn presets(options: &JsValue) -> Vec<(String, String)> {
    let Ok(obj) = Reflect::get(options, &JsValue::from_str("presets")) else { return Vec::new() };
    let Some(obj) = obj.dyn_ref::<js_sys::Object>() else { return Vec::new() };
    js_sys::Object::entries(obj)
        .iter()
        .filter_map(|pair| {
            let pair = js_sys::Array::from(&pair);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// Reads `{config, configText, presets, view, plan, timeZone, locale, lang, catalog, now}` from a plain object.
pub fn options_from_js(options: &JsValue) -> Options {
    Options {
        config: string(options, "config").unwrap_or_default(),
        view: string(options, "view"),
        plan: string(options, "plan"),
        time_zone: string(options, "timeZone"),
        locale: string(options, "locale"),
        lang: string(options, "lang"),
        catalog: string(options, "catalog"),
        now: string(options, "now").and_then(|s| replyby_core::text::parse_instant(&s)),
        config_text: string(options, "configText"),
        presets: presets(options),
    }
}

/// A User Timing mark (`replyby:model`, `replyby:render`), beside `embed.js`'s own: a
/// browser's performance panel and `scripts/measure-widget.mjs` show with them where the
/// time to the first line goes.
pub fn mark(name: &str) {
    let perf = Reflect::get(&js_sys::global(), &JsValue::from_str("performance")).unwrap_or_default();
    if let Ok(f) = Reflect::get(&perf, &JsValue::from_str("mark")).and_then(|f| f.dyn_into::<js_sys::Function>()) {
        let _ = f.call1(&perf, &JsValue::from_str(name));
    }
}

/// Ends the current main-thread task and goes on in a new one, so that the host page can
/// handle input and paint in between (no long task). Where the browser has
/// `scheduler.yield()` (Chromium 129+) the continuation runs ahead of other queued tasks;
/// elsewhere after a `setTimeout(0)`, which browsers may delay by 4 ms once such timeouts
/// nest.
pub async fn yield_now() {
    let scheduler = Reflect::get(&js_sys::global(), &JsValue::from_str("scheduler")).unwrap_or_default();
    let promise = Reflect::get(&scheduler, &JsValue::from_str("yield"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(&scheduler).ok())
        .unwrap_or_else(|| {
            js_sys::Promise::new(&mut |resolve, _| {
                if let Some(w) = web_sys::window() {
                    let _ = w.set_timeout_with_callback(&resolve);
                }
            })
            .into()
        });
    let _ = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&promise)).await;
}

/// talc replaces Rust's default wasm allocator (dlmalloc): smaller in the wasm, and faster.
/// The widget runs on one thread (no atomics), which this allocator requires.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

thread_local! {
    static SHEET: std::cell::RefCell<Option<web_sys::CssStyleSheet>> = const { std::cell::RefCell::new(None) };
}

/// Gives the shadow root that holds `root` the widget's stylesheet, as a constructed
/// stylesheet (`adoptedStyleSheets`): a host page whose Content-Security-Policy allows no
/// inline styles blocks a `<style>` element, but not this. One sheet serves every widget.
fn adopt_styles(root: &web_sys::Element) {
    let shadow = root.get_root_node();
    if !shadow.has_type::<web_sys::ShadowRoot>() {
        web_sys::console::error_1(&"replyby: mount into an element inside a shadow root (embed.js does)".into());
        return;
    }
    let Some(sheet) = SHEET.with(|s| {
        let mut s = s.borrow_mut();
        if s.is_none() {
            *s = web_sys::CssStyleSheet::new().ok().filter(|sheet| sheet.replace_sync(app::CSS).is_ok());
        }
        s.clone()
    }) else {
        return;
    };
    let key = JsValue::from_str("adoptedStyleSheets");
    let list = Reflect::get(&shadow, &key).map(|v| js_sys::Array::from(&v)).unwrap_or_default();
    if !list.includes(&sheet, 0) {
        list.push(&sheet);
        let _ = Reflect::set(&shadow, &key, &list);
    }
}

/// Renders a widget into `root` (an element inside a shadow root); called by `embed.js`.
/// The model is built first (the config read and validated, in two tasks), then Yew renders
/// the view once, in a task of its own: no "loading" render to replace. `embed.js` has already fetched the
/// config, its presets and the language, so there is nothing to wait for but the work.
#[wasm_bindgen]
pub fn mount(root: web_sys::Element, options: JsValue) -> MountHandle {
    adopt_styles(&root);
    let options = options_from_js(&options);
    let (fmt, error) = model::language(&options);
    if let Some(line) = error {
        web_sys::console::error_1(&format!("replyby: {line}").into());
    }
    let fmt = Rc::new(fmt);
    let slot = Rc::new(RefCell::new(Slot::Building));
    let handle = MountHandle { slot: slot.clone(), fmt: fmt.clone() };
    wasm_bindgen_futures::spawn_local(async move {
        let model = built(&options, fmt.clone()).await;
        mark("replyby:model");
        // Validating and the first render are separate tasks (no long task on the host page).
        yield_now().await;
        let mut slot = slot.borrow_mut();
        if matches!(*slot, Slot::Building) {
            let props = AppProps { model, fmt, frozen: options.now };
            *slot = Slot::Rendered(yew::Renderer::<App>::with_root_and_props(root, props).render());
            mark("replyby:render");
        }
    });
    handle
}
