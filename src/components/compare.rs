#![allow(missing_docs)] // Props fields are named for what they are.
use crate::components::{WeekChartProps, target, week_chart};
use crate::model::Model;
use chrono::{DateTime, Days, Utc};
use replyby_core::zone::to_local;
use std::rc::Rc;
use yew::prelude::*;

#[derive(PartialEq, Clone)]
pub struct CompareProps {
    pub model: Rc<Model>,
    pub now: DateTime<Utc>,
    /// Render stage: plan `i`'s card from stage `2i`, its chart and closed days from `2i + 1`
    /// (see `app::last_stage`).
    pub stage: usize,
}

/// Marketing's plan table: every plan side by side, from the same config.
pub fn compare(props: &CompareProps) -> Html {
    let m = &props.model;
    // Keyed: without keys Yew pairs a longer list's children from the end, and each stage
    // would move the cards shown so far one place along. A card's chart and closed days come
    // one stage after the card, before any later card exists: they grow only the card's own
    // box, so nothing already shown moves.
    let cards = (0..m.schedule.plans.len()).take(props.stage / 2 + 1).map(|plan| {
        html! { <PlanCard key={plan} model={m.clone()} now={props.now} plan={plan} details={2 * plan < props.stage} /> }
    });
    html! {
        <section class="compare" aria-label={m.schedule.config.company.clone()}>
            <h2>{ &m.schedule.config.company }</h2>
            <div class="plans">{ for cards }</div>
        </section>
    }
}

#[derive(PartialEq, Properties)]
pub struct PlanCardProps {
    pub model: Rc<Model>,
    pub now: DateTime<Utc>,
    /// Plan index.
    pub plan: usize,
    /// With the week chart and the closed days.
    pub details: bool,
}

/// One plan's card. A component (unlike the other views) so that a render stage that adds a
/// card leaves the cards already shown alone: their props are unchanged, so Yew skips them.
#[component]
fn PlanCard(props: &PlanCardProps) -> Html {
    let (m, now, details) = (&props.model, props.now, props.details);
    let fmt = &m.fmt;
    let visitor = m.visitor.as_ref();
    let today = to_local(visitor, now.timestamp()).date();
    let year_on = today.checked_add_days(Days::new(365)).unwrap_or(today);
    let plan = &m.schedule.plans[props.plan];
    let coverage = &m.schedule.coverages[plan.coverage];
    let home = m.home_zone(coverage);
    let by = m
        .schedule
        .quote(&plan.id, now)
        .map(|q| fmt.team_and_visitor(q.respond_by, home.as_ref(), visitor, now))
        .unwrap_or_default();
    let closed =
        if details { m.schedule.closed_days(&coverage.id, today, year_on).unwrap_or_default() } else { Vec::new() };
    let coverage_name = if coverage.always {
        fmt.tr("compare.always_open", &[("coverage", &coverage.name)])
    } else {
        coverage.name.clone()
    };
    html! {
        <article class="plan-card">
            <h3>{ &plan.name }</h3>
            { for plan.blurb.as_ref().map(|b| html! { <p class="blurb">{ b }</p> }) }
            <dl>
                <dt>{ fmt.t("compare.coverage") }</dt><dd>{ coverage_name }</dd>
                <dt>{ fmt.t("compare.first_reply") }</dt><dd>{ target(fmt, plan.first_reply) }</dd>
                <dt>{ fmt.t("compare.write_now") }</dt><dd class="by">{ by }</dd>
            </dl>
            if details {
                <p class="chart-title">{ fmt.t("compare.chart_title") }</p>
                { week_chart(&WeekChartProps { model: m.clone(), now, coverage: coverage.id.clone() }) }
                <details>
                    <summary>{ fmt.count("compare.closed_days", closed.len() as u32, &[]) }</summary>
                    <ul class="closed">
                        { for closed.iter().map(|d| html! { <li><span class="date">{ fmt.date(d.date) }</span>{ " " }<span class="name">{ m.holiday(&d.team, &d.name, d.estimated) }</span></li> }) }
                    </ul>
                </details>
            }
        </article>
    }
}
