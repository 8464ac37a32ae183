//! The `shiftlog` command, run as a process against a real profile.

use std::process::{Command, Output};

fn run(dir: &std::path::Path, pin: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shiftlog"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SHIFTLOG_PIN", pin)
        .env_remove("SHIFTLOG_LANG")
        .output()
        .expect("run shiftlog")
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).expect("utf8")
}

#[test]
fn record_list_edit_delete_and_summarize_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    ok(&run(d, "246813", &["add-org", "Peer Network"]));
    ok(&run(
        d,
        "246813",
        &["shift", "start", "--pay", "volunteer", "--area", "downtown"],
    ));
    ok(&run(
        d,
        "246813",
        &["log", "supplies", "naloxone_kit=2", "syringes=10"],
    ));
    let od: serde_json::Value = serde_json::from_str(&ok(&run(
        d,
        "246813",
        &[
            "--json",
            "log",
            "overdose",
            "--naloxone-doses",
            "2",
            "--called-911",
            "yes",
            "--outcome",
            "survived",
        ],
    )))
    .expect("json");
    assert_eq!(od["body"]["naloxone"]["doses"], 2);
    assert_eq!(od["body"]["area"], "downtown", "from the open shift");
    ok(&run(
        d,
        "246813",
        &[
            "log",
            "navigation",
            "--task",
            "housing",
            "--contact",
            "accompaniment",
            "--outcome",
            "pending",
            "--minutes",
            "45",
        ],
    ));
    ok(&run(
        d,
        "246813",
        &[
            "checkin",
            "--debrief",
            "--wellbeing",
            "2",
            "--note",
            "hard day",
            "--share",
        ],
    ));
    ok(&run(
        d,
        "246813",
        &["training", "Naloxone refresher", "--minutes", "60"],
    ));
    ok(&run(d, "246813", &["shift", "end"]));
    let id = od["id"].as_str().expect("id");
    let edited = ok(&run(
        d,
        "246813",
        &[
            "edit",
            id,
            r#"{"called_911":"yes","naloxone":{"doses":3,"route":"intranasal"},"outcome":"transported"}"#,
        ],
    ));
    assert!(edited.contains("version 2"), "{edited}");
    let list = ok(&run(d, "246813", &["--json", "list", "--type", "activity"]));
    let list: serde_json::Value = serde_json::from_str(&list).expect("json");
    assert_eq!(list.as_array().expect("array").len(), 3);
    let csv = ok(&run(d, "246813", &["summary", "--format", "csv"]));
    assert!(csv.contains("Naloxone doses given,3"), "{csv}");
    assert!(csv.contains("Debriefs requested,1"), "{csv}");
    let html = ok(&run(
        d,
        "246813",
        &["--lang", "fr", "summary", "--format", "html"],
    ));
    assert!(html.contains("Mon résumé de travail"));
    ok(&run(d, "246813", &["delete", id]));
    let list: serde_json::Value = serde_json::from_str(&ok(&run(
        d,
        "246813",
        &["--json", "list", "--type", "activity"],
    )))
    .expect("json");
    assert_eq!(list.as_array().expect("array").len(), 2);
}

#[test]
fn errors_exit_non_zero_with_a_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    ok(&run(d, "246813", &["add-org", "Peer Network"]));
    let o = run(d, "246813", &["log", "supplies", "naloxone_kit=0"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("must be a number from 1 to 10000"));
    let o = run(
        d,
        "246813",
        &["--lang", "fr", "log", "supplies", "bananas=1"],
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("n'est pas dans la liste"));
    let o = run(d, "1111", &["list"]);
    assert_eq!(o.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&o.stderr).contains("PIN"));
    let o = run(d, "246813", &["shift", "end"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no started shift"));
    let o = run(d, "246813", &["log", "supplies", "naloxone_kit"]);
    assert_eq!(o.status.code(), Some(2));
    let list: serde_json::Value =
        serde_json::from_str(&ok(&run(d, "246813", &["--json", "list"]))).expect("json");
    assert!(
        list.as_array().expect("array").is_empty(),
        "nothing stored by failed commands"
    );
}

/// Options left out take the defaults of the record model's forms, the ones the app's forms
/// start from (they once differed: the CLI said called_911=yes, contact=in_person,
/// referral=active).
#[test]
fn options_left_out_take_the_forms_defaults() {
    use shiftlog_core::catalogue::Catalogue;
    use shiftlog_core::kinds::kind_definitions;

    let defs = kind_definitions(&Catalogue::default_catalogue());
    let form = |id: &str| defs.iter().find(|d| d.id == id).expect("form").clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    ok(&run(d, "246813", &["add-org", "Peer Network"]));
    let json = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&ok(&run(d, "246813", &all))).expect("json")
    };

    let od = form("overdose_response");
    let body = &json(&["log", "overdose"])["body"];
    assert_eq!(Some(&body["called_911"]), od.default_of("called_911"));
    assert_eq!(body["called_911"], "unknown");
    assert_eq!(Some(&body["outcome"]), od.default_of("outcome"));
    assert!(body["naloxone"].is_null(), "no doses by default: {body}");
    let body = &json(&["log", "overdose", "--naloxone-doses", "1"])["body"];
    assert_eq!(
        Some(&body["naloxone"]["route"]),
        od.default_of("naloxone.route")
    );

    let nav = form("systems_navigation");
    let body = &json(&["log", "navigation", "--referral", "Housing office"])["body"];
    for (got, field) in [
        (&body["task"], "task"),
        (&body["contact_type"], "contact_type"),
        (&body["outcome"], "outcome"),
        (&body["referral"]["type"], "referral.type"),
    ] {
        assert_eq!(Some(got), nav.default_of(field), "{field}: {body}");
    }
    assert_eq!(body["contact_type"], "accompaniment");
    assert_eq!(body["referral"]["type"], "passive");
    // Given values win, in the model's ids or with `-` for `_`.
    let body = &json(&[
        "log",
        "navigation",
        "--task",
        "housing",
        "--contact",
        "in-person",
        "--referral",
        "Housing office",
        "--referral-type",
        "warm_handoff",
    ])["body"];
    assert_eq!(
        (
            &body["task"],
            &body["contact_type"],
            &body["referral"]["type"]
        ),
        (
            &serde_json::json!("housing"),
            &serde_json::json!("in_person"),
            &serde_json::json!("warm_handoff")
        )
    );

    let shift = json(&["shift", "start"]);
    assert_eq!(
        Some(&shift["pay_type"]),
        form("shift").default_of("pay_type")
    );
    ok(&run(d, "246813", &["shift", "end"]));
    let training = json(&["training", "Naloxone refresher"]);
    assert_eq!(
        Some(&training["body"]["status"]),
        form("training").default_of("status")
    );

    // A value the model does not know is refused before anything is stored.
    let o = run(
        d,
        "246813",
        &["log", "navigation", "--contact", "telepathy"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("accompaniment"));
}
