//! The bytes a signature covers: the statement as JSON with every object's keys sorted
//! (by their UTF-8 bytes), no whitespace, strings escaped as `serde_json` writes them, and
//! integers only (the content has no floats). In front of them goes [`DOMAIN`], so a
//! statement key's signature can never be taken for a signature over anything else.
//!
//! The sorting is done here, not left to `serde_json`'s map type: a crate elsewhere in a
//! build may switch on its `preserve_order` feature, which would change the order.

use serde_json::Value;

use crate::content::Statement;

/// What the signed bytes start with: the format and a newline.
pub const DOMAIN: &[u8] = b"shiftlog.statement.v1\n";

/// The canonical JSON of a statement (without [`DOMAIN`]).
pub fn canonical_json(statement: &Statement) -> Vec<u8> {
    // A statement is plain structs, strings and integers: it always becomes a Value.
    let value = serde_json::to_value(statement).unwrap_or(Value::Null);
    let mut out = Vec::with_capacity(1024);
    write_value(&value, &mut out);
    out
}

/// The bytes the signature covers: [`DOMAIN`] then [`canonical_json`].
pub fn signed_bytes(statement: &Statement) -> Vec<u8> {
    let mut out = DOMAIN.to_vec();
    out.extend_from_slice(&canonical_json(statement));
    out
}

fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                if let Some(v) = map.get(key) {
                    write_value(v, out);
                }
            }
            out.push(b'}');
        }
    }
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    // serde_json escapes `"`, `\` and control characters and nothing else: one spelling.
    let quoted = serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""));
    out.extend_from_slice(quoted.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_and_nothing_is_spaced() {
        let v = serde_json::json!({"b": [1, {"z": null, "a": "x\"y"}], "a": true});
        let mut out = Vec::new();
        write_value(&v, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap_or_default(),
            r#"{"a":true,"b":[1,{"a":"x\"y","z":null}]}"#
        );
    }
}
