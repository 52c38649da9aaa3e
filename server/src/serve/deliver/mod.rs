//! The hand-off: what each request owes the team and the customer, and the worker that sends it.

pub mod outbox;
pub mod worker;
