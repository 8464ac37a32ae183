//! `shiftlog statement …` and `shiftlog verify`, through the real binary and a real server:
//! a worker asks for a statement and saves it with its key list; anyone checks the file
//! offline, without a profile. Each refusal has its exit code and its words (docs/cli.md):
//! valid 0, not a statement 3, altered 10, unknown key 11, revoked key 12.

use std::path::Path;
use std::process::{Command, Output};

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

/// `shiftlog verify` as an employer runs it: no PIN, an empty folder as the profile.
fn verify(nobody: &Path, args: &[&str]) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_shiftlog"))
        .arg("--data-dir")
        .arg(nobody)
        .arg("verify")
        .args(args)
        .env_remove("SHIFTLOG_PIN")
        .env_remove("SHIFTLOG_LANG")
        .output()
        .expect("run shiftlog verify");
    (o.status.code().unwrap_or(-1), said(&o))
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", said(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_saved_statement_verifies_offline_and_each_refusal_has_its_code() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let files = tempfile::tempdir().expect("tempdir");
    let nobody = tempfile::tempdir().expect("tempdir");
    let (d, f) = (ddir.path(), files.path());
    let server = rt.block_on(TestServer::start(
        sdir.path(),
        "127.0.0.1:0".parse().expect("addr"),
    ));
    let code = server.org_with_code("north", "North Peers");
    ok(shiftlog(d, &["enroll", &server.url(), &code]));
    ok(shiftlog(d, &["shift", "start", "--pay", "volunteer"]));
    ok(shiftlog(d, &["log", "supplies", "naloxone_kit=2"]));
    ok(shiftlog(d, &["shift", "end"]));
    ok(shiftlog(d, &["sync"]));

    let today = chrono::Local::now().date_naive().to_string();
    let asked = ok(shiftlog(
        d,
        &["statement", "request", "--from", &today, "--to", &today],
    ));
    assert!(asked.starts_with("kept: "), "{asked}");
    let listed: serde_json::Value =
        serde_json::from_str(&ok(shiftlog(d, &["--json", "statement", "list"]))).expect("json");
    let id = listed[0]["id"].as_str().expect("id").to_string();
    let short_code = listed[0]["short_code"].as_str().expect("code").to_string();
    let file = f.join("statement.json");
    let keys = f.join("keys.json");
    let (file_s, keys_s) = (file.to_str().expect("path"), keys.to_str().expect("path"));
    ok(shiftlog(
        d,
        &[
            "statement",
            "save",
            &id,
            "--out",
            file_s,
            "--keys-out",
            keys_s,
        ],
    ));
    let page = f.join("page.html");
    ok(shiftlog(
        d,
        &[
            "--lang",
            "fr",
            "statement",
            "print",
            "--out",
            page.to_str().expect("path"),
        ],
    ));
    let html = std::fs::read_to_string(&page).expect("page");
    assert!(html.contains(&short_code) && html.contains("Relevé de travail"));

    // Valid, with the saved key list or the public key by hand; nothing made in `nobody`.
    let (c, words) = verify(nobody.path(), &[file_s, "--keys", keys_s]);
    assert_eq!(c, 0, "{words}");
    assert!(
        words.starts_with(&format!("VALID ({short_code}): North Peers")),
        "{words}"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    let public = doc["public_key"].as_str().expect("public key");
    assert_eq!(verify(nobody.path(), &[file_s, "--key", public]).0, 0);
    assert_eq!(std::fs::read_dir(nobody.path()).expect("dir").count(), 0);

    // No key given: the signature holds, but nobody vouched for the key.
    let (c, words) = verify(nobody.path(), &[file_s]);
    assert_eq!(c, 11, "{words}");
    assert!(words.contains("no trusted key was given"), "{words}");

    // Altered: one more activity written in.
    let mut changed = doc.clone();
    let n = changed["statement"]["activities"][0]["count"]
        .as_u64()
        .expect("count");
    changed["statement"]["activities"][0]["count"] = (n + 1).into();
    let tampered = f.join("tampered.json");
    std::fs::write(&tampered, changed.to_string()).expect("write");
    let (c, words) = verify(
        nobody.path(),
        &[tampered.to_str().expect("p"), "--keys", keys_s],
    );
    assert_eq!(c, 10, "{words}");
    assert!(words.starts_with("ALTERED"), "{words}");

    // Unknown key: another organization's list.
    server
        .service
        .ensure_organization("south", "South")
        .expect("org");
    server
        .service
        .cli_rotate_statement_key("south")
        .expect("key");
    let other = f.join("other.json");
    let south = server.service.published_keys("south").expect("keys");
    std::fs::write(&other, serde_json::to_string(&south).expect("json")).expect("write");
    let (c, words) = verify(
        nobody.path(),
        &[file_s, "--keys", other.to_str().expect("p")],
    );
    assert_eq!(c, 11, "{words}");
    assert!(words.starts_with("UNKNOWN KEY"), "{words}");

    // Revoked: the admin revokes the key; the organization's list now says so.
    let key_id = doc["key_id"].as_str().expect("key id");
    server
        .service
        .cli_revoke_statement_key("north", key_id)
        .expect("revoke");
    let fresh = f.join("fresh.json");
    let north = server.service.published_keys("north").expect("keys");
    std::fs::write(&fresh, serde_json::to_string(&north).expect("json")).expect("write");
    let fresh_s = fresh.to_str().expect("p");
    let (c, words) = verify(nobody.path(), &[file_s, "--keys", fresh_s]);
    assert_eq!(c, 12, "{words}");
    assert!(words.starts_with("REVOKED KEY"), "{words}");
    let (c, words) = verify(nobody.path(), &["--lang", "fr", file_s, "--keys", fresh_s]);
    assert_eq!(c, 12, "{words}");
    assert!(words.starts_with("CLÉ RÉVOQUÉE"), "{words}");

    // Not a statement at all.
    let (c, words) = verify(nobody.path(), &[keys_s, "--keys", keys_s]);
    assert_eq!(c, 3, "{words}");
    rt.block_on(server.stop());
}
