#![allow(missing_docs)] // Props fields are named for what they are.
use crate::format::Fmt;
use crate::model::Model;
use chrono::{DateTime, Utc};
use replyby_core::FirstReply;
use std::rc::Rc;
use yew::prelude::*;

#[derive(PartialEq, Clone)]
pub struct StatusLineProps {
    pub model: Rc<Model>,
    pub now: DateTime<Utc>,
    /// Plan index.
    pub plan: usize,
}

/// "Open now · replies within 4 business hours" / "Closed for Presidents' Day · back Tue
/// 09:00 EST (15:00 your time)", in a polite live region.
pub fn status_line(props: &StatusLineProps) -> Html {
    let m = &props.model;
    let fmt = &m.fmt;
    let plan = &m.schedule.plans[props.plan];
    let coverage = &m.schedule.coverages[plan.coverage];
    let Ok(status) = m.schedule.status(&coverage.id, props.now) else {
        return html! { <p class="status">{ fmt.t("unavailable") }</p> };
    };
    let (state, text) = if status.open {
        ("open", format!("{} · {}", fmt.t("status.open"), replies_within(fmt, plan.first_reply)))
    } else {
        let head = match &status.reason {
            Some(replyby_core::Reason::Holiday { name }) => {
                fmt.tr("status.closed_for", &[("holiday", &m.home_holiday(coverage, name))])
            }
            _ => fmt.t("status.closed"),
        };
        let home = m.schedule.teams[coverage.teams[0]].zone.as_ref();
        match status.next_open {
            Some(t) => {
                let when = fmt.team_and_visitor(t, home, m.visitor.as_ref(), props.now);
                ("closed", format!("{head} · {}", fmt.tr("status.back", &[("when", &when)])))
            }
            None => ("closed", head),
        }
    };
    html! {
        <p class="status" data-state={state} role="status" aria-live="polite">
            <span class="dot" aria-hidden="true"></span>{ text }
        </p>
    }
}

/// The catalog's name for a first-reply target's unit and its count.
fn unit(target: FirstReply) -> (&'static str, u32) {
    match target {
        FirstReply::Minutes(n) => ("minutes", n),
        FirstReply::Hours(n) => ("hours", n),
        FirstReply::BusinessMinutes(n) => ("business_minutes", n),
        FirstReply::BusinessHours(n) => ("business_hours", n),
        FirstReply::BusinessDays(n) => ("business_days", n),
    }
}

/// A first-reply target in words: "4 business hours".
pub fn target(fmt: &Fmt, target: FirstReply) -> String {
    let (unit, n) = unit(target);
    fmt.count(&format!("target.{unit}"), n, &[])
}

/// "replies within 4 business hours".
pub fn replies_within(fmt: &Fmt, target: FirstReply) -> String {
    let (unit, n) = unit(target);
    fmt.count(&format!("status.replies_within.{unit}"), n, &[])
}
