//! Messages: storage keeps what it is told, offers a device only its organization's live
//! messages (to everyone, or to a role its worker has a live shift in), and counts each
//! device's receipt once, leaving revoked devices out of the count.

use chrono::{Duration, Utc};
use shiftlog_wire::RecordEnvelope;
use uuid::Uuid;

use super::{device, record, unique};
use crate::{IngestDecision, IngestRecord, Message, Storage, StoredHead};

fn message(org: &str, text: &str, role: Option<&str>, expires_in: Duration) -> Message {
    let now = Utc::now();
    Message {
        id: Uuid::now_v7(),
        org_id: org.into(),
        urgency: "alert".into(),
        text: text.into(),
        role: role.map(str::to_string),
        posted_at: now - Duration::seconds(5),
        expires_at: now + expires_in,
        posted_by: "coordinator".into(),
        withdrawn_at: None,
    }
}

/// A shift record in `role`.
fn shift(n: u64, role: &str) -> IngestRecord {
    let mut rec = record(n, 1, "");
    let mut e: serde_json::Value = serde_json::to_value(&rec.envelope).expect("envelope");
    e["record_type"] = "shift".into();
    e["kind"] = "shift".into();
    e["body"] = serde_json::json!({"role": role});
    rec.envelope = serde_json::from_value::<RecordEnvelope>(e).expect("envelope");
    rec.facts.role = Some(role.into());
    rec
}

/// Messages are kept as told, offered and counted as the trait says.
pub fn messages_are_offered_and_counted_as_told(s: &dyn Storage) {
    let org = format!("m{}", &unique()[..8]);
    let other = format!("o{}", &unique()[..8]);
    let a = device(s, &org, None);
    let b = device(s, &org, None);
    let theirs = device(s, &other, None);
    let insert = |_: &IngestRecord, _: Option<&StoredHead>| IngestDecision::Insert;
    s.ingest(&b, &[shift(9_000_001, "nurse")], &insert)
        .expect("shift");

    let all = message(&org, "Strong batch downtown", None, Duration::hours(1));
    let nurses = message(&org, "Nurses: new kits", Some("nurse"), Duration::hours(1));
    let old = message(&org, "Gone", None, Duration::seconds(-1));
    let gone = message(&org, "Withdrawn", None, Duration::hours(1));
    let elsewhere = message(&other, "Other org", None, Duration::hours(1));
    for m in [&all, &nurses, &old, &gone, &elsewhere] {
        s.add_message(m).expect("add");
    }
    s.withdraw_message(&org, gone.id, Utc::now())
        .expect("withdraw");
    assert!(
        s.withdraw_message(&other, all.id, Utc::now()).is_err(),
        "another organization's message"
    );

    let ids = |v: Vec<Message>| v.into_iter().map(|m| m.id).collect::<Vec<_>>();
    let now = Utc::now();
    assert_eq!(
        ids(s.messages_for_device(&a, now, 100).expect("a")),
        [all.id]
    );
    let mut got_b = ids(s.messages_for_device(&b, now, 100).expect("b"));
    got_b.sort();
    let mut want_b = vec![all.id, nurses.id];
    want_b.sort();
    assert_eq!(got_b, want_b, "b's worker held the nurse role on a shift");
    assert_eq!(
        ids(s.messages_for_device(&theirs, now, 100).expect("theirs")),
        [elsewhere.id]
    );
    assert_eq!(
        s.messages_for_device(&b, now, 1).expect("limit").len(),
        1,
        "the limit holds"
    );

    s.add_message_receipts(a.device_id, &[all.id], now)
        .expect("receipt");
    s.add_message_receipts(a.device_id, &[all.id], now)
        .expect("repeat");
    s.add_message_receipts(b.device_id, &[all.id, nurses.id], now)
        .expect("receipts");
    let listed = s.messages(&org, 100).expect("list");
    assert_eq!(listed.len(), 4, "withdrawn and expired are listed to staff");
    let count = |id: Uuid| {
        listed
            .iter()
            .find(|m| m.message.id == id)
            .map(|m| m.delivered)
    };
    assert_eq!(count(all.id), Some(2), "a repeat is counted once");
    assert_eq!(count(nurses.id), Some(1));
    let stored = listed
        .iter()
        .find(|m| m.message.id == nurses.id)
        .expect("stored");
    assert_eq!(stored.message.text, nurses.text);
    assert_eq!(stored.message.role.as_deref(), Some("nurse"));
    assert!(listed
        .iter()
        .find(|m| m.message.id == gone.id)
        .is_some_and(|m| m.message.withdrawn_at.is_some()));

    s.revoke_device(&org, b.device_id).expect("revoke");
    let listed = s.messages(&org, 100).expect("list");
    let all_now = listed.iter().find(|m| m.message.id == all.id).expect("all");
    assert_eq!(all_now.delivered, 1, "revoked devices are not counted");
    assert_eq!(s.messages(&other, 100).expect("other").len(), 1);
}
