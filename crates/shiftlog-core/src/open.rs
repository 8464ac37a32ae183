//! Opening a profile: the one constructor of [`Core`]. How the key is found and whether the
//! app lock applies are decided in [`crate::keys`] from the [`Unlock`] and the options.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension};

use crate::keys::{self, KdfParams, NewProfileKey, Unlock};
use crate::{hlc, store, sync, Core, CoreError, Result, DB_FILE};

/// How to open a profile.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Argon2 costs for a new PIN profile and a new app lock.
    pub kdf: KdfParams,
    /// Where a new profile opened with a PIN keeps its key (derived from the PIN by default;
    /// the desktop app prefers the OS keystore).
    pub new_profile_key: NewProfileKey,
    /// Longest wait for one HTTP request to the organization server.
    pub request_timeout: std::time::Duration,
    /// Extra certificate authorities to trust (PEM), e.g. an organization's own
    /// self-signed certificate. The system's roots are trusted as well.
    pub extra_roots_pem: Vec<Vec<u8>>,
    /// How far this device's clock is off, in milliseconds: tests of devices whose clocks are
    /// wrong (the clock stamps its writes with it).
    #[cfg(feature = "test-support")]
    pub clock_skew_ms: i64,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            kdf: KdfParams::default(),
            new_profile_key: NewProfileKey::default(),
            request_timeout: std::time::Duration::from_secs(30),
            extra_roots_pem: Vec::new(),
            #[cfg(feature = "test-support")]
            clock_skew_ms: 0,
        }
    }
}

impl Core {
    /// Opens the worker's data in `data_dir`, creating it (and its key) on first use.
    ///
    /// A PIN profile is opened with its PIN. A keystore profile takes its key from the OS
    /// keystore, and its PIN (the app lock) is checked too: set by the first unlock with a
    /// PIN, required from then on by every front door. A wrong PIN is [`CoreError::WrongPin`]
    /// and changes nothing on disk but the wrong-PIN counter in `key.json`; after too many,
    /// [`CoreError::TooManyTries`] refuses before any key is derived. A missing PIN is
    /// [`CoreError::PinNeeded`]. A profile opened with a 4- or 5-digit PIN opens, with
    /// [`Core::pin_change_needed`] true.
    pub fn open(data_dir: &Path, unlock: Unlock, opts: &OpenOptions) -> Result<Arc<Core>> {
        std::fs::create_dir_all(data_dir).map_err(|e| CoreError::Io {
            what: format!("creating {}", data_dir.display()),
            source: e,
        })?;
        let counted = matches!(unlock, Unlock::Pin(_)) && keys::profile_exists(data_dir);
        let opened = (|| {
            let (key, lock) = keys::lock::plan(data_dir, &unlock, opts.kdf, opts.new_profile_key)?;
            let conn = store::open(&data_dir.join(DB_FILE), &key)?;
            keys::lock::check(&conn, &lock, opts.kdf)?;
            Ok(conn)
        })();
        let conn = match opened {
            Ok(conn) => conn,
            Err(e) => {
                // A try that failed for another reason than the PIN (a keystore that did not
                // answer, a damaged file) is not a wrong PIN: it is taken back. A process
                // killed mid-try never gets here, so that try stays counted.
                let not_the_pin = !matches!(
                    e,
                    CoreError::WrongPin | CoreError::TooManyTries { .. } | CoreError::Invalid(_)
                );
                if counted && not_the_pin {
                    let _ = keys::tries::undo(&data_dir.join(keys::KEY_FILE));
                }
                return Err(e);
            }
        };
        let short_pin = match &unlock {
            Unlock::Pin(pin) => {
                keys::tries::succeeded(&data_dir.join(keys::KEY_FILE))?;
                pin.len() < keys::MIN_NEW_PIN_DIGITS
            }
            _ => false,
        };
        let clock = load_clock(&conn)?;
        let core = Arc::new(Core {
            db: Mutex::new(conn),
            data_dir: data_dir.to_path_buf(),
            sync: sync::SyncClient::new(opts)?,
            catalogues: Mutex::new(Default::default()),
            clock: Mutex::new(clock),
            kdf: opts.kdf,
            pin_change_needed: AtomicBool::new(short_pin),
            #[cfg(feature = "test-support")]
            clock_skew_ms: opts.clock_skew_ms,
            #[cfg(not(feature = "test-support"))]
            clock_skew_ms: 0,
        });
        core.purge_expired()?;
        core.purge_expired_messages(chrono::Utc::now())?;
        // Organizations' own certificates, each for its own server (sync/trust.rs).
        core.refresh_trust()?;
        Ok(core)
    }
}

/// The clock as it was: this device's node id (made once, kept in settings) and the highest
/// stamp among its records.
fn load_clock(conn: &Connection) -> Result<hlc::Clock> {
    let node: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'hlc_node'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let node = match node.and_then(|n| u32::from_str_radix(&n, 16).ok()) {
        Some(n) => n,
        None => {
            let mut b = [0u8; 4];
            getrandom::fill(&mut b)
                .map_err(|e| CoreError::KeyFile(format!("no randomness: {e}")))?;
            let n = u32::from_le_bytes(b);
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES ('hlc_node', ?1)",
                [format!("{n:08x}")],
            )?;
            n
        }
    };
    let mut clock = hlc::Clock::new(node);
    let max: Option<String> = conn.query_row("SELECT MAX(hlc) FROM records", [], |r| r.get(0))?;
    if let Some(m) = max {
        clock.observe(&m, 0);
    }
    Ok(clock)
}
