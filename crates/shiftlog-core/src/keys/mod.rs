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

pub(crate) mod change;
pub(crate) mod file;
pub mod keystore;
pub(crate) mod lock;
// Hardware-backed wrapping keys on phones: written, not built or tested here (see the file).
#[cfg(any(target_os = "android", target_os = "ios"))]
#[allow(dead_code)]
pub(crate) mod mobile;
pub mod tries;

use file::KeyFile;
pub use lock::NewProfileKey;

/// File name of the key parameters inside the data directory.
pub const KEY_FILE: &str = "key.json";

/// Fewest digits of a new PIN. Profiles made with 4 or 5 still open, and are asked to change.
pub const MIN_NEW_PIN_DIGITS: usize = 6;
/// Most digits of a PIN.
pub const MAX_PIN_DIGITS: usize = 12;
/// Fewest digits of a PIN that still opens an older profile.
const MIN_OLD_PIN_DIGITS: usize = 4;

/// What the worker (or a tool) gives to open a profile.
#[derive(Clone)]
pub enum Unlock {
    /// The worker's PIN (6 to 12 digits; 4 or 5 still open a profile made with them). It
    /// opens a PIN profile (the key is derived from it) and a keystore profile (the key comes
    /// from the keystore; the PIN is the app lock). A new profile keeps its key where
    /// [`NewProfileKey`] says.
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

/// Argon2id cost, stored with the salt: a profile keeps its costs until its PIN changes,
/// then takes the costs of the day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory, KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// The costs of profiles made before issue 11 (OWASP's baseline, 19 MiB, 2 passes).
    pub const LEGACY: KdfParams = KdfParams {
        m_kib: 19 * 1024,
        t: 2,
        p: 1,
    };
}

impl Default for KdfParams {
    /// The costs of a new PIN key: 64 MiB, 3 passes, 1 lane. Measured in docs/security.md
    /// ("Device: the PIN and the key", `examples/pin_cost.rs`): about 0.6 s per derivation on
    /// the project's 2-core Xeon build machine, an expected 1.2 to 2 s on a cheap phone (which
    /// should use the hardware key instead); 64 MiB is what a 1-2 GB phone can spare.
    fn default() -> Self {
        KdfParams {
            m_kib: 64 * 1024,
            t: 3,
            p: 1,
        }
    }
}

/// How a profile's key is kept, read from its `key.json` (`None` for a new profile).
pub fn profile_key_source(data_dir: &Path) -> Option<String> {
    file::read(&data_dir.join(KEY_FILE)).ok().map(|k| k.source)
}

fn check_value(key: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"shiftlog key check v1");
    h.update(key);
    hex::encode(h.finalize())
}

/// `key` under `wrapping` (XOR with a hash of the other key: each pad is used once).
fn wrap(key: &[u8; 32], wrapping: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"shiftlog key wrap v1");
    h.update(wrapping);
    let pad = h.finalize();
    let out: Vec<u8> = key.iter().zip(pad.iter()).map(|(a, b)| a ^ b).collect();
    hex::encode(out)
}

fn unwrap_key(wrapped: &str, wrapping: &[u8; 32]) -> Result<[u8; 32], CoreError> {
    let bytes: [u8; 32] = hex::decode(wrapped)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| CoreError::KeyFile("bad wrapped key".into()))?;
    let plain = hex::decode(wrap(&bytes, wrapping)).unwrap_or_default();
    plain
        .try_into()
        .map_err(|_| CoreError::KeyFile("bad wrapped key".into()))
}

fn random<const N: usize>() -> Result<[u8; N], CoreError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| CoreError::KeyFile(format!("no randomness: {e}")))?;
    Ok(b)
}

/// The app-lock PIN as a self-describing Argon2id hash (PHC string), for keystore profiles.
/// The PIN must be a valid new PIN (6 to 12 digits).
pub fn hash_pin(pin: &str, p: KdfParams) -> Result<String, CoreError> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    validate_new_pin(pin)?;
    let salt =
        SaltString::encode_b64(&random::<16>()?).map_err(|e| CoreError::KeyFile(e.to_string()))?;
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

fn digits(pin: &str, min: usize) -> Result<(), CoreError> {
    if (min..=MAX_PIN_DIGITS).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ValidationError::BadPin.into())
    }
}

/// A PIN that may open an existing profile: 4 to 12 digits.
pub fn validate_pin(pin: &str) -> Result<(), CoreError> {
    digits(pin, MIN_OLD_PIN_DIGITS)
}

/// A new PIN (a new profile, a new app lock, a changed PIN): 6 to 12 digits.
pub fn validate_new_pin(pin: &str) -> Result<(), CoreError> {
    digits(pin, MIN_NEW_PIN_DIGITS)
}

