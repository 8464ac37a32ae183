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
