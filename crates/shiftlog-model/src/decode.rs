//! Reading a push as the server receives it. Each record is decoded on its own, so a record
//! that cannot be read (a bad id, a version that is not a number) is refused alone, with a
//! reason, and never takes the other records of its batch with it.

use serde::Deserialize;
use serde_json::Value;
use shiftlog_wire::{PushRequest, RecordEnvelope};
use uuid::Uuid;

use crate::error::ValidationError;

/// A record that could not be decoded, with what could be read of it to answer it.
#[derive(Debug, Clone, PartialEq)]
pub struct Undecodable {
    /// Its id, or the nil id when it has none that can be read.
    pub id: Uuid,
    /// Its version, or 0.
    pub version: u32,
    /// Why.
    pub error: ValidationError,
}

/// A push, record by record.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedPush {
    /// The protocol version the device chose.
    pub protocol: u32,
    /// The language the worker reads.
    pub lang: Option<String>,
    /// Each record, or why it cannot be read.
    pub records: Vec<Result<RecordEnvelope, Undecodable>>,
}

/// Why a whole push cannot be read (it is not JSON, or not a push at all).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct BadPush(pub String);

#[derive(Deserialize)]
struct LoosePush {
    protocol: u32,
    #[serde(default)]
    lang: Option<String>,
    records: Vec<Value>,
}

/// Decodes a push body. The common case (every record well formed) costs one pass.
pub fn decode_push(bytes: &[u8]) -> Result<DecodedPush, BadPush> {
    if let Ok(p) = serde_json::from_slice::<PushRequest>(bytes) {
        return Ok(DecodedPush {
            protocol: p.protocol,
            lang: p.lang,
            records: p.records.into_iter().map(Ok).collect(),
        });
    }
    let loose: LoosePush = serde_json::from_slice(bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "The body is not valid JSON"
            }
            _ => "The JSON does not match what was expected",
        };
        BadPush(format!("{what}: {e}."))
    })?;
    Ok(DecodedPush {
        protocol: loose.protocol,
        lang: loose.lang,
        records: loose.records.into_iter().map(decode_record).collect(),
    })
}

fn decode_record(v: Value) -> Result<RecordEnvelope, Undecodable> {
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .unwrap_or(Uuid::nil());
    let version = v
        .get("version")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0);
    serde_json::from_value::<RecordEnvelope>(v).map_err(|e| Undecodable {
        id,
        version,
        error: ValidationError::Malformed(e.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_unreadable_record_is_refused_alone() {
        let body = br#"{"protocol": 2, "records": [
            {"id": "not-a-uuid", "version": 1},
            {"id": "01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c11", "version": 1, "record_type": "activity",
             "kind": "meal_service", "occurred_at": "2026-11-20T10:00:00Z",
             "recorded_at": "2026-11-20T10:00:00Z", "body": {}},
            {"id": "01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c12", "version": -3}
        ]}"#;
        let p = decode_push(body).expect("push");
        assert_eq!(p.records.len(), 3);
        assert!(matches!(&p.records[0], Err(u) if u.id.is_nil() && u.version == 1));
        assert!(p.records[1].is_ok());
        assert!(matches!(&p.records[2], Err(u) if !u.id.is_nil() && u.version == 0));
    }

    #[test]
    fn a_body_that_is_not_a_push_is_refused_whole() {
        for body in [
            &b"[1,2]"[..],
            b"",
            b"{\"protocol\": 1",
            b"{\"protocol\": \"one\", \"records\": []}",
        ] {
            assert!(
                decode_push(body).is_err(),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
