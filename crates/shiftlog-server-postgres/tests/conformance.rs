//! The storage conformance tests (`shiftlog_server_db::conformance`) on PostgreSQL
//! (`SHIFTLOG_TEST_PG`, default `postgres://root@127.0.0.1:5432/test`), each in a schema of
//! its own, dropped afterwards.

use std::sync::Arc;

use shiftlog_server_db::conformance;
use shiftlog_server_postgres::PostgresStorage;

fn url() -> String {
    std::env::var("SHIFTLOG_TEST_PG")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string())
}

/// A schema of its own, dropped when the test ends.
struct Schema(String);

impl Schema {
    fn new() -> Schema {
        Schema(format!("conf_{}", uuid::Uuid::new_v4().simple()))
    }

    fn open(&self) -> Arc<PostgresStorage> {
        Arc::new(PostgresStorage::connect(&url(), Some(&self.0)).expect("postgres"))
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&url(), postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.0));
        }
    }
}

#[test]
fn ingest_does_what_it_is_told() {
    let schema = Schema::new();
    conformance::ingest_does_what_it_is_told(&*schema.open());
}

#[test]
fn concurrent_pushes_are_each_decided_by_their_own_caller() {
    let schema = Schema::new();
    conformance::concurrent_pushes_are_each_decided_by_their_own_caller(schema.open());
}

#[test]
fn a_revoked_device_stores_nothing() {
    let schema = Schema::new();
    conformance::a_revoked_device_stores_nothing(schema.open());
}

#[test]
fn codes_are_judged_by_the_caller_and_redeemed_once() {
    let schema = Schema::new();
    conformance::codes_are_judged_by_the_caller_and_redeemed_once(schema.open());
}

/// Two storages (two server instances) on one schema, the same records pushed through both
/// at once: each stored once, and every other answer decided with the stored head.
#[test]
fn two_instances_store_a_record_once() {
    let schema = Schema::new();
    let (a, b) = (schema.open(), schema.open());
    conformance::two_instances_store_a_record_once(a, b);
}

/// Instances starting at once migrate once (the advisory lock); a database newer than this
/// server is refused and left alone.
#[test]
fn migrations_run_once_under_the_lock_and_a_newer_schema_is_refused() {
    let schema = Schema::new();
    let opened: Vec<_> = (0..3)
        .map(|_| {
            let name = schema.0.clone();
            std::thread::spawn(move || PostgresStorage::connect(&url(), Some(&name)).map(|_| ()))
        })
        .collect();
    for t in opened {
        t.join().expect("thread").expect("connect and migrate");
    }
    let mut c = postgres::Client::connect(&url(), postgres::NoTls).expect("client");
    let versions: Vec<i32> = c
        .query(
            &format!(
                "SELECT version FROM {}.schema_version ORDER BY version",
                schema.0
            ),
            &[],
        )
        .expect("versions")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let all: Vec<i32> = (1..=shiftlog_server_postgres::MIGRATIONS.len() as i32).collect();
    assert_eq!(versions, all, "each migration recorded once");
    let newer = all.len() as i32 + 1;
    c.execute(
        &format!("INSERT INTO {}.schema_version VALUES ($1)", schema.0),
        &[&newer],
    )
    .expect("newer");
    match PostgresStorage::connect(&url(), Some(&schema.0)) {
        Err(shiftlog_server_db::StorageError::TooNew { found, .. }) => {
            assert_eq!(found, newer as u32)
        }
        other => panic!("expected TooNew, got {:?}", other.err()),
    }
}

#[test]
fn staff_accounts_change_only_what_they_are_told() {
    let schema = Schema::new();
    conformance::staff_accounts_change_only_what_they_are_told(&*schema.open());
}

#[test]
fn staff_tokens_are_kept_as_told() {
    let schema = Schema::new();
    conformance::staff_tokens_are_kept_as_told(&*schema.open());
}

#[test]
fn spike_thresholds_are_kept_as_told() {
    let schema = Schema::new();
    conformance::spike_thresholds_are_kept_as_told(&*schema.open());
}

#[test]
fn activities_are_counted_by_area_and_time() {
    let schema = Schema::new();
    conformance::activities_are_counted_by_area_and_time(&*schema.open());
}

#[test]
fn messages_are_offered_and_counted_as_told() {
    let schema = Schema::new();
    conformance::messages_are_offered_and_counted_as_told(&*schema.open());
}

#[test]
fn statement_keys_and_register_are_kept_as_told() {
    let schema = Schema::new();
    conformance::statement_keys_and_register_are_kept_as_told(&*schema.open());
}

#[test]
fn worker_summaries_match_the_records() {
    let schema = Schema::new();
    let s = schema.open();
    let mut config: postgres::Config = url().parse().expect("url");
    config.options(&format!("-c search_path={}", schema.0));
    let raw = std::sync::Mutex::new(config.connect(postgres::NoTls).expect("connect"));
    let purge = |id: &str| {
        let mut c = raw.lock().expect("connection");
        let mut tx = c.transaction().expect("tx");
        tx.execute("DELETE FROM record_items WHERE record_id = $1", &[&id])
            .expect("purge lines");
        tx.execute("DELETE FROM record_changes WHERE record_id = $1", &[&id])
            .expect("purge change");
        assert_eq!(
            tx.execute("DELETE FROM records WHERE id = $1", &[&id])
                .expect("purge"),
            1
        );
        tx.commit().expect("commit");
    };
    conformance::worker_summaries_match_the_records(&*s, &purge);
}
