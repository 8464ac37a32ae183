//! Ingest: storage asks, the caller decides, storage writes what it is told.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};

use chrono::Utc;
use shiftlog_wire::{RecordResult, RecordStatus};
use uuid::Uuid;

use super::{device, record};
use crate::{
    DeviceAuth, IngestDecision, IngestRecord, RecordFilter, Storage, StorageError, StoredHead,
};

/// Today's rule, as the service had it: only the worker who made a record changes it; a
/// higher version replaces; anything else was had already.
fn by_version(
    device: &DeviceAuth,
) -> impl Fn(&IngestRecord, Option<&StoredHead>) -> IngestDecision + Sync + '_ {
    move |rec, head| {
        let r = &rec.envelope;
        let Some(h) = head else {
            return IngestDecision::Insert;
        };
        if h.org_id != device.org_id || h.worker_id.is_some_and(|w| w != device.worker_id) {
            IngestDecision::Answer(RecordResult::rejected(
                r.id,
                r.version,
                "id_taken",
                "taken".into(),
            ))
        } else if r.version > h.version {
            IngestDecision::Replace
        } else {
            IngestDecision::Answer(RecordResult::plain(
                r.id,
                r.version,
                RecordStatus::AlreadyHad,
            ))
        }
    }
}

fn statuses(results: &[RecordResult]) -> Vec<RecordStatus> {
    results.iter().map(|r| r.status).collect()
}

/// (version, note) of every live record of `org`, by id.
fn stored(s: &dyn Storage, org: &str) -> Vec<(String, i64, String)> {
    let mut out = Vec::new();
    s.export_records(org, &RecordFilter::default(), &mut |row| {
        let body: serde_json::Value = serde_json::from_str(&row.body).expect("body");
        out.push((
            row.id,
            row.version,
            body["note"].as_str().unwrap_or("").to_string(),
        ));
        Ok(())
    })
    .expect("export");
    out.sort();
    out
}

