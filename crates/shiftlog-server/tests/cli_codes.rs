//! `shiftlog-server enrollment-code --second-device W-…`: a code that joins a worker's second
//! device to the same worker, so their records follow them; a pseudonym that is not one of the
//! organization's workers is refused with words that say so.

mod common;

use common::bin::{cli, enroll, ok, serve, Db};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_device_code_joins_the_same_worker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::Sqlite(dir.path().join("data"));
    ok(cli(&db, &["add-org", "peers", "Peers"]));
    let first = ok(cli(&db, &["enrollment-code", "--org", "peers"]));
    let other = ok(cli(&db, &["enrollment-code", "--org", "peers"]));
    let server = serve(&db).await;
    let phone = enroll(&server.base, first.trim()).await;
    let stranger = enroll(&server.base, other.trim()).await;
    let client = reqwest::Client::new();
    let rec = common::record(&common::rid(1));
    let pushed: Value = client
        .post(format!("{}/api/v1/push", server.base))
        .bearer_auth(&phone)
        .json(&json!({"protocol": 1, "records": [rec]}))
        .send()
        .await
        .expect("push")
        .json()
        .await
        .expect("json");
    assert_eq!(pushed["results"][0]["status"], "accepted", "{pushed}");
    // The worker's pseudonym, as a coordinator reads it off the devices list.
    let export = ok(cli(&db, &["export", "--org", "peers", "--format", "json"]));
    let rows: Value = serde_json::from_str(&export).expect("json export");
    let pseudonym = rows
        .as_array()
        .and_then(|r| r.first())
        .and_then(|r| r["worker"].as_str())
        .unwrap_or_else(|| panic!("no worker in {export}"))
        .to_string();

    let out = cli(
        &db,
        &[
            "enrollment-code",
            "--org",
            "peers",
            "--second-device",
            &pseudonym,
        ],
    );
    let code = ok(out);
    let laptop = enroll(&server.base, code.trim()).await;
    let pull = |token: String| {
        let (client, base) = (client.clone(), server.base.clone());
        async move {
            let v: Value = client
                .get(format!("{base}/api/v1/records?after=0"))
                .bearer_auth(token)
                .send()
                .await
                .expect("pull")
                .json()
                .await
                .expect("json");
            v["records"].as_array().expect("records").len()
        }
    };
    assert_eq!(
        pull(laptop).await,
        1,
        "the second device sees the worker's record"
    );
    assert_eq!(pull(stranger).await, 0, "another worker's device does not");

    let out = cli(
        &db,
        &[
            "enrollment-code",
            "--org",
            "peers",
            "--second-device",
            "W-NOPE1",
        ],
    );
    assert!(!out.status.success(), "a code for nobody");
    let words = String::from_utf8_lossy(&out.stderr);
    assert!(
        words.contains("W-NOPE1") || words.contains("not found"),
        "{words}"
    );
    let out = cli(
        &db,
        &[
            "enrollment-code",
            "--org",
            "peers",
            "--second-device",
            "robert",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pseudonym"));
}

#[test]
fn completions_and_man_page_list_the_admin_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::Sqlite(dir.path().join("data"));
    let zsh = ok(cli(&db, &["completions", "zsh"]));
    for word in ["backup", "restore", "second-device", "enrollment-code"] {
        assert!(zsh.contains(word), "zsh completions lack {word}");
    }
    let man = ok(cli(&db, &["man"]));
    assert!(man.contains(".TH shiftlog-server 1") && man.contains("backup"));
    assert!(!dir.path().join("data").exists(), "no database was made");
}

/// An export shows its progress on a terminal (here a pseudo-terminal from `script`) and
/// says nothing on standard error when it is not one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_shows_progress_on_a_terminal_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::Sqlite(dir.path().join("data"));
    ok(cli(&db, &["add-org", "peers", "Peers"]));
    let code = ok(cli(&db, &["enrollment-code", "--org", "peers"]));
    let server = serve(&db).await;
    let token = enroll(&server.base, code.trim()).await;
    let records: Vec<Value> = (0..5).map(|n| common::record(&common::rid(n))).collect();
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/push", server.base))
        .bearer_auth(&token)
        .json(&json!({"protocol": 1, "records": records}))
        .send()
        .await
        .expect("push");
    assert!(resp.status().is_success());
    drop(server);

    let piped = cli(&db, &["export", "--org", "peers"]);
    assert!(piped.status.success());
    assert_eq!(String::from_utf8_lossy(&piped.stdout).lines().count(), 6);
    assert!(
        piped.stderr.is_empty(),
        "piped, yet it said: {}",
        String::from_utf8_lossy(&piped.stderr)
    );

    let file = dir.path().join("out.csv");
    let line = format!(
        "{} {} export --org peers > {}",
        common::bin::BIN,
        db.args().join(" "),
        file.display()
    );
    let tty = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .output()
        .expect("script");
    assert!(
        tty.status.success(),
        "{}",
        String::from_utf8_lossy(&tty.stderr)
    );
    let shown = String::from_utf8_lossy(&tty.stdout);
    assert!(
        shown.contains("export written: 5 rows"),
        "on a terminal: {shown:?}"
    );
    let written = std::fs::read_to_string(&file).expect("csv");
    assert_eq!(written.lines().count(), 6, "the file holds only the export");
}
