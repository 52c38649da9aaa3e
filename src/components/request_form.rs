#![allow(missing_docs)] // Yew's #[component] generates undocumented public types.

use crate::model::Model;
use crate::outbox::{self, Item, Outcome, State};
use chrono::{DateTime, Utc};
use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use replyby_core::json::Json;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(PartialEq, Properties, Clone)]
pub struct RequestFormProps {
    pub model: Rc<Model>,
    pub now: DateTime<Utc>,
}

/// How long a tab holds an item while sending it.
const LEASE_MS: f64 = 15_000.0;

enum Action {
    Replace(Vec<Item>),
    Add(Item),
    Set(String, State),
    Remove(String),
    Tick,
}

#[derive(Clone, PartialEq, Default)]
struct Outbox {
    items: Vec<Item>,
    tick: u32,
}

impl Reducible for Outbox {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Replace(mut items) => {
                // A received request is kept on the device without what the customer wrote
                // (see `deliver`); a tab that showed its subject goes on showing it.
                for i in items.iter_mut().filter(|i| i.subject.is_empty()) {
                    if let Some(old) = self.items.iter().find(|o| o.key == i.key) {
                        i.subject.clone_from(&old.subject);
                    }
                }
                next.items = items
            }
            Action::Add(item) => next.items.push(item),
            Action::Set(key, state) => {
                if let Some(i) = next.items.iter_mut().find(|i| i.key == key) {
                    i.state = state;
                }
            }
            Action::Remove(key) => next.items.retain(|i| i.key != key),
            Action::Tick => next.tick = next.tick.wrapping_add(1),
        }
        Rc::new(next)
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Delivers one item: takes the lease, sends, records the outcome here and in storage.
fn deliver(item: Item, outbox: UseReducerDispatcher<Outbox>, sending: Rc<RefCell<Vec<String>>>) {
    wasm_bindgen_futures::spawn_local(async move {
        let key = item.key.clone();
        let stored = outbox::load().into_iter().find(|i| i.key == key);
        match stored {
            // Another tab has had the server's answer meanwhile: nothing to send.
            Some(Item { state, .. }) if state.is_answer() => outbox.dispatch(Action::Set(key.clone(), state)),
            // Another tab holding the lease is sending it; the storage event will tell us how it went.
            Some(Item { lease_until, .. }) if lease_until > now_ms() => {
                let retry = State::Pending { attempts: 0, next_at: now_ms() + LEASE_MS, last_error: None };
                outbox.dispatch(Action::Set(key.clone(), retry));
            }
            _ => {
                outbox::update(&key, |i| i.lease_until = now_ms() + LEASE_MS);
                let attempts = match &item.state {
                    State::Pending { attempts, .. } => *attempts,
                    _ => 0,
                };
                let attempt = match outbox::send(&item).await {
                    Outcome::Received(s) | Outcome::Refused(s) => s,
                    Outcome::Retry { error, after_ms } => {
                        let wait = after_ms.unwrap_or_else(|| outbox::backoff_ms(attempts, js_sys::Math::random()));
                        State::Pending { attempts: attempts + 1, next_at: now_ms() + wait, last_error: Some(error) }
                    }
                };
                let kept = outbox::update(&key, |i| {
                    i.state = State::settle(&i.state, attempt.clone());
                    // Once the server has it, the device keeps only its times: the address,
                    // name, subject and message leave localStorage (a refused one keeps them,
                    // to be corrected and sent again).
                    if matches!(i.state, State::Received { .. }) {
                        i.body = replyby_core::json::Json::Null;
                        i.subject.clear();
                    }
                    i.lease_until = 0.0;
                });
                let state = kept.map_or(attempt, |i| i.state);
                outbox.dispatch(Action::Set(key.clone(), state));
            }
        }
        sending.borrow_mut().retain(|k| *k != key);
    });
}

fn input_value(e: &InputEvent) -> String {
    e.target()
        .and_then(|t| {
            t.clone()
                .dyn_into::<web_sys::HtmlInputElement>()
                .map(|i| i.value())
                .ok()
                .or_else(|| t.dyn_into::<web_sys::HtmlTextAreaElement>().map(|a| a.value()).ok())
        })
        .unwrap_or_default()
}