/// One device's pushes through every decision, on an organization of its own.
pub fn ingest_does_what_it_is_told(s: &dyn Storage) {
    let org = format!("conf_{}", &super::unique()[..8]);
    let dev = device(s, &org, None);
    let other = device(s, &org, None);
    let id = |n: u64| record(n, 1, "").envelope.id.to_string();

    // A new record: decided with nothing stored, inserted.
    let seen: Mutex<Vec<Option<StoredHead>>> = Mutex::new(Vec::new());
    let rule = by_version(&dev);
    let watching = |r: &IngestRecord, h: Option<&StoredHead>| {
        seen.lock().expect("seen").push(h.cloned());
        rule(r, h)
    };
    let first = s
        .ingest(&dev, &[record(1, 1, "first")], &watching)
        .expect("ingest");
    assert_eq!(statuses(&first), [RecordStatus::Accepted]);
    assert_eq!(
        *seen.lock().expect("seen"),
        [None],
        "asked once, with nothing stored"
    );

    // The same again: decided with what is stored, as stored; nothing written.
    seen.lock().expect("seen").clear();
    let again = s
        .ingest(&dev, &[record(1, 1, "first")], &watching)
        .expect("ingest");
    assert_eq!(statuses(&again), [RecordStatus::AlreadyHad]);
    let heads = seen.lock().expect("seen").clone();
    let head = heads
        .last()
        .cloned()
        .flatten()
        .expect("asked with the stored head");
    assert_eq!(
        (head.org_id.as_str(), head.worker_id, head.version),
        (org.as_str(), Some(dev.worker_id), 1)
    );
    assert_eq!(
        (head.record_type.as_str(), head.kind.as_str(), head.deleted),
        ("activity", "supplies_distributed", false)
    );
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(&head.occurred_at).expect("rfc3339"),
        record(1, 1, "").envelope.occurred_at
    );
    let body: serde_json::Value = serde_json::from_str(&head.body).expect("body as stored");
    assert_eq!(body["note"], "first");
    assert_eq!(head.unknown, None);

    // Replace: the new version is stored, once.
    let v2 = s
        .ingest(&dev, &[record(1, 2, "second")], &rule)
        .expect("ingest");
    assert_eq!(statuses(&v2), [RecordStatus::Accepted]);
    assert_eq!(stored(s, &org), [(id(1), 2, "second".to_string())]);

    // Another worker's push is answered as decided, and changes nothing.
    let taken = s
        .ingest(&other, &[record(1, 3, "theirs")], &by_version(&other))
        .expect("ingest");
    assert_eq!(taken[0].reason_code.as_deref(), Some("id_taken"));
    assert_eq!(stored(s, &org), [(id(1), 2, "second".to_string())]);

    // AnswerWithCurrent: storage fills in the stored version.
    let lost = |r: &IngestRecord, h: Option<&StoredHead>| match h {
        None => IngestDecision::Insert,
        Some(_) => IngestDecision::AnswerWithCurrent(RecordResult::plain(
            r.envelope.id,
            r.envelope.version,
            RecordStatus::Superseded,
        )),
    };
    let answer = s
        .ingest(&dev, &[record(1, 1, "stale")], &lost)
        .expect("ingest");
    assert_eq!(answer[0].status, RecordStatus::Superseded);
    let current = answer[0].current.as_deref().expect("the stored version");
    assert_eq!((current.id.to_string(), current.version), (id(1), 2));
    assert_eq!(current.body["note"], "second");
    assert_eq!(stored(s, &org), [(id(1), 2, "second".to_string())]);

    // A refusal of a new record stores nothing.
    let refuse = |r: &IngestRecord, _: Option<&StoredHead>| {
        IngestDecision::Answer(RecordResult::rejected(
            r.envelope.id,
            r.envelope.version,
            "nope",
            "no".into(),
        ))
    };
    let refused = s
        .ingest(&dev, &[record(2, 1, "refused")], &refuse)
        .expect("ingest");
    assert_eq!(refused[0].reason_code.as_deref(), Some("nope"));
    assert_eq!(s.count_records(&org).expect("count"), 1);

    // Answers come in request order, a mixed push in one transaction.
    let mixed = s
        .ingest(
            &dev,
            &[
                record(3, 1, "three"),
                record(1, 2, "second"),
                record(4, 1, "four"),
                record(3, 2, "three b"),
            ],
            &rule,
        )
        .expect("ingest");
    assert_eq!(
        statuses(&mixed),
        [
            RecordStatus::Accepted,
            RecordStatus::AlreadyHad,
            RecordStatus::Accepted,
            RecordStatus::Accepted
        ]
    );
    assert_eq!(
        stored(s, &org),
        [
            (id(1), 2, "second".into()),
            (id(3), 2, "three b".into()),
            (id(4), 1, "four".into())
        ]
    );

    // Deciding to insert what is stored is refused rather than overwriting it silently, and
    // the push's other records are not stored either.
    let blind = |_: &IngestRecord, _: Option<&StoredHead>| IngestDecision::Insert;
    assert!(s
        .ingest(&dev, &[record(5, 1, "five"), record(1, 9, "blind")], &blind)
        .is_err());
    assert_eq!(s.count_records(&org).expect("count"), 3);

    // The pull of the worker's other device shows the changes once each.
    let mate = device(s, &org, Some(dev.worker_id));
    let page = s
        .pull_records(&org, mate.worker_id, mate.device_id, 0, 100)
        .expect("pull");
    let mut pulled: Vec<(String, u32)> = page
        .records
        .iter()
        .map(|r| (r.id.to_string(), r.version))
        .collect();
    pulled.sort();
    assert_eq!(pulled, [(id(1), 2), (id(3), 2), (id(4), 1)]);
}

