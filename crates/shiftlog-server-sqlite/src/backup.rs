//! Backups of `server.db` and bringing one back, and the lock a running server holds on its
//! data directory.
//!
//! - A backup is `VACUUM INTO` from a connection of its own: one read transaction, so it is
//!   a consistent copy of every commit before it started, taken while pushes go on (WAL:
//!   readers never block the writer). It is written beside the target and renamed into place
//!   only when complete and checked, so a cut backup never looks like a good one.
//! - A restore checks the file first (a SQLite database, `integrity_check` ok, a shiftlog
//!   schema no newer than this server), refuses while a server holds the data directory, keeps
//!   the current database aside under a second name (never deleted) and puts the copy in its
//!   place in one rename. The restored copy forgets its data epoch, so devices see a new
//!   one and send again what it lacks. The next open runs any newer migrations.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::MIGRATIONS;

/// The lock file `serve` holds in its data directory.
const LOCK_FILE: &str = "server.lock";
/// The database file in a data directory.
const DB_FILE: &str = "server.db";

/// Why a backup or restore did not happen; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// There is no database in the data directory.
    #[error("there is no server database at {0}: check --data-dir")]
    NoDatabase(PathBuf),
    /// The backup target exists.
    #[error("{0} exists already: choose a new file name, or move the old backup away first")]
    TargetExists(PathBuf),
    /// The file to restore is not a good shiftlog backup.
    #[error("{path} is not a usable shiftlog server backup: {why}")]
    BadBackup {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// A server is running on the data directory.
    #[error(
        "a shiftlog server is running on {0}: stop it first (two servers on one data directory, or a restore under a running one, would lose records)"
    )]
    InUse(PathBuf),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    /// A file operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        source: io::Error,
    },
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// What a backup or restore holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// The schema version in the file.
    pub schema: u32,
    /// Records (all versions' heads, tombstones included) in it.
    pub records: i64,
    /// Organizations in it.
    pub organizations: i64,
    /// Bytes.
    pub bytes: u64,
}

/// The running server's hold on its data directory: while it lives, no other server and no
/// restore can take the directory. Released when dropped or when the process dies.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Takes the lock, or says a server already holds it.
    pub fn acquire(data_dir: &Path) -> Result<DataDirLock, BackupError> {
        std::fs::create_dir_all(data_dir)
            .map_err(io_err(format!("cannot create {}", data_dir.display())))?;
        let path = data_dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err(format!("cannot open {}", path.display())))?;
        match file.try_lock() {
            Ok(()) => Ok(DataDirLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(BackupError::InUse(data_dir.to_path_buf()))
            }
            Err(std::fs::TryLockError::Error(e)) => {
                Err(io_err(format!("cannot lock {}", path.display()))(e))
            }
        }
    }
}

/// Writes a consistent copy of the data directory's database to `to` while the server runs.
pub fn backup(data_dir: &Path, to: &Path) -> Result<BackupInfo, BackupError> {
    let src = data_dir.join(DB_FILE);
    if !src.is_file() {
        return Err(BackupError::NoDatabase(src));
    }
    if to.exists() {
        return Err(BackupError::TargetExists(to.to_path_buf()));
    }
    let partial = partial_path(to);
    let _ = std::fs::remove_file(&partial);
    let conn = Connection::open_with_flags(
        &src,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let target = partial
        .to_str()
        .ok_or_else(|| BackupError::TargetExists(to.to_path_buf()))?;
    conn.execute("VACUUM INTO ?1", [target])?;
    drop(conn);
    let info = check(&partial).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })?;
    File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(io_err(format!("cannot flush {}", partial.display())))?;
    std::fs::rename(&partial, to).map_err(io_err(format!("cannot write {}", to.display())))?;
    sync_dir(to);
    Ok(info)
}

