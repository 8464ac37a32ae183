//! `key.json`: where the key comes from, its Argon2id costs and salt, the check value, the
//! wrong-PIN counter, and a PIN change under way. Every write is durable (temporary file,
//! fsync, rename, fsync of the folder), so a crash leaves the old file or the new one.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::KdfParams;
use crate::error::CoreError;

/// A PIN change that was started and may not have finished: the new key's costs, salt and
/// check, and each key wrapped under the other, so either PIN recovers both and the next
/// unlock finishes the change ([`super::change`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingPin {
    pub kdf: KdfParams,
    pub salt: String,
    pub check: String,
    pub new_under_old: String,
    pub old_under_new: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeyFile {
    pub version: u32,
    pub source: String,
    pub kdf: Option<KdfParams>,
    pub salt: Option<String>,
    pub check: String,
    /// Name of the keystore entry, for `source = "keystore"`.
    #[serde(default)]
    pub keystore_account: Option<String>,
    /// Wrong PINs in a row (a try is counted before its key is derived).
    #[serde(default)]
    pub failures: u32,
    /// When the last try counted in `failures` began, Unix seconds.
    #[serde(default)]
    pub last_failure_at: Option<i64>,
    /// A PIN change under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingPin>,
}

/// Reads and parses `key.json` at `path`.
pub(crate) fn read(path: &Path) -> Result<KeyFile, CoreError> {
    let text = std::fs::read_to_string(path).map_err(|e| CoreError::Io {
        what: format!("reading {}", path.display()),
        source: e,
    })?;
    serde_json::from_str(&text).map_err(|e| CoreError::KeyFile(format!("{}: {e}", path.display())))
}

/// Writes `key.json` durably.
pub(crate) fn write(path: &Path, kf: &KeyFile) -> Result<(), CoreError> {
    let bytes = serde_json::to_vec_pretty(kf)
        .map_err(|e| CoreError::KeyFile(format!("could not write the key file: {e}")))?;
    write_durably(path, &bytes)
}

/// Writes a small file so that it is either fully there or not at all, and stays there
/// after a power cut (the folder is synced too, so the rename itself is on disk).
fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), CoreError> {
    use std::io::Write;
    let io = |what: &str, e| CoreError::Io {
        what: format!("{what} {}", path.display()),
        source: e,
    };
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(|e| io("creating", e))?;
    f.write_all(bytes).map_err(|e| io("writing", e))?;
    f.sync_all().map_err(|e| io("syncing", e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| io("renaming", e))?;
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io("syncing the folder of", e))?;
    }
    Ok(())
}
