//! WAL checkpoints off the pushes' answer path. SQLite's automatic checkpoint runs inside the
//! commit that crosses its threshold (1000 pages): copying the log's pages into the database
//! file and two more fsyncs, all before that push is answered. Here the writer's own
//! automatic checkpoint is kept only as a fallback at [`WRITER_FALLBACK_PAGES`], and a thread
//! of its own, on its own connection, runs a `PASSIVE` checkpoint once [`DUE_AFTER_RECORDS`]
//! records have been stored since its last one. A passive checkpoint waits for no one: the
//! writer and the readers go on meanwhile.
//!
//! Durability does not depend on it: a commit is durable once its log frames are synced
//! (`synchronous=FULL`), before the push is answered; a checkpoint only folds the log back
//! into the database file.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use rusqlite::Connection;

/// Records stored since the last checkpoint that make the next one due (about 600 log pages
/// of the benchmark's mix).
pub(crate) const DUE_AFTER_RECORDS: usize = 2000;

/// The writer's own automatic checkpoint, should the checkpoint thread fall behind or be
/// missing (about 40 MB of log at 4 KiB pages).
pub(crate) const WRITER_FALLBACK_PAGES: u32 = 10_000;

#[derive(Default)]
struct State {
    /// Records stored since the last checkpoint began.
    stored: usize,
    stop: bool,
}

type Shared = Arc<(Mutex<State>, Condvar)>;

/// The checkpoint thread of one database; stopped (and waited for) when dropped.
pub(crate) struct Checkpointer {
    shared: Shared,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on a connection of its own to `path`, or `None` if that cannot be
    /// opened (the writer then keeps SQLite's automatic checkpoint).
    pub(crate) fn start(path: &Path) -> Option<Checkpointer> {
        let conn = Connection::open(path).ok()?;
        conn.execute_batch(crate::PRAGMAS).ok()?;
        let shared: Shared = Arc::default();
        let theirs = shared.clone();
        let thread = std::thread::Builder::new()
            .name("shiftlog-checkpoint".into())
            .spawn(move || run(&conn, &theirs))
            .ok()?;
        Some(Checkpointer {
            shared,
            thread: Some(thread),
        })
    }

    /// `records` were stored (committed): a checkpoint may be due.
    pub(crate) fn stored(&self, records: usize) {
        let (state, wake) = &*self.shared;
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        s.stored += records;
        if s.stored >= DUE_AFTER_RECORDS {
            wake.notify_one();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (state, wake) = &*self.shared;
        state.lock().unwrap_or_else(|p| p.into_inner()).stop = true;
        wake.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Waits until a checkpoint is due, runs it, and again, until told to stop.
fn run(conn: &Connection, shared: &Shared) {
    let (state, wake) = &**shared;
    loop {
        {
            let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
            while !s.stop && s.stored < DUE_AFTER_RECORDS {
                s = wake.wait(s).unwrap_or_else(|p| p.into_inner());
            }
            if s.stop {
                return;
            }
            s.stored = 0;
        }
        // Busy (another checkpoint running, the writer's fallback) or failed: the next one
        // due tries again; the writer's fallback bounds the log meanwhile.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}
