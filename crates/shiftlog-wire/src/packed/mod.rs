//! The packed push (protocol 3): the same [`PushRequest`] as the JSON one, laid out column by
//! column so that gzip finds what records share. A server that lists protocol 3 in
//! `protocol_versions` takes a push body of [`CONTENT_TYPE`]; any other client or server keeps
//! to JSON.
//!
//! What chose the layout (figures in docs/benchmarks.md, "Sync"): in gzip JSON a record's id,
//! its times and its field names cost most of its bytes. Here an id is the difference of its
//! 48-bit time from the previous id's, then its 10 other bytes as they are; `occurred_at` is
//! its distance from its id's time (a record is given its id when it is saved, so only the
//! sub-millisecond digits are left), `recorded_at` its distance from `occurred_at`; a clock
//! stamp is its distance from `recorded_at`, its counter and its node; `record_type` and
//! `kind` are indexes into the batch's own table of strings. Bodies and fields from a newer
//! peer stay JSON text, so every kind, known or not, travels as it is.
//!
//! Layout (every number a LEB128 varint; a signed one zigzag-encoded; a string its length
//! then UTF-8):
//!
//! ```text
//! magic "SLP1" | protocol | lang: 0 = none, else length + 1, then bytes | n records
//! | m strings, each a string
//! | n flags bytes | n versions | n record_type indexes | n kind indexes
//! | n id time differences (signed) | n × 10 id bytes
//! | n occurred_at: seconds and nanoseconds from the id's time, offset minutes from the
//!   previous one's
//! | n recorded_at: seconds and nanoseconds from occurred_at, offset minutes from its
//! | for each flag "clock": milliseconds from recorded_at (signed), counter, node xor previous
//! | for each flag "raw clock": a string
//! | for each flag "unknown": a string (a JSON object)
//! | n body lengths | the bodies' JSON text, one after another
//! ```
//!
//! (All differences and offsets are signed; the nanoseconds of a leap second pass 10^9.)
//! [`decode`] reads any bytes without panicking and refuses, with a sentence, anything that
//! is not exactly one such batch: a cut-off body, counts past what the bytes can hold, an
//! index past the table, types and kinds longer all together than 16 times its size, a
//! difference that overflows, a time chrono cannot hold, trailing bytes, a body or unknown
//! fields that are not JSON (or name a field of the envelope).

use chrono::{DateTime, Datelike, FixedOffset};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{PushRequest, RecordEnvelope};

mod bytes;
use bytes::{put, put_signed, put_str, Reader};

/// The protocol version that adds packed pushes (otherwise as protocol 2).
pub const PROTOCOL: u32 = 3;
/// The `Content-Type` of a packed push body.
pub const CONTENT_TYPE: &str = "application/vnd.shiftlog.packed";
/// The first bytes of a packed push.
pub const MAGIC: &[u8; 4] = b"SLP1";
/// Most records [`decode`] reads from one batch, whatever the bytes claim (a server's own
/// batch limit, far lower, is checked after decoding, as for JSON).
pub const MAX_RECORDS: usize = 100_000;

const DELETED: u8 = 1;
const CLOCK: u8 = 2;
const RAW_CLOCK: u8 = 4;
const UNKNOWN: u8 = 8;
/// The bytes every record takes at least: its flags and the 10 id bytes after the time.
const MIN_RECORD_BYTES: usize = 11;
/// How many times the batch's own size its records' types and kinds may take, copied out of
/// the table (a record takes at least 23 bytes, so that is 368 characters of them a record).
const STRING_BUDGET: usize = 16;
/// Fields of [`RecordEnvelope`] itself, which can never be among its unknown fields.
const ENVELOPE_FIELDS: &[&str] = &[
    "id",
    "version",
    "record_type",
    "kind",
    "occurred_at",
    "recorded_at",
    "deleted",
    "hlc",
    "body",
];

/// Why a packed batch cannot be read, in words for the person who reads the server's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedError(pub String);

impl std::fmt::Display for PackedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "The packed batch cannot be read: {}.", self.0)
    }
}

impl std::error::Error for PackedError {}

fn bad<T>(what: impl Into<String>) -> Result<T, PackedError> {
    Err(PackedError(what.into()))
}

