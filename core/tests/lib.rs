//! The core's one integration-test binary.

mod common;
mod engine;
mod presets;
mod property;
mod reference;
mod validation;
