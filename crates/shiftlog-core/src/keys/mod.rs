//! Where the database key comes from. On devices with an OS keystore the shell passes a key
//! it keeps there ([`Unlock::Key`]); otherwise the worker's PIN is stretched with Argon2id
//! ([`Unlock::Pin`]). `key.json` beside the database holds the salt, the Argon2 parameters and
//! a check value, so a wrong PIN is told apart from a damaged file without touching the data.

use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{CoreError, ValidationError};

/// File name of the key parameters inside the data directory.
pub const KEY_FILE: &str = "key.json";

/// How to unlock a profile.
#[derive(Clone)]
pub enum Unlock {
    /// The worker's PIN (4 to 12 digits).
    Pin(String),
    /// A 32-byte key the caller got from elsewhere.
    Key([u8; 32]),
    /// The OS keystore: a random key made for this profile and kept there ([`keystore`]).
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

/// The OS keystore. Where there is none (no Secret Service on a Linux machine, or a platform
/// without a backend), every call fails with [`CoreError::KeystoreUnavailable`] and the
/// caller falls back to the PIN.
pub mod keystore {
    use crate::error::CoreError;

    /// Service name of shiftlog's entries.
    pub const SERVICE: &str = "org.shiftlog.app";

    /// How long a keystore may take to answer. A locked keyring on a machine with nobody to
    /// type its password (or a Secret Service that never replies) must not hang the app: past
    /// this, the keystore counts as unavailable and the PIN is used.
    pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

    /// Runs a keystore call on its own thread and gives up after [`TIMEOUT`]. A call that
    /// never returns leaves that thread parked; nothing else waits for it.
    #[cfg_attr(
        not(any(target_os = "linux", target_os = "macos", target_os = "windows")),
        allow(dead_code)
    )]
    fn bounded<T: Send + 'static>(
        what: &'static str,
        f: impl FnOnce() -> Result<T, CoreError> + Send + 'static,
    ) -> Result<T, CoreError> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("keystore".into())
            .spawn(move || {
                let _ = tx.send(f());
            })
            .map_err(|e| CoreError::KeystoreUnavailable(e.to_string()))?;
        rx.recv_timeout(TIMEOUT).unwrap_or_else(|_| {
            Err(CoreError::KeystoreUnavailable(format!(
                "the keystore did not answer ({what}) within {} seconds; is it locked?",
                TIMEOUT.as_secs()
            )))
        })
    }

    #[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
    fn entry(account: &str) -> Result<keyring::Entry, CoreError> {
        keyring::Entry::new(SERVICE, account)
            .map_err(|e| CoreError::KeystoreUnavailable(e.to_string()))
    }

    /// Stores a key.
    #[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
    pub fn put(account: &str, key: &[u8; 32]) -> Result<(), CoreError> {
        let (account, key) = (account.to_string(), *key);
        bounded("store", move || {
            entry(&account)?
                .set_secret(&key)
                .map_err(|e| CoreError::KeystoreUnavailable(e.to_string()))
        })
    }

    /// Reads a key.
    #[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
    pub fn get(account: &str) -> Result<[u8; 32], CoreError> {
        let account = account.to_string();
        bounded("read", move || get_now(&account))
    }

    #[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
    fn get_now(account: &str) -> Result<[u8; 32], CoreError> {
        let secret = entry(account)?.get_secret().map_err(|e| match e {
            keyring::Error::NoEntry => {
                CoreError::KeyFile("the key is no longer in this computer's keystore".into())
            }
            e => CoreError::KeystoreUnavailable(e.to_string()),
        })?;
        secret
            .try_into()
            .map_err(|_| CoreError::KeyFile("the keystore holds a key of the wrong size".into()))
    }

    /// True when a keystore answers on this machine (a probe entry is written and removed).
    #[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
    pub fn available() -> bool {
        bounded("probe", || {
            let e = entry("probe")?;
            let ok = e.set_secret(b"probe").is_ok();
            let _ = e.delete_credential();
            Ok(ok)
        })
        .unwrap_or(false)
    }

    /// Stores a key (no keystore on this platform).
    #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
    pub fn put(_account: &str, _key: &[u8; 32]) -> Result<(), CoreError> {
        Err(CoreError::KeystoreUnavailable(
            "no keystore on this platform".into(),
        ))
    }

    /// Reads a key (no keystore on this platform).
    #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
    pub fn get(_account: &str) -> Result<[u8; 32], CoreError> {
        Err(CoreError::KeystoreUnavailable(
            "no keystore on this platform".into(),
        ))
    }

    /// No keystore on this platform.
    #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
    pub fn available() -> bool {
        false
    }
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
        let a = resolve(dir.path(), &Unlock::Pin("2468".into()), fast()).expect("create");
        let b = resolve(dir.path(), &Unlock::Pin("2468".into()), fast()).expect("again");
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
