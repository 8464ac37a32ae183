//! Backups taken the way an organization's volunteer would, with the real `shiftlog-server`
//! binary: a backup while devices push holds every record confirmed before it started; a
//! restore into a fresh data directory serves them again; a restore (or a second server)
//! under a running server is refused and changes nothing. On PostgreSQL the documented
//! pg_dump / pg_restore route is run the same way.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::bin::{cli, enroll, ok, serve, Db, Server, BIN};

/// The ids in the organization's CSV export, read with the CLI.
fn exported(db: &Db) -> BTreeSet<String> {
    ok(cli(db, &["export", "--org", "peers"]))
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next().map(str::to_string))
        .collect()
}

/// Every id the server confirmed, with the moment its answer arrived.
type Confirmed = Arc<Mutex<Vec<(Instant, String)>>>;

/// Three devices push batches of 20 until `stop`; every id the server confirmed is noted
/// with the moment its answer arrived.
fn pushers(
    base: &str,
    tokens: Vec<String>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (Confirmed, Vec<tokio::task::JoinHandle<()>>) {
    let confirmed: Confirmed = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for (d, token) in tokens.into_iter().enumerate() {
        let (base, stop, confirmed) = (base.to_string(), stop.clone(), confirmed.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = 0u32;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let ids: Vec<String> = (0..20)
                    .map(|i| common::rid((d as u32) << 24 | (n + i)))
                    .collect();
                n += 20;
                let records: Vec<Value> = ids.iter().map(|id| common::record(id)).collect();
                let resp: Value = client
                    .post(format!("{base}/api/v1/push"))
                    .bearer_auth(&token)
                    .json(&json!({"protocol": 1, "records": records}))
                    .send()
                    .await
                    .expect("push")
                    .json()
                    .await
                    .expect("json");
                let at = Instant::now();
                let mut c = confirmed.lock().expect("lock");
                for r in resp["results"].as_array().expect("results") {
                    assert_eq!(r["status"], "accepted", "{r}");
                    c.push((at, r["id"].as_str().expect("id").to_string()));
                }
            }
        }));
    }
    (confirmed, tasks)
}

