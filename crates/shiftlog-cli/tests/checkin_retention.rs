//! `shiftlog checkin-retention`: shows and chooses how long check-ins stay on this device.

use std::process::{Command, Output};

fn run(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shiftlog"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SHIFTLOG_PIN", "246813")
        .env_remove("SHIFTLOG_LANG")
        .output()
        .expect("run shiftlog")
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).expect("utf8")
}

#[test]
fn check_in_retention_is_shown_chosen_and_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    ok(&run(d, &["add-org", "Peer Network"]));
    let shown = ok(&run(d, &["checkin-retention"]));
    assert!(shown.contains("30 days"), "default: {shown}");
    let chosen: serde_json::Value =
        serde_json::from_str(&ok(&run(d, &["--json", "checkin-retention", "90"]))).expect("json");
    assert_eq!(chosen["checkin_retention_days"], 90);
    let keep = ok(&run(d, &["checkin-retention", "keep"]));
    assert!(keep.contains("until you delete them"), "{keep}");
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&run(d, &["--json", "checkin-retention"]))).expect("json");
    assert_eq!(shown["checkin_retention_days"], serde_json::Value::Null);
    for bad in ["31", "forever", "-7"] {
        let o = run(d, &["checkin-retention", bad]);
        assert!(!o.status.success(), "{bad} must be refused");
    }
    let still = ok(&run(d, &["checkin-retention"]));
    assert!(
        still.contains("until you delete them"),
        "unchanged: {still}"
    );
}
