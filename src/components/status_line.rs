#![allow(missing_docs)] // Props fields are named for what they are.
use crate::model::Model;
use chrono::{DateTime, Utc};
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
    let lang = m.fmt.lang;
    let plan = &m.schedule.plans[props.plan];
    let coverage = &m.schedule.coverages[plan.coverage];
    let Ok(status) = m.schedule.status(&coverage.id, props.now) else {
        return html! { <p class="status">{ lang.unavailable() }</p> };
    };
    let (class, text) = if status.open {
        ("open", format!("{} · {}", lang.open_now(), lang.replies_within(plan.first_reply)))
    } else {
        let head = match &status.reason {
            Some(replyby_core::Reason::Holiday { name }) => lang.closed_for(name),
            _ => lang.closed().to_owned(),
        };
        let home = m.schedule.teams[coverage.teams[0]].zone.as_ref();
        match status.next_open {
            Some(t) => (
                "closed",
                format!("{head} · {}", lang.back(&m.fmt.team_and_visitor(t, home, m.visitor.as_ref(), props.now))),
            ),
            None => ("closed", head),
        }
    };
    html! {
        <p class={classes!("status", class)} role="status" aria-live="polite">
            <span class="dot" aria-hidden="true"></span>{ text }
        </p>
    }
}
