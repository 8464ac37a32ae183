//! A statement file from anyone (`shiftlog verify FILE`, the server's verify page and API):
//! reading and verifying it never panics, whatever the bytes; a statement that verifies still
//! verifies after being written out and read back, and every refusal has words in English and
//! French.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shiftlog_model::Lang;
use shiftlog_statement::{
    check_integrity, parse_file, verify, KeySet, PublishedKey, StatementKey,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(docs) = parse_file(text) else {
        return;
    };
    // The seed's key (secret [1; 32]), trusted for the seed's organization.
    let key = StatementKey::from_secret(&[1; 32]);
    let trusted = KeySet::new(vec![PublishedKey {
        key_id: key.key_id(),
        organization_id: "org-1".into(),
        public_key: hex_of(&key.public_key()),
        created_at: chrono::DateTime::from_timestamp(0, 0).unwrap_or_default(),
        retired_at: None,
        revoked_at: None,
    }]);
    for doc in docs {
        let _ = check_integrity(&doc);
        match verify(&doc, &trusted) {
            Ok(v) => {
                let again = parse_file(&doc.to_json()).expect("a verified statement reads back");
                assert!(verify(&again[0], &trusted).is_ok());
                assert_eq!(again[0].short_code().as_deref(), Some(v.short_code.as_str()));
            }
            Err(e) => {
                assert!(!e.message(Lang::En).is_empty() && !e.message(Lang::Fr).is_empty());
            }
        }
    }
});

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