/// Puts the backup `from` in place of the data directory's database. The database that was
/// there is moved aside as `server.db.before-restore-<time>`, never deleted.
/// Returns what the backup holds and where the old database went.
pub fn restore(from: &Path, data_dir: &Path) -> Result<(BackupInfo, Option<PathBuf>), BackupError> {
    let info = check(from)?;
    let lock = DataDirLock::acquire(data_dir)?;
    let db = data_dir.join(DB_FILE);
    let partial = partial_path(&db);
    std::fs::copy(from, &partial).map_err(io_err(format!(
        "cannot copy {} to {}",
        from.display(),
        partial.display()
    )))?;
    forget_data_epoch(&partial)?;
    File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(io_err(format!("cannot flush {}", partial.display())))?;
    let aside = if db.exists() {
        // Fold the old database's log into it first, so the copy set aside is whole.
        let old = Connection::open(&db)?;
        old.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        drop(old);
        let aside = data_dir.join(format!(
            "{DB_FILE}.before-restore-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ));
        // A second name for the old file, not a move: the data directory is never without a
        // server.db, even if the restore is cut off here (a server would start empty).
        std::fs::hard_link(&db, &aside)
            .map_err(io_err(format!("cannot keep {} aside", db.display())))?;
        Some(aside)
    } else {
        None
    };
    for ext in ["-wal", "-shm"] {
        let side = data_dir.join(format!("{DB_FILE}{ext}"));
        if side.exists() {
            std::fs::remove_file(&side)
                .map_err(io_err(format!("cannot remove {}", side.display())))?;
        }
    }
    // One atomic step from the old database to the restored one.
    std::fs::rename(&partial, &db).map_err(io_err(format!("cannot write {}", db.display())))?;
    sync_dir(&db);
    drop(lock);
    Ok((info, aside))
}

/// The restored copy gets a new data epoch when it is first read (a backup older than the
/// epoch gets one from its migration), so devices send again what it lacks.
fn forget_data_epoch(copy: &Path) -> Result<(), BackupError> {
    let conn = Connection::open(copy)?;
    let has_epoch: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'data_epoch'",
        [],
        |r| r.get(0),
    )?;
    if has_epoch {
        crate::ready::clear_data_epoch(&conn).map_err(|e| BackupError::BadBackup {
            path: copy.to_path_buf(),
            why: e.to_string(),
        })?;
    }
    Ok(())
}

/// Checks that `path` is a whole shiftlog server database this server can open.
pub fn check(path: &Path) -> Result<BackupInfo, BackupError> {
    let bad = |why: String| BackupError::BadBackup {
        path: path.to_path_buf(),
        why,
    };
    if !path.is_file() {
        return Err(bad("no such file".into()));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| bad(e.to_string()))?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| bad(format!("not a SQLite database ({e})")))?;
    if integrity != "ok" {
        return Err(bad(format!("damaged: {integrity}")));
    }
    let schema: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let supported = MIGRATIONS.len() as u32;
    if schema == 0 {
        return Err(bad("not a shiftlog server database (no schema)".into()));
    }
    if schema > supported {
        return Err(bad(format!(
            "made by a newer server (schema {schema}; this one knows {supported}): restore it with that version"
        )));
    }
    let count = |table: &str| -> Result<i64, BackupError> {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .map_err(|e| bad(format!("not a shiftlog server database ({e})")))
    };
    let records = count("records")?;
    let organizations = count("organizations")?;
    let bytes = std::fs::metadata(path)
        .map_err(io_err(format!("cannot read {}", path.display())))?
        .len();
    Ok(BackupInfo {
        schema,
        records,
        organizations,
        bytes,
    })
}

fn partial_path(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(".partial");
    PathBuf::from(s)
}

/// Makes a rename durable (best effort: not every file system can sync a directory).
fn sync_dir(file: &Path) {
    if let Some(dir) = file.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_is_whole_and_a_bad_file_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        crate::SqliteStorage::open(&data).expect("open");
        let to = dir.path().join("b.db");
        let info = backup(&data, &to).expect("backup");
        assert!(info.schema >= 1 && info.records == 0);
        assert!(matches!(
            backup(&data, &to),
            Err(BackupError::TargetExists(_))
        ));
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, b"not a database at all, just words").expect("write");
        let err = restore(&junk, &data).expect_err("junk");
        assert!(matches!(err, BackupError::BadBackup { .. }), "{err}");
        let empty = dir.path().join("empty.db");
        Connection::open(&empty)
            .and_then(|c| c.execute_batch("CREATE TABLE x(y)"))
            .expect("empty");
        let err = restore(&empty, &data).expect_err("no schema");
        assert!(err.to_string().contains("not a shiftlog"), "{err}");
        // The database in place is untouched by the refusals.
        assert!(check(&data.join(DB_FILE)).is_ok());
    }

    #[test]
    fn a_held_directory_refuses_restore_and_a_second_server() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        crate::SqliteStorage::open(&data).expect("open");
        let to = dir.path().join("b.db");
        backup(&data, &to).expect("backup");
        let held = DataDirLock::acquire(&data).expect("lock");
        assert!(matches!(
            DataDirLock::acquire(&data),
            Err(BackupError::InUse(_))
        ));
        assert!(matches!(restore(&to, &data), Err(BackupError::InUse(_))));
        drop(held);
        let (_, aside) = restore(&to, &data).expect("restore");
        assert!(aside.expect("old one set aside").exists());
    }
}
