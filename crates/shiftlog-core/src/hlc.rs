//! This device's hybrid logical clock, defined once in `shiftlog-model` (format, parsing,
//! drift bound), re-exported for the core.

pub use shiftlog_model::hlc::Clock;
