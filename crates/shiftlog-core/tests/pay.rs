//! The worker's pay ledger: lines stay on the device (never in the sync outbox) until the
//! worker shares one; the checks; the pay part of the summary and of its files; the schema.

mod common;

use chrono::{DateTime, FixedOffset, NaiveDate};
use shiftlog_core::model::PayMethod;
use shiftlog_core::{
    CoreError, EndShift, Lang, NewPayment, PayType, RecordQuery, RecordSync, RecordType,
    StartShift, SummaryFormat, SummaryQuery, Unlock, ValidationError,
};

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("time")
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day")
}

fn cash(cents: i64, on: &str) -> NewPayment {
    NewPayment {
        org_id: None,
        amount_cents: cents,
        currency: None,
        paid_on: day(on),
        method: PayMethod::Cash,
        shift_ids: vec![],
        note: None,
    }
}

/// Makes the profile's organization one with a server, as enrolling does, without one.
fn enrolled(dir: &std::path::Path) {
    let conn = shiftlog_core::test_support::raw_connection(
        dir,
        &Unlock::Pin(common::PIN.into()),
        common::fast(),
    )
    .expect("raw");
    conn.execute(
        "UPDATE organizations SET server_url = 'http://127.0.0.1:9/', device_id = 'd',
             device_token = 't'",
        [],
    )
    .expect("enrol");
}

/// Every byte of the `records` table (the outbox) as text.
fn outbox_text(dir: &std::path::Path) -> String {
    let conn = shiftlog_core::test_support::raw_connection(
        dir,
        &Unlock::Pin(common::PIN.into()),
        common::fast(),
    )
    .expect("raw");
    let mut s = conn
        .prepare("SELECT id || record_type || kind || body FROM records")
        .expect("prepare");
    let rows = s.query_map([], |r| r.get::<_, String>(0)).expect("rows");
    rows.collect::<Result<Vec<_>, _>>()
        .expect("collect")
        .join("\n")
}

fn shift(core: &shiftlog_core::Core, pay: PayType, from: &str, to: &str) -> uuid::Uuid {
    let s = core
        .start_shift(StartShift {
            pay_type: Some(pay),
            started_at: Some(t(from)),
            ..StartShift::default()
        })
        .expect("start");
    core.end_shift(EndShift {
        ended_at: Some(t(to)),
        ..EndShift::default()
    })
    .expect("end");
    s.id
}

#[test]
fn a_payment_stays_on_the_device_until_one_line_is_shared() {
    let (dir, core) = common::profile();
    enrolled(dir.path());
    let a = core.add_payment(cash(4_137, "2026-11-12")).expect("add");
    let b = core
        .add_payment(NewPayment {
            method: PayMethod::GiftCard,
            note: Some("  grocery card  ".into()),
            ..cash(2_589, "2026-11-20")
        })
        .expect("add");
    assert_eq!(a.currency, "CAD");
    assert_eq!(b.note.as_deref(), Some("grocery card"));
    assert_eq!(a.shared, None);
    // Nothing waits to be sent; the outbox holds no record and no amount.
    assert_eq!(core.sync_status().expect("status").waiting, 0);
    assert!(core
        .list_records(&RecordQuery::default())
        .expect("list")
        .is_empty());
    assert!(!outbox_text(dir.path()).contains("4137"));

    let shared = core.share_payment(b.id).expect("share");
    assert_eq!(shared.shared, Some(RecordSync::Waiting));
    let again = core.share_payment(b.id).expect("share twice");
    assert_eq!(
        again.shared_record_id, shared.shared_record_id,
        "one record"
    );
    let recs = core.list_records(&RecordQuery::default()).expect("list");
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.record_type, RecordType::Payment);
    assert_eq!(r.body["amount_cents"], 2_589);
    assert_eq!(r.body["method"], "gift_card");
    assert_eq!(r.body["paid_on"], "2026-11-20");
    assert_eq!(r.occurred_at.date_naive(), day("2026-11-20"));
    assert!(r.body.get("note").is_none(), "the note is never shared");
    let outbox = outbox_text(dir.path());
    assert!(
        outbox.contains("2589") && !outbox.contains("4137"),
        "{outbox}"
    );
    assert!(!outbox.contains("grocery"));
    assert_eq!(core.sync_status().expect("status").waiting, 1);

    // The record the server would check passes the record model on both sides.
    let env = r.to_envelope(false);
    for side in [shiftlog_model::Side::Device, shiftlog_model::Side::Server] {
        let cat = shiftlog_core::Catalogue::default_catalogue();
        let ctx = shiftlog_model::Context {
            catalogue: &cat,
            now: chrono::Utc::now(),
            side,
        };
        shiftlog_model::check_record(&env, &ctx).expect("valid");
    }

    // Editing a shared line edits the shared record; deleting it withdraws the record.
    let edited = core
        .edit_payment(
            b.id,
            NewPayment {
                method: PayMethod::GiftCard,
                ..cash(2_600, "2026-11-21")
            },
        )
        .expect("edit");
    let rec = core
        .get_record(edited.shared_record_id.expect("shared"))
        .expect("record");
    assert_eq!(
        (rec.version, rec.body["amount_cents"].as_i64()),
        (2, Some(2_600))
    );
    assert_eq!(rec.body["paid_on"], "2026-11-21");
    core.delete_payment(b.id).expect("delete");
    assert!(core
        .list_records(&RecordQuery::default())
        .expect("list")
        .is_empty());
    assert_eq!(
        core.sync_status().expect("status").waiting,
        1,
        "the deletion is sent"
    );
    assert_eq!(core.list_payments(None).expect("list").len(), 1);
    core.delete_payment(a.id).expect("delete");
    assert!(core.list_payments(None).expect("list").is_empty());
}

