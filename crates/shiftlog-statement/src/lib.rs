//! A work record an employer can verify: an organization's server signs a statement of one
//! worker's work over a period (counts only, nothing about people served) with the
//! organization's Ed25519 key; anyone holding the organization's published keys can check it
//! offline. No I/O: the server stores keys and statements, the device stores files, and
//! both call this crate.
//!
//! - [`api`]: the server's paths and the request a device sends;
//! - [`content`]: what a statement says;
//! - [`canonical`]: the bytes a signature covers;
//! - [`keys`]: signing keys, key ids and the published key list;
//! - [`code`]: the short code;
//! - [`document`]: the file format;
//! - [`verify`](mod@verify): checking, with refusals in English and French.

pub mod api;
pub mod canonical;
pub mod code;
pub mod content;
pub mod document;
pub mod keys;
pub mod verify;

pub use code::{normalize_code, short_code};
pub use content::{
    ActivityCount, Organization, PayHours, Period, RoleHeld, Statement, TrainingCount, Words,
    Worker, STATEMENT_FORMAT,
};
pub use document::{parse_file, sign, SignedStatement, StatementFile};
pub use keys::{key_id, KeySet, PublishedKey, StatementKey};
pub use verify::{check_integrity, verify, verify_file, Verified, VerifyError};

#[cfg(test)]
mod tests;