/// Pushes of several devices at once (on SQLite: committed as a group by one writer), each
/// re-sending records that are stored: every record is decided by its own push's function.
pub fn concurrent_pushes_are_each_decided_by_their_own_caller(s: Arc<dyn Storage>) {
    const PUSHES: u64 = 8;
    const EACH: u64 = 20;
    let org = format!("conf_{}", &super::unique()[..8]);
    let owner = device(&*s, &org, None);
    let shared: Vec<IngestRecord> = (0..EACH)
        .map(|n| record(900_000 + n, 1, "shared"))
        .collect();
    s.ingest(&owner, &shared, &by_version(&owner))
        .expect("shared");
    let start = Arc::new(Barrier::new(PUSHES as usize));
    let threads: Vec<_> = (0..PUSHES)
        .map(|k| {
            let (s, start, shared) = (s.clone(), start.clone(), shared.clone());
            let dev = device(&*s, &org, None);
            std::thread::spawn(move || {
                let mut records: Vec<IngestRecord> =
                    (0..EACH).map(|n| record(k * 1000 + n, 1, "own")).collect();
                records.extend(shared);
                let asked_fresh = AtomicUsize::new(0);
                let asked_stored = AtomicUsize::new(0);
                let mine = |r: &IngestRecord, h: Option<&StoredHead>| match h {
                    None => {
                        asked_fresh.fetch_add(1, Ordering::Relaxed);
                        IngestDecision::Insert
                    }
                    Some(_) => {
                        asked_stored.fetch_add(1, Ordering::Relaxed);
                        let (id, v) = (r.envelope.id, r.envelope.version);
                        IngestDecision::Answer(RecordResult::rejected(
                            id,
                            v,
                            &format!("push{k}"),
                            "x".into(),
                        ))
                    }
                };
                start.wait();
                let results = s.ingest(&dev, &records, &mine).expect("ingest");
                (
                    k,
                    results,
                    asked_fresh.into_inner(),
                    asked_stored.into_inner(),
                )
            })
        })
        .collect();
    for t in threads {
        let (k, results, fresh, stored) = t.join().expect("push thread");
        assert_eq!(results.len(), 2 * EACH as usize);
        for r in &results[..EACH as usize] {
            assert_eq!(r.status, RecordStatus::Accepted, "push {k}: {r:?}");
        }
        for r in &results[EACH as usize..] {
            assert_eq!(
                r.reason_code.as_deref(),
                Some(format!("push{k}").as_str()),
                "push {k}: decided by its own function"
            );
        }
        assert_eq!(
            (fresh, stored),
            (2 * EACH as usize, EACH as usize),
            "push {k}"
        );
    }
    assert_eq!(s.count_records(&org).expect("count"), EACH * (PUSHES + 1));
}

/// Two storages on one database (two server instances), the same push sent through each at
/// once, twice: every record is stored once, and every other answer was decided with the
/// stored head.
pub fn two_instances_store_a_record_once(a: Arc<dyn Storage>, b: Arc<dyn Storage>) {
    let org = format!("conf_{}", &super::unique()[..8]);
    let dev = device(&*a, &org, None);
    let records: Vec<IngestRecord> = (0..50).map(|n| record(700_000 + n, 1, "both")).collect();
    let start = Arc::new(Barrier::new(4));
    let threads: Vec<_> = [&a, &b, &a, &b]
        .into_iter()
        .map(|s| {
            let (s, start, dev, records) = (s.clone(), start.clone(), dev.clone(), records.clone());
            std::thread::spawn(move || {
                start.wait();
                s.ingest(&dev, &records, &by_version(&dev)).expect("ingest")
            })
        })
        .collect();
    let mut accepted = 0;
    for t in threads {
        for r in t.join().expect("push") {
            match r.status {
                RecordStatus::Accepted => accepted += 1,
                RecordStatus::AlreadyHad => {}
                other => panic!("{other:?}: {r:?}"),
            }
        }
    }
    assert_eq!(
        accepted, 50,
        "each record accepted once across both instances"
    );
    assert_eq!(a.count_records(&org).expect("count"), 50);
}

