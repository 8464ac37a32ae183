//! The OS keystore. Where there is none (no Secret Service on a Linux machine, or a platform
//! without a backend), every call fails with [`CoreError::KeystoreUnavailable`] and the
//! caller falls back to the PIN.

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
    keyring::Entry::new(SERVICE, account).map_err(|e| CoreError::KeystoreUnavailable(e.to_string()))
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
