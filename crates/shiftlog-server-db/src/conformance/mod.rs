//! The behaviour every backend must show, as tests each backend runs against itself
//! (`test-support` feature). Storage is data access: these check that it reads what it holds,
//! asks the caller's decision, and writes exactly what it is told, atomically.

mod accounts;
mod codes;
mod ingest;
mod messages;
mod spikes;
mod statements;
mod tokens;
mod worker_totals;

pub use accounts::staff_accounts_change_only_what_they_are_told;
pub use codes::codes_are_judged_by_the_caller_and_redeemed_once;
pub use ingest::{
    a_revoked_device_stores_nothing, concurrent_pushes_are_each_decided_by_their_own_caller,
    ingest_does_what_it_is_told, two_instances_store_a_record_once,
};
pub use messages::messages_are_offered_and_counted_as_told;
pub use spikes::{activities_are_counted_by_area_and_time, spike_thresholds_are_kept_as_told};
pub use statements::statement_keys_and_register_are_kept_as_told;
pub use tokens::staff_tokens_are_kept_as_told;
pub use worker_totals::worker_summaries_match_the_records;

use chrono::{Duration, Utc};
use shiftlog_wire::RecordEnvelope;
use uuid::Uuid;

use crate::{DeviceAuth, Facts, IngestRecord, NewCode, NewDevice, Redeemed, Storage};

/// A fresh random hex string.
fn unique() -> String {
    Uuid::new_v4().simple().to_string()
}

/// An enrollment code of `org_id` for `worker` (a new worker if none), valid for an hour;
/// returns its hash.
fn code(s: &dyn Storage, org_id: &str, worker: Option<Uuid>) -> String {
    let code_hash = unique();
    s.add_enrollment_code(&NewCode {
        code_hash: code_hash.clone(),
        org_id: org_id.into(),
        worker_id: worker,
        created_by: "conformance".into(),
        expires_at: Utc::now() + Duration::hours(1),
    })
    .expect("code");
    code_hash
}

/// A device of a new worker of `org_id` (or of `worker`), enrolled through the storage API
/// (also for a backend's own tests).
pub fn device(s: &dyn Storage, org_id: &str, worker: Option<Uuid>) -> DeviceAuth {
    s.ensure_organization(org_id, org_id).expect("org");
    let code_hash = code(s, org_id, worker);
    let token_hash = unique();
    let redeemed = s
        .redeem_code(
            &code_hash,
            &NewDevice {
                device_id: Uuid::now_v7(),
                name: "phone".into(),
                token_hash: token_hash.clone(),
                new_worker: (Uuid::now_v7(), format!("W-{}", &unique()[..8])),
            },
            &|_| true,
        )
        .expect("redeem");
    assert!(
        matches!(redeemed, Redeemed::Enrolled { .. }),
        "{redeemed:?}"
    );
    s.device_by_token(&token_hash)
        .expect("device")
        .expect("enrolled device")
}

/// Record `n` at `version`, with a body saying `what`.
fn record(n: u64, version: u32, what: &str) -> IngestRecord {
    let envelope: RecordEnvelope = serde_json::from_value(serde_json::json!({
        "id": format!("01936d5e-8f7a-7cc0-8a5e-{n:012x}"),
        "version": version,
        "record_type": "activity",
        "kind": "supplies_distributed",
        "occurred_at": "2026-11-20T23:42:00-08:00",
        "recorded_at": "2026-11-20T23:42:05-08:00",
        "body": {"area": "downtown", "note": what},
    }))
    .expect("envelope");
    IngestRecord {
        envelope,
        facts: Facts {
            day: "2026-11-20".into(),
            week: "2026-11-16".into(),
            month: "2026-11".into(),
            area: Some("downtown".into()),
            on_shift: true,
            items: vec![("naloxone_kit".into(), 2)],
            ..Facts::default()
        },
    }
}