/// A device revoked between two of its pushes: the next push stores nothing and is answered
/// [`StorageError::DeviceRevoked`], though the caller's [`DeviceAuth`] (read before) still
/// says not revoked; its message receipts too; a device never enrolled the same. A revocation
/// that comes while a push is being stored waits for that push's commit. Pushes of the
/// revoked device and of another one, at once: the other's are all stored.
pub fn a_revoked_device_stores_nothing(s: Arc<dyn Storage>) {
    let org = format!("conf_{}", &super::unique()[..8]);
    let dev = device(&*s, &org, None);
    let other = device(&*s, &org, None);
    let id = |n: u64| record(n, 1, "").envelope.id.to_string();
    let first = s
        .ingest(&dev, &[record(1, 1, "before")], &by_version(&dev))
        .expect("before");
    assert_eq!(statuses(&first), [RecordStatus::Accepted]);

    // Revoked while the next push is inside its transaction (deciding on a stored id): the
    // revocation waits for the commit, and the push is stored.
    let (done, revoked) = std::sync::mpsc::channel();
    let revoked = Mutex::new(revoked);
    let revoking: Mutex<Option<std::thread::JoinHandle<()>>> = Mutex::new(None);
    let rule = by_version(&dev);
    let revoke_meanwhile = |r: &IngestRecord, h: Option<&StoredHead>| {
        if h.is_some() {
            let (s, org, done, dev_id) = (s.clone(), org.clone(), done.clone(), dev.device_id);
            *revoking.lock().expect("revoking") = Some(std::thread::spawn(move || {
                s.revoke_device(&org, dev_id).expect("revoke");
                let _ = done.send(());
            }));
            assert!(
                revoked
                    .lock()
                    .expect("revoked")
                    .recv_timeout(std::time::Duration::from_millis(300))
                    .is_err(),
                "a revocation committed while a push of the device was being stored"
            );
        }
        rule(r, h)
    };
    let during = s
        .ingest(&dev, &[record(1, 2, "during")], &revoke_meanwhile)
        .expect("the push the revocation waited for");
    assert_eq!(statuses(&during), [RecordStatus::Accepted]);
    revoking
        .lock()
        .expect("revoking")
        .take()
        .expect("decided on the stored id")
        .join()
        .expect("revoked after the push");

    // After: nothing of the device's push, though `dev` still says not revoked.
    assert!(!dev.revoked);
    let asked = AtomicUsize::new(0);
    let counting = |r: &IngestRecord, h: Option<&StoredHead>| {
        asked.fetch_add(1, Ordering::Relaxed);
        rule(r, h)
    };
    let after = s.ingest(
        &dev,
        &[record(2, 1, "new"), record(1, 3, "edit")],
        &counting,
    );
    assert!(
        matches!(after, Err(StorageError::DeviceRevoked)),
        "{after:?}"
    );
    assert_eq!(stored(&*s, &org), [(id(1), 2, "during".to_string())]);
    let receipts = s.add_message_receipts(dev.device_id, &[Uuid::now_v7()], Utc::now());
    assert!(
        matches!(receipts, Err(StorageError::DeviceRevoked)),
        "{receipts:?}"
    );
    let ghost = DeviceAuth {
        device_id: Uuid::now_v7(),
        ..other.clone()
    };
    let never = s.ingest(&ghost, &[record(3, 1, "ghost")], &by_version(&ghost));
    assert!(
        matches!(never, Err(StorageError::DeviceRevoked)),
        "{never:?}"
    );

    // At once (on SQLite, often in one group commit): the other device's pushes are stored.
    const PUSHES: u64 = 8;
    let start = Arc::new(Barrier::new(PUSHES as usize));
    let threads: Vec<_> = (0..PUSHES)
        .map(|k| {
            let (s, start) = (s.clone(), start.clone());
            let who = if k % 2 == 0 {
                dev.clone()
            } else {
                other.clone()
            };
            std::thread::spawn(move || {
                let records: Vec<IngestRecord> = (0..20)
                    .map(|n| record(10_000 * (k + 1) + n, 1, ""))
                    .collect();
                start.wait();
                (k, s.ingest(&who, &records, &by_version(&who)))
            })
        })
        .collect();
    for t in threads {
        match t.join().expect("push") {
            (k, Ok(results)) if k % 2 == 1 => {
                assert!(results.iter().all(|r| r.status == RecordStatus::Accepted))
            }
            (k, Err(StorageError::DeviceRevoked)) if k % 2 == 0 => {}
            (k, got) => panic!("push {k}: {got:?}"),
        }
    }
    assert_eq!(
        s.count_records(&org).expect("count"),
        1 + 20 * PUSHES / 2,
        "the first record and the other device's"
    );
}
