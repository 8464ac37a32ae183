//! Staff accounts: disabling, password hashes, removal and ending sessions do exactly what
//! they say, only inside the named organization.

use chrono::{Duration, Utc};
use uuid::Uuid;

use super::unique;
use crate::{Role, Session, StaffAccount, Storage, StorageError};

fn account(s: &dyn Storage, org_id: &str, username: &str) -> StaffAccount {
    s.ensure_organization(org_id, org_id).expect("org");
    let a = StaffAccount {
        id: Uuid::now_v7(),
        org_id: org_id.into(),
        username: username.into(),
        password_hash: "old-hash".into(),
        role: Role::Admin,
        disabled: false,
    };
    s.create_staff(&a).expect("staff");
    a
}

fn session(s: &dyn Storage, staff: &StaffAccount) -> String {
    let token_hash = unique();
    s.create_session(&Session {
        token_hash: token_hash.clone(),
        csrf_hash: unique(),
        staff_id: staff.id,
        expires_at: Utc::now() + Duration::hours(1),
        last_used_at: Utc::now(),
    })
    .expect("session");
    token_hash
}

fn stored(s: &dyn Storage, a: &StaffAccount) -> Option<StaffAccount> {
    s.list_staff(&a.org_id)
        .expect("list")
        .into_iter()
        .find(|x| x.id == a.id)
}

/// Disable, re-enable, new password hash, ending sessions but one, and removal.
pub fn staff_accounts_change_only_what_they_are_told(s: &dyn Storage) {
    let org = format!("o{}", &unique()[..8]);
    let other = format!("p{}", &unique()[..8]);
    let ada = account(s, &org, "ada");
    let bob = account(s, &org, "bob");
    let twin = account(s, &other, "ada");

    s.set_staff_disabled(&org, ada.id, true).expect("disable");
    assert!(stored(s, &ada).expect("ada").disabled);
    assert!(!stored(s, &bob).expect("bob").disabled, "only ada");
    let by_name = s.staff_by_username("ada").expect("by name");
    assert_eq!(by_name.len(), 2, "one per organization");
    assert!(by_name.iter().any(|a| a.id == ada.id && a.disabled));
    assert!(by_name.iter().any(|a| a.id == twin.id && !a.disabled));
    let t = session(s, &ada);
    let (_, a) = s.session(&t).expect("q").expect("session");
    assert!(a.disabled, "a session's account says it is disabled");
    s.set_staff_disabled(&org, ada.id, false).expect("enable");
    assert!(!stored(s, &ada).expect("ada").disabled);
    assert!(matches!(
        s.set_staff_disabled(&other, ada.id, true),
        Err(StorageError::NotFound(_))
    ));
    assert!(
        !stored(s, &ada).expect("ada").disabled,
        "other org: no change"
    );

    s.set_staff_password(&org, ada.id, "new-hash").expect("pw");
    assert_eq!(stored(s, &ada).expect("ada").password_hash, "new-hash");
    assert_eq!(stored(s, &twin).expect("twin").password_hash, "old-hash");
    assert!(matches!(
        s.set_staff_password(&other, ada.id, "x"),
        Err(StorageError::NotFound(_))
    ));

    let (t2, t3, tb) = (session(s, &ada), session(s, &ada), session(s, &bob));
    assert_eq!(s.end_staff_sessions(ada.id, Some(&t2)).expect("end"), 2);
    assert!(s.session(&t2).expect("q").is_some(), "the kept one stays");
    assert!(s.session(&t).expect("q").is_none());
    assert!(s.session(&t3).expect("q").is_none());
    assert!(s.session(&tb).expect("q").is_some(), "bob's untouched");
    assert_eq!(s.end_staff_sessions(ada.id, None).expect("end"), 1);
    assert!(s.session(&t2).expect("q").is_none());

    let tb2 = session(s, &bob);
    assert!(matches!(
        s.remove_staff(&other, bob.id),
        Err(StorageError::NotFound(_))
    ));
    assert!(
        s.session(&tb2).expect("q").is_some(),
        "a refused removal ends nothing"
    );
    s.remove_staff(&org, bob.id)
        .expect("remove with live sessions");
    assert!(stored(s, &bob).is_none());
    assert!(s.session(&tb).expect("q").is_none());
    assert!(s.session(&tb2).expect("q").is_none());
    assert!(matches!(
        s.remove_staff(&org, bob.id),
        Err(StorageError::NotFound(_))
    ));
    assert!(stored(s, &ada).is_some() && stored(s, &twin).is_some());
}
