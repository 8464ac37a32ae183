//! Changing the PIN. A PIN profile's database is re-keyed (`PRAGMA rekey`) and `key.json`
//! rewritten; a keystore profile's app-lock hash is replaced.
//!
//! The database and `key.json` cannot change in one step, so a crash between the two must
//! not lock the worker out. Before re-keying, `key.json` gets the new key's costs, salt and
//! check, and each key wrapped under the other (`pending`). Whatever moment the process dies
//! at, the next unlock with either PIN recovers both keys, finds which one the database
//! answers to, finishes the change (re-keys if it had not happened) and drops `pending`
//! ([`finish`]). A change, once written down, always completes: the new PIN is the PIN.

use std::path::Path;
use std::sync::atomic::Ordering;

use rusqlite::{Connection, OpenFlags};

use super::file::{self, KeyFile, PendingPin};
use super::{
    check_value, derive_pin_key, lock, random, salt_and_kdf, tries, validate_new_pin, wrap, DbKey,
    KEY_FILE,
};
use crate::error::{CoreError, ValidationError};
use crate::{Core, Result, DB_FILE};

/// Where a test may cut a PIN change short (`test_support::cut_pin_change_at`): 1 after
/// `pending` is written, 2 after the database is re-keyed, before `key.json` says so.
#[cfg(feature = "test-support")]
pub(crate) static CUT_AT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

fn cut(_step: u8) -> Result<()> {
    #[cfg(feature = "test-support")]
    if CUT_AT.load(Ordering::SeqCst) == _step {
        return Err(CoreError::KeyFile(format!(
            "test: PIN change cut at step {_step}"
        )));
    }
    Ok(())
}

/// Opens the database with `key` only to see whether it answers (never moves it aside).
fn answers_to(db: &Path, key: &[u8; 32]) -> bool {
    let Ok(conn) = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE) else {
        return false;
    };
    let pragma = DbKey(*key).pragma_value();
    conn.execute_batch(&format!("PRAGMA key = \"{pragma}\";"))
        .and_then(|_| {
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
        })
        .is_ok()
}

fn rekey(conn: &Connection, key: &[u8; 32]) -> Result<()> {
    let pragma = DbKey(*key).pragma_value();
    conn.execute_batch(&format!("PRAGMA rekey = \"{pragma}\";"))?;
    Ok(())
}

/// `key.json` with the pending key as its key.
fn settle(path: &Path, mut kf: KeyFile) -> Result<()> {
    if let Some(p) = kf.pending.take() {
        kf.kdf = Some(p.kdf);
        kf.salt = Some(p.salt);
        kf.check = p.check;
    }
    file::write(path, &kf)
}

/// Finishes a PIN change that was cut short, given both keys; returns the key the database
/// has now (the new one).
pub(crate) fn finish(
    data_dir: &Path,
    kf: KeyFile,
    old: [u8; 32],
    new: [u8; 32],
) -> Result<[u8; 32]> {
    let db = data_dir.join(DB_FILE);
    if db.exists() && !answers_to(&db, &new) && answers_to(&db, &old) {
        let conn = Connection::open(&db)?;
        let pragma = DbKey(old).pragma_value();
        conn.execute_batch(&format!("PRAGMA key = \"{pragma}\";"))?;
        rekey(&conn, &new)?;
    }
    // If it answers to neither key it is damaged: the store moves it aside when it opens.
    settle(&data_dir.join(KEY_FILE), kf)?;
    Ok(new)
}

impl Core {
    /// Changes the worker's PIN from `old` to `new` (6 to 12 digits). Wrong `old` PINs count
    /// like wrong PINs at the unlock screen ([`CoreError::TooManyTries`]). A PIN profile's
    /// key is derived again with today's Argon2 costs and the database re-keyed; a keystore
    /// profile's app lock is replaced. Safe against a crash at any point (see the module).
    pub fn change_pin(&self, old: &str, new: &str) -> Result<()> {
        validate_new_pin(new)?;
        let path = self.data_dir.join(KEY_FILE);
        let kf = file::read(&path)?;
        if kf.pending.is_some() {
            return Err(CoreError::KeyFile(
                "a PIN change is still being finished; lock and unlock, then try again".into(),
            ));
        }
        match kf.source.as_str() {
            "pin" => {
                let (salt, p) = salt_and_kdf(&kf)?;
                tries::begin(&path)?;
                let old_key = derive_pin_key(old, &salt, p)?;
                if check_value(&old_key) != kf.check {
                    return Err(CoreError::WrongPin);
                }
                tries::succeeded(&path)?;
                let new_salt = random::<16>()?;
                let new_key = derive_pin_key(new, &new_salt, self.kdf)?;
                let mut kf = file::read(&path)?;
                kf.pending = Some(PendingPin {
                    kdf: self.kdf,
                    salt: hex::encode(new_salt),
                    check: check_value(&new_key),
                    new_under_old: wrap(&new_key, &old_key),
                    old_under_new: wrap(&old_key, &new_key),
                });
                file::write(&path, &kf)?;
                cut(1)?;
                rekey(&self.db(), &new_key)?;
                cut(2)?;
                settle(&path, kf)?;
            }
            "keystore" => {
                tries::begin(&path)?;
                lock::replace(&self.db(), old, new, self.kdf)?;
                tries::succeeded(&path)?;
            }
            _ => return Err(ValidationError::BadPin.into()),
        }
        self.pin_change_needed.store(false, Ordering::SeqCst);
        Ok(())
    }

    /// True when the profile was opened with a PIN shorter than new PINs may be (4 or 5
    /// digits): the front door asks the worker to choose a new one now.
    pub fn pin_change_needed(&self) -> bool {
        self.pin_change_needed.load(Ordering::SeqCst)
    }
}
