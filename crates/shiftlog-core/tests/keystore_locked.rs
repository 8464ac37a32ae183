//! A keystore that never answers (a locked keyring waiting for a password nobody can type, or
//! a session bus that never replies) must not hang the app: the probe gives up after a few
//! seconds and a new profile falls back to the PIN.
#![cfg(target_os = "linux")]

mod common;

use std::time::{Duration, Instant};

use shiftlog_core::{Core, Unlock};

#[test]
fn a_keystore_that_never_answers_falls_back_to_the_pin_without_hanging() {
    // A "session bus" that accepts connections and never says a word.
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    // One test per binary, so changing this process's environment races with nothing.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", socket.display()),
    );

    let t = Instant::now();
    assert!(
        !shiftlog_core::keystore::available(),
        "silence is not a keystore"
    );
    let waited = t.elapsed();
    assert!(waited < Duration::from_secs(10), "gave up after {waited:?}");

    let profile = tempfile::tempdir().expect("tempdir");
    let t = Instant::now();
    drop(
        Core::open(
            profile.path(),
            Unlock::Pin("246813".into()),
            &common::app_opts(),
        )
        .expect("first start"),
    );
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "opened in {:?}",
        t.elapsed()
    );
    assert_eq!(
        shiftlog_core::profile_key_source(profile.path()).as_deref(),
        Some("pin")
    );
}
