//! The views, one component a file.
// Yew's #[component] macro generates public types without docs.
#![allow(missing_docs)]

mod badge;
mod compare;
mod panel;
mod request_form;
mod status_line;
mod week_chart;

pub use badge::Badge;
pub use compare::Compare;
pub use panel::Panel;
pub use request_form::RequestForm;
pub use status_line::StatusLine;
pub use week_chart::WeekChart;
