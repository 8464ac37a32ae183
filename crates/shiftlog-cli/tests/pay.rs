//! `shiftlog pay`: the pay ledger from the command line, and its part of `shiftlog summary`.

use std::process::{Command, Output};

fn run(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shiftlog"))
        .arg("--data-dir")
        .arg(dir)
        .arg("--key-from-pin")
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
fn note_list_share_and_delete_what_you_were_paid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    ok(&run(d, &["add-org", "Peer Network"]));
    let shift: serde_json::Value = serde_json::from_str(&ok(&run(
        d,
        &[
            "--json",
            "shift",
            "start",
            "--pay",
            "honorarium",
            "--at",
            "2026-11-10T09:00:00-08:00",
        ],
    )))
    .expect("json");
    ok(&run(
        d,
        &["shift", "end", "--at", "2026-11-10T12:00:00-08:00"],
    ));
    let shift_id = shift["id"].as_str().expect("id");
    let added = ok(&run(
        d,
        &[
            "pay",
            "add",
            "--amount",
            "45,00",
            "--date",
            "2026-11-12",
            "--method",
            "e-transfer",
            "--shift",
            shift_id,
            "--note",
            "stipend",
        ],
    ));
    assert!(added.contains("45.00 CAD"), "{added}");
    assert!(added.contains("this device only"), "{added}");
    let list: serde_json::Value =
        serde_json::from_str(&ok(&run(d, &["--json", "pay", "list"]))).expect("json");
    assert_eq!(list[0]["amount_cents"], 4500);
    assert_eq!(list[0]["method"], "e_transfer");
    assert_eq!(list[0]["shift_ids"][0], shift_id);
    let id = list[0]["id"].as_str().expect("id").to_string();

    // Nothing about it is among the records that go to an organization.
    let records = ok(&run(d, &["--json", "list"]));
    assert!(!records.contains("4500"), "{records}");

    // The summary shows paid hours against money received.
    let text = ok(&run(d, &["summary", "--month", "2026-11"]));
    assert!(text.contains("Pay 2026-11  Paid hours  3.00"), "{text}");
    assert!(
        text.contains("Pay 2026-11  Received (CAD)  45.00"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&run(d, &["--json", "summary", "--month", "2026-11"])))
            .expect("json");
    assert_eq!(json["pay"]["total"]["received_cents"]["CAD"], 4500);

    // A local organization has no one to share with; the words say so, with exit code 3.
    let share = run(d, &["pay", "share", &id]);
    assert_eq!(share.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&share.stderr).contains("no one to share with"));

    // Bad amounts are refused with words a person can act on.
    for (amount, words) in [("0", "from $0.01"), ("forty", "40.00")] {
        let o = run(d, &["pay", "add", "--amount", amount, "--method", "cash"]);
        assert_eq!(o.status.code(), Some(3), "{amount}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(words),
            "{amount}"
        );
    }
    let edited: serde_json::Value = serde_json::from_str(&ok(&run(
        d,
        &[
            "--json",
            "pay",
            "edit",
            &id,
            "--amount",
            "46",
            "--no-shifts",
            "--note",
            "",
        ],
    )))
    .expect("json");
    assert_eq!(edited["amount_cents"], 4600);
    assert_eq!(edited["method"], "e_transfer", "kept");
    assert_eq!(edited["shift_ids"], serde_json::json!([]));
    assert_eq!(edited["note"], serde_json::Value::Null);
    ok(&run(d, &["pay", "delete", &id]));
    assert_eq!(ok(&run(d, &["pay", "list"])).trim(), "Nothing here.");
}
