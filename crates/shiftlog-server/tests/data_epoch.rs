//! The data epoch in `/api/v1/info`, on both backends: the same on every answer and from
//! every instance over one database, a new one after `shiftlog-server new-epoch` (after
//! pg_restore) and after `shiftlog-server restore` (SQLite), so devices send their records
//! again (tests/tests/restored_server.rs shows the device side).

mod common;

use std::sync::Arc;

use common::bin::{cli, ok, Db};
use common::{client, start_on, Backend, TestDb, BACKENDS};
use shiftlog_server::Limits;

async fn epoch(base: &str) -> String {
    let info: serde_json::Value = client()
        .get(format!("{base}/api/v1/info"))
        .send()
        .await
        .expect("info")
        .json()
        .await
        .expect("json");
    let e = info["data_epoch"].as_str().expect("data_epoch").to_string();
    assert!(
        e.len() == 32 && e.chars().all(|c| c.is_ascii_hexdigit()),
        "{e}"
    );
    e
}

fn db_args(db: &TestDb) -> Db {
    match db.backend {
        Backend::Sqlite => Db::Sqlite(db.dir.path().to_path_buf()),
        Backend::Postgres => Db::Postgres {
            url: common::pg_url(),
            schema: db.schema.clone().expect("schema"),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_epoch_stays_until_it_is_renewed_and_every_instance_gives_the_same() {
    for backend in BACKENDS {
        let db = Arc::new(TestDb::new(backend));
        let one = start_on(db.clone(), Limits::default()).await;
        let two = start_on(db.clone(), Limits::default()).await;
        let first = epoch(&one.base).await;
        assert_eq!(epoch(&one.base).await, first, "{backend:?}: stable");
        assert_eq!(
            epoch(&two.base).await,
            first,
            "{backend:?}: one per database"
        );

        let out = ok(cli(&db_args(&db), &["new-epoch"]));
        let renewed = epoch(&one.base).await;
        assert_ne!(renewed, first, "{backend:?}: new-epoch gives a new one");
        assert!(out.contains(&renewed), "{backend:?}: it prints it: {out}");
        assert_eq!(
            epoch(&two.base).await,
            renewed,
            "{backend:?}: every instance"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_sqlite_database_answers_with_a_new_epoch() {
    let db = Arc::new(TestDb::new(Backend::Sqlite));
    let running = start_on(db.clone(), Limits::default()).await;
    let before = epoch(&running.base).await;
    let backups = tempfile::tempdir().expect("tempdir");
    let file = backups.path().join("b.db");
    let file = file.to_str().expect("utf8");
    ok(cli(&db_args(&db), &["backup", "--to", file]));

    let restored = Arc::new(TestDb::new(Backend::Sqlite));
    ok(cli(&db_args(&restored), &["restore", "--from", file]));
    let again = start_on(restored, Limits::default()).await;
    let after = epoch(&again.base).await;
    assert_ne!(
        after, before,
        "the restored copy must not pass for the data devices knew"
    );
    assert_eq!(
        epoch(&running.base).await,
        before,
        "the original keeps its own"
    );
}
