//! Where the database key comes from, and the app lock.
//!
//! A profile's key is either derived from the worker's PIN with Argon2id, or a random key kept
//! in the OS keystore ([`keystore`]), or (tests, tools) a raw key. `key.json` beside the
//! database says which, and holds the salt, the Argon2 parameters and a check value, so a wrong
//! PIN is told apart from a damaged file without touching the data.
//!
//! On a keystore profile the PIN still locks the app ([`lock`]): its Argon2id hash is kept in
//! the encrypted database and every front door (the app, the CLI) must give it. The rule is
//! decided here from the [`Unlock`] and the options, never by a caller.

use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{CoreError, ValidationError};

pub mod keystore;
pub(crate) mod lock;

pub use lock::NewProfileKey;

/// File name of the key parameters inside the data directory.
pub const KEY_FILE: &str = "key.json";

/// What the worker (or a tool) gives to open a profile.
#[derive(Clone)]
pub enum Unlock {
    /// The worker's PIN (4 to 12 digits). It opens a PIN profile (the key is derived from it)
    /// and a keystore profile (the key comes from the keystore; the PIN is the app lock). A
    /// new profile keeps its key where [`NewProfileKey`] says.
    Pin(String),
    /// A 32-byte key the caller got from elsewhere (recovery tools, tests).
    Key([u8; 32]),
    /// The OS keystore without a PIN: creates a keystore profile, or opens one that has no app
    /// lock yet. A keystore profile with an app lock answers [`CoreError::PinNeeded`].
    Keystore,
}

impl std::fmt::Debug for Unlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unlock::Pin(_) => "Unlock::Pin(…)",
            Unlock::Key(_) => "Unlock::Key(…)",
            Unlock::Keystore => "Unlock::Keystore",
        })
    }
}

/// The key that opens the database, as SQLCipher wants it.
#[derive(Clone)]
pub struct DbKey([u8; 32]);

impl DbKey {
    /// The `PRAGMA key` value: a raw key, so SQLCipher does not run its own KDF again.
    pub fn pragma_value(&self) -> String {
        format!("x'{}'", hex::encode(self.0))
    }
}

/// Argon2id cost, stored with the salt so it can be raised later for new profiles.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory, KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl Default for KdfParams {
    /// OWASP's Argon2id baseline (19 MiB, 2 passes): about 50 ms on a cheap phone.
    fn default() -> Self {
        KdfParams {
            m_kib: 19 * 1024,
            t: 2,
            p: 1,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct KeyFile {
    version: u32,
    source: String,
    kdf: Option<KdfParams>,
    salt: Option<String>,
    check: String,
    /// Name of the keystore entry, for `source = "keystore"`.
    #[serde(default)]
    keystore_account: Option<String>,
}

/// How a profile's key is kept, read from its `key.json` (`None` for a new profile).
pub fn profile_key_source(data_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(data_dir.join(KEY_FILE)).ok()?;
    serde_json::from_str::<KeyFile>(&text)
        .ok()
        .map(|k| k.source)
}

fn check_value(key: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"shiftlog key check v1");
    h.update(key);
    hex::encode(h.finalize())
}

/// The app-lock PIN as a self-describing Argon2id hash (PHC string), for keystore profiles.
pub fn hash_pin(pin: &str, p: KdfParams) -> Result<String, CoreError> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    validate_pin(pin)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| CoreError::KeyFile(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| CoreError::KeyFile(e.to_string()))?;
    let params = Params::new(p.m_kib, p.t, p.p, None)
        .map_err(|e| CoreError::KeyFile(format!("bad Argon2 parameters: {e}")))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::KeyFile(format!("Argon2 failed: {e}")))
}

/// Checks a PIN against [`hash_pin`]'s output.
pub fn verify_pin_hash(pin: &str, phc: &str) -> Result<bool, CoreError> {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    let parsed = PasswordHash::new(phc).map_err(|e| CoreError::KeyFile(e.to_string()))?;
    Ok(Argon2::default()
        .verify_password(pin.as_bytes(), &parsed)
        .is_ok())
}

/// PINs are 4 to 12 digits.
pub fn validate_pin(pin: &str) -> Result<(), CoreError> {
    if (4..=12).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ValidationError::BadPin.into())
    }
}

fn derive(pin: &str, salt: &[u8], p: KdfParams) -> Result<[u8; 32], CoreError> {
    let params = Params::new(p.m_kib, p.t, p.p, Some(32))
        .map_err(|e| CoreError::KeyFile(format!("bad Argon2 parameters: {e}")))?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pin.as_bytes(), salt, &mut out)
        .map_err(|e| CoreError::KeyFile(format!("Argon2 failed: {e}")))?;
    Ok(out)
}

