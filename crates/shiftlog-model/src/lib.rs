//! The one definition of a shiftlog record, used by the device (`shiftlog-core`), the
//! organization server, the command line, the UI (through the core's kind definitions) and the
//! tests. Nothing here does I/O.
//!
//! - [`body`]: the typed body of each record type and activity kind, and its limits.
//! - [`catalogue`]: what an organization records (kinds, items, areas, roles, retention).
//! - [`check`]: every rule a record must meet before it is stored, on the device or the server.
//! - [`facts`]: what a record means for a summary.
//! - [`hlc`]: the hybrid logical clock, its format and its drift bound.
//! - [`lww`]: which of two versions of a record wins.
//! - [`kinds`]: the fields, choices, limits and defaults forms are drawn from.
//! - [`error`]: why a record is refused, in words a worker can act on (English and French).

pub mod body;
pub mod catalogue;
pub mod check;
pub mod decode;
pub mod error;
pub mod facts;
pub mod hlc;
pub mod kinds;
pub mod limits;
pub mod lww;

pub use body::RecordType;
pub use catalogue::Catalogue;
pub use check::{check_record, Checked, CheckedBody, Context, Side};
pub use error::{Lang, ValidationError};
pub use facts::Facts;
