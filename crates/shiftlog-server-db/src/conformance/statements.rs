//! Signed work statements: keys are kept as told, a new key retires the others and destroys
//! their secrets at once, revocation is per organization and destroys the secret, the
//! register finds a statement by its code and keeps the first one written, and a worker's
//! records are read for that worker, those days and live only.

use chrono::{DateTime, Duration, DurationRound, Utc};
use uuid::Uuid;

use super::{device, record, unique};
use crate::{
    IngestDecision, IngestRecord, IssuedStatement, Storage, StorageError, StoredHead,
    StoredStatementKey,
};

fn now() -> DateTime<Utc> {
    Utc::now()
        .duration_trunc(Duration::seconds(1))
        .expect("truncate")
}

fn key(org_id: &str, at: DateTime<Utc>) -> StoredStatementKey {
    StoredStatementKey {
        key_id: unique()[..16].to_string(),
        org_id: org_id.into(),
        public_key: unique(),
        secret: Some(unique()),
        created_at: at,
        retired_at: None,
        revoked_at: None,
    }
}

fn on_day(n: u64, day: &str, deleted: bool) -> IngestRecord {
    let mut rec = record(n, 1, "");
    rec.facts.day = day.into();
    if deleted {
        let mut e = serde_json::to_value(&rec.envelope).expect("envelope");
        e["deleted"] = true.into();
        rec.envelope = serde_json::from_value(e).expect("envelope");
    }
    rec
}

/// Keys, the register and a worker's records, as the trait says.
pub fn statement_keys_and_register_are_kept_as_told(s: &dyn Storage) {
    let org = format!("k{}", &unique()[..8]);
    let other = format!("o{}", &unique()[..8]);
    s.ensure_organization(&org, "K").expect("org");
    s.ensure_organization(&other, "O").expect("org");
    assert_eq!(s.statement_keys(&org).expect("keys"), []);

    let t0 = now() - Duration::days(2);
    let first = key(&org, t0);
    s.add_statement_key(&first, t0).expect("first");
    let theirs = key(&other, t0);
    s.add_statement_key(&theirs, t0).expect("theirs");
    assert_eq!(
        s.statement_keys(&org).expect("keys"),
        std::slice::from_ref(&first)
    );

    let t1 = now() - Duration::days(1);
    let second = key(&org, t1);
    s.add_statement_key(&second, t1).expect("second");
    let keys = s.statement_keys(&org).expect("keys");
    let retired = StoredStatementKey {
        secret: None,
        retired_at: Some(t1),
        ..first.clone()
    };
    assert_eq!(keys, [second.clone(), retired.clone()], "newest first");
    // Another organization's key is untouched by this one's rotation.
    assert_eq!(
        s.statement_keys(&other).expect("keys"),
        std::slice::from_ref(&theirs)
    );

    let t2 = now();
    assert!(matches!(
        s.revoke_statement_key(&org, &theirs.key_id, t2),
        Err(StorageError::NotFound(_))
    ));
    s.revoke_statement_key(&org, &second.key_id, t2)
        .expect("revoke");
    s.revoke_statement_key(&org, &second.key_id, t2 + Duration::days(1))
        .expect("again");
    let keys = s.statement_keys(&org).expect("keys");
    assert_eq!(keys[0].revoked_at, Some(t2), "the first revocation is kept");
    assert_eq!(keys[0].secret, None);
    assert_eq!(
        s.statement_keys(&other).expect("keys")[0].secret,
        theirs.secret
    );

    // A new key after a revocation does not mark the revoked one retired.
    let third = key(&org, t2);
    s.add_statement_key(&third, t2).expect("third");
    let keys = s.statement_keys(&org).expect("keys");
    assert_eq!(keys.len(), 3);
    assert!(keys
        .iter()
        .any(|k| k.key_id == second.key_id && k.retired_at.is_none()));

    let issued = IssuedStatement {
        code: format!("{}-{}", &unique()[..5], &unique()[..5]),
        org_id: org.clone(),
        worker_id: Uuid::now_v7(),
        key_id: third.key_id.clone(),
        issued_at: t2,
        document: "{\"a\":1}".into(),
    };
    let asking = device(s, &org, None);
    s.add_issued_statement(asking.device_id, &issued)
        .expect("issued");
    s.add_issued_statement(
        asking.device_id,
        &IssuedStatement {
            document: "{\"b\":2}".into(),
            ..issued.clone()
        },
    )
    .expect("same code again");
    assert_eq!(
        s.issued_statement(&issued.code).expect("find"),
        Some(issued.clone())
    );
    assert_eq!(s.issued_statement("NOPE0-NOPE0").expect("find"), None);
    // For a device revoked meanwhile: nothing kept.
    s.revoke_device(&org, asking.device_id).expect("revoke");
    let late = IssuedStatement {
        code: format!("{}-{}", &unique()[..5], &unique()[..5]),
        ..issued.clone()
    };
    let refused = s.add_issued_statement(asking.device_id, &late);
    assert!(
        matches!(refused, Err(StorageError::DeviceRevoked)),
        "{refused:?}"
    );
    assert_eq!(s.issued_statement(&late.code).expect("find"), None);

    // A worker's records: that worker's, those days, live only.
    let a = device(s, &org, None);
    let b = device(s, &org, None);
    let insert = |_: &IngestRecord, _: Option<&StoredHead>| IngestDecision::Insert;
    s.ingest(
        &a,
        &[
            on_day(9_100_001, "2026-11-01", false),
            on_day(9_100_002, "2026-11-30", false),
            on_day(9_100_003, "2026-12-01", false),
            on_day(9_100_004, "2026-11-15", true),
        ],
        &insert,
    )
    .expect("a");
    s.ingest(&b, &[on_day(9_100_005, "2026-11-10", false)], &insert)
        .expect("b");
    let rows = s
        .worker_work(&org, a.worker_id, "2026-11-01", "2026-11-30")
        .expect("work");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows
        .iter()
        .all(|r| r.record_type == "activity" && r.body.is_none()));
    assert_eq!(
        s.worker_work(&other, a.worker_id, "2026-11-01", "2026-11-30")
            .expect("work"),
        []
    );
}
