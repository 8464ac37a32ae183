//! Enrollment codes: storage says what it holds, the caller judges, the redemption is atomic.

use std::sync::{Arc, Barrier, Mutex};

use chrono::Utc;
use uuid::Uuid;

use super::{code, unique};
use crate::{NewDevice, Redeemed, Storage, StoredCode};

fn new_device() -> NewDevice {
    NewDevice {
        device_id: Uuid::now_v7(),
        name: "phone".into(),
        token_hash: unique(),
        new_worker: (Uuid::now_v7(), format!("W-{}", &unique()[..8])),
    }
}

/// The caller's check sees the stored code; a refused code stays unused; a used one is
/// refused by the usual check; racing redemptions enroll once.
pub fn codes_are_judged_by_the_caller_and_redeemed_once(s: Arc<dyn Storage>) {
    let org = format!("conf_{}", &unique()[..8]);
    s.ensure_organization(&org, "Conformance").expect("org");
    let once = |c: &StoredCode| c.used_at.is_none();

    let hash = code(&*s, &org, None);
    let seen: Mutex<Option<StoredCode>> = Mutex::new(None);
    let refuse = |c: &StoredCode| {
        *seen.lock().expect("seen") = Some(c.clone());
        false
    };
    assert_eq!(
        s.redeem_code(&hash, &new_device(), &refuse)
            .expect("redeem"),
        Redeemed::Invalid
    );
    let c = seen
        .lock()
        .expect("seen")
        .clone()
        .expect("asked with the stored code");
    assert_eq!(
        (c.org_id.as_str(), c.worker_id, c.used_at.as_deref()),
        (org.as_str(), None, None)
    );
    let expires = chrono::DateTime::parse_from_rfc3339(&c.expires_at).expect("as stored");
    assert!(expires > Utc::now(), "{expires}");

    // Refused, so still unused: it redeems now, and then never again.
    assert!(matches!(
        s.redeem_code(&hash, &new_device(), &once).expect("redeem"),
        Redeemed::Enrolled { .. }
    ));
    let used = Mutex::new(None);
    let again = |c: &StoredCode| {
        *used.lock().expect("used") = c.used_at.clone();
        c.used_at.is_none()
    };
    assert_eq!(
        s.redeem_code(&hash, &new_device(), &again).expect("redeem"),
        Redeemed::Invalid
    );
    assert!(
        used.lock().expect("used").is_some(),
        "the check saw when it was used"
    );

    // An unknown code is invalid without asking.
    let never = |_: &StoredCode| -> bool { panic!("asked about an unknown code") };
    assert_eq!(
        s.redeem_code("no such code", &new_device(), &never)
            .expect("redeem"),
        Redeemed::Invalid
    );

    // Four devices racing for one code: one enrolls.
    let hash = code(&*s, &org, None);
    let start = Arc::new(Barrier::new(4));
    let racers: Vec<_> = (0..4)
        .map(|_| {
            let (s, start, hash) = (s.clone(), start.clone(), hash.clone());
            std::thread::spawn(move || {
                start.wait();
                s.redeem_code(&hash, &new_device(), &|c: &StoredCode| c.used_at.is_none())
                    .expect("redeem")
            })
        })
        .collect();
    let enrolled = racers
        .into_iter()
        .map(|t| t.join().expect("racer"))
        .filter(|r| matches!(r, Redeemed::Enrolled { .. }))
        .count();
    assert_eq!(enrolled, 1, "a code enrolls one device");
}
