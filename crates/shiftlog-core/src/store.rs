//! The device's SQLite file: pragmas, numbered migrations, and opening it safely.
//!
//! Every connection to a shiftlog device database is made by [`open`], so the pragmas below
//! are the only ones in effect anywhere.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::error::CoreError;
use crate::keys::DbKey;

/// Numbered migrations. Entry `n` upgrades a database from `user_version` n to n + 1.
/// Never edit a shipped entry: add a new one and a frozen-schema test for it.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_records.sql"),
    include_str!("../migrations/0003_sync_state.sql"),
    include_str!("../migrations/0004_hlc_pull.sql"),
    include_str!("../migrations/0005_set_aside.sql"),
    include_str!("../migrations/0006_org_identity.sql"),
    include_str!("../migrations/0007_messages.sql"),
    include_str!("../migrations/0008_tallies.sql"),
    include_str!("../migrations/0009_pay_ledger.sql"),
    include_str!("../migrations/0010_statements.sql"),
    include_str!("../migrations/0011_server_epoch.sql"),
    include_str!("../migrations/0012_records_by_time.sql"),
];

/// The schema version this build writes.
pub fn current_version() -> u32 {
    MIGRATIONS.len() as u32
}

/// Pragmas, in one place:
/// - `journal_mode=WAL`: readers (the UI) never block the writer (a save) and vice versa.
/// - `synchronous=FULL`: a record the app said was saved survives power loss. In WAL mode
///   NORMAL could lose the last transactions on power failure; a worker's overdose record is
///   worth the extra fsync.
/// - `foreign_keys=ON`: an activity can never point at an organization that is not there.
/// - `busy_timeout=5000`: the CLI and the app may share a profile; wait, don't fail.
/// - `cache_size=-16000` (16 MB): with SQLCipher every page read from disk is decrypted, so a
///   cache that holds a worker's whole year keeps summaries from decrypting it again.
/// - `temp_store=MEMORY`: sorts for summaries never touch disk (they would be plaintext).
/// - `secure_delete=ON`: a deleted row (a check-in's private note, a purged record) is
///   overwritten with zeros in its page, in the WAL and then in the database file, instead of
///   staying readable in free space. SQLCipher encrypts every page, so without it the bytes
///   are readable only with the key; with it they are gone even for whoever later has the key
///   (a seized, unlocked device; a PIN guessed offline). It costs a write of the freed bytes.
const PRAGMAS: &str = "PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
PRAGMA foreign_keys=ON;
PRAGMA busy_timeout=5000;
PRAGMA cache_size=-16000;
PRAGMA temp_store=MEMORY;
PRAGMA secure_delete=ON;";

/// Opens (creating if needed) the encrypted database at `path` with `key` and brings its
/// schema up to date. A plaintext database from before encryption is encrypted in place.
///
/// Call only with a key already checked against `key.json` ([`crate::keys::resolve`]): then a
/// file that still cannot be read is damaged, and it is never deleted or overwritten: it is
/// moved aside next to itself and the error says where.
pub fn open(path: &Path, key: &DbKey) -> Result<Connection, CoreError> {
    let existed = path.exists();
    if existed && is_plaintext(path) {
        encrypt_in_place(path, key)?;
    }
    let conn = Connection::open(path)?;
    conn.execute_batch(&format!("PRAGMA key = \"{}\";", key.pragma_value()))?;
    match configure(&conn) {
        Ok(()) => Ok(conn),
        Err(e) if existed && is_unreadable(&e) => {
            drop(conn);
            let moved_to = quarantine(path)?;
            Err(CoreError::DatabaseUnreadable {
                path: path.to_path_buf(),
                moved_to,
            })
        }
        Err(e) => Err(e),
    }
}

/// A plaintext SQLite file starts with this header; an encrypted one looks random.
fn is_plaintext(path: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .map(|_| &head == b"SQLite format 3\0")
        .unwrap_or(false)
}

/// Encrypts a plaintext database (schema 1, before encryption) with SQLCipher's export, then
/// swaps it in. The plaintext copy is removed only after the encrypted one is complete.
fn encrypt_in_place(path: &Path, key: &DbKey) -> Result<(), CoreError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".encrypting");
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    {
        let plain = Connection::open(path)?;
        plain.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        plain.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            rusqlite::params![tmp.to_string_lossy(), key.pragma_value()],
        )?;
        let version: u32 = plain.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        plain.execute_batch(&format!(
            "PRAGMA encrypted.user_version = {version}; DETACH DATABASE encrypted;"
        ))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| CoreError::Io {
        what: format!("replacing {} with its encrypted copy", path.display()),
        source: e,
    })?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    Ok(())
}

fn configure(conn: &Connection) -> Result<(), CoreError> {
    conn.execute_batch(PRAGMAS)?;
    migrate(conn)
}

