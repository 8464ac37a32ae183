//! Opening the worker's profile, and rescuing data files that could not be read.

use std::path::Path;
use std::sync::Arc;

use shiftlog_core::{Core, Unlock};

use crate::exit::Failure;

/// Opens the profile in `dir` with the PIN or the keystore, as the profile was set up.
pub fn open(dir: &Path, pin: Option<String>, keystore: bool) -> Result<Arc<Core>, Failure> {
    let source = shiftlog_core::profile_key_source(dir);
    let unlock =
        match (source.as_deref(), pin, keystore) {
            (Some("keystore"), _, _) | (None, None, true) => Unlock::Keystore,
            (_, Some(pin), _) => Unlock::Pin(pin),
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
    Ok(Core::open(dir, &unlock)?)
}

/// `shiftlog rescue`: lists the data files set aside, or copies them to `to`. Needs no PIN.
pub fn rescue(dir: &Path, to: Option<&Path>) -> Result<(), Failure> {
    let files = shiftlog_core::store::quarantined(dir);
    if let Some(dest) = to {
        let copies = shiftlog_core::store::export_quarantined(dir, dest)?;
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