/// Argon2id of `pin` with `salt`: the key of a PIN profile. Public so that
/// `examples/pin_cost.rs` times exactly what an unlock (or an attacker's guess) costs.
pub fn derive_pin_key(pin: &str, salt: &[u8], p: KdfParams) -> Result<[u8; 32], CoreError> {
    let params = Params::new(p.m_kib, p.t, p.p, Some(32))
        .map_err(|e| CoreError::KeyFile(format!("bad Argon2 parameters: {e}")))?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pin.as_bytes(), salt, &mut out)
        .map_err(|e| CoreError::KeyFile(format!("Argon2 failed: {e}")))?;
    Ok(out)
}

fn salt_and_kdf(kf: &KeyFile) -> Result<(Vec<u8>, KdfParams), CoreError> {
    let salt = kf
        .salt
        .as_deref()
        .and_then(|s| hex::decode(s).ok())
        .ok_or_else(|| CoreError::KeyFile("missing salt".into()))?;
    let p = kf
        .kdf
        .ok_or_else(|| CoreError::KeyFile("missing Argon2 parameters".into()))?;
    Ok((salt, p))
}

/// True once a profile has a key file (it was set up with a PIN or a keystore key).
pub fn profile_exists(data_dir: &Path) -> bool {
    data_dir.join(KEY_FILE).exists()
}

/// Resolves `unlock` into the database key: creates `key.json` for a new profile, or checks
/// the key against it. A wrong PIN is [`CoreError::WrongPin`] and touches nothing but the
/// wrong-PIN counter ([`tries`], counted by the caller). A PIN change that was cut short is
/// finished here, whichever of the two PINs was given ([`change`]).
pub fn resolve(data_dir: &Path, unlock: &Unlock, params: KdfParams) -> Result<DbKey, CoreError> {
    let path = data_dir.join(KEY_FILE);
    if path.exists() {
        let kf = file::read(&path)?;
        let key = match (unlock, kf.source.as_str()) {
            (Unlock::Pin(pin), "pin") => {
                validate_pin(pin)?;
                let (salt, p) = salt_and_kdf(&kf)?;
                let key = derive_pin_key(pin, &salt, p)?;
                match &kf.pending {
                    None => key,
                    Some(pending) if check_value(&key) == kf.check => {
                        let new = unwrap_key(&pending.new_under_old, &key)?;
                        return change::finish(data_dir, kf.clone(), key, new).map(DbKey);
                    }
                    Some(pending) => {
                        let salt = hex::decode(&pending.salt)
                            .map_err(|_| CoreError::KeyFile("bad salt".into()))?;
                        let new = derive_pin_key(pin, &salt, pending.kdf)?;
                        if check_value(&new) != pending.check {
                            return Err(CoreError::WrongPin);
                        }
                        let old = unwrap_key(&pending.old_under_new, &new)?;
                        return change::finish(data_dir, kf.clone(), old, new).map(DbKey);
                    }
                }
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
    let blank = |source: &str, check: String| KeyFile {
        version: 1,
        source: source.into(),
        kdf: None,
        salt: None,
        check,
        keystore_account: None,
        failures: 0,
        last_failure_at: None,
        pending: None,
    };
    let (key, kf) = match unlock {
        Unlock::Pin(pin) => {
            validate_new_pin(pin)?;
            let salt = random::<16>()?;
            let key = derive_pin_key(pin, &salt, params)?;
            let kf = KeyFile {
                kdf: Some(params),
                salt: Some(hex::encode(salt)),
                ..blank("pin", check_value(&key))
            };
            (key, kf)
        }
        Unlock::Key(k) => (*k, blank("key", check_value(k))),
        Unlock::Keystore => {
            let key = random::<32>()?;
            let account = format!("db-key-{}", uuid::Uuid::new_v4());
            keystore::put(&account, &key)?;
            let kf = KeyFile {
                keystore_account: Some(account),
                ..blank("keystore", check_value(&key))
            };
            (key, kf)
        }
    };
    file::write(&path, &kf)?;
    Ok(DbKey(key))
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
    fn new_pins_must_be_6_to_12_digits() {
        let dir = tempfile::tempdir().expect("tempdir");
        for bad in [
            "",
            "123",
            "2468",
            "24681",
            "12345678901234",
            "12a456",
            "      ",
        ] {
            assert!(matches!(
                resolve(dir.path(), &Unlock::Pin(bad.into()), fast()),
                Err(CoreError::Invalid(ValidationError::BadPin))
            ));
        }
        assert!(!profile_exists(dir.path()), "nothing written for a bad PIN");
    }
}
