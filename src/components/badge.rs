#![allow(missing_docs)] // Yew's #[component] generates undocumented public types.
use crate::components::StatusLine;
use crate::model::Model;
use chrono::{DateTime, Utc};
use std::rc::Rc;
use yew::prelude::*;

#[derive(PartialEq, Properties, Clone)]
pub struct BadgeProps {
    pub model: Rc<Model>,
    pub now: DateTime<Utc>,
}

/// One line: open now / closed until ….
#[component]
pub fn Badge(props: &BadgeProps) -> Html {
    html! { <div class="badge"><StatusLine model={props.model.clone()} now={props.now} plan={props.model.plan} /></div> }
}
