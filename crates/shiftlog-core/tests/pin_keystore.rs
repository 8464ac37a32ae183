//! A keystore profile's app-lock PIN (a real Secret Service, started by this test) obeys the
//! same wrong-PIN waits as a PIN key, and changes with `change_pin`. One test per binary: it
//! points this process at a private D-Bus session.
#![cfg(target_os = "linux")]

mod common;

use shiftlog_core::{Core, CoreError, Unlock};

#[test]
fn the_app_lock_waits_after_wrong_pins_and_changes() {
    let _session = common::secret_service(true);
    assert!(
        shiftlog_core::keystore::available(),
        "Secret Service answers"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let open = |pin: &str| Core::open(dir.path(), Unlock::Pin(pin.into()), &common::opts());
    drop(
        Core::open(
            dir.path(),
            Unlock::Pin(common::PIN.into()),
            &common::app_opts(),
        )
        .expect("first start"),
    );
    assert_eq!(
        shiftlog_core::profile_key_source(dir.path()).as_deref(),
        Some("keystore")
    );

    let core = open(common::PIN).expect("unlock");
    let err = core
        .change_pin("111111", "975310")
        .expect_err("wrong current PIN");
    assert!(matches!(err, CoreError::WrongPin), "{err:?}");
    core.change_pin(common::PIN, "975310").expect("change");
    drop(core);
    let err = open(common::PIN).err().expect("old app-lock PIN");
    assert!(matches!(err, CoreError::WrongPin), "{err:?}");
    drop(open("975310").expect("new app-lock PIN"));

    for _ in 0..shiftlog_core::PIN_FREE_TRIES {
        let err = open("111111").err().expect("wrong");
        assert!(matches!(err, CoreError::WrongPin), "{err:?}");
    }
    let err = open("975310")
        .err()
        .expect("waiting, even with the right PIN");
    assert!(matches!(err, CoreError::TooManyTries { .. }), "{err:?}");
}