/// Encodes a push; [`decode`] gives it back equal when every record [`can_pack`].
pub fn encode(req: &PushRequest) -> Vec<u8> {
    let recs = &req.records;
    let mut w = Vec::with_capacity(64 + recs.len() * 48);
    w.extend_from_slice(MAGIC);
    put(&mut w, u64::from(req.protocol));
    match &req.lang {
        None => put(&mut w, 0),
        Some(l) => {
            put(&mut w, l.len() as u64 + 1);
            w.extend_from_slice(l.as_bytes());
        }
    }
    put(&mut w, recs.len() as u64);
    let mut table: Vec<&str> = Vec::new();
    let types: Vec<u64> = recs
        .iter()
        .map(|r| index(&mut table, &r.record_type))
        .collect();
    let kinds: Vec<u64> = recs.iter().map(|r| index(&mut table, &r.kind)).collect();
    put(&mut w, table.len() as u64);
    for s in &table {
        put_str(&mut w, s);
    }
    let clocks: Vec<Option<(u64, u16, u32)>> = recs
        .iter()
        .map(|r| r.hlc.as_deref().and_then(canonical_clock))
        .collect();
    for (r, c) in recs.iter().zip(&clocks) {
        let mut f = 0;
        if r.deleted {
            f |= DELETED;
        }
        match (&r.hlc, c) {
            (Some(_), Some(_)) => f |= CLOCK,
            (Some(_), None) => f |= RAW_CLOCK,
            _ => {}
        }
        if !r.unknown.is_empty() {
            f |= UNKNOWN;
        }
        w.push(f);
    }
    recs.iter().for_each(|r| put(&mut w, u64::from(r.version)));
    types.iter().for_each(|&i| put(&mut w, i));
    kinds.iter().for_each(|&i| put(&mut w, i));
    let mut prev = 0i64;
    for r in recs {
        let t = id_time(&r.id);
        put_signed(&mut w, t - prev);
        prev = t;
    }
    recs.iter()
        .for_each(|r| w.extend_from_slice(&r.id.as_bytes()[6..]));
    let mut prev_offset = 0i32;
    for r in recs {
        put_time(&mut w, &r.occurred_at, id_reference(&r.id), prev_offset);
        prev_offset = offset(&r.occurred_at);
    }
    for r in recs {
        put_time(
            &mut w,
            &r.recorded_at,
            parts(&r.occurred_at),
            offset(&r.occurred_at),
        );
    }
    let mut prev_node = 0u32;
    for (r, c) in recs.iter().zip(&clocks) {
        if let Some((ms, counter, node)) = *c {
            put_signed(&mut w, (ms as i64).wrapping_sub(millis(&r.recorded_at)));
            put(&mut w, u64::from(counter));
            put(&mut w, u64::from(node ^ prev_node));
            prev_node = node;
        }
    }
    for (r, c) in recs.iter().zip(&clocks) {
        if let (Some(h), None) = (&r.hlc, c) {
            put_str(&mut w, h);
        }
    }
    for r in recs.iter().filter(|r| !r.unknown.is_empty()) {
        put_str(&mut w, &Value::Object(r.unknown.clone()).to_string());
    }
    let bodies: Vec<String> = recs.iter().map(|r| r.body.to_string()).collect();
    bodies.iter().for_each(|b| put(&mut w, b.len() as u64));
    bodies
        .iter()
        .for_each(|b| w.extend_from_slice(b.as_bytes()));
    w
}

