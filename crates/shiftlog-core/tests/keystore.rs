//! The database key kept in a real OS keystore: a private D-Bus session with GNOME Keyring's
//! Secret Service, started by this test (Debian packages dbus and gnome-keyring, installed by
//! scripts/setup.sh). The test fails, rather than skips, if they are missing.
#![cfg(target_os = "linux")]

mod common;

use std::process::{Command, Stdio};

use serde_json::json;
use shiftlog_core::{Core, CoreError, NewActivity, RecordQuery, Unlock};

struct Session {
    dbus_pid: String,
    _home: tempfile::TempDir,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(&self.dbus_pid).status();
        let _ = Command::new("pkill")
            .args([
                "-f",
                "gnome-keyring-daemon --unlock --components=secrets --daemonize",
            ])
            .status();
    }
}

fn secret_service() -> Session {
    let home = tempfile::tempdir().expect("home");
    let out = Command::new("dbus-daemon")
        .args(["--session", "--fork", "--print-address=1", "--print-pid=1"])
        .output()
        .expect("dbus-daemon must be installed (scripts/setup.sh installs it)");
    let text = String::from_utf8(out.stdout).expect("utf8");
    let mut lines = text.lines();
    let address = lines.next().expect("address").to_string();
    let pid = lines.next().expect("pid").to_string();
    // One test per binary, so changing this process's environment races with nothing.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
    let mut child = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets", "--daemonize"])
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon must be installed (scripts/setup.sh installs it)");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"test-keyring-password").expect("unlock");
    }
    child.wait().expect("daemonized");
    for _ in 0..50 {
        if shiftlog_core::keystore::available() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Session {
        dbus_pid: pid,
        _home: home,
    }
}

#[test]
fn the_key_lives_in_the_os_keystore_and_never_on_disk() {
    let _session = secret_service();
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
