//! Table tests of the sync plan.

use super::*;
use shiftlog_wire::{RecordResult, RecordStatus};
use uuid::Uuid;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn res(n: u128, version: u32, status: RecordStatus) -> RecordResult {
    RecordResult {
        id: id(n),
        version,
        status,
        reason: (status == RecordStatus::Rejected).then(|| "bad".to_string()),
        reason_code: None,
        current: None,
    }
}

#[test]
fn plan_marks_table() {
    let sent = vec![
        Outgoing {
            id: id(1),
            version: 1,
            counter: 1,
        },
        Outgoing {
            id: id(2),
            version: 3,
            counter: 2,
        },
        Outgoing {
            id: id(3),
            version: 1,
            counter: 1,
        },
        Outgoing {
            id: id(4),
            version: 1,
            counter: 1,
        },
    ];
    let results = vec![
        res(1, 1, RecordStatus::Accepted),
        res(2, 3, RecordStatus::AlreadyHad),
        res(3, 1, RecordStatus::Rejected),
        // Answer for a version we did not send: ignored, record 4 stays pending.
        res(4, 2, RecordStatus::Accepted),
        // Answer for a record we did not send: ignored.
        res(9, 1, RecordStatus::Accepted),
    ];
    assert_eq!(
        plan_marks(&sent, &results),
        vec![
            MarkAction::Confirmed {
                id: id(1),
                counter: 1
            },
            MarkAction::Confirmed {
                id: id(2),
                counter: 2
            },
            MarkAction::Rejected {
                id: id(3),
                counter: 1,
                reason: "bad".into()
            },
        ]
    );
}

#[test]
fn clock_warning_table() {
    for (skew, want) in [
        (0, None),
        (599, None),
        (-600, None),
        (11 * 60, Some(11)),
        (-11 * 60, Some(-11)),
        (3 * 24 * 3600, Some(3 * 24 * 60)),
    ] {
        assert_eq!(clock_warning(skew), want, "{skew}");
    }
}

#[test]
fn server_url_rules() {
    assert!(parse_server_url("https://org.example").is_ok());
    assert!(parse_server_url("http://127.0.0.1:8787").is_ok());
    assert!(parse_server_url("http://localhost:8787").is_ok());
    assert!(parse_server_url("http://[::1]:8787").is_ok());
    assert!(matches!(
        parse_server_url("http://org.example"),
        Err(CoreError::BadServerUrl(_))
    ));
    assert!(matches!(
        parse_server_url("ftp://org.example"),
        Err(CoreError::BadServerUrl(_))
    ));
    assert!(matches!(
        parse_server_url("not a url"),
        Err(CoreError::BadServerUrl(_))
    ));
}

/// One batch's marks in one statement: each confirmed record loses exactly the counter read
/// when it was sent (an edit made meanwhile stays pending), a refused one keeps its reason,
/// and records outside the batch are not touched.
#[test]
fn marks_subtract_each_records_own_counter_and_touch_nothing_else() {
    let mut db = rusqlite::Connection::open_in_memory().expect("open");
    crate::store::migrate(&db).expect("migrate");
    db.execute(
        "INSERT INTO organizations (id, name, joined_at) VALUES ('o', 'O', '2026-12-03T00:00:00Z')",
        [],
    )
    .expect("org");
    // (record, counter now): 1 and 2 sent as read; 3 edited once more after it was read;
    // 4 refused; 5 not in the batch.
    for (n, counter) in [(1u128, 1i64), (2, 2), (3, 2), (4, 1), (5, 1)] {
        db.execute(
            "INSERT INTO records (id, org_id, record_type, kind, occurred_at, occurred_utc_ms,
                 recorded_at, body, sync_change_counter, rejected_reason)
             VALUES (?1, 'o', 'activity', 'meal_service', '2026-12-03T10:00:00Z', ?2,
                 '2026-12-03T10:00:00Z', '{}', ?3, 'old reason')",
            params![id(n).to_string(), n as i64, counter],
        )
        .expect("record");
    }
    let marks = [
        MarkAction::Confirmed {
            id: id(1),
            counter: 1,
        },
        MarkAction::Confirmed {
            id: id(2),
            counter: 2,
        },
        MarkAction::Confirmed {
            id: id(3),
            counter: 1,
        },
        MarkAction::Rejected {
            id: id(4),
            counter: 1,
            reason: "too long".into(),
        },
    ];
    let report = marks::apply_marks_tx(&mut db, "o", &marks).expect("marks");
    assert_eq!(report.rejected, 1);
    let row = |n: u128| -> (i64, bool, Option<String>) {
        db.query_row(
            "SELECT sync_change_counter, synced_at IS NOT NULL, rejected_reason
             FROM records WHERE id = ?1",
            [id(n).to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("row")
    };
    assert_eq!(row(1), (0, true, None));
    assert_eq!(row(2), (0, true, None));
    assert_eq!(row(3), (1, true, None), "the later edit stays pending");
    assert_eq!(row(4), (0, false, Some("too long".into())));
    assert_eq!(
        row(5),
        (1, false, Some("old reason".into())),
        "not in the batch"
    );
}
