//! What an organization records (kinds, items, areas, roles, retention): defined once in
//! `shiftlog-model`, re-exported for the core's callers.

pub use shiftlog_model::catalogue::*;