#[test]
fn a_line_of_an_organization_without_a_server_cannot_be_shared() {
    let (_dir, core) = common::profile();
    let p = core.add_payment(cash(1_000, "2026-11-12")).expect("add");
    match core.share_payment(p.id) {
        Err(CoreError::Invalid(ValidationError::NoServer)) => {}
        other => panic!("{other:?}"),
    }
    assert!(core
        .list_records(&RecordQuery::default())
        .expect("list")
        .is_empty());
}

#[test]
fn bad_payments_are_refused_and_nothing_is_stored() {
    let (_dir, core) = common::profile();
    let today = chrono::Local::now().date_naive();
    let cases: Vec<(NewPayment, &str)> = vec![
        (cash(0, "2026-11-12"), "out_of_range"),
        (cash(10_000_001, "2026-11-12"), "out_of_range"),
        (
            NewPayment {
                currency: Some("dollars".into()),
                ..cash(100, "2026-11-12")
            },
            "bad_currency",
        ),
        (
            NewPayment {
                note: Some("x".repeat(281)),
                ..cash(100, "2026-11-12")
            },
            "note_too_long",
        ),
        (
            NewPayment {
                note: Some("a\u{1b}[2Jb".into()),
                ..cash(100, "2026-11-12")
            },
            "control_character",
        ),
        (
            NewPayment {
                shift_ids: vec![uuid::Uuid::now_v7()],
                ..cash(100, "2026-11-12")
            },
            "not_found",
        ),
        (
            cash(100, &(today + chrono::Duration::days(2)).to_string()),
            "in_future",
        ),
        (cash(100, "1999-12-31"), "too_old"),
    ];
    for (p, code) in cases {
        match core.add_payment(p.clone()) {
            Err(CoreError::Invalid(e)) => {
                assert_eq!(e.code(), code, "{p:?}");
                assert_ne!(e.message(Lang::Fr), e.message(Lang::En));
            }
            other => panic!("{p:?}: {other:?}"),
        }
    }
    assert!(core.list_payments(None).expect("list").is_empty());
    // Lower-case currencies are tidied, not refused.
    let usd = core
        .add_payment(NewPayment {
            currency: Some(" usd ".into()),
            ..cash(100, "2026-11-12")
        })
        .expect("add");
    assert_eq!(usd.currency, "USD");
}

