//! Changing the PIN: the database is re-keyed, the old PIN stops opening it, the records stay;
//! and a change cut short at the worst moments (after `key.json` holds the pending change;
//! after the re-key, before `key.json` says so) is finished by the next unlock with either PIN.
//! One test per binary: the cut hook is global to the process.

mod common;

use serde_json::json;
use shiftlog_core::test_support::cut_pin_change_at;
use shiftlog_core::{Core, CoreError, NewActivity, RecordQuery, Unlock};

const NEW: &str = "975310";

fn note(core: &Core, text: &str) {
    core.log_activity(NewActivity {
        org_id: None,
        occurred_at: None,
        kind: "outreach_contact".into(),
        body: json!({ "note": text }),
    })
    .expect("log");
}

fn open(dir: &std::path::Path, pin: &str) -> shiftlog_core::Result<std::sync::Arc<Core>> {
    Core::open(dir, Unlock::Pin(pin.into()), &common::opts())
}

fn key_json(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("key.json")).expect("read"))
        .expect("json")
}

#[test]
fn changing_the_pin_rekeys_and_survives_a_cut_at_the_worst_moment() {
    // A plain change.
    let (dir, core) = common::profile();
    note(&core, "kept through the change");
    let err = core.change_pin("111111", NEW).expect_err("wrong old PIN");
    assert!(matches!(err, CoreError::WrongPin), "{err:?}");
    let salt_before = key_json(dir.path())["salt"].clone();
    core.change_pin(common::PIN, NEW).expect("change");
    note(&core, "written after the change");
    assert_ne!(key_json(dir.path())["salt"], salt_before, "a new salt");
    drop(core);
    let err = open(dir.path(), common::PIN)
        .err()
        .expect("old PIN refused");
    assert!(matches!(err, CoreError::WrongPin), "{err:?}");
    // The database itself answers only to the new key: the old key cannot read it.
    let core = open(dir.path(), NEW).expect("new PIN opens");
    assert_eq!(
        core.list_records(&RecordQuery::default())
            .expect("list")
            .len(),
        2
    );
    drop(core);

    // Cut short after `pending` is written (step 1) or after the re-key (step 2); the next
    // unlock uses the old PIN or the new one. Every case ends with the new PIN as the PIN.
    for step in [1u8, 2] {
        for unlock_with in [common::PIN, NEW] {
            let (dir, core) = common::profile();
            note(&core, "must survive");
            cut_pin_change_at(step);
            let err = core.change_pin(common::PIN, NEW).expect_err("cut");
            cut_pin_change_at(0);
            assert!(matches!(err, CoreError::KeyFile(_)), "{err:?}");
            assert!(
                key_json(dir.path())["pending"].is_object(),
                "step {step}: pending kept"
            );
            drop(core);
            let what = format!("step {step}, unlocked with {unlock_with}");
            let core = open(dir.path(), unlock_with).unwrap_or_else(|e| panic!("{what}: {e:?}"));
            assert_eq!(
                core.list_records(&RecordQuery::default())
                    .expect("list")
                    .len(),
                1,
                "{what}"
            );
            drop(core);
            assert!(
                key_json(dir.path()).get("pending").is_none(),
                "{what}: settled"
            );
            let err = open(dir.path(), common::PIN)
                .err()
                .expect("old PIN refused");
            assert!(matches!(err, CoreError::WrongPin), "{what}: {err:?}");
            let core = open(dir.path(), NEW).unwrap_or_else(|e| panic!("{what}: {e:?}"));
            assert_eq!(
                core.list_records(&RecordQuery::default())
                    .expect("list")
                    .len(),
                1
            );
            assert!(
                shiftlog_core::quarantined(dir.path()).is_empty(),
                "{what}: nothing set aside"
            );
        }
    }
}
