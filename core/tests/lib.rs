//! The core's one integration-test binary.

mod common;
mod engine;
mod generated;
mod json;
mod presets;
mod property;
mod reference;
mod validation;
