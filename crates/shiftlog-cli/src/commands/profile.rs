//! Opening the worker's profile, and rescuing data files that could not be read.

use std::path::Path;
use std::sync::Arc;

use shiftlog_core::{Core, NewProfileKey, OpenOptions, Unlock};

use crate::exit::Failure;

/// Opens the profile in `dir` with the PIN or the keystore, as the profile was set up. On a
/// keystore profile the PIN is the app lock, which the core checks.
pub fn open(dir: &Path, pin: Option<String>, keystore: bool) -> Result<Arc<Core>, Failure> {
    let source = shiftlog_core::profile_key_source(dir);
    let unlock =
        match (source.as_deref(), pin, keystore) {
            (_, Some(pin), _) => Unlock::Pin(pin),
            (Some("keystore"), None, _) | (None, None, true) => Unlock::Keystore,
            (Some(_), None, _) => {
                return Err(Failure::Usage(
                    "enter your PIN with --pin or SHIFTLOG_PIN".into(),
                ))
            }
            (None, None, false) => return Err(Failure::Usage(
                "choose a PIN (4 to 12 digits) with --pin or SHIFTLOG_PIN to set up this device, \
                 or use --keystore to keep the key in this computer's keystore"
                    .into(),
            )),
        };
    let opts = OpenOptions {
        new_profile_key: if keystore {
            NewProfileKey::KeystoreIfAvailable
        } else {
            NewProfileKey::Pin
        },
        ..OpenOptions::default()
    };
    Ok(Core::open(dir, unlock, &opts)?)
}

/// `shiftlog rescue`: lists the data files set aside, or copies them to `to`. Needs no PIN.
pub fn rescue(dir: &Path, to: Option<&Path>) -> Result<(), Failure> {
    let files = shiftlog_core::quarantined(dir);
    if let Some(dest) = to {
        let copies = shiftlog_core::export_quarantined(dir, dest)?;
        println!("Copied {} file(s) to {}", copies.len(), dest.display());
    } else if files.is_empty() {
        println!("No data file was set aside.");
    } else {
        for f in files {
            println!("{}", f.display());
        }
    }
    Ok(())
}
