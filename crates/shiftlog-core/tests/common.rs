//! Helpers shared by the core's integration tests.
#![allow(dead_code)]

use std::sync::Arc;

use shiftlog_core::{Core, KdfParams, Unlock};

/// Cheap Argon2 costs so tests stay fast; production profiles use the default.
pub fn fast() -> KdfParams {
    KdfParams {
        m_kib: 256,
        t: 1,
        p: 1,
    }
}

pub const PIN: &str = "2468";

/// A new profile in a temp dir with one local organization.
pub fn profile() -> (tempfile::TempDir, Arc<Core>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let core = Core::open_with(dir.path(), &Unlock::Pin(PIN.into()), fast()).expect("open");
    core.add_local_organization("Street Outreach").expect("org");
    (dir, core)
}
