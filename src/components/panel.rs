#![allow(missing_docs)] // Props fields are named for what they are.
use crate::components::{RequestForm, StatusLineProps, status_line};
use crate::format::Fmt;
use crate::model::Model;
use chrono::{DateTime, Days, NaiveDate, Utc};
use replyby_core::Zone;
use replyby_core::hours::Interval;
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
    let (fmt, now) = (&m.fmt, props.now);
    let plan = &m.schedule.plans[m.plan];
    let coverage = &m.schedule.coverages[plan.coverage];
    let visitor = m.visitor.as_ref();
    let home = m.home_zone(coverage);

    let quote = m.schedule.quote(&plan.id, now).ok();
    let promise = quote.as_ref().map(|q| {
        let by = fmt.team_and_visitor(q.respond_by, home.as_ref(), visitor, now);
        let release = (q.release_at > now).then(|| {
            let when = fmt.team_and_visitor(q.release_at, home.as_ref(), visitor, now);
            fmt.tr("promise.reaches_team", &[("when", &when)])
        });
        html! {
            <div class="promise">
                <p class="by">{ fmt.tr("promise.hear_back_by", &[("when", &by)]) }</p>
                { for release.map(|r| html! { <p class="release">{ r }</p> }) }
            </div>
        }
    });

    // Staff's notices ("replies are slower this week"), from their announce date to their
    // last day in the home team's zone.
    let notices = m.schedule.notices_on(coverage, to_local(home.as_ref(), now.timestamp()).date());

    // From stage 1: this week's hours and the closed days (see `app::last_stage`).
    let details = (props.stage >= 1).then(|| week_and_closed(m, coverage, now));

    html! {
        // Named like its heading ("Acme Networks · Basic"): a page with a panel and a comparison
        // (the company's name) then has two distinct landmarks (axe's landmark-unique).
        <section class="panel" aria-label={format!("{} · {}", m.schedule.config.company, plan.name)}>
            <h2>{ &m.schedule.config.company }<span class="plan">{ " · " }{ &plan.name }</span></h2>
            { for notices.iter().map(|n| html! { <p class="notice" role="note">{ &n.note }</p> }) }
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
    let fmt = &m.fmt;
    let visitor = m.visitor.as_ref();
    let today = to_local(visitor, now.timestamp()).date();
    let week = m.schedule.days_in_zone(&coverage.id, visitor, today, 7).unwrap_or_default();
    let week_rows = week.iter().map(|day| {
        let spans: Vec<String> =
            day.spans.iter().map(|s| span(fmt, visitor, day.date, s.start, s.end)).collect();
        let text = if spans.is_empty() { fmt.t("week.closed") } else { fmt.list(&spans) };
        html! { <tr data-state={spans.is_empty().then_some("shut")}><th scope="row">{ fmt.date(day.date) }</th><td>{ text }</td></tr> }
    });

    let until = today.checked_add_days(Days::new(u64::from(CLOSED_DAYS_AHEAD))).unwrap_or(today);
    let closed = m.schedule.closed_days(&coverage.id, today, until).unwrap_or_default();
    let several_teams = coverage.teams.len() > 1;
    let closed_list = if closed.is_empty() {
        html! { <p class="none">{ fmt.count("closed_days.none", CLOSED_DAYS_AHEAD, &[]) }</p> }
    } else {
        html! {
            <ul class="closed">
            { for closed.iter().map(|d| {
                let team = m.schedule.teams.iter().find(|t| t.id == d.team);
                let name = m.holiday(&d.team, &d.name, d.estimated);
                let name = match team {
                    Some(t) if several_teams => fmt.tr("closed_days.team", &[("holiday", &name), ("team", &t.name)]),
                    _ => name,
                };
                // Reduced hours are the team's own, in its zone, as the config gives them.
                let reduced = team.filter(|_| !d.hours.is_empty()).map(|t| {
                    let spans: Vec<String> = d.hours.iter().filter_map(|h| Interval::parse(h).ok())
                        .map(|i| span(fmt, t.zone.as_ref(), d.date, i.start, i.end)).collect();
                    format!(" · {}", fmt.tr("closed_days.reduced", &[("hours", &fmt.list(&spans))]))
                });
                // Staff's note for customers, from the day they chose to announce it (in the
                // team's zone, where they chose it).
                let note = d.note.as_deref().filter(|_| {
                    let shown = d.announce_from.unwrap_or(d.date);
                    team.is_none_or(|t| to_local(t.zone.as_ref(), now.timestamp()).date() >= shown)
                });
                html! {
                    <li>
                        <span class="date">{ fmt.date(d.date) }</span>
                        <span class="name">{ name }{ reduced.unwrap_or_default() }
                            { for note.map(|n| html! { <span class="note">{ " — " }{ n }</span> }) }</span>
                    </li>
                }
            }) }
            </ul>
        }
    };
    html! {
        <>
            <h3>{ fmt.t("week.title") }</h3>
            <table class="week"><tbody>{ for week_rows }</tbody></table>
            <h3>{ fmt.t("closed_days.title") }</h3>
            { closed_list }
        </>
    }
}

/// "09:00–17:00": minutes after the local midnight of `date` in `zone`, formatted by Intl
/// (an end at or past midnight ends the day: "24:00" where the locale counts hours so).
fn span(fmt: &Fmt, zone: &dyn Zone, date: NaiveDate, start: u16, end: u16) -> String {
    let instant = |minute: u16| {
        let day = date.checked_add_days(Days::new(u64::from(minute / 1440))).unwrap_or(date);
        let minute = minute % 1440;
        let local = day.and_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0).unwrap_or_default();
        replyby_core::zone::to_utc(zone.resolve(local_seconds(local)))
    };
    let end_text =
        if end == 1440 { fmt.end_time(instant(end), zone.name()) } else { fmt.time(instant(end), zone.name()) };
    fmt.range(&fmt.time(instant(start), zone.name()), &end_text)
}
