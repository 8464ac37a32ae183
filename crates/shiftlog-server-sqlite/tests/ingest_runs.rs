//! New records go in multi-row inserts of up to 64 (`ingest.rs`): a push that mixes new
//! records, stored ones and the same id twice is stored, numbered in the change log and
//! counted in the totals (and the workers' totals) as if written one record at a time.

use rusqlite::Connection;
use shiftlog_server_db::conformance::device;
use shiftlog_server_db::{Facts, IngestDecision, IngestRecord, RecordFilter, Storage, StoredHead};
use shiftlog_server_sqlite::SqliteStorage;
use shiftlog_wire::{RecordEnvelope, RecordResult, RecordStatus};

fn id(n: u64) -> String {
    format!("01936d5e-8f7a-7cc0-8a5e-{n:012x}")
}

/// Record `n` at `version`: supplies in `area`, `quantity` kits (counted as people reached,
/// which the totals sum).
fn record(n: u64, version: u32, area: &str, quantity: i64) -> IngestRecord {
    let envelope: RecordEnvelope = serde_json::from_value(serde_json::json!({
        "id": id(n),
        "version": version,
        "record_type": "activity",
        "kind": "supplies_distributed",
        "occurred_at": "2026-11-20T23:42:00-08:00",
        "recorded_at": "2026-11-20T23:42:05-08:00",
        "body": {"area": area, "items": [{"item": "naloxone_kit", "quantity": quantity}]},
    }))
    .expect("envelope");
    IngestRecord {
        envelope,
        facts: Facts {
            day: "2026-11-20".into(),
            week: "2026-11-16".into(),
            month: "2026-11".into(),
            area: Some(area.into()),
            on_shift: true,
            people_reached: quantity,
            items: vec![("naloxone_kit".into(), quantity)],
            ..Facts::default()
        },
    }
}

/// A higher version replaces; anything else was had already.
fn by_version(rec: &IngestRecord, head: Option<&StoredHead>) -> IngestDecision {
    match head {
        None => IngestDecision::Insert,
        Some(h) if rec.envelope.version > h.version => IngestDecision::Replace,
        Some(_) => IngestDecision::Answer(RecordResult::plain(
            rec.envelope.id,
            rec.envelope.version,
            RecordStatus::AlreadyHad,
        )),
    }
}

#[test]
fn a_mixed_push_is_stored_as_if_one_record_at_a_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = SqliteStorage::open(dir.path()).expect("open");
    let dev = device(&s, "org", None);

    // 100 new records: inserts of 64, 32 and 4 rows.
    let first: Vec<IngestRecord> = (1..=100).map(|n| record(n, 1, "downtown", 1)).collect();
    let answers = s.ingest(&dev, &first, &by_version).expect("ingest");
    assert_eq!(answers.len(), 100);
    assert!(answers.iter().all(|a| a.status == RecordStatus::Accepted));

    // New, stored, the same id twice (a stored one and a new one), in one push.
    let mixed = [
        record(200, 1, "east", 5),
        record(5, 2, "east", 2),
        record(201, 1, "east", 1),
        record(5, 3, "west", 3),
        record(6, 1, "downtown", 1),
        record(202, 1, "west", 1),
        record(200, 2, "west", 7),
        record(200, 1, "west", 9),
    ];
    let answers = s.ingest(&dev, &mixed, &by_version).expect("ingest");
    let statuses: Vec<RecordStatus> = answers.iter().map(|a| a.status).collect();
    use RecordStatus::{Accepted, AlreadyHad};
    assert_eq!(
        statuses,
        [Accepted, Accepted, Accepted, Accepted, AlreadyHad, Accepted, Accepted, AlreadyHad]
    );

    // Each record once, at the version that won.
    let mut stored = Vec::new();
    s.export_records("org", &RecordFilter::default(), &mut |row| {
        stored.push((row.id, row.version));
        Ok(())
    })
    .expect("export");
    stored.sort();
    assert_eq!(stored.len(), 103);
    assert!(stored.contains(&(id(5), 3)));
    assert!(stored.contains(&(id(200), 2)));

    // The change log in the order one record at a time gives: a record is numbered when its
    // write is followed by a record whose id is stored, or at the end.
    let mate = device(&s, "org", Some(dev.worker_id));
    let page = s
        .pull_records("org", mate.worker_id, mate.device_id, 0, 1000)
        .expect("pull");
    let order: Vec<String> = page.records.iter().map(|r| r.id.to_string()).collect();
    let mut expected: Vec<String> = (1..=100).filter(|&n| n != 5).map(id).collect();
    expected.extend([id(201), id(5), id(202), id(200)]);
    assert_eq!(order, expected);

    // The totals match the records (the rows replaced left theirs).
    drop(s);
    let db = Connection::open(dir.path().join("server.db")).expect("db");
    let one = |q: &str| -> i64 { db.query_row(q, [], |r| r.get(0)).expect(q) };
    assert_eq!(one("SELECT sum(n) FROM totals"), 103);
    for (area, n, people) in [("downtown", 99, 99), ("east", 1, 1), ("west", 3, 11)] {
        let q = format!("SELECT sum(n), sum(people_reached) FROM totals WHERE area = '{area}'");
        let got: (i64, i64) = db
            .query_row(&q, [], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("totals");
        assert_eq!(got, (n, people), "{area}");
    }
    assert_eq!(
        one("SELECT sum(n) FROM worker_totals"),
        one("SELECT sum(n) FROM totals")
    );
}
