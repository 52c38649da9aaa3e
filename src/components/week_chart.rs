#![allow(missing_docs)] // Props fields are named for what they are.
use crate::model::Model;
use chrono::{DateTime, Utc};
use replyby_core::zone::to_local;
use std::rc::Rc;
use yew::prelude::*;

#[derive(PartialEq, Clone)]
pub struct WeekChartProps {
    pub model: Rc<Model>,
    pub now: DateTime<Utc>,
    /// Coverage id.
    pub coverage: String,
}

const CELL_W: u32 = 10;
const CELL_H: u32 = 12;
const LABEL_W: u32 = 34;
const TOP: u32 = 14;

/// The open hours of one day as bars `(first hour, width)`: consecutive full hours make one
/// bar (fewer SVG nodes to create), a partly open hour its own, as wide as its minutes.
fn bars(cells: &[u8]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    let mut joinable = false;
    for (h, &minutes) in (0u32..).zip(cells) {
        match minutes {
            0 => joinable = false,
            60 if joinable => {
                if let Some(last) = out.last_mut() {
                    last.1 += CELL_W;
                }
            }
            m => {
                out.push((h, (CELL_W * u32::from(m) / 60).max(1)));
                joinable = m == 60;
            }
        }
    }
    out
}

/// A 7 × 24 chart of when the coverage is open, in the visitor's zone, from today.
pub fn week_chart(props: &WeekChartProps) -> Html {
    let m = &props.model;
    let visitor = m.visitor.as_ref();
    let today = to_local(visitor, props.now.timestamp()).date();
    let days = m.schedule.days_in_zone(&props.coverage, visitor, today, 7).unwrap_or_default();
    let open_minutes: u32 = days.iter().flat_map(|d| d.spans.iter()).map(|s| u32::from(s.end - s.start)).sum();
    let label = m.fmt.lang.open_hours_a_week(open_minutes / 60);
    let width = LABEL_W + 24 * CELL_W;
    let height = TOP + 7 * CELL_H;
    html! {
        <svg class="chart" viewBox={format!("0 0 {width} {height}")} role="img" aria-label={label.clone()} focusable="false">
            <title>{ label }</title>
            { for [0u32, 6, 12, 18].into_iter().map(|h| html! {
                <text class="hour" x={(LABEL_W + h * CELL_W).to_string()} y="10">{ format!("{h:02}") }</text>
            }) }
            { for days.iter().enumerate().map(|(row, day)| {
                let y = TOP + row as u32 * CELL_H;
                let weekday = m.fmt.date(day.date).split([',', ' ', '.']).next().unwrap_or("").to_owned();
                html! {
                    <g>
                        <text class="day" x="0" y={(y + CELL_H - 3).to_string()}>{ weekday }</text>
                        <rect class="bg" x={LABEL_W.to_string()} y={y.to_string()} width={(24 * CELL_W).to_string()} height={(CELL_H - 2).to_string()} />
                        { for bars(&day.hour_cells()).into_iter().map(|(h, width)| html! {
                            <rect class="on" x={(LABEL_W + h * CELL_W).to_string()} y={y.to_string()}
                                  width={width.to_string()} height={(CELL_H - 2).to_string()} />
                        }) }
                    </g>
                }
            }) }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::{CELL_W, bars};

    #[test]
    fn full_hours_join_and_partial_hours_stand_alone() {
        let mut cells = [0u8; 24];
        cells[9..17].fill(60); // 09:00-17:00
        cells[17] = 30; // to 17:30
        cells[22] = 15; // 22:45-24:00
        cells[23] = 60;
        assert_eq!(bars(&cells), vec![(9, 8 * CELL_W), (17, CELL_W / 2), (22, 2), (23, CELL_W)]);
        cells[20] = 30;
        cells[21] = 60; // 20:30-22:00: the half hour, then a full one joined to nothing before it
        assert_eq!(bars(&cells)[2..4], [(20, CELL_W / 2), (21, CELL_W)]);
    }
}
