//! A worker with two devices (two CLI profiles enrolled as the same worker to a real server)
//! edits the same records on both. The second device to sync loses: its versions are set
//! aside and listed in Needs attention, `keep` makes the worker's version the record on the
//! server and the other device, `let-go` leaves the winner and removes the entry.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use shiftlog_server::{Role, Staff};
use shiftlog_system_tests::TestServer;

fn shiftlog(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shiftlog"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SHIFTLOG_PIN", "246813")
        .env_remove("SHIFTLOG_LANG")
        .output()
        .expect("run shiftlog")
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs a command that must succeed and prints JSON; returns it.
fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = shiftlog(dir, &all);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", said(&o));
    serde_json::from_slice(&o.stdout).expect("json")
}

fn supplies(n: i64) -> String {
    format!(r#"{{"items":[{{"item":"naloxone_kit","quantity":{n}}}]}}"#)
}

/// The quantity of the one supply line of record `id` in a `list --json`.
fn quantity(list: &Value, id: &str) -> (i64, i64) {
    let r = list
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {list}"));
    (
        r["body"]["items"][0]["quantity"]
            .as_i64()
            .expect("quantity"),
        r["version"].as_i64().expect("version"),
    )
}

/// The server's CSV export line of record `id`.
fn exported(server: &TestServer, id: &str) -> String {
    let mut buf = Vec::new();
    server
        .service
        .export_csv("north", &mut buf)
        .expect("export");
    String::from_utf8(buf)
        .expect("utf8")
        .lines()
        .find(|l| l.starts_with(id))
        .unwrap_or_else(|| panic!("{id} not exported"))
        .to_string()
}

#[test]
fn a_losing_version_is_set_aside_listed_kept_or_let_go() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let sdir = tempfile::tempdir().expect("tempdir");
    let (adir, bdir) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let (a, b) = (adir.path(), bdir.path());
    let server = rt.block_on(TestServer::start(
        sdir.path(),
        "127.0.0.1:0".parse().expect("addr"),
    ));
    let code = server.org_with_code("north", "North Peers");
    let admin = Staff {
        org_id: "north".into(),
        actor: "test".into(),
        role: Role::Admin,
    };

    // Device A enrolls and records two hand-outs; device B enrolls as the same worker.
    let o = shiftlog(
        a,
        &["enroll", &server.url(), &code, "--device-name", "phone"],
    );
    assert!(o.status.success(), "{}", said(&o));
    let r1 = json(a, &["log", "supplies", "naloxone_kit=1"])["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r2 = json(a, &["log", "supplies", "naloxone_kit=1"])["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(shiftlog(a, &["sync"]).status.code(), Some(0));
    let pseudonym = server.service.devices(&admin).expect("devices")[0]
        .pseudonym
        .clone();
    let (code2, _) = server
        .service
        .enrollment_code(&admin, Some(&pseudonym))
        .expect("second-device code");
    let o = shiftlog(
        b,
        &["enroll", &server.url(), &code2, "--device-name", "laptop"],
    );
    assert!(o.status.success(), "{}", said(&o));
    let o = shiftlog(b, &["sync"]);
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
    assert_eq!(quantity(&json(b, &["list"]), &r1), (1, 1), "B pulled A's");

    // Both edit both records; A syncs first and wins.
    for (id, n) in [(&r1, 5), (&r2, 5)] {
        json(a, &["edit", id, &supplies(n)]);
    }
    for (id, n) in [(&r1, 7), (&r2, 8)] {
        json(b, &["edit", id, &supplies(n)]);
    }
    assert_eq!(shiftlog(a, &["sync"]).status.code(), Some(0));
    let o = shiftlog(b, &["sync"]);
    let text = said(&o);
    assert_eq!(o.status.code(), Some(8), "{text}");
    assert!(text.contains("keeps yours aside"), "{text}");
    assert!(
        text.contains("then shiftlog keep ID to keep yours or shiftlog let-go ID"),
        "{text}"
    );

    // B now holds the winner, and lists its own versions set aside, with their values.
    let list = json(b, &["list"]);
    assert_eq!(quantity(&list, &r1), (5, 2), "{list}");
    assert_eq!(quantity(&list, &r2), (5, 2), "{list}");
    let attention = json(b, &["list", "--needs-attention"]);
    assert_eq!(attention["records"], serde_json::json!([]), "{attention}");
    let aside = attention["set_aside"].as_array().expect("set_aside");
    assert_eq!(aside.len(), 2, "{attention}");
    let entry = |record: &str| -> Value {
        aside
            .iter()
            .find(|e| e["record_id"] == record)
            .unwrap_or_else(|| panic!("no entry for {record}: {attention}"))
            .clone()
    };
    let (e1, e2) = (entry(&r1), entry(&r2));
    assert_eq!(e1["body"]["items"][0]["quantity"], 7, "{e1}");
    assert_eq!(e2["body"]["items"][0]["quantity"], 8, "{e2}");
    for e in [&e1, &e2] {
        assert_eq!(e["kind"], "supplies_distributed", "{e}");
        assert_eq!(e["version"], 2, "{e}");
        assert!(
            e["status"] == "conflict" || e["status"] == "superseded",
            "{e}"
        );
        assert!(
            e["why"]
                .as_str()
                .is_some_and(|w| w.contains("kept instead")),
            "{e}"
        );
    }
    let (id1, id2) = (
        e1["id"].as_str().expect("id").to_string(),
        e2["id"].as_str().expect("id").to_string(),
    );
    let o = shiftlog(b, &["list", "--needs-attention"]);
    let text = said(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(text.contains("Set aside (2):"), "{text}");
    assert!(text.contains("shiftlog keep ID"), "{text}");
    for (id, record) in [(&id1, &r1), (&id2, &r2)] {
        let line = text
            .lines()
            .find(|l| l.starts_with(id.as_str()))
            .unwrap_or_else(|| panic!("{id} not listed: {text}"));
        assert!(line.contains(&format!("record {record}")), "{line}");
        assert!(line.contains("supplies_distributed"), "{line}");
        assert!(line.contains("kept instead"), "{line}");
    }
    assert!(text.contains(r#""quantity":7"#), "{text}");
    let o = shiftlog(b, &["--lang", "fr", "list", "--needs-attention"]);
    assert!(said(&o).contains("Mises de côté (2)"), "{}", said(&o));
    assert!(said(&o).contains("gardée à la place"), "{}", said(&o));

    // Keep the first, let go of the second.
    let kept = json(b, &["keep", &id1]);
    assert_eq!(kept["record"]["version"], 3, "{kept}");
    assert_eq!(kept["record"]["body"]["items"][0]["quantity"], 7, "{kept}");
    let o = shiftlog(b, &["let-go", &id2]);
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
    assert!(
        said(&o).contains(&format!("record {r2} stays")),
        "{}",
        said(&o)
    );
    let attention = json(b, &["list", "--needs-attention"]);
    assert_eq!(attention["set_aside"], serde_json::json!([]), "{attention}");
    let o = shiftlog(b, &["let-go", &id2]);
    assert_eq!(o.status.code(), Some(3), "gone already: {}", said(&o));
    assert!(
        said(&o).contains("No version set aside has the id"),
        "{}",
        said(&o)
    );
    let o = shiftlog(b, &["keep", "not-an-id"]);
    assert_eq!(o.status.code(), Some(2), "{}", said(&o));

    // The kept version goes to the server and wins there and on A; the other stays A's.
    let o = shiftlog(b, &["sync"]);
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
    assert!(exported(&server, &r1).contains("naloxone_kit x7"), "server");
    assert!(exported(&server, &r2).contains("naloxone_kit x5"), "server");
    let o = shiftlog(a, &["sync"]);
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
    let list = json(a, &["list"]);
    assert_eq!(
        quantity(&list, &r1),
        (7, 3),
        "A took the kept version: {list}"
    );
    assert_eq!(quantity(&list, &r2), (5, 2), "{list}");
    assert_eq!(
        json(a, &["list", "--needs-attention"])["set_aside"],
        serde_json::json!([])
    );
    assert_eq!(json(b, &["status"])["set_aside"], 0);
}
