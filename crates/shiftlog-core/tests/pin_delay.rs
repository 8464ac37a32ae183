//! Wrong PINs wait longer and longer, and the count is on disk: dropping the `Core`, opening a
//! new one, or killing the process in the middle of a guess does not reset it. The clock the
//! waits are measured by is moved by a test hook (`advance_pin_clock`), never slept on.
//! One binary: the hook is global to the process.

mod common;

use shiftlog_core::test_support::advance_pin_clock;
use shiftlog_core::{Core, CoreError, KdfParams, Lang, OpenOptions, Unlock};

fn open(dir: &std::path::Path, pin: &str) -> shiftlog_core::Result<std::sync::Arc<Core>> {
    Core::open(dir, Unlock::Pin(pin.into()), &common::opts())
}

fn failures(dir: &std::path::Path) -> u64 {
    let text = std::fs::read_to_string(dir.join("key.json")).expect("key.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v["failures"].as_u64().unwrap_or(0)
}

fn wait_of(r: shiftlog_core::Result<std::sync::Arc<Core>>) -> Option<u64> {
    match r {
        Err(CoreError::TooManyTries { wait_seconds }) => Some(wait_seconds),
        Err(CoreError::WrongPin) => None,
        other => panic!("expected a refusal, got {:?}", other.map(|_| "opened")),
    }
}

/// The child of `a_guess_killed_halfway_is_still_counted`: one slow wrong guess.
#[test]
fn child_guess() {
    let Some(dir) = std::env::var_os("SHIFTLOG_TEST_GUESS_DIR") else {
        return;
    };
    let _ = Core::open(
        std::path::Path::new(&dir),
        Unlock::Pin("000000".into()),
        &OpenOptions::default(),
    );
}

#[test]
fn wrong_pins_wait_longer_and_longer_across_restarts() {
    let (dir, core) = common::profile();
    drop(core);
    for i in 1..=shiftlog_core::PIN_FREE_TRIES {
        assert_eq!(
            wait_of(open(dir.path(), "111111")),
            None,
            "try {i} is only wrong"
        );
    }
    // Every new instance, even with the right PIN, is refused until the wait is over, and a
    // refused try is not counted (no key was derived for it).
    for _ in 0..3 {
        let wait = wait_of(open(dir.path(), common::PIN)).expect("waiting");
        assert!((29..=30).contains(&wait), "{wait}");
    }
    assert_eq!(failures(dir.path()), 5);
    let err = open(dir.path(), common::PIN).err().expect("refused");
    assert!(
        err.message(Lang::En).contains("Wait 30 seconds"),
        "{}",
        err.message(Lang::En)
    );
    assert!(
        err.message(Lang::Fr).contains("Attendez 30 secondes"),
        "{}",
        err.message(Lang::Fr)
    );
    assert_eq!(err.code(), "too_many_tries");

    advance_pin_clock(25);
    assert!(wait_of(open(dir.path(), common::PIN)).expect("still") <= 5);
    advance_pin_clock(6);
    // The wait is over: one more wrong PIN, and the next wait is twice as long.
    assert_eq!(wait_of(open(dir.path(), "111111")), None);
    let wait = wait_of(open(dir.path(), common::PIN)).expect("waiting again");
    assert!((59..=60).contains(&wait), "{wait}");
    // Doubling up to an hour, never more.
    for _ in 0..12 {
        advance_pin_clock(3600);
        assert_eq!(wait_of(open(dir.path(), "111111")), None);
    }
    let wait = wait_of(open(dir.path(), common::PIN)).expect("capped");
    assert!((3599..=3600).contains(&wait), "{wait}");
    assert!(open(dir.path(), common::PIN)
        .err()
        .expect("x")
        .message(Lang::En)
        .contains("1 hour"));

    // Setting the clock back does not end the wait early.
    advance_pin_clock(-86_400);
    assert!(wait_of(open(dir.path(), common::PIN)).is_some());
    advance_pin_clock(86_400 + 3601);

    // The right PIN, once the wait is over, opens and starts the count again.
    drop(open(dir.path(), common::PIN).expect("opens after the wait"));
    assert_eq!(failures(dir.path()), 0);
    for _ in 1..shiftlog_core::PIN_FREE_TRIES {
        assert_eq!(wait_of(open(dir.path(), "111111")), None);
    }
    drop(open(dir.path(), common::PIN).expect("fewer than the free tries"));
    // A clock set back between two wrong PINs, before any wait is due, refuses nothing.
    assert_eq!(wait_of(open(dir.path(), "111111")), None);
    advance_pin_clock(-600);
    assert_eq!(
        wait_of(open(dir.path(), "111111")),
        None,
        "clock back, no wait due"
    );
    advance_pin_clock(600);
}

#[test]
fn a_guess_killed_halfway_is_still_counted() {
    // A profile with the real (slow) costs, so the guess is still deriving when it is killed.
    let dir = tempfile::tempdir().expect("tempdir");
    let slow = OpenOptions {
        kdf: KdfParams::default(),
        ..common::opts()
    };
    drop(Core::open(dir.path(), Unlock::Pin(common::PIN.into()), &slow).expect("profile"));
    assert_eq!(failures(dir.path()), 0);
    let mut child = std::process::Command::new(std::env::current_exe().expect("exe"))
        .args(["child_guess", "--exact", "--nocapture"])
        .env("SHIFTLOG_TEST_GUESS_DIR", dir.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let start = std::time::Instant::now();
    while failures(dir.path()) == 0 {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "the guess was never counted while it ran"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let still_running = child.try_wait().expect("wait").is_none();
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(still_running, "counted only once the guess had finished");
    assert_eq!(failures(dir.path()), 1, "the killed guess stays counted");
}

#[test]
fn a_try_that_fails_for_another_reason_than_the_pin_is_not_counted() {
    let (dir, core) = common::profile();
    drop(core);
    for _ in 0..2 {
        assert_eq!(wait_of(open(dir.path(), "111111")), None);
    }
    // The right PIN on a damaged database: the file is moved aside, and the try is not a
    // wrong PIN (the two before it stay counted).
    std::fs::write(dir.path().join(shiftlog_core::DB_FILE), vec![0x5a; 8192]).expect("damage");
    let err = open(dir.path(), common::PIN).err().expect("unreadable");
    assert!(
        matches!(err, CoreError::DatabaseUnreadable { .. }),
        "{err:?}"
    );
    assert_eq!(failures(dir.path()), 2);
}