/// Applies every migration above the file's `user_version`, each in its own transaction.
pub fn migrate(conn: &Connection) -> Result<(), CoreError> {
    let have: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if have > current_version() {
        return Err(CoreError::DatabaseTooNew {
            found: have,
            supported: current_version(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(have as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
        tx.commit()?;
    }
    Ok(())
}

/// Databases that were moved aside because they could not be read, oldest first.
pub fn quarantined(data_dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(data_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.contains(".unreadable-") && !n.ends_with("-wal") && !n.ends_with("-shm")
            })
        })
        .collect();
    found.sort();
    found
}

/// Copies every moved-aside database (with its WAL files) into `dest`, for a coordinator or a
/// recovery tool. Returns the copies. The originals stay where they are.
pub fn export_quarantined(data_dir: &Path, dest: &Path) -> Result<Vec<PathBuf>, CoreError> {
    let io = |what: String| move |e| CoreError::Io { what, source: e };
    std::fs::create_dir_all(dest).map_err(io(format!("creating {}", dest.display())))?;
    let mut out = Vec::new();
    for p in quarantined(data_dir) {
        for suffix in ["", "-wal", "-shm"] {
            let mut src = p.as_os_str().to_owned();
            src.push(suffix);
            let src = PathBuf::from(src);
            if let Some(name) = src.file_name().filter(|_| src.exists()) {
                let to = dest.join(name);
                std::fs::copy(&src, &to).map_err(io(format!("copying {}", src.display())))?;
                if suffix.is_empty() {
                    out.push(to);
                }
            }
        }
    }
    Ok(out)
}

fn is_unreadable(e: &CoreError) -> bool {
    matches!(
        e,
        CoreError::Storage(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::NotADatabase
                || f.code == rusqlite::ErrorCode::DatabaseCorrupt
    )
}

/// Moves an unreadable database (and its WAL files) aside, keeping every byte.
fn quarantine(path: &Path) -> Result<PathBuf, CoreError> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut target = path.as_os_str().to_owned();
    target.push(format!(".unreadable-{stamp}"));
    let target = PathBuf::from(target);
    std::fs::rename(path, &target).map_err(|e| CoreError::Io {
        what: format!("moving {} aside", path.display()),
        source: e,
    })?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        if side.exists() {
            let mut t = target.as_os_str().to_owned();
            t.push(suffix);
            let _ = std::fs::rename(&side, PathBuf::from(t));
        }
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DbKey {
        crate::keys::test_key([9; 32])
    }

    #[test]
    fn fresh_database_gets_current_version_and_pragmas() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = open(&dir.path().join("a.db"), &key()).expect("open");
        let v: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v, current_version());
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .expect("sync");
        assert_eq!(sync, 2, "synchronous=FULL");
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("fk");
        assert_eq!(fk, 1);
        let secure: i64 = conn
            .query_row("PRAGMA secure_delete", [], |r| r.get(0))
            .expect("secure_delete");
        assert_eq!(secure, 1, "secure_delete=ON");
    }

    /// What a deleted check-in note leaves in the file. SQLCipher encrypts each page, so the
    /// encrypted file never shows the note either way; what `secure_delete` changes is what
    /// the *decrypted* pages hold, i.e. what someone with the key (a guessed PIN, an unlocked
    /// device) could read back from free space. The pages are the same before encryption, so
    /// this looks at a plaintext twin with the same pragmas: without `secure_delete` the note
    /// is still in the file after the delete and a checkpoint; with it, it is gone.
    #[test]
    fn a_deleted_note_leaves_no_bytes_behind() {
        let note = "NOTE-4f1c9a-only-in-this-test";
        let leftover = |secure: bool| -> bool {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("plain.db");
            let conn = Connection::open(&path).expect("open");
            configure(&conn).expect("configure");
            if !secure {
                conn.execute_batch("PRAGMA secure_delete=OFF;")
                    .expect("off");
            }
            conn.execute(
                "INSERT INTO checkins (id, created_at, created_utc_ms, private_note)
                 VALUES ('c1', '2026-11-20T10:00:00Z', 0, ?1)",
                [note],
            )
            .expect("insert");
            // Another row on the same page, so the page stays in use after the delete.
            conn.execute(
                "INSERT INTO checkins (id, created_at, created_utc_ms) VALUES ('c2', 'x', 0)",
                [],
            )
            .expect("insert");
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                .expect("checkpoint");
            conn.execute("DELETE FROM checkins WHERE id = 'c1'", [])
                .expect("delete");
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                .expect("checkpoint");
            let mut bytes = std::fs::read(&path).expect("read");
            let mut wal = path.as_os_str().to_owned();
            wal.push("-wal");
            bytes.extend(std::fs::read(std::path::PathBuf::from(wal)).unwrap_or_default());
            bytes.windows(note.len()).any(|w| w == note.as_bytes())
        };
        assert!(
            leftover(false),
            "without secure_delete the note stays in the file"
        );
        assert!(!leftover(true), "with secure_delete it is overwritten");
    }

    #[test]
    fn garbage_file_is_moved_aside_not_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("shiftlog.db");
        let garbage = b"this is not a database, but it might be the only copy".repeat(100);
        std::fs::write(&path, &garbage).expect("write");
        let err = open(&path, &key()).expect_err("must refuse");
        match err {
            CoreError::DatabaseUnreadable { moved_to, .. } => {
                assert_eq!(std::fs::read(&moved_to).expect("kept"), garbage);
                assert_eq!(quarantined(dir.path()), vec![moved_to.clone()]);
                let out = tempfile::tempdir().expect("out");
                let copies = export_quarantined(dir.path(), out.path()).expect("export");
                assert_eq!(copies.len(), 1);
                assert_eq!(std::fs::read(&copies[0]).expect("copy"), garbage);
            }
            other => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn newer_schema_is_refused_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("shiftlog.db");
        {
            let c = Connection::open(&path).expect("open");
            c.execute_batch(&format!("PRAGMA key = \"{}\";", key().pragma_value()))
                .expect("key");
            c.pragma_update(None, "user_version", 99).expect("set");
        }
        assert!(matches!(
            open(&path, &key()),
            Err(CoreError::DatabaseTooNew { found: 99, .. })
        ));
    }
}
