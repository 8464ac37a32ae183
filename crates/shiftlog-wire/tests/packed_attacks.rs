//! Attacks on the packed decoder beyond `tests/packed.rs`: how much memory hostile bytes can
//! make it take (measured in a child process), edge values that must
//! come back exactly, trailing bytes, and unknown fields that would pose as the envelope's.

use std::process::Command;

use serde_json::{json, Value};
use shiftlog_wire::packed::{can_pack, decode, encode, MAGIC};
use shiftlog_wire::{PushRequest, RecordEnvelope};

/// How many times its input's size decoding may take at most, whatever the bytes: a decoded
/// record (about 180 bytes of struct and its columns) comes from at least 23 bytes.
const MAX_BLOWUP: usize = 32;
/// What a process's resident size may grow by for reasons of its own (stacks, the allocator).
const SLACK: usize = 8 << 20;

/// A `/proc/self/status` figure in bytes.
fn status(field: &str) -> usize {
    let s = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = s
        .lines()
        .find(|l| l.starts_with(field))
        .expect("status field");
    let kb: usize = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .expect("kB");
    kb * 1024
}

/// Decodes `input` and asserts the memory it took stays within the bound. `unsafe` is
/// forbidden in this workspace, so there is no counting allocator: the test runs itself again
/// as a child process holding only this test, which decodes and reports how far its peak
/// resident size rose above where it was just before (`VmHWM` less `VmRSS`).
fn assert_small(test: &str, case: &str, input: &[u8]) -> Result<PushRequest, String> {
    if std::env::var("PACKED_ATTACK_CASE").as_deref() == Ok(case) {
        let before = status("VmRSS:");
        let out = decode(input);
        let peak = status("VmHWM:").saturating_sub(before);
        println!(
            "PEAK {peak} {}",
            out.as_ref().map_or(0, |p| p.records.len())
        );
        drop(out);
        std::process::exit(0);
    }
    if std::env::var_os("PACKED_ATTACK_CASE").is_some() {
        return decode(input).map_err(|e| e.to_string());
    }
    let child = Command::new(std::env::current_exe().expect("exe"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("PACKED_ATTACK_CASE", case)
        .output()
        .expect("run the child");
    let text = String::from_utf8_lossy(&child.stdout);
    let peak: usize = text
        .split("PEAK ")
        .nth(1)
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{case}: the child said {text} {child:?}"));
    assert!(
        peak <= MAX_BLOWUP * input.len() + SLACK,
        "{case}: decoding {} bytes took {peak} bytes at once",
        input.len(),
    );
    decode(input).map_err(|e| e.to_string())
}

fn leb(b: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        b.push((v as u8) | 0x80);
        v >>= 7;
    }
    b.push(v as u8);
}

/// A header with `n` records and the given string table.
fn header(n: u64, table: &[&str]) -> Vec<u8> {
    let mut b = MAGIC.to_vec();
    b.extend([3, 0]);
    leb(&mut b, n);
    leb(&mut b, table.len() as u64);
    for s in table {
        leb(&mut b, s.len() as u64);
        b.extend_from_slice(s.as_bytes());
    }
    b
}

/// One long string in the table named as the type and the kind of every record: copied out
/// once per record, it would make a few hundred kilobytes into gigabytes (quadratic).
#[test]
fn a_long_table_string_named_by_every_record_is_not_copied_into_gigabytes() {
    let n = 4_000u64;
    let long = "k".repeat(40_000);
    let mut b = header(n, &[&long]);
    // Flags, versions, type and kind indexes all 0: every record names the long string.
    b.extend(std::iter::repeat_n(0, 4 * n as usize));
    // Enough bytes after them for the record count to look honest, then nothing valid.
    b.extend(std::iter::repeat_n(0xff, 11 * n as usize));
    let err = assert_small(
        "a_long_table_string_named_by_every_record_is_not_copied_into_gigabytes",
        "long type and kind",
        &b,
    )
    .expect_err("garbage after the indexes");
    assert!(err.contains("cannot be read"), "{err}");

    // The same string named by every record of a batch that is otherwise good is refused too,
    // in words, rather than decoded into n copies.
    let rec = |i: u64| RecordEnvelope {
        kind: long.clone(),
        ..small_record(i)
    };
    let many = PushRequest {
        protocol: 3,
        lang: None,
        records: (0..200).map(rec).collect(),
    };
    let bytes = encode(&many);
    let err = assert_small(
        "a_long_table_string_named_by_every_record_is_not_copied_into_gigabytes",
        "an encoded batch of long kinds",
        &bytes,
    )
    .expect_err("refused");
    assert!(err.contains("kinds"), "{err}");
}

fn small_record(i: u64) -> RecordEnvelope {
    serde_json::from_value(json!({
        "id": format!("01936d5e-8f7a-7cc0-8a5e-{:012x}", i), "version": 1,
        "record_type": "activity", "kind": "supplies_distributed",
        "occurred_at": "2026-11-20T10:42:00-08:00",
        "recorded_at": "2026-11-20T10:42:05-08:00",
        "body": {}
    }))
    .expect("envelope")
}

/// The most records the bytes can say, each as small as the format allows: flags, version,
/// indexes, id time and 10 id bytes, two times of 3 bytes, a body length and the body `0`.
#[test]
fn a_hundred_thousand_records_of_a_few_bytes_each_stay_a_small_multiple() {
    let n = 100_000usize;
    let mut b = header(n as u64, &["a"]);
    b.extend(std::iter::repeat_n(0, n * 21));
    b.extend(std::iter::repeat_n(1, n));
    b.extend(std::iter::repeat_n(b'0', n));
    let p = assert_small(
        "a_hundred_thousand_records_of_a_few_bytes_each_stay_a_small_multiple",
        "tiny records",
        &b,
    )
    .expect("tiny records decode");
    assert_eq!(p.records.len(), n);
    assert_eq!(p.records[n - 1].body, json!(0));
    assert_eq!(p.records[0].kind, "a");

    // The same count with the bodies replaced by two bytes that are not JSON: refused, as small.
    b.truncate(b.len() - n);
    b.extend(std::iter::repeat_n(0xff, 2));
    let err = assert_small(
        "a_hundred_thousand_records_of_a_few_bytes_each_stay_a_small_multiple",
        "tiny records cut short",
        &b,
    )
    .expect_err("cut short");
    assert!(err.contains("is not JSON"), "{err}");

    // Only the bytes a record needs at least, claimed 100,000 times over with 11 bytes each.
    let mut lying = header(n as u64, &[""]);
    lying.extend(std::iter::repeat_n(0, n * 11));
    let err = assert_small(
        "a_hundred_thousand_records_of_a_few_bytes_each_stay_a_small_multiple",
        "11 bytes a record",
        &lying,
    )
    .expect_err("cut short");
    assert!(err.contains("cannot be read"), "{err}");
}

/// A string table of empty strings as long as the bytes, repeated indexes, and bodies that
/// are deep or wide JSON: refused or decoded, always within the bound.
#[test]
fn tables_and_json_bombs_stay_within_the_bound() {
    let mut empties = header(0, &[]);
    empties.truncate(empties.len() - 1);
    leb(&mut empties, 50_000);
    empties.extend(std::iter::repeat_n(0, 50_000 + 1));
    let err = assert_small(
        "tables_and_json_bombs_stay_within_the_bound",
        "50,000 empty strings",
        &empties,
    )
    .expect_err("trailing");
    assert!(err.contains("left after"), "{err}");

    let one = |body: &str, unknown: Option<&str>| {
        let mut r = small_record(1);
        r.body = Value::Null;
        let mut p = PushRequest {
            protocol: 3,
            lang: None,
            records: vec![r],
        };
        if let Some(u) = unknown {
            p.records[0].unknown.insert("x".into(), json!(0));
            let mut b = encode(&p);
            // Swap the encoded `{"x":0}` (7 bytes, length 7) for the hostile text.
            let at = find(&b, b"\x07{\"x\":0}");
            let mut tail = b.split_off(at);
            tail.drain(..8);
            leb(&mut b, u.len() as u64);
            b.extend_from_slice(u.as_bytes());
            b.extend(tail);
            return b;
        }
        let mut b = encode(&p);
        b.truncate(b.len() - 5); // length 4 and "null"
        leb(&mut b, body.len() as u64);
        b.extend_from_slice(body.as_bytes());
        b
    };
    assert!(decode(&one("null", None)).is_ok());
    let deep = "[".repeat(200_000) + &"]".repeat(200_000);
    let err = assert_small(
        "tables_and_json_bombs_stay_within_the_bound",
        "a deep body",
        &one(&deep, None),
    )
    .expect_err("too deep");
    assert!(err.contains("not JSON"), "{err}");
    let deep_obj = "{\"a\":".repeat(50_000) + "1" + &"}".repeat(50_000);
    let err = assert_small(
        "tables_and_json_bombs_stay_within_the_bound",
        "deep other fields",
        &one("{}", Some(&deep_obj)),
    )
    .expect_err("deep");
    assert!(err.contains("not a JSON object"), "{err}");
    // Deep but under serde_json's limit of 128: decodes.
    let ok = "[".repeat(100) + &"]".repeat(100);
    assert!(decode(&one(&ok, None)).is_ok());
    let wide = format!("[{}0]", "[0],".repeat(100_000));
    let p = assert_small(
        "tables_and_json_bombs_stay_within_the_bound",
        "a wide body",
        &one(&wide, None),
    )
    .expect("wide body decodes");
    assert_eq!(p.records[0].body.as_array().map(Vec::len), Some(100_001));
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in the batch")
}

fn env(v: Value) -> RecordEnvelope {
    serde_json::from_value(v).expect("envelope")
}

/// Records at the edges: ids with the first and last 48-bit times, year 0 and year 9999 at
/// ±23:59, leap days and a leap second, nanoseconds, clocks canonical, raw, absent and at
/// the 13-digit edge, empty and unicode bodies and strings, unknown fields, tombstones.
fn edges() -> PushRequest {
    let base = json!({
        "id": "00000000-0000-0000-0000-000000000000", "version": 0,
        "record_type": "", "kind": "",
        "occurred_at": "0000-01-01T00:00:00+23:59",
        "recorded_at": "9999-12-31T23:59:59.999999999-23:59",
        "body": {}
    });
    let with = |changes: Value| {
        let mut v = base.clone();
        for (k, x) in changes.as_object().expect("object") {
            v[k] = x.clone();
        }
        env(v)
    };
    PushRequest {
        protocol: u32::MAX,
        lang: Some("ﬁ 🙂 \u{0}".into()),
        records: vec![
            with(json!({})),
            with(json!({
                "id": "ffffffff-ffff-ffff-ffff-ffffffffffff", "version": u32::MAX,
                "occurred_at": "9999-12-31T23:59:59.999999999-23:59",
                "recorded_at": "0000-01-01T00:00:00+23:59",
                "deleted": true, "hlc": "9999999999999-9999-ffffffff",
                "body": "", "record_type": "é", "kind": "🙂\u{0}\"\\"
            })),
            with(json!({
                "id": "00000000-0000-7000-8000-000000000001",
                "occurred_at": "2024-02-29T23:59:59.000000001+00:00",
                "recorded_at": "2000-02-29T00:00:00.000999999-00:01",
                "hlc": "0000000000000-0000-00000000",
                "body": {"note": "\u{0}\u{1f}\u{7f}\u{2028}🙂", "n": [-0.0, 1e300, -9223372036854775808i64, 18446744073709551615u64]},
                "future": {"nested": [null, true, {"deleted": true, "id": 1}]}, "zz": null
            })),
            with(json!({
                "id": "0193a000-0000-7000-8000-000000000002",
                "occurred_at": "2016-12-31T23:59:60.999999999Z",
                "recorded_at": "2016-12-31T23:59:60Z",
                // Looks canonical but is not (an upper-case hex digit, a 5-digit counter).
                "hlc": "1763664125123-0000-0A1B2C3D",
                "body": [[], {}, "", 0]
            })),
            with(json!({
                "id": "0193a000-0000-7000-8000-000000000003",
                "occurred_at": "1969-12-31T23:59:59.999999999+00:00",
                "recorded_at": "1970-01-01T00:00:00+00:00",
                "hlc": "1763664125123-10000-0a1b2c3d", "deleted": true
            })),
            with(json!({
                "id": "0193a000-0000-7000-8000-000000000003",
                "occurred_at": "2026-12-03T07:00:00.0001+05:45",
                "recorded_at": "2026-12-03T07:00:00.0001+05:45",
                "hlc": ""
            })),
        ],
    }
}

#[test]
fn edge_values_come_back_exactly_and_as_json_would_carry_them() {
    let p = edges();
    assert!(p.records.iter().all(can_pack));
    let bytes = encode(&p);
    let back = decode(&bytes).expect("edges decode");
    assert_eq!(back, p);
    // Compared as JSON text too, so the UTC offsets and nanoseconds count.
    let text = serde_json::to_string(&p).expect("json");
    assert_eq!(serde_json::to_string(&back).expect("json"), text);
    // What was decoded goes through JSON unchanged: packed carries nothing JSON cannot.
    let via_json: PushRequest = serde_json::from_str(&text).expect("back from JSON");
    assert_eq!(via_json, back);
    // Decoding is deterministic, and encoding what was decoded gives the same bytes.
    assert_eq!(decode(&bytes).expect("again"), back);
    assert_eq!(encode(&back), bytes);
    // Each record alone, and every pair in both orders (the columns are differences from
    // the record before, so an order can matter).
    for a in &p.records {
        for b in &p.records {
            let two = PushRequest {
                protocol: 3,
                lang: None,
                records: vec![a.clone(), b.clone()],
            };
            assert_eq!(decode(&encode(&two)).expect("pair"), two);
        }
    }
}

#[test]
fn any_byte_after_a_good_batch_is_refused() {
    let bytes = encode(&edges());
    for extra in [&b"\0"[..], b"\x80", b"{", b" ", b"\n", b"SLP1"] {
        let mut b = bytes.clone();
        b.extend_from_slice(extra);
        let err = decode(&b).expect_err("trailing bytes").to_string();
        assert!(err.contains("left after the last body"), "{extra:?}: {err}");
    }
    // Nor can two batches be glued into one.
    let mut twice = bytes.clone();
    twice.extend_from_slice(&bytes);
    assert!(decode(&twice).is_err());
}

/// Every field a JSON envelope can have is refused among a record's other fields, so after
/// `#[serde(flatten)]` no unknown field can stand beside (or for) the real one.
#[test]
fn no_unknown_field_can_pose_as_a_field_of_the_envelope() {
    let mut full = edges().records[1].clone();
    full.unknown.clear();
    let keys: Vec<String> = serde_json::to_value(&full)
        .expect("json")
        .as_object()
        .expect("object")
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys.len(), 9, "{keys:?}");
    for k in &keys {
        let mut r = small_record(7);
        r.unknown
            .insert(k.clone(), json!("ffffffff-ffff-ffff-ffff-ffffffffffff"));
        let p = PushRequest {
            protocol: 3,
            lang: None,
            records: vec![r],
        };
        let err = decode(&encode(&p)).expect_err(k).to_string();
        assert!(err.contains(&format!("{k:?}")), "{k}: {err}");
    }
    // Names that only look alike are other fields, kept as such and never read as the real
    // ones: after a JSON round trip the id and version are still the record's own.
    let mut r = small_record(7);
    for k in ["ID", "id ", "Version", "kind\u{0}", "_id"] {
        r.unknown.insert(k.into(), json!(99));
    }
    let p = PushRequest {
        protocol: 3,
        lang: None,
        records: vec![r.clone()],
    };
    let back = decode(&encode(&p)).expect("look-alikes decode");
    assert_eq!(back, p);
    let again: RecordEnvelope =
        serde_json::from_value(serde_json::to_value(&back.records[0]).expect("json"))
            .expect("parse");
    assert_eq!((again.id, again.version), (r.id, r.version));
    assert_eq!(again.unknown.len(), 5);
}
