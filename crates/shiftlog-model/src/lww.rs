//! Which of two versions of a record wins: last writer wins by hybrid logical clock, across a
//! worker's devices, on the server and on every device alike. Nothing is decided silently: an
//! incoming version that loses is answered `superseded`, and the same version number with
//! another body is a `conflict`; in both cases the device takes the winner and keeps the
//! worker's own version for them to look at.

use serde_json::{Map, Value};
use shiftlog_wire::RecordEnvelope;

use crate::hlc;

/// One version of a record, as far as ordering goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version<'a> {
    /// Its version number (counts edits on the device that made it).
    pub version: u32,
    /// Its clock stamp, if the device that made it had one.
    pub hlc: Option<&'a str>,
}

/// What to do with an incoming version, given the stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The incoming version is later: store it.
    Store,
    /// The very same version is already stored: nothing to do.
    AlreadyHad,
    /// A later version is stored: the incoming one lost.
    Superseded,
    /// The same version number is stored with another body.
    Conflict,
}

/// True when `a` is later than `b`. Clocks decide; a clock that cannot be read, or that is
/// past the drift bound of `now_ms`, counts as none, and none is older than any clock (older
/// clients). Between two versions without clocks, the higher number wins.
pub fn newer(a: Version<'_>, b: Version<'_>, now_ms: i64) -> bool {
    let (ca, cb) = (hlc::effective(a.hlc, now_ms), hlc::effective(b.hlc, now_ms));
    match (ca, cb) {
        (None, None) => a.version > b.version,
        (x, y) if x == y => a.version > b.version,
        (x, y) => x > y,
    }
}

/// The rule: same version and same content is a retry; same version and other content is a
/// conflict; otherwise the later one wins.
pub fn decide(
    incoming: Version<'_>,
    stored: Version<'_>,
    same_content: bool,
    now_ms: i64,
) -> Outcome {
    if incoming.version == stored.version {
        return if same_content {
            Outcome::AlreadyHad
        } else {
            Outcome::Conflict
        };
    }
    if newer(incoming, stored, now_ms) {
        Outcome::Store
    } else {
        Outcome::Superseded
    }
}

/// Whether two envelopes say the same thing (type, kind, time, deletion, body and the fields
/// kept from newer peers), whatever the order of their JSON keys.
pub fn same_content(a: &RecordEnvelope, b: &RecordEnvelope) -> bool {
    a.record_type == b.record_type
        && a.kind == b.kind
        && a.occurred_at.to_rfc3339() == b.occurred_at.to_rfc3339()
        && a.deleted == b.deleted
        && a.body == b.body
        && a.unknown == b.unknown
}

/// [`same_content`] against a version stored as text (how the server keeps it).
pub fn same_content_as_stored(
    a: &RecordEnvelope,
    record_type: &str,
    kind: &str,
    occurred_at: &str,
    deleted: bool,
    body: &str,
    unknown: Option<&str>,
) -> bool {
    let stored_body: Option<Value> = serde_json::from_str(body).ok();
    let stored_unknown: Map<String, Value> = unknown
        .and_then(|u| serde_json::from_str(u).ok())
        .unwrap_or_default();
    a.record_type == record_type
        && a.kind == kind
        && same_instant_text(a, occurred_at)
        && a.deleted == deleted
        && stored_body.as_ref() == Some(&a.body)
        && a.unknown == stored_unknown
}

fn same_instant_text(a: &RecordEnvelope, stored: &str) -> bool {
    a.occurred_at.to_rfc3339() == stored
        || chrono::DateTime::parse_from_rfc3339(stored)
            .is_ok_and(|t| t == a.occurred_at && t.offset() == a.occurred_at.offset())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_200_000_000;

    fn v(version: u32, hlc: Option<&str>) -> Version<'_> {
        Version { version, hlc }
    }

    #[test]
    fn decision_table() {
        let early = hlc::format(NOW as u64 - 10_000, 0, 1);
        let late = hlc::format(NOW as u64 - 5_000, 0, 2);
        let future = hlc::format(NOW as u64 * 2, 0, 3);
        use Outcome::*;
        let cases = [
            // (incoming, stored, same content, expected)
            (v(2, Some(&late)), v(1, Some(&early)), false, Store),
            (v(2, Some(&early)), v(3, Some(&late)), false, Superseded),
            (v(2, Some(&late)), v(2, Some(&late)), true, AlreadyHad),
            (v(2, Some(&late)), v(2, Some(&early)), false, Conflict),
            (v(2, None), v(1, None), false, Store),
            (v(1, None), v(2, None), false, Superseded),
            (v(2, None), v(1, Some(&early)), false, Superseded),
            // A stored clock centuries ahead, or garbage, no longer wins every edit.
            (v(3, Some(&late)), v(2, Some(&future)), false, Store),
            (v(3, Some(&late)), v(2, Some("nonsense")), false, Store),
            // A lower version number with a later clock is a later edit.
            (v(2, Some(&late)), v(3, Some(&early)), false, Store),
        ];
        for (i, (inc, st, same, want)) in cases.into_iter().enumerate() {
            assert_eq!(decide(inc, st, same, NOW), want, "case {i}");
        }
    }
}
