//! Helpers shared by the core's integration tests.
#![allow(dead_code)]

use std::process::{Command, Stdio};
use std::sync::Arc;

use shiftlog_core::{Core, KdfParams, OpenOptions, Unlock};

/// Cheap Argon2 costs so tests stay fast; production profiles use the default.
pub fn fast() -> KdfParams {
    KdfParams {
        m_kib: 256,
        t: 1,
        p: 1,
    }
}

pub const PIN: &str = "246813";

/// Options for a test profile: cheap Argon2, a PIN profile unless a test says otherwise.
pub fn opts() -> OpenOptions {
    OpenOptions {
        kdf: fast(),
        ..OpenOptions::default()
    }
}

/// The options the desktop app opens with (a new profile's key in the keystore if one answers).
pub fn app_opts() -> OpenOptions {
    OpenOptions {
        new_profile_key: shiftlog_core::NewProfileKey::KeystoreIfAvailable,
        ..opts()
    }
}

/// Opens `dir` with [`PIN`].
pub fn open(dir: &std::path::Path) -> shiftlog_core::Result<Arc<Core>> {
    Core::open(dir, Unlock::Pin(PIN.into()), &opts())
}

/// A new profile in a temp dir with one local organization.
pub fn profile() -> (tempfile::TempDir, Arc<Core>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let core = open(dir.path()).expect("open");
    core.add_local_organization("Street Outreach").expect("org");
    (dir, core)
}

pub struct Session {
    dbus_pid: String,
    _home: tempfile::TempDir,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(&self.dbus_pid).status();
        let _ = Command::new("pkill")
            .args([
                "-f",
                "gnome-keyring-daemon .*--components=secrets --daemonize",
            ])
            .status();
    }
}

/// A private D-Bus session with GNOME Keyring's Secret Service; `unlocked` starts it with its
/// login keyring unlocked (as after a desktop login), otherwise locked, with nobody to type the
/// password.
#[cfg(target_os = "linux")]
pub fn secret_service(unlocked: bool) -> Session {
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
    let mut args = vec!["--components=secrets", "--daemonize"];
    if unlocked {
        args.insert(0, "--unlock");
    }
    let mut child = Command::new("gnome-keyring-daemon")
        .args(&args)
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
    if unlocked {
        for _ in 0..50 {
            if shiftlog_core::keystore::available() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    Session {
        dbus_pid: pid,
        _home: home,
    }
}
