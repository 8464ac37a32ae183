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
    let dir = tempfile::tempdir().expect("tempdir");
    let core = Core::open(dir.path(), &Unlock::Keystore).expect("new profile, key in keystore");
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
    let core = Core::open(dir.path(), &Unlock::Keystore).expect("reopen");
    assert_eq!(
        core.list_records(&RecordQuery::default())
            .expect("list")
            .len(),
        1
    );
    drop(core);

    // A PIN does not open a keystore profile, and says so without touching anything.
    let before = std::fs::read(dir.path().join(shiftlog_core::DB_FILE)).expect("db");
    let err = Core::open(dir.path(), &Unlock::Pin("2468".into()))
        .err()
        .expect("refused");
    assert!(matches!(err, CoreError::WrongPin), "{err:?}");
    assert_eq!(
        std::fs::read(dir.path().join(shiftlog_core::DB_FILE)).expect("db"),
        before
    );

    // If the keystore loses the entry, the error is clear and the data is left alone.
    let account = kf["keystore_account"].as_str().expect("account");
    keyring::Entry::new(shiftlog_core::keystore::SERVICE, account)
        .expect("entry")
        .delete_credential()
        .expect("delete");
    let err = Core::open(dir.path(), &Unlock::Keystore)
        .err()
        .expect("refused");
    assert_eq!(err.code(), "key_file", "{err:?}");
    assert_eq!(
        std::fs::read(dir.path().join(shiftlog_core::DB_FILE)).expect("db"),
        before
    );
}
