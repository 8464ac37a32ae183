//! New PINs have 6 to 12 digits; a profile made with 4 or 5 still opens with them, says so
//! (`pin_change_needed`), and gets today's Argon2 costs when the PIN changes.

mod common;

use serde_json::json;
use shiftlog_core::{
    Core, CoreError, KdfParams, NewActivity, RecordQuery, Unlock, ValidationError,
};

fn kdf_in_key_json(dir: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("key.json")).expect("key.json");
    serde_json::from_str::<serde_json::Value>(&text).expect("json")["kdf"].clone()
}

#[test]
fn a_new_profile_needs_six_digits() {
    let dir = tempfile::tempdir().expect("tempdir");
    for short in ["2468", "24681", "1234a6"] {
        let err = Core::open(dir.path(), Unlock::Pin(short.into()), &common::opts())
            .err()
            .expect("a short PIN makes no profile");
        assert!(
            matches!(err, CoreError::Invalid(ValidationError::BadPin)),
            "{short}: {err:?}"
        );
        assert!(!shiftlog_core::profile_exists(dir.path()), "{short}");
    }
    let core = Core::open(dir.path(), Unlock::Pin("246813".into()), &common::opts()).expect("6");
    assert!(!core.pin_change_needed());
    let err = core
        .change_pin("246813", "1357")
        .expect_err("short new PIN");
    assert!(
        matches!(err, CoreError::Invalid(ValidationError::BadPin)),
        "{err:?}"
    );
}

#[test]
fn new_keys_cost_more_than_the_old_baseline() {
    let new = KdfParams::default();
    assert_ne!(new, KdfParams::LEGACY);
    assert!(new.m_kib >= 64 * 1024 && new.t >= 3, "{new:?}");
}

#[test]
fn a_four_digit_profile_opens_is_asked_to_change_and_gets_new_costs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old_cost = KdfParams {
        m_kib: 128,
        t: 1,
        p: 1,
    };
    shiftlog_core::test_support::legacy_pin_profile(dir.path(), "2468", old_cost).expect("old");
    let core = Core::open(dir.path(), Unlock::Pin("2468".into()), &common::opts()).expect("opens");
    assert!(core.pin_change_needed(), "a 4-digit PIN must be changed");
    let org = core.add_local_organization("Street Outreach").expect("org");
    core.log_activity(NewActivity {
        org_id: Some(org.id.clone()),
        occurred_at: None,
        kind: "outreach_contact".into(),
        body: json!({"note": "before the change"}),
    })
    .expect("log");
    drop(core);
    // Still asked at the next unlock, and the stored costs stay the old ones until then.
    let core = Core::open(dir.path(), Unlock::Pin("2468".into()), &common::opts()).expect("again");
    assert!(core.pin_change_needed());
    assert_eq!(kdf_in_key_json(dir.path()), json!(old_cost));
    core.change_pin("2468", "975310").expect("change");
    assert!(!core.pin_change_needed());
    assert_eq!(kdf_in_key_json(dir.path()), json!(common::fast()));
    drop(core);

    let err = Core::open(dir.path(), Unlock::Pin("2468".into()), &common::opts())
        .err()
        .expect("the old PIN no longer opens");
    assert!(matches!(err, CoreError::WrongPin), "{err:?}");
    let core = Core::open(dir.path(), Unlock::Pin("975310".into()), &common::opts()).expect("new");
    assert!(!core.pin_change_needed());
    assert_eq!(
        core.list_records(&RecordQuery::default())
            .expect("list")
            .len(),
        1
    );
}
