//! The core's one integration-test binary.

mod changes;
mod common;
mod engine;
mod generated;
mod json;
mod presets;
mod property;
mod publish;
mod reference;
mod validation;
