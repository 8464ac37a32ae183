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
