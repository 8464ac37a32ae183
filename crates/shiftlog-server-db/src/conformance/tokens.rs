//! Staff API tokens: storage keeps what it is told (expired or not: judging is the caller's),
//! finds a token by its hash only, lists one organization's, and removes only its own.

use chrono::{Duration, DurationRound, Utc};
use uuid::Uuid;

use super::unique;
use crate::{StaffToken, Storage, StorageError, TokenScope};

fn token(org_id: &str, name: &str, scope: TokenScope, days: i64) -> StaffToken {
    // Whole seconds: both backends store RFC 3339 text; compare what round-trips exactly.
    let now = Utc::now()
        .duration_trunc(Duration::seconds(1))
        .expect("truncate");
    StaffToken {
        id: Uuid::now_v7(),
        org_id: org_id.into(),
        name: name.into(),
        scope,
        created_at: now,
        expires_at: now + Duration::days(days),
        created_by: "conformance".into(),
        last_used_at: None,
    }
}

/// A token reads back as stored, by its hash only; an expired one is still returned (the
/// service judges expiry); listing is per organization; removal is per organization; the
/// last use is written down.
pub fn staff_tokens_are_kept_as_told(s: &dyn Storage) {
    let (north, south) = (
        format!("n{}", &unique()[..8]),
        format!("s{}", &unique()[..8]),
    );
    s.ensure_organization(&north, "North").expect("org");
    s.ensure_organization(&south, "South").expect("org");
    let summary = token(&north, "funder", TokenScope::Summary, 90);
    let expired = token(&north, "old", TokenScope::Coordinator, -1);
    let theirs = token(&south, "theirs", TokenScope::Coordinator, 30);
    let (h1, h2, h3) = (unique(), unique(), unique());
    s.add_staff_token(&summary, &h1).expect("add");
    s.add_staff_token(&expired, &h2).expect("add");
    s.add_staff_token(&theirs, &h3).expect("add");

    assert_eq!(s.staff_token(&h1).expect("q"), Some(summary.clone()));
    assert_eq!(s.staff_token(&h2).expect("q"), Some(expired.clone()));
    assert_eq!(s.staff_token(&unique()).expect("q"), None);
    assert_eq!(s.staff_token(&summary.id.to_string()).expect("q"), None);

    let mut listed = s.staff_tokens(&north).expect("list");
    listed.sort_by_key(|t| t.id);
    assert_eq!(listed, vec![summary.clone(), expired.clone()]);
    assert_eq!(s.staff_tokens(&south).expect("list"), vec![theirs.clone()]);

    let at = summary.created_at + Duration::minutes(5);
    s.touch_staff_token(summary.id, at).expect("touch");
    let used = s.staff_token(&h1).expect("q").expect("token");
    assert_eq!(used.last_used_at, Some(at));

    assert!(matches!(
        s.delete_staff_token(&north, theirs.id),
        Err(StorageError::NotFound(_))
    ));
    assert!(
        s.staff_token(&h3).expect("q").is_some(),
        "not north's to remove"
    );
    s.delete_staff_token(&north, summary.id).expect("delete");
    assert_eq!(s.staff_token(&h1).expect("q"), None);
    assert!(matches!(
        s.delete_staff_token(&north, summary.id),
        Err(StorageError::NotFound(_))
    ));
    assert_eq!(s.staff_tokens(&north).expect("list"), vec![expired]);
}
