//! Test hooks: reaching under the API, as only a test should (writing rows the core would
//! refuse, building fixtures faster than the API can). Compiled for this crate's unit tests and
//! with the `test-support` feature, which only dev-dependencies enable.

use std::path::Path;

use rusqlite::Connection;

use crate::{keys, KdfParams, Result, Unlock, DB_FILE};

/// A raw connection to the profile's database in `data_dir`, with its key set and no other
/// pragma, as a test needs it to write rows directly. The profile must exist already.
pub fn raw_connection(data_dir: &Path, unlock: &Unlock, kdf: KdfParams) -> Result<Connection> {
    let key = keys::resolve(data_dir, unlock, kdf)?;
    let conn = Connection::open(data_dir.join(DB_FILE))?;
    conn.execute_batch(&format!("PRAGMA key = \"{}\";", key.pragma_value()))?;
    Ok(conn)
}

/// Moves the clock the wrong-PIN waits are measured by (`key.json`'s counter) forward by
/// `seconds`, for this process; cumulative.
pub fn advance_pin_clock(seconds: i64) {
    #[cfg(feature = "test-support")]
    keys::tries::CLOCK_OFFSET.fetch_add(seconds, std::sync::atomic::Ordering::SeqCst);
    let _ = seconds;
}

/// Makes the next PIN changes stop with an error at `step` (1: after `key.json` holds the
/// pending change, before the database is re-keyed; 2: after the re-key, before `key.json`
/// says so), as a crash there would; 0 turns it off.
pub fn cut_pin_change_at(step: u8) {
    #[cfg(feature = "test-support")]
    keys::change::CUT_AT.store(step, std::sync::atomic::Ordering::SeqCst);
    let _ = step;
}

/// Writes the `key.json` a profile made before new PINs needed 6 digits would have: a PIN
/// key (`pin` may have 4 or 5 digits) with the costs `kdf`, in the old file's exact fields.
/// Opening the profile with `pin` then creates its database as the old app did.
pub fn legacy_pin_profile(data_dir: &Path, pin: &str, kdf: KdfParams) -> Result<()> {
    let salt = [7u8; 16];
    let key = keys::derive_pin_key(pin, &salt, kdf)?;
    let check = {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(b"shiftlog key check v1");
        h.update(key);
        hex::encode(h.finalize())
    };
    let text = serde_json::json!({
        "version": 1,
        "source": "pin",
        "kdf": kdf,
        "salt": hex::encode(salt),
        "check": check,
        "keystore_account": null,
    });
    std::fs::create_dir_all(data_dir).map_err(|e| crate::CoreError::Io {
        what: format!("creating {}", data_dir.display()),
        source: e,
    })?;
    std::fs::write(data_dir.join(keys::KEY_FILE), text.to_string()).map_err(|e| {
        crate::CoreError::Io {
            what: "writing key.json".into(),
            source: e,
        }
    })
}
