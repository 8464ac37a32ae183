//! The database key kept in a real OS keystore: a private D-Bus session with GNOME Keyring's
//! Secret Service, started by this test (Debian packages dbus and gnome-keyring, installed by
//! scripts/setup.sh). The test fails, rather than skips, if they are missing.
#![cfg(target_os = "linux")]

mod common;

use serde_json::json;
use shiftlog_core::{Core, CoreError, NewActivity, RecordQuery, Unlock};

#[test]
fn the_key_lives_in_the_os_keystore_and_never_on_disk() {
    let _session = common::secret_service(true);
    assert!(
        shiftlog_core::keystore::available(),
        "Secret Service answers"
    );
    // The app's first start: the key goes to the keystore and the PIN becomes the app lock,
    // which the keystore alone (the CLI without --pin) cannot skip.
    let app = tempfile::tempdir().expect("tempdir");
    drop(
        Core::open(
            app.path(),
            Unlock::Pin("246813".into()),
            &common::app_opts(),
        )
        .expect("first start"),
    );
    assert_eq!(
        shiftlog_core::profile_key_source(app.path()).as_deref(),
        Some("keystore")
    );
    let err = Core::open(app.path(), Unlock::Keystore, &common::opts())
        .err()
        .expect("locked");
    assert!(matches!(err, CoreError::PinNeeded), "{err:?}");
    drop(Core::open(app.path(), Unlock::Pin("246813".into()), &common::opts()).expect("unlock"));

    let dir = tempfile::tempdir().expect("tempdir");
    let core = Core::open(dir.path(), Unlock::Keystore, &common::opts())
        .expect("new profile, key in keystore");
    core.add_local_organization("Rural").expect("org");
    core.log_activity(NewActivity {
        org_id: None,
        occurred_at: None,
        kind: "outreach_contact".into(),
        body: json!({"people_reached": 2}),
    })
    .expect("log");
    drop(core);
    assert_eq!(
        shiftlog_core::profile_key_source(dir.path()).as_deref(),
        Some("keystore")
    );
    let key_json = std::fs::read_to_string(dir.path().join("key.json")).expect("key.json");
    let kf: serde_json::Value = serde_json::from_str(&key_json).expect("json");
    assert!(
        kf["salt"].is_null() && kf["kdf"].is_null(),
        "no PIN material: {kf}"
    );

    // Reopen from the keystore: same data.
    let core = Core::open(dir.path(), Unlock::Keystore, &common::opts()).expect("reopen");
    assert_eq!(
        core.list_records(&RecordQuery::default())
            .expect("list")
            .len(),
        1
    );
    drop(core);

    // The first unlock with a PIN makes it the app lock; from then on the keystore alone does
    // not open the profile, whoever asks (the app or the CLI), and a wrong PIN changes nothing.
    drop(Core::open(dir.path(), Unlock::Pin("246813".into()), &common::opts()).expect("lock set"));
    let before = std::fs::read(dir.path().join(shiftlog_core::DB_FILE)).expect("db");
    let err = Core::open(dir.path(), Unlock::Keystore, &common::opts())
        .err()
        .expect("the app lock is not skipped");
    assert!(matches!(err, CoreError::PinNeeded), "{err:?}");
    let err = Core::open(dir.path(), Unlock::Pin("1357".into()), &common::opts())
        .err()
        .expect("wrong PIN");
    assert!(matches!(err, CoreError::WrongPin), "{err:?}");
    assert_eq!(
        std::fs::read(dir.path().join(shiftlog_core::DB_FILE)).expect("db"),
        before
    );
    let core = Core::open(
        dir.path(),
        Unlock::Pin("246813".into()),
        &common::app_opts(),
    )
    .expect("the right PIN opens it");
    assert_eq!(
        core.list_records(&RecordQuery::default())
            .expect("list")
            .len(),
        1
    );
    drop(core);
    let before = std::fs::read(dir.path().join(shiftlog_core::DB_FILE)).expect("db");

    // If the keystore loses the entry, the error is clear and the data is left alone.
    let account = kf["keystore_account"].as_str().expect("account");
    keyring::Entry::new(shiftlog_core::keystore::SERVICE, account)
        .expect("entry")
        .delete_credential()
        .expect("delete");
    let err = Core::open(dir.path(), Unlock::Pin("246813".into()), &common::opts())
        .err()
        .expect("refused");
    assert_eq!(err.code(), "key_file", "{err:?}");
    assert_eq!(
        std::fs::read(dir.path().join(shiftlog_core::DB_FILE)).expect("db"),
        before
    );
}