/// Decodes a packed push into the very records a JSON push of them would give.
pub fn decode(bytes: &[u8]) -> Result<PushRequest, PackedError> {
    let mut r = Reader::new(bytes);
    if r.take(MAGIC.len(), "its first bytes")? != MAGIC {
        return bad("it does not start with SLP1");
    }
    let protocol = r.u32("the protocol")?;
    let lang = match r.len("the language")? {
        0 => None,
        n => Some(r.utf8(n - 1, "the language")?.to_string()),
    };
    let n = r.len("the record count")?;
    if n > MAX_RECORDS || n.saturating_mul(MIN_RECORD_BYTES) > r.left() {
        return bad(format!(
            "it says {n} records, more than its {} bytes can hold",
            bytes.len()
        ));
    }
    let m = r.len("the string count")?;
    if m > r.left() {
        return bad(format!("it says {m} strings, more than its bytes can hold"));
    }
    let mut table = Vec::with_capacity(m);
    for _ in 0..m {
        table.push(r.string("a string of the table")?);
    }
    let flags = r.take(n, "the flags")?.to_vec();
    if let Some(f) = flags
        .iter()
        .find(|&&f| f & !(DELETED | CLOCK | RAW_CLOCK | UNKNOWN) != 0)
    {
        return bad(format!("a record has flags {f:#04x}, which mean nothing"));
    }
    if flags.iter().any(|&f| f & CLOCK != 0 && f & RAW_CLOCK != 0) {
        return bad("a record has two clock values");
    }
    let versions = (0..n)
        .map(|_| r.u32("a version"))
        .collect::<Result<Vec<_>, _>>()?;
    // Each record gets its own copy of its type and kind: all together they may take at most
    // STRING_BUDGET times the batch's bytes, so one long string named by every record cannot
    // make gigabytes of a small batch.
    let mut budget = bytes.len().saturating_mul(STRING_BUDGET);
    let mut pick = |what: &str| -> Result<Vec<String>, PackedError> {
        (0..n)
            .map(|_| {
                let i = r.len(what)?;
                match table.get(i) {
                    Some(s) if s.len() <= budget => {
                        budget -= s.len();
                        Ok(s.clone())
                    }
                    Some(_) => bad(format!(
                        "its record types and kinds would take more than {STRING_BUDGET} \
                         times its {} bytes",
                        bytes.len()
                    )),
                    None => bad(format!("{what} is string {i} of a table of {m}")),
                }
            })
            .collect()
    };
    let types = pick("a record type")?;
    let kinds = pick("a kind")?;
    let mut ids = Vec::with_capacity(n);
    let mut t = 0i64;
    for _ in 0..n {
        t = t
            .checked_add(r.signed("an id")?)
            .filter(|t| (0..1 << 48).contains(t))
            .ok_or_else(|| PackedError("an id's time is out of range".into()))?;
        ids.push(t);
    }
    let mut id_bytes = Vec::with_capacity(n);
    for &t in &ids {
        let mut b = [0u8; 16];
        b[..6].copy_from_slice(&t.to_be_bytes()[2..]);
        b[6..].copy_from_slice(r.take(10, "an id")?);
        id_bytes.push(Uuid::from_bytes(b));
    }
    let mut occurred = Vec::with_capacity(n);
    let mut off = 0i32;
    for id in &id_bytes {
        let time = r.time(id_reference(id), off, "an occurred_at")?;
        off = offset(&time);
        occurred.push(time);
    }
    let mut recorded = Vec::with_capacity(n);
    for o in &occurred {
        recorded.push(r.time(parts(o), offset(o), "a recorded_at")?);
    }
    let mut clocks: Vec<Option<String>> = vec![None; n];
    let mut node = 0u32;
    for i in (0..n).filter(|&i| flags[i] & CLOCK != 0) {
        let ms = add(millis(&recorded[i]), r.signed("a clock")?, "a clock")?;
        let ms = u64::try_from(ms).or_else(|_| bad("a clock is before 1970"))?;
        let counter = u16::try_from(r.len("a clock")?).or_else(|_| bad("a clock's counter"))?;
        node ^= r.u32("a clock's node")?;
        clocks[i] = Some(format!("{ms:013}-{counter:04}-{node:08x}"));
    }
    for i in (0..n).filter(|&i| flags[i] & RAW_CLOCK != 0) {
        clocks[i] = Some(r.string("a clock")?);
    }
    let mut unknown: Vec<Map<String, Value>> = vec![Map::new(); n];
    for i in (0..n).filter(|&i| flags[i] & UNKNOWN != 0) {
        let text = r.string("a record's other fields")?;
        let Ok(Value::Object(map)) = serde_json::from_str(&text) else {
            return bad("a record's other fields are not a JSON object");
        };
        if let Some(k) = map.keys().find(|k| ENVELOPE_FIELDS.contains(&k.as_str())) {
            return bad(format!("a record's other fields name its own field {k:?}"));
        }
        unknown[i] = map;
    }
    let lengths = (0..n)
        .map(|_| r.len("a body's length"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut records = Vec::with_capacity(n);
    let parts = id_bytes.into_iter().zip(versions).zip(types).zip(kinds);
    let rest = occurred.into_iter().zip(recorded).zip(clocks).zip(unknown);
    for (i, ((((id, version), record_type), kind), (((occurred_at, recorded_at), hlc), unknown))) in
        parts.zip(rest).enumerate()
    {
        let body = serde_json::from_slice(r.take(lengths[i], "a body")?)
            .or_else(|e| bad(format!("the body of record {id} is not JSON ({e})")))?;
        records.push(RecordEnvelope {
            id,
            version,
            record_type,
            kind,
            occurred_at,
            recorded_at,
            deleted: flags[i] & DELETED != 0,
            hlc,
            body,
            unknown,
        });
    }
    if r.left() != 0 {
        return bad(format!("{} bytes are left after the last body", r.left()));
    }
    Ok(PushRequest {
        protocol,
        records,
        lang,
    })
}

/// Where `s` is in the batch's table of strings, added at the end when it is new.
fn index<'a>(table: &mut Vec<&'a str>, s: &'a str) -> u64 {
    match table.iter().position(|t| *t == s) {
        Some(i) => i as u64,
        None => {
            table.push(s);
            table.len() as u64 - 1
        }
    }
}

/// A clock value as (ms, counter, node) when writing those back gives exactly the same text.
fn canonical_clock(s: &str) -> Option<(u64, u16, u32)> {
    let b = s.as_bytes();
    let hex = |c: &u8| c.is_ascii_digit() || (b'a'..=b'f').contains(c);
    let ok = b.len() == 27
        && b[13] == b'-'
        && b[18] == b'-'
        && b[..13].iter().all(u8::is_ascii_digit)
        && b[14..18].iter().all(u8::is_ascii_digit)
        && b[19..].iter().all(hex);
    if !ok {
        return None;
    }
    let parsed = (
        s[..13].parse().ok()?,
        s[14..18].parse().ok()?,
        u32::from_str_radix(&s[19..], 16).ok()?,
    );
    // (Every 13-digit number fits an i64, so the distance to a record's time never overflows.)
    Some(parsed)
}

fn id_time(id: &Uuid) -> i64 {
    let b = id.as_bytes();
    let mut t = [0u8; 8];
    t[2..].copy_from_slice(&b[..6]);
    i64::from_be_bytes(t)
}

/// A time's UTC offset in whole minutes (RFC 3339, hence JSON, has no seconds of offset).
fn offset(t: &DateTime<FixedOffset>) -> i32 {
    t.offset().local_minus_utc() / 60
}

/// True when every time of `r` can travel packed: years 0 to 9999 and offsets of whole
/// minutes, as in the JSON of RFC 3339. (A record outside that goes as JSON, refused there
/// on its own.)
pub fn can_pack(r: &RecordEnvelope) -> bool {
    [&r.occurred_at, &r.recorded_at]
        .iter()
        .all(|t| (0..=9999).contains(&t.year()) && t.offset().local_minus_utc() % 60 == 0)
}

/// Milliseconds since 1970 as a clock stamp counts them (leap-second nanoseconds included).
fn millis(t: &DateTime<FixedOffset>) -> i64 {
    t.timestamp()
        .saturating_mul(1000)
        .saturating_add(i64::from(t.timestamp_subsec_nanos() / 1_000_000))
}

fn add(a: i64, b: i64, what: &str) -> Result<i64, PackedError> {
    a.checked_add(b)
        .ok_or_else(|| PackedError(format!("{what} is out of range")))
}

/// A time's (seconds since 1970, nanoseconds); the nanoseconds pass 10^9 in a leap second.
fn parts(t: &DateTime<FixedOffset>) -> (i64, i64) {
    (t.timestamp(), i64::from(t.timestamp_subsec_nanos()))
}

/// The time a UUIDv7 id was made, as [`parts`]: a record made now is stamped within a few
/// milliseconds of it, so its time costs only its sub-millisecond digits. (Any id works: the
/// difference is only larger.)
fn id_reference(id: &Uuid) -> (i64, i64) {
    let ms = id_time(id);
    (ms / 1000, (ms % 1000) * 1_000_000)
}

/// A time as its difference from `reference` (seconds, then nanoseconds) and its UTC offset
/// as a difference from `prev_offset`.
fn put_time(w: &mut Vec<u8>, t: &DateTime<FixedOffset>, reference: (i64, i64), prev_offset: i32) {
    let (secs, ns) = parts(t);
    put_signed(w, secs.wrapping_sub(reference.0));
    put_signed(w, ns - reference.1);
    put_signed(w, i64::from(offset(t)) - i64::from(prev_offset));
}
