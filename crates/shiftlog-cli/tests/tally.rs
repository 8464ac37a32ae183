//! `shiftlog tally` and aggregate entries from the command line, and the tally's kill test:
//! processes that tap are SIGKILLed at random points, and every tap a process confirmed
//! (exit 0) is there after reopening.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use shiftlog_core::{Core, KdfParams, OpenOptions, StartShift, Unlock};

const PIN: &str = "246813";

fn cmd(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shiftlog"));
    c.arg("--data-dir")
        .arg(dir)
        .arg("--key-from-pin")
        .args(args)
        .env("SHIFTLOG_PIN", PIN)
        .env_remove("SHIFTLOG_LANG");
    c
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).expect("utf8")
}

fn run(dir: &std::path::Path, args: &[&str]) -> String {
    ok(&cmd(dir, args).output().expect("run shiftlog"))
}

/// A profile with cheap Argon2 costs (kept in key.json, so every process opens it fast),
/// one organization and an open shift.
fn profile_with_shift() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = OpenOptions {
        kdf: KdfParams {
            m_kib: 256,
            t: 1,
            p: 1,
        },
        ..OpenOptions::default()
    };
    let core = Core::open(dir.path(), Unlock::Pin(PIN.into()), &opts).expect("open");
    core.add_local_organization("Street Outreach").expect("org");
    core.start_shift(StartShift::default()).expect("shift");
    dir
}

fn count(dir: &std::path::Path, key: &str) -> i64 {
    let t: Value = serde_json::from_str(&run(dir, &["--json", "tally"])).expect("json");
    t["counters"]
        .as_array()
        .expect("counters")
        .iter()
        .find(|c| c["key"] == key)
        .and_then(|c| c["count"].as_i64())
        .expect("counter")
}

#[test]
fn tally_show_add_remove_and_roll_up_at_the_end_of_the_shift() {
    let dir = profile_with_shift();
    let d = dir.path();
    assert!(run(d, &["tally"]).contains("people:outreach_contact"));
    assert!(run(d, &["tally", "add", "pipes", "5"]).contains(": 5"));
    run(d, &["tally", "add", "pipes"]);
    run(d, &["tally", "remove", "pipes", "2"]);
    run(d, &["tally", "add", "outreach_contact", "9"]);
    run(d, &["tally", "remove", "people:meal_service"]);
    assert_eq!(count(d, "item:pipes"), 4);
    assert_eq!(count(d, "people:outreach_contact"), 9);
    assert_eq!(count(d, "people:meal_service"), 0);
    let o = cmd(d, &["--lang", "fr", "tally", "add", "plutonium"])
        .output()
        .expect("run");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("plutonium"));
    run(d, &["shift", "end"]);
    let list: Value = serde_json::from_str(&run(d, &["--json", "list"])).expect("json");
    let from_tally: Vec<&Value> = list
        .as_array()
        .expect("list")
        .iter()
        .filter(|r| r["body"]["source"] == "tally")
        .collect();
    assert_eq!(from_tally.len(), 2, "{list:#}");
    let o = cmd(d, &["tally"]).output().expect("run");
    assert!(!o.status.success(), "no tally without an open shift");
}

#[test]
fn log_takes_a_past_period_for_an_aggregate_entry() {
    let dir = profile_with_shift();
    let d = dir.path();
    let today = chrono::Local::now().date_naive();
    let from = (today - chrono::Duration::days(13)).to_string();
    let to = (today - chrono::Duration::days(7)).to_string();
    let rec: Value = serde_json::from_str(&run(
        d,
        &[
            "--json",
            "log",
            "outreach",
            "--people",
            "25",
            "--period-from",
            &from,
            "--period-to",
            &to,
        ],
    ))
    .expect("json");
    assert_eq!(rec["body"]["period"]["from"], from.as_str());
    assert_eq!(rec["body"]["period"]["to"], to.as_str());
    assert!(rec["body"]["shift_id"].is_null());
    assert!(
        rec["occurred_at"]
            .as_str()
            .is_some_and(|t| t.starts_with(&to)),
        "an entry for days that are over happens on its last day: {rec}"
    );
    let far = (today - chrono::Duration::days(100)).to_string();
    let o = cmd(
        d,
        &[
            "log",
            "outreach",
            "--people",
            "3",
            "--period-from",
            &far,
            "--period-to",
            &to,
        ],
    )
    .output()
    .expect("run");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("92 days"));
}

#[test]
fn taps_confirmed_before_a_sigkill_are_all_there() {
    let trials = if std::env::var("SHIFTLOG_LONG_TESTS").as_deref() == Ok("1") {
        200
    } else {
        40
    };
    let dir = profile_with_shift();
    let d = dir.path();
    // How long one tap takes here, so the kills land inside a run.
    let t0 = Instant::now();
    run(d, &["tally", "add", "pipes"]);
    let one = t0.elapsed().as_millis() as u64;
    let mut confirmed = 1i64;
    let mut started = 1i64;
    let mut cut = 0;
    let mut state = 7u64;
    for _ in 0..trials {
        // A tap that finishes: confirmed.
        ok(&cmd(d, &["tally", "add", "pipes"]).output().expect("run"));
        confirmed += 1;
        started += 1;
        // A tap killed at a random point of its run.
        let mut child = cmd(d, &["tally", "add", "pipes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        started += 1;
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        std::thread::sleep(Duration::from_millis((state >> 33) % (one + 1)));
        match child.try_wait().expect("status") {
            Some(s) if s.success() => confirmed += 1,
            Some(_) => {}
            None => {
                cut += 1;
                child.kill().expect("SIGKILL");
            }
        }
        child.wait().expect("reap");
    }
    eprintln!("{cut} of {trials} taps killed before they finished; {confirmed} confirmed");
    assert!(cut > trials / 4, "the kills must land during a tap");
    let n = count(d, "item:pipes");
    assert!(
        n >= confirmed && n <= started,
        "{n} taps found, {confirmed} confirmed, {started} started"
    );
    // And they roll up, once.
    run(d, &["shift", "end"]);
    let list: Value = serde_json::from_str(&run(d, &["--json", "list"])).expect("json");
    let q: Vec<i64> = list
        .as_array()
        .expect("list")
        .iter()
        .filter(|r| r["body"]["source"] == "tally")
        .filter_map(|r| r["body"]["items"][0]["quantity"].as_i64())
        .collect();
    assert_eq!(q, vec![n]);
}
