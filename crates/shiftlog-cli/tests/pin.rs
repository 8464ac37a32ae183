//! The PIN from the command line, each step a new `shiftlog` process: new PINs need 6 digits,
//! `change-pin` changes it, an older 4-digit profile opens with a notice, and wrong PINs make
//! the next process wait too.

use std::process::{Command, Output};

fn run(dir: &std::path::Path, pin: &str, envs: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shiftlog"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SHIFTLOG_PIN", pin)
        .env_remove("SHIFTLOG_LANG")
        .env_remove("SHIFTLOG_NEW_PIN")
        .envs(envs.iter().copied())
        .output()
        .expect("run shiftlog")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_new_profile_needs_six_digits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(dir.path(), "2468", &[], &["--key-from-pin", "orgs"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(!dir.path().join("key.json").exists());
    let o = run(dir.path(), "246813", &[], &["--key-from-pin", "orgs"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn change_pin_changes_it_for_every_later_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    assert!(run(
        d,
        "246813",
        &[],
        &["--key-from-pin", "add-org", "Peer Network"]
    )
    .status
    .success());
    let o = run(
        d,
        "246813",
        &[("SHIFTLOG_NEW_PIN", "1357")],
        &["change-pin"],
    );
    assert_eq!(o.status.code(), Some(3), "a short new PIN: {}", stderr(&o));
    let o = run(
        d,
        "111111",
        &[("SHIFTLOG_NEW_PIN", "975310")],
        &["change-pin"],
    );
    assert_eq!(
        o.status.code(),
        Some(6),
        "wrong current PIN: {}",
        stderr(&o)
    );
    let o = run(
        d,
        "246813",
        &[("SHIFTLOG_NEW_PIN", "975310")],
        &["change-pin"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("PIN changed"));
    assert_eq!(run(d, "246813", &[], &["orgs"]).status.code(), Some(6));
    let o = run(d, "975310", &[], &["orgs"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("Peer Network"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_four_digit_profile_opens_with_a_notice_until_it_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let cost = shiftlog_core::KdfParams {
        m_kib: 256,
        t: 1,
        p: 1,
    };
    shiftlog_core::test_support::legacy_pin_profile(d, "2468", cost).expect("old profile");
    let o = run(d, "2468", &[], &["orgs"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("fewer than 6 digits"), "{}", stderr(&o));
    let o = run(d, "2468", &[], &["--lang", "fr", "orgs"]);
    assert!(stderr(&o).contains("moins de 6 chiffres"), "{}", stderr(&o));
    let o = run(
        d,
        "2468",
        &[("SHIFTLOG_NEW_PIN", "975310")],
        &["change-pin"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(d, "975310", &[], &["orgs"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("fewer than 6"), "{}", stderr(&o));
}

#[test]
fn wrong_pins_make_the_next_process_wait() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    assert!(run(d, "246813", &[], &["--key-from-pin", "orgs"])
        .status
        .success());
    for _ in 0..shiftlog_core::PIN_FREE_TRIES {
        let o = run(d, "111111", &[], &["orgs"]);
        assert_eq!(o.status.code(), Some(6));
        assert!(stderr(&o).contains("does not open"), "{}", stderr(&o));
    }
    // A new process with the right PIN is refused too, before any key is derived.
    let o = run(d, "246813", &[], &["orgs"]);
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Too many wrong PINs. Wait"),
        "{}",
        stderr(&o)
    );
    let o = run(
        d,
        "246813",
        &[("SHIFTLOG_NEW_PIN", "975310")],
        &["change-pin"],
    );
    assert!(
        stderr(&o).contains("Too many wrong PINs"),
        "change-pin obeys it: {}",
        stderr(&o)
    );
}