#[test]
fn the_summary_sets_paid_hours_against_money_by_month_and_organization() {
    let (dir, core) = common::profile();
    let other = core.add_local_organization("Drop-in Centre").expect("org");
    // Street Outreach: 4 paid hours and 3 volunteer hours in November, 2 paid in October.
    let s1 = shift(
        &core,
        PayType::Paid,
        "2026-11-10T09:00:00-08:00",
        "2026-11-10T13:00:00-08:00",
    );
    shift(
        &core,
        PayType::Volunteer,
        "2026-11-11T09:00:00-08:00",
        "2026-11-11T12:00:00-08:00",
    );
    shift(
        &core,
        PayType::Honorarium,
        "2026-10-05T09:00:00-08:00",
        "2026-10-05T11:00:00-08:00",
    );
    core.add_payment(NewPayment {
        shift_ids: vec![s1],
        method: PayMethod::ETransfer,
        ..cash(8_000, "2026-11-14")
    })
    .expect("pay");
    core.add_payment(cash(2_500, "2026-10-06")).expect("pay");
    core.add_payment(NewPayment {
        org_id: Some(other.id.clone()),
        ..cash(1_000, "2026-11-20")
    })
    .expect("pay");
    let q = SummaryQuery {
        from: t("2026-10-01T00:00:00-08:00"),
        to: t("2026-12-01T00:00:00-08:00"),
        org_id: None,
    };
    let s = core.pay_summary(&q).expect("pay summary");
    assert!((s.total.paid_hours - 6.0).abs() < 1e-9, "{s:?}");
    assert!((s.total.unpaid_hours - 3.0).abs() < 1e-9);
    assert_eq!(s.total.received_cents["CAD"], 11_500);
    assert_eq!(s.total.payments, 3);
    let nov = s
        .rows
        .iter()
        .find(|r| r.month == "2026-11" && r.org_name == "Street Outreach")
        .expect("november");
    assert!((nov.figures.paid_hours - 4.0).abs() < 1e-9);
    assert!((nov.figures.unpaid_hours - 3.0).abs() < 1e-9);
    assert_eq!(nov.figures.received_cents["CAD"], 8_000);
    assert_eq!(
        nov.figures.per_paid_hour_cents(),
        Some(("CAD".into(), 2_000))
    );
    let drop_in = s.by_org.iter().find(|r| r.org_id == other.id).expect("org");
    assert_eq!(drop_in.figures.paid_hours, 0.0);
    assert_eq!(drop_in.figures.received_cents["CAD"], 1_000);
    assert_eq!(s.by_month.len(), 2);
    // One organization only.
    let one = core
        .pay_summary(&SummaryQuery {
            org_id: Some(other.id.clone()),
            ..q.clone()
        })
        .expect("one");
    assert_eq!(one.total.received_cents["CAD"], 1_000);
    assert_eq!(one.total.paid_hours, 0.0);

    // The summary's files carry it, in both languages.
    let csv = core
        .summary_export(&q, SummaryFormat::Csv, Lang::En)
        .expect("csv");
    assert!(
        csv.contains("Street Outreach,Pay 2026-11,Paid hours,4.00\r\n"),
        "{csv}"
    );
    assert!(csv.contains("Street Outreach,Pay 2026-11,Received (CAD),80.00\r\n"));
    assert!(csv.contains("All organizations,Pay All months,Received (CAD),115.00\r\n"));
    let html = core
        .summary_export(&q, SummaryFormat::Html, Lang::Fr)
        .expect("html");
    assert!(html.contains("Heures payées et argent reçu"), "{html}");
    assert!(html.contains("115.00 CAD"));
    assert!(html.trim_end().ends_with("</body></html>"));
    drop(dir);
}

/// Entry n of the migration list is `migrations/000(n+1)_*.sql`: no number skipped, none out
/// of order (migration 8 and 9 landed from two helpers at once).
#[test]
fn migrations_are_numbered_without_a_gap() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    for (i, f) in files.iter().enumerate() {
        assert!(
            f.starts_with(&format!("{:04}_", i + 1)),
            "{f} at {i}: {files:?}"
        );
    }
    let (d, _core) = common::profile();
    let conn = shiftlog_core::test_support::raw_connection(
        d.path(),
        &Unlock::Pin(common::PIN.into()),
        common::fast(),
    )
    .expect("raw");
    let v: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(v as usize, files.len(), "every file is in the list");
}

