//! Opening the worker's profile, and rescuing data files that could not be read.

use std::path::Path;
use std::sync::Arc;

use shiftlog_core::{Core, Lang, NewProfileKey, OpenOptions, Unlock};

use crate::exit::Failure;
use crate::output::Output;

/// Where a new profile keeps its database key: the OS keystore when one answers (the PIN
/// then locks the app), unless `--key-from-pin` says to derive it from the PIN. `--keystore`
/// (a profile without a PIN) implies the keystore.
pub fn new_key(keystore: bool, key_from_pin: bool) -> NewProfileKey {
    if key_from_pin && !keystore {
        NewProfileKey::Pin
    } else {
        NewProfileKey::KeystoreIfAvailable
    }
}

/// Opens the profile in `dir` with the PIN or the keystore, as the profile was set up. On a
/// keystore profile the PIN is the app lock, which the core checks.
pub fn open(
    dir: &Path,
    pin: Option<String>,
    keystore: bool,
    new_key: NewProfileKey,
) -> Result<Arc<Core>, Failure> {
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
                "choose a PIN (6 to 12 digits) with --pin or SHIFTLOG_PIN to set up this device, \
                 or use --keystore to keep the key in this computer's keystore without a PIN"
                    .into(),
            )),
        };
    let opts = OpenOptions {
        new_profile_key: new_key,
        ..OpenOptions::default()
    };
    Ok(Core::open(dir, unlock, &opts)?)
}

/// Tells the worker, on standard error, that their PIN is too short for today's rule.
pub fn warn_short_pin(core: &Core, out: &Output) {
    if !core.pin_change_needed() {
        return;
    }
    eprintln!(
        "shiftlog: {}",
        if out.lang == Lang::Fr {
            "votre NIP a moins de 6 chiffres. Choisissez-en un nouveau (6 à 12 chiffres) : \
             shiftlog change-pin (nouveau NIP dans SHIFTLOG_NEW_PIN ou --new-pin)."
        } else {
            "your PIN has fewer than 6 digits. Choose a new one (6 to 12 digits): \
             shiftlog change-pin (the new PIN in SHIFTLOG_NEW_PIN or --new-pin)."
        }
    );
}

/// `shiftlog change-pin`: opens the profile with the current PIN and changes it.
pub fn change_pin(
    dir: &Path,
    pin: Option<String>,
    new_pin: &str,
    new_key: NewProfileKey,
    out: &Output,
) -> Result<(), Failure> {
    if pin.is_none() {
        return Err(Failure::Usage(
            "give your current PIN with --pin or SHIFTLOG_PIN, and the new one with --new-pin \
             or SHIFTLOG_NEW_PIN"
                .into(),
        ));
    }
    let old = pin.clone().unwrap_or_default();
    let core = open(dir, pin, false, new_key)?;
    core.change_pin(&old, new_pin)?;
    let words = if out.lang == Lang::Fr {
        "NIP changé. Utilisez le nouveau dès maintenant."
    } else {
        "PIN changed. Use the new one from now on."
    };
    out.print(serde_json::json!({ "changed": true }), words.into());
    Ok(())
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
