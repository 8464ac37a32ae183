//! `shiftlog org set-url`: an organization that moved its server gets the device's records at
//! the new address (same token, nothing sent twice); a bad address or an unknown organization
//! is refused with words, and the address kept is left as it was.

use std::process::{Command, Output};

use shiftlog_system_tests::TestServer;

fn shiftlog(dir: &std::path::Path, args: &[&str]) -> Output {
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

#[test]
fn a_moved_server_gets_the_records_at_its_new_address() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let d = ddir.path();
    let server = rt.block_on(TestServer::start(
        sdir.path(),
        "127.0.0.1:0".parse().expect("addr"),
    ));
    let code = server.org_with_code("north", "North Peers");
    let old = server.url();
    let o = shiftlog(d, &["enroll", &old, &code]);
    assert!(o.status.success(), "{}", said(&o));
    let o = shiftlog(d, &["log", "outreach", "--people", "2"]);
    assert!(o.status.success(), "{}", said(&o));

    // The same server under another name stands in for its new address.
    let new = old.replace("127.0.0.1", "localhost");
    let o = shiftlog(d, &["org", "set-url", "north", &new]);
    assert!(o.status.success(), "{}", said(&o));
    assert!(said(&o).contains(&new), "{}", said(&o));
    let o = shiftlog(d, &["orgs"]);
    assert!(said(&o).contains(&new), "{}", said(&o));
    let o = shiftlog(d, &["sync"]);
    assert!(o.status.success(), "{}", said(&o));
    assert_eq!(server.exported_ids("north").len(), 1);

    // Plain http to another machine, nonsense, and an organization it does not have.
    for (args, words) in [
        (
            vec!["org", "set-url", "north", "http://shiftlog.example.org"],
            "https",
        ),
        (vec!["org", "set-url", "north", "not an address"], "address"),
        (
            vec!["org", "set-url", "south", "https://shiftlog.example.org"],
            "organizations",
        ),
    ] {
        let o = shiftlog(d, &args);
        assert!(!o.status.success(), "{args:?} was accepted");
        assert!(said(&o).contains(words), "{args:?}: {}", said(&o));
    }
    let o = shiftlog(d, &["orgs"]);
    assert!(
        said(&o).contains(&new),
        "the kept address changed: {}",
        said(&o)
    );
    let o = shiftlog(d, &["sync"]);
    assert!(o.status.success(), "{}", said(&o));
    assert_eq!(server.exported_ids("north").len(), 1, "nothing sent twice");
}
