#![allow(missing_docs)] // Props fields are named for what they are.
use crate::components::{StatusLineProps, status_line};
use crate::model::Model;
use chrono::{DateTime, Utc};
use std::rc::Rc;
use yew::prelude::*;

#[derive(PartialEq, Clone)]
pub struct BadgeProps {
    pub model: Rc<Model>,
    pub now: DateTime<Utc>,
}

/// One line: open now / closed until ….
pub fn badge(props: &BadgeProps) -> Html {
    html! { <div class="badge">{ status_line(&StatusLineProps { model: props.model.clone(), now: props.now, plan: props.model.plan }) }</div> }
}