/// Starts a server on `db`, enrolls three devices, pushes while `take_backup` runs, and
/// returns the ids confirmed before the backup started and all confirmed ids.
async fn push_during(
    db: &Db,
    take_backup: impl FnOnce() + Send + 'static,
) -> (Server, BTreeSet<String>, BTreeSet<String>) {
    ok(cli(db, &["add-org", "peers", "Peers"]));
    let codes: Vec<String> = (0..3)
        .map(|_| {
            ok(cli(db, &["enrollment-code", "--org", "peers"]))
                .trim()
                .to_string()
        })
        .collect();
    let server = serve(db).await;
    let mut tokens = Vec::new();
    for c in &codes {
        tokens.push(enroll(&server.base, c).await);
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (confirmed, tasks) = pushers(&server.base, tokens, stop.clone());
    // Let some records land first, then back up while the pushes go on.
    while confirmed.lock().expect("lock").len() < 200 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = Instant::now();
    tokio::task::spawn_blocking(take_backup)
        .await
        .expect("backup");
    let after_backup = confirmed.lock().expect("lock").len();
    // Pushes went on during it (else the test proves nothing about consistency under load).
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for t in tasks {
        t.await.expect("pusher");
    }
    let all = confirmed.lock().expect("lock").clone();
    assert!(all.len() > after_backup, "no pushes after the backup");
    let before: BTreeSet<String> = all
        .iter()
        .filter(|(at, _)| *at < started)
        .map(|(_, id)| id.clone())
        .collect();
    (server, before, all.into_iter().map(|(_, id)| id).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_under_ingest_restores_every_confirmed_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let live = Db::Sqlite(dir.path().join("live"));
    let file = dir.path().join("backup.db");
    let (db, f) = (live.clone(), file.clone());
    let (server, before, all) = push_during(&live, move || {
        let out = ok(cli(&db, &["backup", "--to", &f.display().to_string()]));
        assert!(out.contains("backed up to"), "{out}");
    })
    .await;
    // A second backup to the same name is refused, and says what to do.
    let out = cli(&live, &["backup", "--to", &file.display().to_string()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists already"));

    // Restoring under the running server, or starting a second one, is refused.
    let out = cli(&live, &["restore", "--from", &file.display().to_string()]);
    assert!(!out.status.success(), "restore under a running server");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("stop it first"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut second = Command::new(BIN)
        .args(live.args())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    let exited = loop {
        if let Some(status) = second.try_wait().expect("wait") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        exited.is_some_and(|s| !s.success()),
        "a second server on one directory kept running or succeeded: {exited:?}"
    );
    drop(server);
    assert_eq!(exported(&live), all, "the refusals changed nothing");

    // A damaged backup is refused and leaves the target alone.
    let fresh = Db::Sqlite(dir.path().join("fresh"));
    let bad = dir.path().join("bad.db");
    let mut bytes = std::fs::read(&file).expect("read");
    let cut = bytes.len() / 2;
    bytes.truncate(cut);
    std::fs::write(&bad, &bytes).expect("write");
    let out = cli(&fresh, &["restore", "--from", &bad.display().to_string()]);
    assert!(!out.status.success(), "a cut backup was restored");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a usable shiftlog server backup"));

    // Into a fresh directory: a server starts on it and has every confirmed record.
    ok(cli(
        &fresh,
        &["restore", "--from", &file.display().to_string()],
    ));
    let restored = exported(&fresh);
    let missing: Vec<_> = before.difference(&restored).collect();
    assert!(
        missing.is_empty(),
        "{} records confirmed before the backup are missing, e.g. {:?}",
        missing.len(),
        missing.first()
    );
    assert!(
        restored.is_subset(&all),
        "the backup holds records never confirmed"
    );
    let server = serve(&fresh).await;
    let status = reqwest::get(format!("{}/readyz", server.base))
        .await
        .expect("readyz")
        .status();
    assert!(status.is_success(), "readyz {status}");
    eprintln!(
        "{} confirmed before the backup, {} in it, {} confirmed in all",
        before.len(),
        restored.len(),
        all.len()
    );
}

fn psql(db: &str, sql: &str) {
    let out = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "root",
            "-d",
            db,
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ])
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_pg_dump_and_pg_restore_bring_every_confirmed_record_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = format!("b_{}", uuid::Uuid::new_v4().simple());
    let target_db = format!("restore_{}", uuid::Uuid::new_v4().simple());
    let live = Db::Postgres {
        url: common::pg_url(),
        schema: schema.clone(),
    };
    let dump = dir.path().join("shiftlog.dump");
    // The route docs/backups.md gives: pg_dump in custom format, of the deployment's schema.
    let (s, d) = (schema.clone(), dump.clone());
    let (server, before, all) = push_during(&live, move || {
        let out = Command::new("pg_dump")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "root",
                "-d",
                "test",
                "-Fc",
                "-n",
                &s,
                "-f",
            ])
            .arg(&d)
            .output()
            .expect("pg_dump");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    })
    .await;
    drop(server);
    // The CLI says which route to take rather than doing something half right.
    let out = cli(&live, &["backup", "--to", "x.db"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));

    psql("test", &format!("CREATE DATABASE {target_db}"));
    let out = Command::new("pg_restore")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "root",
            "-d",
            &target_db,
            "--no-owner",
        ])
        .arg(&dump)
        .output()
        .expect("pg_restore");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let restored_db = Db::Postgres {
        url: common::pg_url().replace("/test", &format!("/{target_db}")),
        schema: schema.clone(),
    };
    let restored = exported(&restored_db);
    let server = serve(&restored_db).await;
    let ready = reqwest::get(format!("{}/readyz", server.base))
        .await
        .expect("readyz")
        .status();
    drop(server);
    psql("test", &format!("DROP DATABASE {target_db}"));
    psql("test", &format!("DROP SCHEMA {schema} CASCADE"));
    assert!(ready.is_success(), "readyz {ready}");
    let missing = before.difference(&restored).count();
    assert_eq!(
        missing, 0,
        "records confirmed before pg_dump started are missing"
    );
    assert!(restored.is_subset(&all));
}
