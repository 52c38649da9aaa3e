//! The views, one a file. Only the request form has state, so only it is a component;
//! the others are plain functions of the model and the instant (each Yew component
//! costs the wasm its own copy of the component machinery).
// Yew's #[component] macro generates public types without docs.
#![allow(missing_docs)]

mod badge;
mod compare;
mod panel;
mod request_form;
mod status_line;
mod week_chart;

pub use badge::{BadgeProps, badge};
pub use compare::{CompareProps, compare};
pub use panel::{PanelProps, panel};
pub use request_form::RequestForm;
pub use status_line::{StatusLineProps, status_line, target};
pub use week_chart::{WeekChartProps, week_chart};
