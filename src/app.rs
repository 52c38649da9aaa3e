//! The root component: loads the config once, renders the chosen view, and re-renders
//! itself when a boundary passes (one timeout, no polling).

// Yew's #[component] macro generates public types without docs.
#![allow(missing_docs)]

use crate::components::{BadgeProps, CompareProps, PanelProps, badge, compare, panel};
use crate::format::Fmt;
use crate::model::{Model, View};
use chrono::{DateTime, Utc};
use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use replyby_core::Zone;
use std::rc::Rc;
use yew::prelude::*;

/// The widget's stylesheet, adopted by its shadow root (see `adopt_styles` in lib.rs).
/// (`styles/widget.css` without its comments: see build.rs.)
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.css"));

/// How many render stages a view takes, one task each, so that no single render is a long
/// task on the host page: the panel shows status and promise, then the week and closed
/// days, then the request form; compare shows each plan's card, then its chart and closed
/// days, before the next card. Each stage only adds after what is shown, so nothing shown
/// moves. The badge is one stage.
fn last_stage(model: &Model) -> usize {
    match model.view {
        View::Badge => 0,
        View::Panel => 2,
        View::Compare => (2 * model.schedule.plans.len()).saturating_sub(1),
    }
}

/// The longest single wait (browsers cap setTimeout at about 24.8 days).
const MAX_WAIT_MS: i64 = 6 * 3600 * 1000;

/// What the root renders: the model, built before Yew mounts (see `mount` in lib.rs), so the
/// first render is the view itself, not a "loading" line replaced a moment later.
#[derive(PartialEq, Properties, Clone)]
pub struct AppProps {
    /// The validated model, or `None` when the config could not be used (the console says
    /// why).
    pub model: Option<Rc<Model>>,
    /// The visitor's language (for "unavailable" when there is no model).
    pub fmt: Rc<Fmt>,
    /// `data-now`: the widget stands still at this instant.
    pub frozen: Option<DateTime<Utc>>,
}

/// Now, from the browser's clock (the core never reads one).
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// When what `model` shows next changes: an opening or closing of any shown coverage, or
/// a new day for the visitor or a team.
fn next_boundary(model: &Model, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let plans: Vec<usize> =
        if model.view == View::Compare { (0..model.schedule.plans.len()).collect() } else { vec![model.plan] };
    plans
        .into_iter()
        .filter_map(|p| {
            let coverage = &model.schedule.coverages[model.schedule.plans[p].coverage];
            let mut zones: Vec<&dyn Zone> = vec![model.visitor.as_ref()];
            zones.extend(coverage.teams.iter().map(|&t| model.schedule.teams[t].zone.as_ref()));
            model.schedule.next_boundary(&coverage.id, at, &zones).ok()
        })
        .min()
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let frozen = props.frozen;
    let now = use_state(|| frozen.unwrap_or_else(now));
    let fmt = &props.fmt;
    let stage = use_state(|| 0usize);

    // The next stage, one task later, until the view is whole.
    let last = props.model.as_deref().map_or(0, last_stage);
    {
        let stage = stage.clone();
        use_effect_with((*stage, last), move |&(at, last)| {
            // Cancelled when the stage changes or the widget unmounts before the task runs.
            let live = Rc::new(std::cell::Cell::new(at < last));
            if at < last {
                let live = live.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    crate::yield_now().await;
                    if live.get() {
                        stage.set(at + 1);
                    }
                });
            }
            move || live.set(false)
        });
    }

    // Live: one timeout to the next boundary, and a fresh look when the tab comes back.
    {
        let now_handle = now.clone();
        let model = props.model.clone();
        use_effect_with((model, *now), move |(model, at)| {
            let live = frozen.is_none();
            let timer = model.as_ref().filter(|_| live).and_then(|m| next_boundary(m, *at)).map(|b| {
                let wait = ((b - *at).num_milliseconds() + 500).clamp(500, MAX_WAIT_MS) as u32;
                let handle = now_handle.clone();
                Timeout::new(wait, move || handle.set(self::now()))
            });
            let handle = now_handle.clone();
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .filter(|_| live)
                .map(|doc| EventListener::new(&doc, "visibilitychange", move |_| handle.set(self::now())));
            move || {
                drop(timer);
                drop(visible);
            }
        });
    }

    let content = match &props.model {
        None => html! { <p class="unavailable" role="status">{ fmt.t("unavailable") }</p> },
        Some(m) => match m.view {
            View::Badge => badge(&BadgeProps { model: m.clone(), now: *now }),
            View::Panel => panel(&PanelProps { model: m.clone(), now: *now, stage: *stage }),
            View::Compare => compare(&CompareProps { model: m.clone(), now: *now, stage: *stage }),
        },
    };
    // Busy while still adding stages; tests and assistive technology wait for it.
    let busy = *stage < last;
    html! {
        <div class="replyby" lang={fmt.locale.clone()} dir={if fmt.rtl() { "rtl" } else { "ltr" }}
            aria-busy={busy.then_some("true")}>{ content }</div>
    }
}
