//! The storage conformance tests (`shiftlog_server_db::conformance`) on SQLite.

use std::sync::Arc;

use shiftlog_server_db::conformance;
use shiftlog_server_sqlite::SqliteStorage;

fn open() -> (tempfile::TempDir, Arc<SqliteStorage>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStorage::open(dir.path()).expect("open");
    (dir, Arc::new(s))
}

#[test]
fn ingest_does_what_it_is_told() {
    let (_dir, s) = open();
    conformance::ingest_does_what_it_is_told(&*s);
}

#[test]
fn concurrent_pushes_are_each_decided_by_their_own_caller() {
    let (_dir, s) = open();
    conformance::concurrent_pushes_are_each_decided_by_their_own_caller(s);
}

#[test]
fn a_revoked_device_stores_nothing() {
    let (_dir, s) = open();
    conformance::a_revoked_device_stores_nothing(s);
}

#[test]
fn codes_are_judged_by_the_caller_and_redeemed_once() {
    let (_dir, s) = open();
    conformance::codes_are_judged_by_the_caller_and_redeemed_once(s);
}

#[test]
fn staff_accounts_change_only_what_they_are_told() {
    let (_dir, s) = open();
    conformance::staff_accounts_change_only_what_they_are_told(&*s);
}

#[test]
fn staff_tokens_are_kept_as_told() {
    let (_dir, s) = open();
    conformance::staff_tokens_are_kept_as_told(&*s);
}

#[test]
fn spike_thresholds_are_kept_as_told() {
    let (_dir, s) = open();
    conformance::spike_thresholds_are_kept_as_told(&*s);
}

#[test]
fn activities_are_counted_by_area_and_time() {
    let (_dir, s) = open();
    conformance::activities_are_counted_by_area_and_time(&*s);
}

#[test]
fn messages_are_offered_and_counted_as_told() {
    let (_dir, s) = open();
    conformance::messages_are_offered_and_counted_as_told(&*s);
}

#[test]
fn statement_keys_and_register_are_kept_as_told() {
    let (_dir, s) = open();
    conformance::statement_keys_and_register_are_kept_as_told(&*s);
}

#[test]
fn worker_summaries_match_the_records() {
    let (dir, s) = open();
    let raw = rusqlite::Connection::open(dir.path().join("server.db")).expect("open");
    raw.busy_timeout(std::time::Duration::from_secs(10))
        .expect("busy timeout");
    let purge = |id: &str| {
        raw.execute_batch("BEGIN IMMEDIATE").expect("begin");
        for table in [
            "record_items WHERE record_id",
            "record_changes WHERE record_id",
        ] {
            raw.execute(&format!("DELETE FROM {table} = ?1"), [id])
                .expect("purge lines");
        }
        assert_eq!(
            raw.execute("DELETE FROM records WHERE id = ?1", [id])
                .expect("purge"),
            1
        );
        raw.execute_batch("COMMIT").expect("commit");
    };
    conformance::worker_summaries_match_the_records(&*s, &purge);
}
