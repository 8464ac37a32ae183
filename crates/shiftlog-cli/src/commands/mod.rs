//! One module per group of commands. Each translates its arguments into a core call and
//! the answer into words; the rules themselves live in `shiftlog-core`.

pub mod aside;
pub mod checkin;
pub mod form;
pub mod log;
pub mod messages;
pub mod orgs;
pub mod pay;
pub mod profile;
pub mod records;
pub mod shell;
pub mod shift;
pub mod statement;
pub mod summary;
pub mod sync;
pub mod tally;
