//! Read-only connections beside the one writer (WAL readers), so an export or a summary never
//! holds the connection that pushes, enrollment and logins need.
//!
//! At most `budget` are open; a reader waits for a free one (never for the writer), and
//! gives up after [`WAIT`] with an error that says the server is busy. In WAL mode a reader
//! sees the last commit made before its statement began and never blocks a writer; a long
//! read only keeps the WAL file from being checkpointed back to its start until it ends.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use shiftlog_server_db::StorageError;

use crate::db;

/// How long a read waits for a free reader before it is refused.
const WAIT: Duration = Duration::from_secs(30);

/// Read-only connections to one database file.
pub(crate) struct Readers {
    path: PathBuf,
    budget: usize,
    state: Mutex<State>,
    freed: Condvar,
}

#[derive(Default)]
struct State {
    idle: Vec<Connection>,
    /// Open connections, idle or lent.
    open: usize,
}

/// A lent reader, given back when dropped.
pub(crate) struct Reader<'a> {
    pool: &'a Readers,
    conn: Option<Connection>,
}

impl std::ops::Deref for Reader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
            .as_ref()
            .expect("a lent reader holds its connection")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let mut s = self.pool.state();
            if conn.is_autocommit() {
                s.idle.push(conn);
            } else {
                // A read left inside a transaction (a panic mid-export): close it.
                s.open -= 1;
            }
            drop(s);
            self.pool.freed.notify_one();
        }
    }
}

impl Readers {
    /// Up to `budget` (at least 1) readers of the database at `path`, opened when first
    /// needed.
    pub(crate) fn new(path: &Path, budget: usize) -> Readers {
        Readers {
            path: path.to_path_buf(),
            budget: budget.max(1),
            state: Mutex::new(State::default()),
            freed: Condvar::new(),
        }
    }

    /// The database file the readers open.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A free reader, opening one if the budget allows, else waiting for one.
    pub(crate) fn get(&self) -> Result<Reader<'_>, StorageError> {
        let deadline = Instant::now() + WAIT;
        let mut s = self.state();
        loop {
            if let Some(conn) = s.idle.pop() {
                return Ok(Reader {
                    pool: self,
                    conn: Some(conn),
                });
            }
            if s.open < self.budget {
                s.open += 1;
                drop(s);
                return match self.open() {
                    Ok(conn) => Ok(Reader {
                        pool: self,
                        conn: Some(conn),
                    }),
                    Err(e) => {
                        self.state().open -= 1;
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(StorageError::Backend(format!(
                    "all {} read connections stayed busy for {} s (exports or summaries); \
                     try again in a minute",
                    self.budget,
                    WAIT.as_secs()
                )));
            }
            s = self
                .freed
                .wait_timeout(s, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    fn open(&self) -> Result<Connection, StorageError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(db)?;
        conn.execute_batch(crate::READER_PRAGMAS).map_err(db)?;
        Ok(conn)
    }
}