/// True once a profile has a key file (it was set up with a PIN or a keystore key).
pub fn profile_exists(data_dir: &Path) -> bool {
    data_dir.join(KEY_FILE).exists()
}

/// Resolves `unlock` into the database key: creates `key.json` for a new profile, or checks
/// the key against it. A wrong PIN is [`CoreError::WrongPin`] and touches nothing.
pub fn resolve(data_dir: &Path, unlock: &Unlock, params: KdfParams) -> Result<DbKey, CoreError> {
    let path = data_dir.join(KEY_FILE);
    if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(|e| CoreError::Io {
            what: format!("reading {}", path.display()),
            source: e,
        })?;
        let kf: KeyFile = serde_json::from_str(&text)
            .map_err(|e| CoreError::KeyFile(format!("{}: {e}", path.display())))?;
        let key = match (unlock, kf.source.as_str()) {
            (Unlock::Pin(pin), "pin") => {
                validate_pin(pin)?;
                let salt = kf
                    .salt
                    .as_deref()
                    .and_then(|s| hex::decode(s).ok())
                    .ok_or_else(|| CoreError::KeyFile("missing salt".into()))?;
                let p = kf
                    .kdf
                    .ok_or_else(|| CoreError::KeyFile("missing Argon2 parameters".into()))?;
                derive(pin, &salt, p)?
            }
            (Unlock::Key(k), "key") => *k,
            (Unlock::Keystore, "keystore") => {
                let account = kf
                    .keystore_account
                    .as_deref()
                    .ok_or_else(|| CoreError::KeyFile("missing keystore account".into()))?;
                keystore::get(account)?
            }
            (Unlock::Pin(_), _) => return Err(CoreError::WrongPin),
            (Unlock::Key(_) | Unlock::Keystore, _) => return Err(CoreError::PinNeeded),
        };
        if check_value(&key) != kf.check {
            return Err(CoreError::WrongPin);
        }
        return Ok(DbKey(key));
    }
    let (key, kf) = match unlock {
        Unlock::Pin(pin) => {
            validate_pin(pin)?;
            let mut salt = [0u8; 16];
            getrandom::fill(&mut salt)
                .map_err(|e| CoreError::KeyFile(format!("no randomness: {e}")))?;
            let key = derive(pin, &salt, params)?;
            let kf = KeyFile {
                version: 1,
                source: "pin".into(),
                kdf: Some(params),
                salt: Some(hex::encode(salt)),
                check: check_value(&key),
                keystore_account: None,
            };
            (key, kf)
        }
        Unlock::Key(k) => (
            *k,
            KeyFile {
                version: 1,
                source: "key".into(),
                kdf: None,
                salt: None,
                check: check_value(k),
                keystore_account: None,
            },
        ),
        Unlock::Keystore => {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key)
                .map_err(|e| CoreError::KeyFile(format!("no randomness: {e}")))?;
            let account = format!("db-key-{}", uuid::Uuid::new_v4());
            keystore::put(&account, &key)?;
            (
                key,
                KeyFile {
                    version: 1,
                    source: "keystore".into(),
                    kdf: None,
                    salt: None,
                    check: check_value(&key),
                    keystore_account: Some(account),
                },
            )
        }
    };
    write_durably(&path, &serde_json::to_vec_pretty(&kf).unwrap_or_default())?;
    Ok(DbKey(key))
}

/// Writes a small file so that it is either fully there or not at all.
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
    std::fs::rename(&tmp, path).map_err(|e| io("renaming", e))?;
    Ok(())
}

/// A key for tests in this crate.
#[cfg(test)]
pub(crate) fn test_key(k: [u8; 32]) -> DbKey {
    DbKey(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> KdfParams {
        KdfParams {
            m_kib: 64,
            t: 1,
            p: 1,
        }
    }

    #[test]
    fn pin_round_trip_and_wrong_pin() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = resolve(dir.path(), &Unlock::Pin("246813".into()), fast()).expect("create");
        let b = resolve(dir.path(), &Unlock::Pin("246813".into()), fast()).expect("again");
        assert_eq!(a.0, b.0);
        assert!(matches!(
            resolve(dir.path(), &Unlock::Pin("1357".into()), fast()),
            Err(CoreError::WrongPin)
        ));
        assert!(matches!(
            resolve(dir.path(), &Unlock::Key([7; 32]), fast()),
            Err(CoreError::PinNeeded)
        ));
    }

    #[test]
    fn pins_must_be_4_to_12_digits() {
        let dir = tempfile::tempdir().expect("tempdir");
        for bad in ["", "123", "12345678901234", "12a4", "    "] {
            assert!(matches!(
                resolve(dir.path(), &Unlock::Pin(bad.into()), fast()),
                Err(CoreError::Invalid(ValidationError::BadPin))
            ));
        }
        assert!(!profile_exists(dir.path()), "nothing written for a bad PIN");
    }
}
