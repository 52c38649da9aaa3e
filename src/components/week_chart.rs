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

/// Room for the longest day label, estimated from its characters at the chart's 9 px font
/// (CJK characters a full em, others about 0.6 em), in tenths of a unit.
fn label_width(labels: &[String]) -> u32 {
    let widest = labels.iter().map(|l| l.chars().map(|c| if c >= '\u{2e80}' { 90 } else { 56 }).sum::<u32>()).max();
    LABEL_W.max(widest.unwrap_or(0) / 10 + 7)
}

/// A 7 × 24 chart of when the coverage is open, in the visitor's zone, from today.
///
/// Right to left (Arabic, Hebrew) the chart is mirrored like the rest of the widget: the day
/// names stand at the right, where a line starts, and the hours run from midnight at the
/// right to midnight at the left, as the reading direction and a right-to-left table's
/// columns do. Each label is anchored at the edge it belongs to, not left to the browser's
/// idea of "start" (`svg.chart` is laid out left to right in the stylesheet).
pub fn week_chart(props: &WeekChartProps) -> Html {
    let m = &props.model;
    let fmt = &m.fmt;
    let visitor = m.visitor.as_ref();
    let today = to_local(visitor, props.now.timestamp()).date();
    let days = m.schedule.days_in_zone(&props.coverage, visitor, today, 7).unwrap_or_default();
    let open_minutes: u32 = days.iter().flat_map(|d| d.spans.iter()).map(|s| u32::from(s.end - s.start)).sum();
    let label = fmt.count("compare.chart_summary", open_minutes / 60, &[]);
    let names: Vec<String> = days.iter().map(|d| fmt.weekday(d.date)).collect();
    let label_w = label_width(&names);
    let grid = 24 * CELL_W;
    let width = label_w + grid;
    let height = TOP + 7 * CELL_H;
    let rtl = fmt.rtl();
    // Where hour `h` (0–24) of the grid is, and where a bar from `h`, `w` wide, starts.
    let hour_x = |h: u32| if rtl { grid - h * CELL_W } else { label_w + h * CELL_W };
    let bar_x = |h: u32, w: u32| if rtl { grid - h * CELL_W - w } else { label_w + h * CELL_W };
    let (grid_x, day_x, anchor) = if rtl { (0, width, "end") } else { (label_w, 0, "start") };
    html! {
        <svg class="chart" viewBox={format!("0 0 {width} {height}")} role="img" aria-label={label.clone()} focusable="false">
            <title>{ label }</title>
            { for [0u32, 6, 12, 18].into_iter().map(|h| html! {
                <text class="hour" x={hour_x(h).to_string()} y="10" text-anchor={anchor}>{ fmt.number(h.into(), 2) }</text>
            }) }
            { for days.iter().zip(names).enumerate().map(|(row, (day, name))| {
                let y = TOP + row as u32 * CELL_H;
                html! {
                    <g>
                        <text class="day" x={day_x.to_string()} y={(y + CELL_H - 3).to_string()} text-anchor={anchor}>{ name }</text>
                        <rect class="bg" x={grid_x.to_string()} y={y.to_string()} width={grid.to_string()} height={(CELL_H - 2).to_string()} />
                        { for bars(&day.hour_cells()).into_iter().map(|(h, w)| html! {
                            <rect class="on" x={bar_x(h, w).to_string()} y={y.to_string()}
                                  width={w.to_string()} height={(CELL_H - 2).to_string()} />
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
