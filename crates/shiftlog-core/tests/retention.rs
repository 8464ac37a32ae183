//! Check-ins follow the retention period the worker chooses (7, 30, 90 or 365 days, or until
//! they delete them; 30 by default): older ones are gone when the profile opens again, newer
//! ones stay, and "keep" keeps them all.

mod common;

use shiftlog_core::{Core, NewCheckin, Unlock};
use uuid::Uuid;

fn checkin(core: &Core, note: &str) -> Uuid {
    core.record_checkin(NewCheckin {
        wellbeing: Some(3),
        private_note: Some(note.into()),
        ..NewCheckin::default()
    })
    .expect("checkin")
    .id
}

/// Makes a check-in look `days` old, as the clock would after that long.
fn age(dir: &std::path::Path, id: Uuid, days: i64) {
    let raw = shiftlog_core::test_support::raw_connection(
        dir,
        &Unlock::Pin(common::PIN.into()),
        common::fast(),
    )
    .expect("raw");
    let t = chrono::Utc::now() - chrono::Duration::days(days);
    let n = raw
        .execute(
            "UPDATE checkins SET created_utc_ms = ?2, created_at = ?3 WHERE id = ?1",
            rusqlite::params![id.to_string(), t.timestamp_millis(), t.to_rfc3339()],
        )
        .expect("age");
    assert_eq!(n, 1);
}

fn ids(core: &Core) -> Vec<Uuid> {
    let mut v: Vec<Uuid> = core
        .list_checkins()
        .expect("list")
        .into_iter()
        .map(|c| c.id)
        .collect();
    v.sort();
    v
}

#[test]
fn check_ins_older_than_the_period_are_gone_after_reopening() {
    let (dir, core) = common::profile();
    assert_eq!(
        core.checkin_retention_days().expect("get"),
        Some(30),
        "default"
    );
    let old = checkin(&core, "forty days ago");
    let edge = checkin(&core, "twenty-nine days ago");
    let new = checkin(&core, "today");
    drop(core);
    age(dir.path(), old, 40);
    age(dir.path(), edge, 29);
    let core = common::open(dir.path()).expect("reopen");
    let mut want = vec![edge, new];
    want.sort();
    assert_eq!(
        ids(&core),
        want,
        "the 40-day-old one is gone, the others stay"
    );

    // A shorter period takes effect at once.
    core.set_checkin_retention_days(Some(7)).expect("7 days");
    assert_eq!(ids(&core), vec![new]);
    assert_eq!(core.checkin_retention_days().expect("get"), Some(7));
}

#[test]
fn keep_keeps_every_check_in() {
    let (dir, core) = common::profile();
    core.set_checkin_retention_days(None).expect("keep");
    let old = checkin(&core, "two years ago");
    drop(core);
    age(dir.path(), old, 730);
    let core = common::open(dir.path()).expect("reopen");
    assert_eq!(core.checkin_retention_days().expect("get"), None);
    assert_eq!(ids(&core), vec![old], "kept until the worker deletes it");
    core.delete_checkin(old).expect("delete");
    assert!(ids(&core).is_empty());
}

#[test]
fn only_the_offered_periods_are_accepted() {
    let (_dir, core) = common::profile();
    for bad in [0, 1, 31, 10_000] {
        let err = core
            .set_checkin_retention_days(Some(bad))
            .expect_err("refused");
        assert_eq!(err.code(), "invalid", "{bad}");
    }
    assert_eq!(core.checkin_retention_days().expect("get"), Some(30));
    for good in Core::CHECKIN_RETENTION_CHOICES {
        core.set_checkin_retention_days(Some(good)).expect("ok");
        assert_eq!(core.checkin_retention_days().expect("get"), Some(good));
    }
}
