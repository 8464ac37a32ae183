//! The app lock, in one place. A PIN profile needs no other lock: without the PIN there is no
//! key. A keystore profile opens without the worker, so the PIN that locks the app is checked
//! here, against its Argon2id hash kept in the (encrypted) database. Every front door goes
//! through [`plan`] and [`check`]; none can skip the lock by choosing another way in.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use super::{
    keystore, profile_key_source, resolve, tries, validate_new_pin, validate_pin, DbKey, KdfParams,
    Unlock, KEY_FILE,
};
use crate::error::CoreError;

/// Setting holding the app-lock PIN's Argon2id hash (keystore profiles).
const APP_PIN_SETTING: &str = "app_pin_hash";

/// Where a new profile opened with [`Unlock::Pin`] keeps its database key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NewProfileKey {
    /// Derived from the PIN: the PIN is the key.
    #[default]
    Pin,
    /// In the OS keystore when one answers (the PIN then locks the app), else derived from
    /// the PIN. The desktop app's choice.
    KeystoreIfAvailable,
}

/// What [`check`] must verify once the database is open.
#[derive(Debug)]
pub(crate) enum AppLock {
    /// Nothing: the key itself was the lock (a PIN profile, or a raw key).
    None,
    /// A keystore profile opened with the PIN: it must match the stored hash, or becomes the
    /// lock if none is stored yet.
    Pin(String),
    /// A keystore profile opened without a PIN: allowed only while it has no app lock.
    NoPin,
}

/// Decides how `unlock` opens the profile in `data_dir` and returns its database key, checked
/// against `key.json`, and the app lock still to check. A PIN that is not 4 to 12 digits (6 to
/// 12 for a new profile) is refused before anything is written. A PIN given to an existing
/// profile is counted as a wrong try before its key is derived ([`tries::begin`]); the caller
/// calls [`tries::succeeded`] once the PIN proved right.
pub(crate) fn plan(
    data_dir: &Path,
    unlock: &Unlock,
    kdf: KdfParams,
    new_key: NewProfileKey,
) -> Result<(DbKey, AppLock), CoreError> {
    if let Unlock::Pin(pin) = unlock {
        if profile_key_source(data_dir).is_some() {
            validate_pin(pin)?;
            tries::begin(&data_dir.join(KEY_FILE))?;
        } else {
            validate_new_pin(pin)?;
        }
    }
    let keystore_profile = match profile_key_source(data_dir).as_deref() {
        Some(source) => source == "keystore",
        None => {
            matches!(unlock, Unlock::Pin(_))
                && new_key == NewProfileKey::KeystoreIfAvailable
                && keystore::available()
        }
    };
    match unlock {
        Unlock::Pin(pin) if keystore_profile => {
            validate_pin(pin)?;
            let key = resolve(data_dir, &Unlock::Keystore, kdf)?;
            Ok((key, AppLock::Pin(pin.clone())))
        }
        Unlock::Keystore => Ok((resolve(data_dir, unlock, kdf)?, AppLock::NoPin)),
        _ => Ok((resolve(data_dir, unlock, kdf)?, AppLock::None)),
    }
}

/// Checks (or, on a keystore profile's first unlock with a PIN, sets) the app lock. A wrong
/// PIN is [`CoreError::WrongPin`] and changes nothing; a missing one [`CoreError::PinNeeded`].
pub(crate) fn check(conn: &Connection, lock: &AppLock, kdf: KdfParams) -> Result<(), CoreError> {
    let stored = || -> Result<Option<String>, CoreError> {
        Ok(conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [APP_PIN_SETTING],
                |r| r.get(0),
            )
            .optional()?)
    };
    match lock {
        AppLock::None => Ok(()),
        AppLock::NoPin => match stored()? {
            Some(_) => Err(CoreError::PinNeeded),
            None => Ok(()),
        },
        AppLock::Pin(pin) => match stored()? {
            Some(hash) if super::verify_pin_hash(pin, &hash)? => Ok(()),
            Some(_) => Err(CoreError::WrongPin),
            None => {
                conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [APP_PIN_SETTING, &super::hash_pin(pin, kdf)?],
                )?;
                Ok(())
            }
        },
    }
}

/// Replaces a keystore profile's app-lock PIN: `old` must match the stored hash (or there is
/// none yet).
pub(crate) fn replace(
    conn: &Connection,
    old: &str,
    new: &str,
    kdf: KdfParams,
) -> Result<(), CoreError> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [APP_PIN_SETTING],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(hash) = stored {
        if !super::verify_pin_hash(old, &hash)? {
            return Err(CoreError::WrongPin);
        }
    }
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [APP_PIN_SETTING, &super::hash_pin(new, kdf)?],
    )?;
    Ok(())
}
