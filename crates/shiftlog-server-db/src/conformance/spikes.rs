//! Spike thresholds and counts: storage keeps the thresholds it is told, per organization,
//! replaced as a whole; and counts one kind of live activity by area, by when it happened,
//! within the bounds it is given, for one organization only.

use chrono::DateTime;
use shiftlog_wire::{RecordEnvelope, RecordResult, RecordStatus};

use super::{device, record, unique};
use crate::{AreaCount, IngestDecision, IngestRecord, SpikeThreshold, Storage, StoredHead};

/// Record `n` of `kind` in `area` (if any), happened at `at` (RFC 3339).
fn activity(n: u64, kind: &str, area: Option<&str>, at: &str) -> IngestRecord {
    let mut rec = record(n, 1, "");
    let mut e: serde_json::Value = serde_json::to_value(&rec.envelope).expect("envelope");
    e["kind"] = kind.into();
    e["occurred_at"] = at.into();
    e["recorded_at"] = at.into();
    e["body"] = serde_json::json!({"area": area});
    rec.envelope = serde_json::from_value::<RecordEnvelope>(e).expect("envelope");
    rec.facts.area = area.map(str::to_string);
    rec
}

fn ms(at: &str) -> i64 {
    DateTime::parse_from_rfc3339(at)
        .expect("time")
        .timestamp_millis()
}

/// Thresholds read back as stored (default first), are replaced as a whole, and are one
/// organization's.
pub fn spike_thresholds_are_kept_as_told(s: &dyn Storage) {
    let (north, south) = (
        format!("n{}", &unique()[..8]),
        format!("s{}", &unique()[..8]),
    );
    s.ensure_organization(&north, "North").expect("org");
    s.ensure_organization(&south, "South").expect("org");
    assert_eq!(s.spike_thresholds(&north).expect("q"), vec![]);
    let t = |area: Option<&str>, threshold: Option<u32>, window_hours| SpikeThreshold {
        area: area.map(str::to_string),
        threshold,
        window_hours,
    };
    let set = vec![
        t(None, Some(3), 24),
        t(Some("downtown"), Some(2), 6),
        t(Some("harbour"), None, 24),
    ];
    s.replace_spike_thresholds(&north, &set).expect("set");
    s.replace_spike_thresholds(&south, &[t(None, Some(50), 48)])
        .expect("set");
    assert_eq!(s.spike_thresholds(&north).expect("q"), set);
    s.replace_spike_thresholds(&north, &[t(Some("v6a"), Some(4), 12)])
        .expect("replace");
    assert_eq!(
        s.spike_thresholds(&north).expect("q"),
        vec![t(Some("v6a"), Some(4), 12)]
    );
    assert_eq!(
        s.spike_thresholds(&south).expect("q"),
        vec![t(None, Some(50), 48)]
    );
    s.replace_spike_thresholds(&north, &[]).expect("clear");
    assert_eq!(s.spike_thresholds(&north).expect("q"), vec![]);
}

/// Counts are of one kind, of live records, within both bounds (included), by area, and of
/// one organization only.
pub fn activities_are_counted_by_area_and_time(s: &dyn Storage) {
    let org = format!("c{}", &unique()[..8]);
    let other = format!("o{}", &unique()[..8]);
    let dev = device(s, &org, None);
    let theirs = device(s, &other, None);
    let od = "overdose_response";
    let mine = vec![
        activity(1, od, Some("downtown"), "2026-11-20T10:00:00-08:00"),
        activity(2, od, Some("downtown"), "2026-11-20T18:00:00Z"),
        activity(3, od, Some("harbour"), "2026-11-21T09:59:59Z"),
        activity(4, od, Some("downtown"), "2026-11-19T17:59:59Z"),
        activity(5, od, Some("downtown"), "2026-11-21T10:00:01Z"),
        activity(
            6,
            "outreach_contact",
            Some("downtown"),
            "2026-11-20T12:00:00Z",
        ),
        activity(7, od, None, "2026-11-20T12:00:00Z"),
        activity(8, od, Some("downtown"), "2026-11-20T13:00:00Z"),
    ];
    let insert = |_: &IngestRecord, _: Option<&StoredHead>| IngestDecision::Insert;
    let results = s.ingest(&dev, &mine, &insert).expect("ingest");
    assert!(results.iter().all(|r| r.status == RecordStatus::Accepted));
    let their = [activity(20, od, Some("downtown"), "2026-11-20T12:00:00Z")];
    s.ingest(&theirs, &their, &insert).expect("ingest");

    // Record 8 deleted: a tombstone replaces it.
    let mut gone = mine[7].clone();
    gone.envelope.version = 2;
    gone.envelope.deleted = true;
    let replace = |r: &IngestRecord, h: Option<&StoredHead>| match h {
        Some(_) => IngestDecision::Replace,
        None => IngestDecision::Answer(RecordResult::plain(
            r.envelope.id,
            r.envelope.version,
            RecordStatus::AlreadyHad,
        )),
    };
    s.ingest(&dev, &[gone], &replace).expect("delete");

    let (from, to) = (ms("2026-11-19T18:00:00Z"), ms("2026-11-21T10:00:00Z"));
    let counts = s.activities_by_area(&org, od, from, to).expect("count");
    assert_eq!(
        counts,
        vec![
            AreaCount {
                area: "downtown".into(),
                records: 2
            },
            AreaCount {
                area: "harbour".into(),
                records: 1
            },
        ]
    );
    // Both ends are included.
    let edge = s
        .activities_by_area(
            &org,
            od,
            ms("2026-11-19T17:59:59Z"),
            ms("2026-11-21T10:00:01Z"),
        )
        .expect("count");
    assert_eq!(edge[0].records, 4, "{edge:?}");
    assert_eq!(
        s.activities_by_area(&other, od, from, to).expect("count"),
        vec![AreaCount {
            area: "downtown".into(),
            records: 1
        }]
    );
    assert_eq!(
        s.activities_by_area(&org, "outreach_contact", from, to)
            .expect("count")[0]
            .records,
        1
    );
}
