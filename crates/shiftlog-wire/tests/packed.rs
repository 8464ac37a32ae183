//! The packed push: every record comes back exactly as sent (compared as JSON, so the UTC
//! offsets count too), and hostile bytes are refused with a sentence, never a panic.

use serde_json::{json, Value};
use shiftlog_wire::packed::{can_pack, decode, encode, MAGIC};
use shiftlog_wire::{PushRequest, RecordEnvelope};

fn env(v: Value) -> RecordEnvelope {
    serde_json::from_value(v).expect("envelope")
}

fn sample() -> PushRequest {
    PushRequest {
        protocol: 3,
        lang: Some("fr".into()),
        records: vec![
            env(json!({
                "id": "01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c11", "version": 1,
                "record_type": "activity", "kind": "supplies_distributed",
                "occurred_at": "2026-11-20T10:42:00-08:00",
                "recorded_at": "2026-11-20T10:42:05.123-08:00",
                "hlc": "1763664125123-0000-0a1b2c3d",
                "body": {"items": [{"item": "naloxone_kit", "quantity": 2}], "area": "downtown"}
            })),
            // Nanoseconds, another offset, a clock that is not canonical, a newer peer's field.
            env(json!({
                "id": "01936d5e-8f7b-7cc0-8a5e-4b1f0f9b2c12", "version": 7,
                "record_type": "activity", "kind": "outreach_contact",
                "occurred_at": "2026-11-20T18:42:00.123456789Z",
                "recorded_at": "2026-11-19T23:59:59.5+05:30",
                "hlc": "nonsense",
                "body": {"people_reached": 3, "minutes": 20, "note": "é ✓"},
                "future_field": {"nested": [1, 2, 3]}
            })),
            // A tombstone, earlier in time than the one before, a random (v4) id.
            env(json!({
                "id": "6f1c3c2e-2a7b-4c3d-9e8f-0123456789ab", "version": 2,
                "record_type": "shift", "kind": "",
                "occurred_at": "2001-01-01T00:00:00+14:00",
                "recorded_at": "2030-06-01T12:00:00-12:00",
                "deleted": true,
                "hlc": "1763664125123-9999-ffffffff",
                "body": {}
            })),
            // No clock at all (an older client), a big version, and leap-second nanoseconds.
            env(json!({
                "id": "ffffffff-ffff-7fff-bfff-ffffffffffff", "version": 4294967295u32,
                "record_type": "activity", "kind": "supplies_distributed",
                "occurred_at": "2016-12-31T23:59:60.25Z",
                "recorded_at": "2016-12-31T23:59:59Z",
                "body": {"items": []}
            })),
        ],
    }
}

fn as_json(p: &PushRequest) -> Value {
    serde_json::to_value(p).expect("json")
}

#[test]
fn every_field_survives_packing() {
    let p = sample();
    let back = decode(&encode(&p)).expect("decode");
    assert_eq!(as_json(&back), as_json(&p));
    assert_eq!(back, p);
    for (a, b) in back.records.iter().zip(&p.records) {
        assert_eq!(a.occurred_at.offset(), b.occurred_at.offset());
        assert_eq!(a.recorded_at.offset(), b.recorded_at.offset());
    }
}

#[test]
fn an_empty_batch_and_no_language_survive() {
    let p = PushRequest {
        protocol: 3,
        lang: None,
        records: vec![],
    };
    assert_eq!(decode(&encode(&p)).expect("decode"), p);
    let mut one = sample();
    one.lang = Some(String::new());
    one.records.truncate(1);
    assert_eq!(decode(&encode(&one)).expect("decode"), one);
}

#[test]
fn a_batch_of_like_records_is_small_before_gzip() {
    let mut p = sample();
    let first = p.records[0].clone();
    p.records = (0..200u128)
        .map(|i| {
            let mut r = first.clone();
            r.id = uuid::Uuid::from_u128(first.id.as_u128() + (i << 60) + i * 7_919);
            r
        })
        .collect();
    let packed = encode(&p);
    let json = serde_json::to_vec(&p).expect("json");
    assert!(
        packed.len() * 2 < json.len(),
        "{} vs {}",
        packed.len(),
        json.len()
    );
    assert_eq!(decode(&packed).expect("decode"), p);
}

fn refused(bytes: &[u8]) -> String {
    match decode(bytes) {
        Ok(p) => panic!("decoded {} records from hostile bytes", p.records.len()),
        Err(e) => {
            let s = e.to_string();
            assert!(s.starts_with("The packed batch cannot be read: "), "{s}");
            assert!(!s.chars().any(char::is_control), "{s:?}");
            s
        }
    }
}

#[test]
fn every_cut_of_a_good_batch_is_refused() {
    let good = encode(&sample());
    for end in 0..good.len() {
        refused(&good[..end]);
    }
    let mut longer = good.clone();
    longer.push(0);
    assert!(refused(&longer).contains("left after the last body"));
}