/// The request form and the customer's outbox: what will happen, then where each request is.
#[component]
pub fn RequestForm(props: &RequestFormProps) -> Html {
    let m = &props.model;
    let (fmt, now) = (&m.fmt, props.now);
    let plan = &m.schedule.plans[m.plan];
    let endpoint = m.endpoint.clone();

    let email = use_state(String::new);
    let name = use_state(String::new);
    let subject = use_state(String::new);
    let message = use_state(String::new);
    let honeypot = use_state(String::new);
    let errors = use_state(Vec::<(String, String)>::new);
    let shown_at = use_mut_ref(now_ms);
    let no_copy = use_state(|| false);
    let sending = use_mut_ref(Vec::<String>::new);
    let ep = endpoint.clone();
    let outbox = use_reducer(move || Outbox {
        items: outbox::load_forgetting_spent(now).into_iter().filter(|i| i.endpoint == ep).collect(),
        tick: 0,
    });

    // Deliver what is due; wake up for the next retry; follow other tabs through `storage`.
    {
        let dispatcher = outbox.dispatcher();
        let sending = sending.clone();
        let endpoint = endpoint.clone();
        use_effect_with(outbox.clone(), move |outbox| {
            let t = now_ms();
            let mut next_due: Option<f64> = None;
            for item in &outbox.items {
                if let State::Pending { next_at, .. } = item.state {
                    if next_at <= t {
                        let fresh = !sending.borrow().contains(&item.key);
                        if fresh {
                            sending.borrow_mut().push(item.key.clone());
                            deliver(item.clone(), dispatcher.clone(), sending.clone());
                        }
                    } else {
                        next_due = Some(next_due.map_or(next_at, |n: f64| n.min(next_at)));
                    }
                }
            }
            let d = dispatcher.clone();
            let timer = next_due
                .map(|due| Timeout::new((due - t).clamp(0.0, 120_000.0) as u32 + 20, move || d.dispatch(Action::Tick)));
            let d = dispatcher.clone();
            let storage = web_sys::window().map(|w| {
                EventListener::new(&w, "storage", move |_| {
                    d.dispatch(Action::Replace(outbox::load().into_iter().filter(|i| i.endpoint == endpoint).collect()))
                })
            });
            move || {
                drop(timer);
                drop(storage);
            }
        });
    }

    let onsubmit = {
        let (email, name, subject, message, honeypot, errors) =
            (email.clone(), name.clone(), subject.clone(), message.clone(), honeypot.clone(), errors.clone());
        let (dispatcher, no_copy, shown_at, endpoint) =
            (outbox.dispatcher(), no_copy.clone(), shown_at.clone(), endpoint.clone());
        let plan_id = plan.id.clone();
        let (time_zone, locale) = (m.visitor.name().to_owned(), fmt.locale.clone());
        let (bad_email, no_message) = (fmt.t("form.error.email"), fmt.t("form.error.message"));
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut found = Vec::new();
            if !replyby_core::text::plausible_email(email.trim()) {
                found.push(("email".to_owned(), bad_email.clone()));
            }
            if message.trim().is_empty() {
                found.push(("message".to_owned(), no_message.clone()));
            }
            errors.set(found.clone());
            if !found.is_empty() {
                return;
            }
            // Bot checks are the server's to judge: what the trap field holds and how fast the
            // form was sent go with the request, which is stored and answered like any other,
            // so a person who trips a check by mistake still reaches staff (as suspected spam).
            let fill_ms = (now_ms() - *shown_at.borrow()).max(0.0) as u64;
            let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
            let or_null = |s: Option<String>| s.map_or(Json::Null, Json::String);
            let body = Json::object([
                ("plan", Json::str(plan_id.as_str())),
                ("email", Json::str(email.trim())),
                ("name", or_null(opt(&name))),
                ("subject", or_null(opt(&subject))),
                ("message", Json::str(message.trim())),
                ("time_zone", Json::str(time_zone.as_str())),
                ("locale", Json::str(locale.as_str())),
                ("website", or_null(opt(&honeypot))),
                ("fill_ms", Json::Number(format!("{fill_ms}"))),
            ]);
            let item = Item {
                key: outbox::new_key(),
                body,
                subject: opt(&subject).unwrap_or_else(|| message.trim().chars().take(60).collect()),
                endpoint: endpoint.clone(),
                state: State::Pending { attempts: 0, next_at: 0.0, last_error: None },
                lease_until: 0.0,
            };
            // Written to this device before anything is sent.
            let mut stored = outbox::load();
            stored.push(item.clone());
            no_copy.set(!outbox::save(&stored));
            dispatcher.dispatch(Action::Add(item));
            message.set(String::new());
            subject.set(String::new());
        })
    };

    let field_error = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let bind = |state: &UseStateHandle<String>| {
        let s = state.clone();
        Callback::from(move |e: InputEvent| s.set(input_value(&e)))
    };

    // What will happen if they send now.
    let coverage = &m.schedule.coverages[plan.coverage];
    let home = m.home_zone(coverage);
    let status = m.schedule.status(&coverage.id, now).ok();
    let preview = m.schedule.quote(&plan.id, now).ok().map(|q| {
        let by = fmt.team_and_visitor(q.respond_by, home.as_ref(), m.visitor.as_ref(), now);
        if q.release_at > now {
            let release = fmt.team_and_visitor(q.release_at, home.as_ref(), m.visitor.as_ref(), now);
            match status.as_ref().and_then(|s| s.reason.clone()) {
                Some(replyby_core::Reason::Holiday { name }) => fmt.tr(
                    "form.deferred_holiday",
                    &[("holiday", &m.home_holiday(coverage, &name)), ("release_at", &release), ("respond_by", &by)],
                ),
                _ => fmt.tr("form.deferred", &[("release_at", &release), ("respond_by", &by)]),
            }
        } else {
            fmt.tr("form.open", &[("respond_by", &by)])
        }
    });

    // The form's own label for a field the server refused ("email" → "E-Mail").
    let label_of = |field: &str| match field {
        "email" | "name" | "subject" | "message" => Some(fmt.t(&format!("form.{field}"))),
        _ => None,
    };

    let field = |id: &str,
                 label: &str,
                 kind: &str,
                 value: &UseStateHandle<String>,
                 required: bool,
                 autocomplete: &str| {
        let err = field_error(id);
        let err_id = format!("rb-{id}-error");
        html! {
            <p class="field">
                <label for={format!("rb-{id}")}>{ label }{ if required { " *" } else { "" } }</label>
                if kind == "textarea" {
                    <textarea id={format!("rb-{id}")} name={id.to_owned()} rows="5" value={(**value).clone()} oninput={bind(value)}
                        aria-invalid={err.is_some().then_some("true")} aria-describedby={err.is_some().then_some(err_id.clone())} required={required} />
                } else {
                    <input id={format!("rb-{id}")} name={id.to_owned()} type={kind.to_owned()} value={(**value).clone()} oninput={bind(value)}
                        autocomplete={autocomplete.to_owned()} aria-invalid={err.is_some().then_some("true")}
                        aria-describedby={err.is_some().then_some(err_id.clone())} required={required} />
                }
                { for err.map(|e| html! { <span class="error" id={err_id}>{ e }</span> }) }
            </p>
        }
    };

    let items = outbox.items.iter().rev().map(|item| {
        let (state, text) = match &item.state {
            State::Pending { attempts: 0, .. } => ("pending", fmt.t("outbox.sending")),
            State::Pending { last_error, .. } => {
                // The HTTP status the server answered (digits), or no answer at all.
                let error = match last_error.as_deref() {
                    Some(code) if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) => {
                        fmt.tr("outbox.server_error", &[("status", &fmt.number(code.into(), 1))])
                    }
                    _ => fmt.t("outbox.unreachable"),
                };
                ("pending", fmt.tr("outbox.retrying", &[("error", &error)]))
            }
            State::Received { respond_by, release_at, deferred, .. } => {
                let by = replyby_core::text::parse_instant(respond_by)
                    .map(|t| fmt.team_and_visitor(t, home.as_ref(), m.visitor.as_ref(), now))
                    .unwrap_or_default();
                let held = replyby_core::text::parse_instant(release_at)
                    .filter(|_| *deferred)
                    .map(|t| fmt.team_and_visitor(t, home.as_ref(), m.visitor.as_ref(), now));
                let s = match held {
                    Some(h) => fmt.tr("outbox.received_deferred", &[("release_at", &h), ("respond_by", &by)]),
                    None => fmt.tr("outbox.received", &[("respond_by", &by)]),
                };
                ("received", s)
            }
            State::Refused { fields } => {
                // The server's reasons are English: shown as they are to English readers;
                // others are told, in their language, which field to check.
                let reasons: Vec<String> = fields
                    .iter()
                    .map(|(f, msg)| match label_of(f) {
                        _ if fmt.text.lang == "en" => {
                            if f.is_empty() {
                                msg.clone()
                            } else {
                                format!("{f} {msg}")
                            }
                        }
                        Some(label) => fmt.tr("outbox.check_field", &[("field", &label)]),
                        None => fmt.t("outbox.check_request"),
                    })
                    .collect();
                ("refused", fmt.tr("outbox.refused", &[("reasons", &reasons.join("; "))]))
            }
        };
        let edit = matches!(item.state, State::Refused { .. }).then(|| {
            let (email, name, subject, message, dispatcher, key, body) = (
                email.clone(),
                name.clone(),
                subject.clone(),
                message.clone(),
                outbox.dispatcher(),
                item.key.clone(),
                item.body.clone(),
            );
            let onclick = Callback::from(move |_| {
                let get = |k: &str| body.get(k).and_then(Json::as_str).unwrap_or_default().to_owned();
                email.set(get("email"));
                name.set(get("name"));
                subject.set(get("subject"));
                message.set(get("message"));
                let rest: Vec<Item> = outbox::load().into_iter().filter(|i| i.key != key).collect();
                outbox::save(&rest);
                dispatcher.dispatch(Action::Remove(key.clone()));
            });
            html! { <button type="button" class="link" {onclick}>{ fmt.t("outbox.edit") }</button> }
        });
        html! {
            <li class="item" data-state={state} data-key={item.key.clone()}>
                <span class="subject">{ &item.subject }</span>
                <span class="state">{ text }</span>
                { for edit }
            </li>
        }
    });

    let error_summary =
        (!errors.is_empty()).then(|| errors.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>().join(" "));
    html! {
        <section class="request" aria-labelledby="rb-request-title">
            <h3 id="rb-request-title">{ fmt.t("form.title") }</h3>
            { for preview.map(|p| html! { <p class="preview">{ p }</p> }) }
            <form {onsubmit} novalidate=true>
                { field("email", &fmt.t("form.email"), "email", &email, true, "email") }
                { field("name", &fmt.t("form.name"), "text", &name, false, "name") }
                { field("subject", &fmt.t("form.subject"), "text", &subject, false, "off") }
                { field("message", &fmt.t("form.message"), "textarea", &message, true, "off") }
                // The bot trap: `hidden` keeps it out of rendering, the accessibility tree, the
                // Tab order and autofill without any CSS (a strict CSP may block ours); bots
                // that fill every input in the markup still find it.
                <p hidden=true>
                    <label for="rb-website">{ fmt.t("form.website") }</label>
                    <input id="rb-website" name="website" type="text" tabindex="-1" autocomplete="off" hidden=true value={(*honeypot).clone()} oninput={bind(&honeypot)} />
                </p>
                <button type="submit">{ fmt.t("form.send") }</button>
            </form>
            <p class="sr-only" role="alert">{ error_summary.unwrap_or_default() }</p>
            if *no_copy {
                <p class="note">{ fmt.t("form.no_copy") }</p>
            }
            if !outbox.items.is_empty() {
                <ul class="outbox" aria-live="polite">{ for items }</ul>
            }
        </section>
    }
}
