//! A packed push body (protocol 3, `shiftlog_wire::packed`) as the server receives it: whatever
//! the bytes, decoding never panics and never allocates past what the bytes can hold; a refusal
//! is one clean sentence; a batch that decodes packs again to the same records, and is exactly
//! what the same records sent as JSON decode to on the server (so the record checks the `push`
//! target fuzzes are the ones packed records meet).

#![no_main]

use libfuzzer_sys::fuzz_target;
use shiftlog_model::check::is_direction_override;
use shiftlog_model::decode::decode_push;
use shiftlog_wire::packed::{decode, encode, MAX_RECORDS};

fuzz_target!(|data: &[u8]| {
    let req = match decode(data) {
        Ok(req) => req,
        Err(e) => {
            let text = e.to_string();
            if let Some(c) = text
                .chars()
                .find(|c| c.is_control() || is_direction_override(*c))
            {
                panic!("the refusal holds {c:?}: {text:?}");
            }
            assert!(text.chars().count() <= 400, "{text}");
            return;
        }
    };
    assert!(req.records.len() <= MAX_RECORDS);
    let again = decode(&encode(&req)).expect("a decoded batch packs again");
    let json = serde_json::to_vec(&req).expect("json");
    assert_eq!(
        serde_json::to_value(&again).expect("json"),
        serde_json::from_slice::<serde_json::Value>(&json).expect("json")
    );
    let as_json = decode_push(&json).expect("the same records as JSON are a push");
    assert_eq!(as_json.protocol, req.protocol);
    assert_eq!(as_json.lang, req.lang);
    assert_eq!(as_json.records.len(), req.records.len());
    for (j, p) in as_json.records.iter().zip(&req.records) {
        let j = j.as_ref().expect("every packed record reads as JSON");
        assert_eq!(
            serde_json::to_value(j).expect("json"),
            serde_json::to_value(p).expect("json")
        );
    }
});