/// A header with `n` records and the given string table, then `rest`.
fn header(n: u64, table: &[&str], rest: &[u8]) -> Vec<u8> {
    let mut b = MAGIC.to_vec();
    b.extend([3, 0]);
    leb(&mut b, n);
    leb(&mut b, table.len() as u64);
    for s in table {
        leb(&mut b, s.len() as u64);
        b.extend_from_slice(s.as_bytes());
    }
    b.extend_from_slice(rest);
    b
}

fn leb(b: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        b.push((v as u8) | 0x80);
        v >>= 7;
    }
    b.push(v as u8);
}

#[test]
fn lying_counts_and_huge_lengths_are_refused_before_anything_is_allocated() {
    assert!(refused(b"").contains("cut short"));
    assert!(refused(b"{\"protocol\": 3, \"records\": []}").contains("SLP1"));
    // A billion records in a few bytes; as many strings.
    assert!(refused(&header(1_000_000_000, &[], &[0; 40])).contains("more than"));
    assert!(refused(&header(u64::MAX, &[], &[])).contains("more than"));
    let mut strings = MAGIC.to_vec();
    strings.extend([3, 0, 0]);
    leb(&mut strings, u64::MAX >> 1);
    assert!(refused(&strings).contains("strings"));
    // A string of the table that says it is 2^62 bytes long.
    let mut long = MAGIC.to_vec();
    long.extend([3, 0, 0, 1]);
    leb(&mut long, 1 << 62);
    assert!(refused(&long).contains("cut short"));
    // A language that says it is longer than the body.
    let mut lang = MAGIC.to_vec();
    lang.extend([3, 200, 1, b'f']);
    assert!(refused(&lang).contains("cut short"));
    // A varint that never ends, and one past 64 bits.
    let mut endless = MAGIC.to_vec();
    endless.extend([0xff; 20]);
    assert!(refused(&endless).contains("too large"));
    let mut past = MAGIC.to_vec();
    past.extend([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
    assert!(refused(&past).contains("too large"));
    // A protocol past u32.
    let mut proto = MAGIC.to_vec();
    leb(&mut proto, 1 << 40);
    assert!(refused(&proto).contains("protocol"));
}

/// One record's columns after the header: flags, version, type index, kind index, id time,
/// 10 id bytes, occurred (secs, nanoseconds, offset), recorded (secs, nanoseconds, offset).
fn one_record(flags: u8, type_index: u8, id_time: &[u8], occurred_secs: &[u8]) -> Vec<u8> {
    let mut b = vec![flags, 1, type_index, 0];
    b.extend_from_slice(id_time);
    b.extend([7; 10]);
    b.extend_from_slice(occurred_secs);
    b.extend([0, 0, 0, 0, 0]);
    b
}

#[test]
fn a_good_hand_made_record_decodes() {
    let mut b = header(1, &["activity"], &one_record(0, 0, &[2], &[2]));
    b.extend([2, b'{', b'}']);
    let p = decode(&b).expect("decode");
    assert_eq!(p.records[0].id.as_bytes()[5], 1);
    assert_eq!(p.records[0].occurred_at.timestamp(), 1);
    assert_eq!(p.records[0].kind, "activity");
}

#[test]
fn wrong_indexes_flags_and_overflowing_differences_are_refused() {
    let body = [2, b'{', b'}'];
    let with_body = |mut b: Vec<u8>| {
        b.extend(body);
        b
    };
    let s = refused(&with_body(header(
        1,
        &["activity"],
        &one_record(0, 5, &[2], &[2]),
    )));
    assert!(s.contains("string 5 of a table of 1"), "{s}");
    let s = refused(&with_body(header(1, &[], &one_record(0, 0, &[2], &[2]))));
    assert!(s.contains("table of 0"), "{s}");
    let s = refused(&with_body(header(
        1,
        &["a"],
        &one_record(0x40, 0, &[2], &[2]),
    )));
    assert!(s.contains("flags"), "{s}");
    let s = refused(&with_body(header(1, &["a"], &one_record(6, 0, &[2], &[2]))));
    assert!(s.contains("two clock"), "{s}");
    // An id time below zero, and one past 48 bits.
    let s = refused(&with_body(header(1, &["a"], &one_record(0, 0, &[1], &[2]))));
    assert!(s.contains("id's time"), "{s}");
    let mut big = Vec::new();
    leb(&mut big, 1 << 50);
    let s = refused(&with_body(header(1, &["a"], &one_record(0, 0, &big, &[2]))));
    assert!(s.contains("id's time"), "{s}");
    // Seconds far past what a time can hold, and two differences that overflow an i64.
    let mut far = Vec::new();
    leb(&mut far, u64::MAX - 1);
    let s = refused(&with_body(header(1, &["a"], &one_record(0, 0, &[2], &far))));
    assert!(s.contains("out of range"), "{s}");
    let mut two = header(2, &["a"], &[0, 0, 1, 1, 0, 0, 0, 0, 2, 0]);
    two.extend([7; 20]);
    two.extend_from_slice(&far);
    two.extend([0, 0]);
    two.extend_from_slice(&far);
    two.extend([0; 8]);
    assert!(refused(&two).contains("out of range"));
}

#[test]
fn bodies_and_other_fields_must_be_json_and_not_shadow_the_envelope() {
    let base = |flags: u8, extra: &[u8], body: &[u8]| {
        let mut b = header(1, &["activity"], &one_record(flags, 0, &[2], &[2]));
        b.extend_from_slice(extra);
        leb(&mut b, body.len() as u64);
        b.extend_from_slice(body);
        b
    };
    assert!(refused(&base(0, &[], b"{nope")).contains("not JSON"));
    // A body length past the end.
    let mut cut = header(1, &["activity"], &one_record(0, 0, &[2], &[2]));
    cut.extend([200, 1, b'{']);
    assert!(refused(&cut).contains("cut short"));
    let unknown = |text: &str| {
        let mut e = Vec::new();
        leb(&mut e, text.len() as u64);
        e.extend_from_slice(text.as_bytes());
        base(8, &e, b"{}")
    };
    assert!(refused(&unknown("[1]")).contains("not a JSON object"));
    assert!(refused(&unknown(r#"{"body": 1}"#)).contains("\"body\""));
    assert!(refused(&unknown(r#"{"deleted": true}"#)).contains("\"deleted\""));
    let p = decode(&unknown(r#"{"future": 1}"#)).expect("a newer peer's field");
    assert_eq!(p.records[0].unknown["future"], json!(1));
    // A clock with a counter past u16, and one before 1970.
    let mut clock = Vec::new();
    leb(&mut clock, 0);
    leb(&mut clock, 70_000);
    leb(&mut clock, 0);
    assert!(refused(&base(2, &clock, b"{}")).contains("counter"));
    let mut early = Vec::new();
    leb(&mut early, 2_000_001); // -1,000,001 ms from a recorded_at of 1 s
    early.extend([0, 0]);
    assert!(refused(&base(2, &early, b"{}")).contains("before 1970"));
    // Bytes that are not UTF-8 in a raw clock.
    assert!(refused(&base(4, &[2, 0xff, 0xfe], b"{}")).contains("UTF-8"));
}

#[test]
fn nanoseconds_and_offsets_out_of_range_are_refused() {
    let rec = |occurred_rest: &[u8]| {
        let mut b = header(1, &["a"], &[0, 1, 0, 0, 2]);
        b.extend([7; 10]);
        b.push(2);
        b.extend_from_slice(occurred_rest);
        b.extend([0, 0, 0, 2, b'{', b'}']);
        b
    };
    // Nanoseconds past two seconds, and below zero.
    let mut frac = Vec::new();
    leb(&mut frac, 2 * 2_000_000_000);
    frac.push(0);
    assert!(refused(&rec(&frac)).contains("out of range"));
    let mut below = Vec::new();
    leb(&mut below, 2 * 2_000_000 - 1);
    below.push(0);
    assert!(refused(&rec(&below)).contains("out of range"));
    let mut off = vec![0];
    leb(&mut off, 2 * 86_400);
    assert!(refused(&rec(&off)).contains("offset"));
    // A leap-second fraction on a second that is not one.
    let mut leap = Vec::new();
    leb(&mut leap, 2 * 1_500_000_000);
    leap.push(0);
    assert!(refused(&rec(&leap)).contains("out of range"));
}

#[test]
fn only_times_that_json_can_hold_are_packed_or_decoded() {
    let mut r = sample().records[0].clone();
    assert!(can_pack(&r));
    let far: chrono::DateTime<chrono::FixedOffset> =
        chrono::DateTime::parse_from_rfc3339("9999-12-31T23:59:59Z").expect("time");
    r.occurred_at = far + chrono::Duration::days(1);
    assert!(!can_pack(&r));
    let p = PushRequest {
        protocol: 3,
        lang: None,
        records: vec![r.clone()],
    };
    assert!(refused(&encode(&p)).contains("out of range"));
    r.occurred_at =
        far.with_timezone(&chrono::FixedOffset::east_opt(5 * 3600 + 17).expect("offset"));
    assert!(!can_pack(&r));
}

/// The fuzz target's seeds (`fuzz/corpus/packed/`) are good batches, so the fuzzer starts deep
/// inside the format. `SHIFTLOG_WRITE_SEEDS=1` writes them again from [`sample`].
#[test]
fn the_fuzz_seeds_are_packed_batches() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/packed");
    if std::env::var_os("SHIFTLOG_WRITE_SEEDS").is_some() {
        let mut one = sample();
        one.records.truncate(1);
        std::fs::write(dir.join("mixed.bin"), encode(&sample())).expect("write");
        std::fs::write(dir.join("one.bin"), encode(&one)).expect("write");
    }
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("seeds") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
        decode(&bytes).expect("a seed decodes");
        n += 1;
    }
    assert!(n >= 2, "{n} seeds");
}