#[test]
fn a_shared_record_deleted_on_its_own_leaves_the_line_unshared_and_shareable_again() {
    let (dir, core) = common::profile();
    enrolled(dir.path());
    let p = core.add_payment(cash(1_500, "2026-11-12")).expect("add");
    let first = core.share_payment(p.id).expect("share");
    core.delete_record(first.shared_record_id.expect("shared"))
        .expect("delete from My records");
    let now = core.get_payment(p.id).expect("get");
    assert_eq!((now.shared_record_id, now.shared), (None, None));
    let again = core.share_payment(p.id).expect("share again");
    assert_ne!(again.shared_record_id, first.shared_record_id);
    assert_eq!(again.shared, Some(RecordSync::Waiting));
}

/// A profile made before the pay ledger (frozen schema 7, with a paid shift) upgrades: the
/// shift is kept, the ledger is there and empty, and the summary sets the shift's hours
/// against the first payment noted.
#[test]
fn a_profile_from_before_the_ledger_upgrades_with_nothing_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let conn =
            rusqlite::Connection::open(dir.path().join(shiftlog_core::DB_FILE)).expect("open");
        conn.execute_batch(include_str!("schemas/v7.sql"))
            .expect("schema");
        conn.execute_batch(
            "PRAGMA user_version = 7;
             INSERT INTO organizations (id, name, joined_at)
               VALUES ('local-peers', 'Peers', '2026-11-01T00:00:00Z');
             INSERT INTO records (id, org_id, record_type, kind, occurred_at, occurred_utc_ms,
                    recorded_at, version, body, on_shift, pay_type, ended_utc_ms)
               VALUES ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c31', 'local-peers', 'shift', 'shift',
                       '2026-11-10T09:00:00-08:00', 1794330000000, '2026-11-10T09:00:00-08:00', 1,
                       '{\"started_at\":\"2026-11-10T09:00:00-08:00\",\"ended_at\":\"2026-11-10T11:00:00-08:00\",\"pay_type\":\"paid\"}',
                       1, 'paid', 1794337200000);",
        )
        .expect("rows");
    }
    let core = common::open(dir.path()).expect("upgrade");
    assert!(core.list_payments(None).expect("ledger").is_empty());
    let shift = uuid::Uuid::parse_str("01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c31").expect("id");
    core.add_payment(NewPayment {
        shift_ids: vec![shift],
        ..cash(5_000, "2026-11-12")
    })
    .expect("a payment for the old shift");
    let s = core
        .pay_summary(&SummaryQuery {
            from: t("2026-11-01T00:00:00-08:00"),
            to: t("2026-12-01T00:00:00-08:00"),
            org_id: None,
        })
        .expect("summary");
    assert!((s.total.paid_hours - 2.0).abs() < 1e-9, "{s:?}");
    assert_eq!(s.total.received_cents["CAD"], 5_000);
}

/// A shared record the retention purge removed after it was sent stays shown as shared: the
/// organization has it, and sharing the line again would send it twice.
#[test]
fn a_shared_line_stays_shared_after_its_record_is_purged() {
    let (dir, core) = common::profile();
    enrolled(dir.path());
    let p = core.add_payment(cash(1_500, "2026-11-12")).expect("add");
    let shared = core.share_payment(p.id).expect("share");
    let rid = shared.shared_record_id.expect("shared");
    let conn = shiftlog_core::test_support::raw_connection(
        dir.path(),
        &Unlock::Pin(common::PIN.into()),
        common::fast(),
    )
    .expect("raw");
    conn.execute("DELETE FROM records WHERE id = ?1", [rid.to_string()])
        .expect("purge as retention does");
    let now = core.get_payment(p.id).expect("get");
    assert_eq!(now.shared_record_id, Some(rid));
    assert!(
        matches!(now.shared, Some(RecordSync::Sent { .. })),
        "{now:?}"
    );
    let again = core.share_payment(p.id).expect("share again");
    assert_eq!(again.shared_record_id, Some(rid), "not sent twice");
    assert!(core
        .list_records(&RecordQuery::default())
        .expect("list")
        .is_empty());
}
