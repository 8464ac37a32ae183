//! shiftlog organization server: receives devices' records, and lets staff see, summarise and
//! export them.
//!
//! [`OrgService`] is the server's one API (enroll, ingest, catalogue, staff, summaries,
//! exports). HTTP handlers in [`http`] and the `shiftlog-server` command only translate to and
//! from it. Storage is a trait (`shiftlog-server-db`) with a SQLite and a PostgreSQL backend.
//!
//! The service is one struct (`service`) with one `impl OrgService` per concern: enrollment
//! and device tokens (`enroll`), ingest (`ingest`), devices and pulls (`devices`), the catalogue
//! (`catalogue`), [`staff`], [`summary`] and [`export`]. Decisions live there; the backends
//! only read and write.

pub mod dashboard;
pub mod export;
pub mod http;
pub mod limits;
pub mod messages;
pub mod observe;
pub mod openapi;
pub mod spikes;
pub mod staff;
pub mod statements;
pub mod summary;
pub mod suppress;
pub mod tls;

mod catalogue;
mod devices;
mod enroll;
mod error;
mod ingest;
mod intake;
mod service;
mod util;

pub use catalogue::CatalogueEdit;
pub use enroll::public_url;
pub use enroll::{Invite, DASHBOARD_CODE_TTL, ENROLLMENT_CODE_TTL};
pub use error::ServiceError;
pub use limits::Limits;
pub use service::OrgService;
pub use shiftlog_server_db::{
    AuditEntry, CatalogueEntry, DeviceAuth, DeviceInfo, ExportRow, RecordFilter, Redeemed, Role,
    StaffToken, Storage, StorageError, TokenScope,
};
pub use shiftlog_server_postgres::PostgresStorage;
pub use shiftlog_server_sqlite::SqliteStorage;
pub use staff::Staff;
pub use util::{has_control, hash_secret, qr_svg, valid_id, valid_pseudonym};
