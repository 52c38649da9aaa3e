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
            Action::Replace(items) => next.items = items,
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
        // Another tab holding the lease is sending it; the storage event will tell us how it went.
        let held = outbox::load().iter().any(|i| i.key == key && i.lease_until > now_ms());
        if !held {
            outbox::update(&key, |i| i.lease_until = now_ms() + LEASE_MS);
            let attempts = match &item.state {
                State::Pending { attempts, .. } => *attempts,
                _ => 0,
            };
            let state = match outbox::send(&item).await {
                Outcome::Received(s) | Outcome::Refused(s) => s,
                Outcome::Retry { error, after_ms } => {
                    let wait = after_ms.unwrap_or_else(|| outbox::backoff_ms(attempts, js_sys::Math::random()));
                    State::Pending { attempts: attempts + 1, next_at: now_ms() + wait, last_error: Some(error) }
                }
            };
            outbox::update(&key, |i| {
                i.state = state.clone();
                i.lease_until = 0.0;
            });
            outbox.dispatch(Action::Set(key.clone(), state));
        } else {
            let retry = State::Pending { attempts: 0, next_at: now_ms() + LEASE_MS, last_error: None };
            outbox.dispatch(Action::Set(key.clone(), retry));
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
    let (lang, fmt, now) = (m.fmt.lang, &m.fmt, props.now);
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
        items: outbox::load().into_iter().filter(|i| i.endpoint == ep).collect(),
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
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut found = Vec::new();
            if !replyby_core::text::plausible_email(email.trim()) {
                found.push((
                    "email".to_owned(),
                    lang.pick(
                        "Enter an e-mail address we can reply to.",
                        "Bitte eine E-Mail-Adresse angeben, an die wir antworten können.",
                        "Indiquez une adresse e-mail pour la réponse.",
                    )
                    .to_owned(),
                ));
            }
            if message.trim().is_empty() {
                found.push((
                    "message".to_owned(),
                    lang.pick(
                        "Tell us what you need.",
                        "Bitte beschreiben Sie Ihr Anliegen.",
                        "Décrivez votre demande.",
                    )
                    .to_owned(),
                ));
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
            let closed = match status.as_ref().and_then(|s| s.reason.clone()) {
                Some(replyby_core::Reason::Holiday { name }) => match lang {
                    crate::i18n::Lang::En => format!("We're closed for {name}."),
                    crate::i18n::Lang::De => format!("Wir haben geschlossen ({name})."),
                    crate::i18n::Lang::Fr => format!("Nous sommes fermés ({name})."),
                },
                _ => lang
                    .pick(
                        "We're closed right now.",
                        "Wir haben gerade geschlossen.",
                        "Nous sommes fermés pour le moment.",
                    )
                    .to_owned(),
            };
            let release = fmt.team_and_visitor(q.release_at, home.as_ref(), m.visitor.as_ref(), now);
            match lang {
                crate::i18n::Lang::En => {
                    format!("{closed} Your request will reach the team {release}, and you'll hear back by {by}.")
                }
                crate::i18n::Lang::De => {
                    format!("{closed} Ihre Anfrage erreicht das Team {release}; Antwort bis {by}.")
                }
                crate::i18n::Lang::Fr => {
                    format!("{closed} Votre demande parviendra à l'équipe {release} ; réponse d'ici {by}.")
                }
            }
        } else {
            match lang {
                crate::i18n::Lang::En => format!("The team is in. You'll hear back by {by}."),
                crate::i18n::Lang::De => format!("Das Team ist da. Antwort bis {by}."),
                crate::i18n::Lang::Fr => format!("L'équipe est là. Réponse d'ici {by}."),
            }
        }
    });

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
        let (class, text) = match &item.state {
            State::Pending { attempts: 0, .. } => ("pending", lang.pick("Saved on this device · sending…", "Auf diesem Gerät gespeichert · wird gesendet …", "Enregistré sur cet appareil · envoi…").to_owned()),
            State::Pending { last_error, .. } => (
                "pending",
                format!(
                    "{} ({})",
                    lang.pick("Saved on this device · we'll keep trying to send it", "Auf diesem Gerät gespeichert · wir versuchen es weiter", "Enregistré sur cet appareil · nouvel essai automatique"),
                    last_error.clone().unwrap_or_default()
                ),
            ),
            State::Received { respond_by, release_at, deferred, .. } => {
                let by = replyby_core::text::parse_instant(respond_by).map(|t| fmt.team_and_visitor(t, home.as_ref(), m.visitor.as_ref(), now)).unwrap_or_default();
                let held = replyby_core::text::parse_instant(release_at).filter(|_| *deferred).map(|t| fmt.team_and_visitor(t, home.as_ref(), m.visitor.as_ref(), now));
                let mut s = match lang {
                    crate::i18n::Lang::En => format!("Received · you'll hear back by {by}"),
                    crate::i18n::Lang::De => format!("Eingegangen · Antwort bis {by}"),
                    crate::i18n::Lang::Fr => format!("Reçue · réponse d'ici {by}"),
                };
                if let Some(h) = held {
                    s.push_str(&format!(" · {}", lang.reaches_team(&h)));
                }
                ("received", s)
            }
            State::Refused { fields } => (
                "refused",
                format!(
                    "{} {}",
                    lang.pick("Not accepted:", "Nicht angenommen:", "Refusée :"),
                    fields.iter().map(|(f, msg)| if f.is_empty() { msg.clone() } else { format!("{f} {msg}") }).collect::<Vec<_>>().join("; ")
                ),
            ),
        };
        let edit = matches!(item.state, State::Refused { .. }).then(|| {
            let (email, name, subject, message, dispatcher, key, body) = (email.clone(), name.clone(), subject.clone(), message.clone(), outbox.dispatcher(), item.key.clone(), item.body.clone());
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
            html! { <button type="button" class="link" {onclick}>{ lang.pick("Edit and send again", "Bearbeiten und erneut senden", "Modifier et renvoyer") }</button> }
        });
        html! {
            <li class={classes!("item", class)} data-key={item.key.clone()}>
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
            <h3 id="rb-request-title">{ lang.pick("Send a request", "Anfrage senden", "Envoyer une demande") }</h3>
            { for preview.map(|p| html! { <p class="preview">{ p }</p> }) }
            <form {onsubmit} novalidate=true>
                { field("email", lang.pick("E-mail", "E-Mail", "E-mail"), "email", &email, true, "email") }
                { field("name", lang.pick("Name", "Name", "Nom"), "text", &name, false, "name") }
                { field("subject", lang.pick("Subject", "Betreff", "Objet"), "text", &subject, false, "off") }
                { field("message", lang.pick("Message", "Nachricht", "Message"), "textarea", &message, true, "off") }
                // The bot trap: `hidden` keeps it out of rendering, the accessibility tree, the
                // Tab order and autofill without any CSS (a strict CSP may block ours); bots
                // that fill every input in the markup still find it.
                <p hidden=true>
                    <label for="rb-website">{ "Website" }</label>
                    <input id="rb-website" name="website" type="text" tabindex="-1" autocomplete="off" hidden=true value={(*honeypot).clone()} oninput={bind(&honeypot)} />
                </p>
                <button type="submit">{ lang.pick("Send", "Senden", "Envoyer") }</button>
            </form>
            <p class="sr-only" role="alert">{ error_summary.unwrap_or_default() }</p>
            if *no_copy {
                <p class="note">{ lang.pick("This browser would not let us keep a copy on this device; we are sending it now.", "Dieser Browser erlaubt keine Kopie auf dem Gerät; wir senden die Anfrage jetzt.", "Ce navigateur n'autorise pas de copie locale ; nous envoyons la demande maintenant.") }</p>
            }
            if !outbox.items.is_empty() {
                <ul class="outbox" aria-live="polite">{ for items }</ul>
            }
        </section>
    }
}
