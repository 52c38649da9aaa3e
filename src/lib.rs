//! The replyby widget. The Yew front end arrives with the widget issue; for now this
//! crate only proves the core builds for the browser target.
