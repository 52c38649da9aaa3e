#![allow(missing_docs)] // Props fields are named for what they are.
use crate::components::{RequestForm, StatusLineProps, status_line};
use crate::model::Model;
use chrono::{DateTime, Days, Utc};
use replyby_core::zone::{local_seconds, to_local};
use std::rc::Rc;
use yew::prelude::*;

#[derive(PartialEq, Clone)]
pub struct PanelProps {
    pub model: Rc<Model>,
    pub now: DateTime<Utc>,
    /// Render stage: status and promise at 0, the week and closed days from 1, the request
    /// form from 2 (see `app::last_stage`).
    pub stage: usize,
}

/// How many days of closed days the panel lists.
const CLOSED_DAYS_AHEAD: u32 = 60;

/// The customer's view: status, reply-by, this week's hours, closed days, and the place
/// where the request form goes.
pub fn panel(props: &PanelProps) -> Html {
    let m = &props.model;
    let (lang, fmt, now) = (m.fmt.lang, &m.fmt, props.now);
    let plan = &m.schedule.plans[m.plan];
    let coverage = &m.schedule.coverages[plan.coverage];
    let visitor = m.visitor.as_ref();
    let home = m.home_zone(coverage);

    let quote = m.schedule.quote(&plan.id, now).ok();
    let promise = quote.as_ref().map(|q| {
        let by = fmt.team_and_visitor(q.respond_by, home.as_ref(), visitor, now);
        let release = (q.release_at > now)
            .then(|| lang.reaches_team(&fmt.team_and_visitor(q.release_at, home.as_ref(), visitor, now)));
        html! {
            <div class="promise">
                <p class="by">{ lang.hear_back_by(&by) }</p>
                { for release.map(|r| html! { <p class="release">{ r }</p> }) }
            </div>
        }
    });

    // From stage 1: this week's hours and the closed days (see `app::last_stage`).
    let details = (props.stage >= 1).then(|| week_and_closed(m, coverage, now));

    html! {
        <section class="panel" aria-label={m.schedule.config.company.clone()}>
            <h2>{ &m.schedule.config.company }<span class="plan">{ " · " }{ &plan.name }</span></h2>
            { status_line(&StatusLineProps { model: m.clone(), now, plan: m.plan }) }
            { for promise }
            { for details }
            if props.stage >= 2 {
                <RequestForm model={m.clone()} now={now} />
            }
        </section>
    }
}

/// This week's hours in the visitor's zone and the closed days of the next
/// `CLOSED_DAYS_AHEAD` days.
fn week_and_closed(m: &Model, coverage: &replyby_core::Coverage, now: DateTime<Utc>) -> Html {
    let (lang, fmt) = (m.fmt.lang, &m.fmt);
    let visitor = m.visitor.as_ref();
    let today = to_local(visitor, now.timestamp()).date();
    let week = m.schedule.days_in_zone(&coverage.id, visitor, today, 7).unwrap_or_default();
    let clock = |date: chrono::NaiveDate, minute: u16| {
        if minute >= 1440 {
            return "24:00".to_owned();
        }
        let local =
            local_seconds(date.and_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0).unwrap_or_default());
        fmt.time(replyby_core::zone::to_utc(visitor.resolve(local)), visitor.name())
    };
    let week_rows = week.iter().map(|day| {
        let spans: Vec<String> = day.spans.iter().map(|s| format!("{}–{}", clock(day.date, s.start), clock(day.date, s.end))).collect();
        let text = if spans.is_empty() { lang.closed_day().to_owned() } else { spans.join(", ") };
        html! { <tr class={classes!(spans.is_empty().then_some("shut"))}><th scope="row">{ fmt.date(day.date) }</th><td>{ text }</td></tr> }
    });

    let until = today.checked_add_days(Days::new(u64::from(CLOSED_DAYS_AHEAD))).unwrap_or(today);
    let closed = m.schedule.closed_days(&coverage.id, today, until).unwrap_or_default();
    let several_teams = coverage.teams.len() > 1;
    let closed_list = if closed.is_empty() {
        html! { <p class="none">{ lang.none_upcoming(CLOSED_DAYS_AHEAD) }</p> }
    } else {
        html! {
            <ul class="closed">
            { for closed.iter().map(|d| {
                let team = m.schedule.teams.iter().find(|t| t.id == d.team).map(|t| t.name.clone()).unwrap_or_default();
                let detail = if d.hours.is_empty() { String::new() } else { format!(" · {}", lang.reduced_hours(&d.hours.join(", "))) };
                html! {
                    <li>
                        <span class="date">{ fmt.date(d.date) }</span>
                        <span class="name">{ &d.name }{ if several_teams { format!(" ({team})") } else { String::new() } }{ detail }</span>
                    </li>
                }
            }) }
            </ul>
        }
    };
    html! {
        <>
            <h3>{ lang.hours_this_week() }</h3>
            <table class="week"><tbody>{ for week_rows }</tbody></table>
            <h3>{ lang.upcoming_closed() }</h3>
            { closed_list }
        </>
    }
}
