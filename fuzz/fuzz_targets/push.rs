//! A push body as the server receives it: decoded record by record, each record checked as the
//! server checks it (against the default catalogue, and against one with an organization's own
//! kind), the facts of every record that passes, last-writer-wins between every pair, and the
//! clock values. Whatever the bytes, nothing may panic, every reason given to a worker must be
//! free of control characters in English and in French, and the rules must agree with each
//! other (see the `assert!`s).

#![no_main]

use chrono::{DateTime, Datelike, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use shiftlog_model::body::{ActivityBody, KindDetails, ShiftBody, TrainingBody};
use shiftlog_model::catalogue::{CustomKind, FieldDef, FieldType, Label};
use shiftlog_model::check::is_direction_override;
use shiftlog_model::decode::decode_push;
use shiftlog_model::limits::*;
use shiftlog_model::lww::{self, Outcome, Version};
use shiftlog_model::{check_record, facts, hlc, Catalogue, CheckedBody, Context, Lang, Side};
use shiftlog_model::{Checked, ValidationError};
use shiftlog_wire::RecordEnvelope;
use std::sync::OnceLock;

/// Pairs are quadratic: compare at most this many records of one push.
const MAX_PAIRS_OF: usize = 12;
/// The longest reason a worker may be shown (the longest fixed sentence is under 260 chars;
/// echoed values are cut to 40).
const MAX_MESSAGE_CHARS: usize = 320;

struct Fixture {
    now: DateTime<Utc>,
    default: Catalogue,
    custom: Catalogue,
    /// `SHIFTLOG_FUZZ_VERBOSE=1`: say what became of each record (to see what a seed reaches).
    verbose: bool,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mut custom = Catalogue::default_catalogue();
        let field = |id: &str, field_type: FieldType, required: bool| FieldDef {
            id: id.into(),
            label: Label::new(id, id),
            field_type,
            required,
        };
        custom.custom_kinds.push(CustomKind {
            id: "drop_in".into(),
            label: Label::new("Drop-in", "Halte-accueil"),
            fields: vec![
                field("visits", FieldType::Integer { min: 0, max: 500 }, true),
                field("shower", FieldType::Boolean, false),
                field(
                    "meal",
                    FieldType::Choice {
                        options: vec!["hot".into(), "cold".into()],
                    },
                    false,
                ),
                field("comment", FieldType::Text { max_chars: 40 }, false),
            ],
        });
        Fixture {
            // A fixed clock, so a crash found today reproduces next year.
            now: Utc
                .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
                .single()
                .unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
            default: Catalogue::default_catalogue(),
            custom,
            verbose: std::env::var_os("SHIFTLOG_FUZZ_VERBOSE").is_some(),
        }
    })
}

fn bad_char(c: char) -> bool {
    c.is_control() || is_direction_override(c)
}

/// A text shown to a worker or printed by the CLI holds no control character.
fn assert_clean_text(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|c| bad_char(*c)) {
        panic!("{what} holds control character {c:?}: {text:?}");
    }
}

/// Every reason, in both languages: not empty, no control character, not long; and a code.
fn assert_clean_error(e: &ValidationError) {
    assert!(!e.code().is_empty(), "{e:?} has no code");
    for lang in [Lang::En, Lang::Fr] {
        let m = e.message(lang);
        assert!(!m.trim().is_empty(), "{e:?} has no message in {lang:?}");
        assert_clean_text(&format!("message of {e:?} in {lang:?}"), &m);
        let n = m.chars().count();
        assert!(
            n <= MAX_MESSAGE_CHARS,
            "message of {e:?} in {lang:?} is {n} chars"
        );
    }
}

/// The figures of a record that passed are within the limits it passed.
fn assert_facts(env: &RecordEnvelope, checked: &Checked) {
    let f = facts::facts(env, checked);
    let day = chrono::NaiveDate::parse_from_str(&f.day, "%Y-%m-%d")
        .unwrap_or_else(|e| panic!("day {:?}: {e}", f.day));
    let week = chrono::NaiveDate::parse_from_str(&f.week, "%Y-%m-%d")
        .unwrap_or_else(|e| panic!("week {:?}: {e}", f.week));
    assert_eq!(week.weekday(), chrono::Weekday::Mon, "{f:?}");
    assert!(week <= day && (day - week).num_days() < 7, "{f:?}");
    assert_eq!(f.month, f.day[..7], "{f:?}");
    assert!((0..=2 * MAX_MINUTES).contains(&f.minutes), "{f:?}");
    assert!((0..=MAX_PEOPLE).contains(&f.people_reached), "{f:?}");
    assert!((0..=MAX_DOSES).contains(&f.naloxone_doses), "{f:?}");
    assert!(
        (0..=MAX_SHIFT_HOURS * 60).contains(&f.shift_minutes),
        "{f:?}"
    );
    assert!(f.items.len() <= MAX_SUPPLY_LINES, "{f:?}");
    for (item, q) in &f.items {
        assert!(!item.is_empty() && (1..=MAX_QUANTITY).contains(q), "{f:?}");
    }
}

/// A body normalized by the model (what a device stores and sends again) passes the same
/// check and means the same thing.
fn assert_normal_form_is_stable(env: &RecordEnvelope, checked: &Checked, ctx: &Context<'_>) {
    let normal = match &checked.body {
        CheckedBody::Activity(a) => {
            let again = ActivityBody::parse(&env.kind, &a.to_json());
            assert_eq!(again.as_ref(), Ok(a), "activity body does not round-trip");
            a.to_json()
        }
        CheckedBody::Shift(s) => {
            let again = ShiftBody::parse(&s.to_json());
            assert_eq!(again.as_ref(), Ok(s), "shift body does not round-trip");
            s.to_json()
        }
        CheckedBody::Training(t) => {
            let again = TrainingBody::parse(&t.to_json());
            assert_eq!(again.as_ref(), Ok(t), "training body does not round-trip");
            t.to_json()
        }
        CheckedBody::DebriefRequest | CheckedBody::Payment(_) | CheckedBody::Deleted => return,
    };
    let mut env2 = env.clone();
    env2.body = normal;
    assert_eq!(
        check_record(&env2, ctx).as_ref(),
        Ok(checked),
        "the normalized body is checked differently"
    );
}

/// The envelope the server accepted survives the wire unchanged.
fn assert_wire_round_trip(env: &RecordEnvelope) {
    let Ok(text) = serde_json::to_vec(&serde_json::json!({"protocol": 2, "records": [env]})) else {
        panic!("an accepted envelope cannot be written");
    };
    let back = decode_push(&text).unwrap_or_else(|e| panic!("re-read: {e}"));
    assert_eq!(back.records.len(), 1);
    assert_eq!(
        back.records[0].as_ref(),
        Ok(env),
        "envelope does not round-trip"
    );
}

/// A clock value: strict parsing round-trips, the check agrees with the parse and the bound,
/// a device that takes it in writes after it.
fn clock(s: &str, now_ms: i64) {
    let parsed = hlc::parse(s);
    if let Some(p) = parsed {
        assert_eq!(
            hlc::format(p.physical_ms, p.counter, p.node),
            s,
            "parse accepted a non-canonical stamp"
        );
    }
    match hlc::check(s, now_ms) {
        Ok(p) => {
            assert_eq!(Some(p), parsed);
            let ms = i64::try_from(p.physical_ms).unwrap_or(i64::MAX);
            assert!(ms >= EARLIEST_MS && ms <= now_ms + hlc::MAX_DRIFT_MS, "{s}");
            assert_eq!(hlc::effective(Some(s), now_ms), Some(p));
            // A device whose wall clock reads `now` and takes this stamp in writes later.
            let mut c = hlc::Clock::new(7);
            let first = c.tick(now_ms as u64);
            c.observe(s, now_ms as u64);
            let next = c.tick(now_ms as u64);
            assert!(next.as_str() > s && next > first, "{next} after {s}");
            assert!(hlc::check(&next, now_ms).is_ok(), "{next}");
        }
        Err(e) => {
            assert_clean_error(&e);
            assert_eq!(hlc::effective(Some(s), now_ms), None);
        }
    }
}

/// Two versions of a record: the same-content test is symmetric, and last-writer-wins picks
/// exactly one winner.
fn pair(a: &RecordEnvelope, b: &RecordEnvelope, now_ms: i64) {
    let same = lww::same_content(a, b);
    assert_eq!(
        same,
        lww::same_content(b, a),
        "same_content is not symmetric"
    );
    let va = Version {
        version: a.version,
        hlc: a.hlc.as_deref(),
    };
    let vb = Version {
        version: b.version,
        hlc: b.hlc.as_deref(),
    };
    let ab = lww::decide(va, vb, same, now_ms);
    let ba = lww::decide(vb, va, same, now_ms);
    if a.version == b.version {
        let want = if same {
            Outcome::AlreadyHad
        } else {
            Outcome::Conflict
        };
        assert_eq!((ab, ba), (want, want));
    } else {
        let (na, nb) = (lww::newer(va, vb, now_ms), lww::newer(vb, va, now_ms));
        assert!(
            na != nb,
            "both or neither of two versions is newer: {va:?} {vb:?}"
        );
        match (ab, ba) {
            (Outcome::Store, Outcome::Superseded) | (Outcome::Superseded, Outcome::Store) => {}
            other => panic!("decide {va:?} vs {vb:?}: {other:?}"),
        }
    }
}

/// `b` as the server stores it (text), compared with `a` as it arrives.
fn stored_agrees(a: &RecordEnvelope, b: &RecordEnvelope) {
    let body = serde_json::to_string(&b.body).unwrap_or_default();
    let unknown = (!b.unknown.is_empty())
        .then(|| serde_json::to_string(&Value::Object(b.unknown.clone())).unwrap_or_default());
    assert_eq!(
        lww::same_content_as_stored(
            a,
            &b.record_type,
            &b.kind,
            &b.occurred_at.to_rfc3339(),
            b.deleted,
            &body,
            unknown.as_deref(),
        ),
        lww::same_content(a, b),
        "same_content_as_stored disagrees with same_content"
    );
}

fuzz_target!(|data: &[u8]| {
    let fx = fixture();
    let now_ms = fx.now.timestamp_millis();
    if let Ok(s) = std::str::from_utf8(data) {
        if s.len() <= 64 {
            clock(s, now_ms);
        }
    }
    let push = match decode_push(data) {
        Ok(p) => p,
        Err(e) => {
            assert!(!e.0.is_empty());
            assert_clean_text("a 400 answer", &e.0);
            return;
        }
    };
    let contexts = [&fx.default, &fx.custom].map(|catalogue| Context {
        catalogue,
        now: fx.now,
        side: Side::Server,
    });
    let mut accepted: Vec<&RecordEnvelope> = Vec::new();
    let mut decoded: Vec<&RecordEnvelope> = Vec::new();
    for r in &push.records {
        let env = match r {
            Ok(env) => env,
            Err(u) => {
                if fx.verbose {
                    eprintln!("{} v{} undecodable: {}", u.id, u.version, u.error);
                }
                assert_clean_error(&u.error);
                continue;
            }
        };
        decoded.push(env);
        if let Some(s) = &env.hlc {
            clock(s, now_ms);
        }
        for (i, ctx) in contexts.iter().enumerate() {
            let result = check_record(env, ctx);
            if fx.verbose {
                let what = result.as_ref().map(|c| c.record_type).map_err(|e| e.code());
                eprintln!(
                    "{} v{} {} catalogue {i}: {what:?}",
                    env.id, env.version, env.kind
                );
            }
            match result {
                Ok(checked) => {
                    if i == 0 {
                        accepted.push(env);
                    }
                    assert_facts(env, &checked);
                    assert_normal_form_is_stable(env, &checked, ctx);
                    assert_wire_round_trip(env);
                    if let CheckedBody::Activity(a) = &checked.body {
                        // The custom kind is known only to the second catalogue.
                        let custom = matches!(a.details, KindDetails::Custom { .. });
                        assert!(!(custom && i == 0), "a kind the catalogue lacks passed");
                    }
                }
                Err(e) => assert_clean_error(&e),
            }
        }
    }
    // Whatever the default catalogue accepts, a catalogue that adds a kind accepts too.
    for env in &accepted {
        assert!(
            check_record(env, &contexts[1]).is_ok(),
            "adding a kind refused a record"
        );
    }
    let pairs_of = &decoded[..decoded.len().min(MAX_PAIRS_OF)];
    for a in pairs_of {
        assert!(lww::same_content(a, a), "a record differs from itself");
        for b in pairs_of {
            pair(a, b, now_ms);
        }
    }
    // What is stored passed the check, so compare text-stored versions of accepted ones.
    let stored = &accepted[..accepted.len().min(MAX_PAIRS_OF)];
    for a in &decoded[..decoded.len().min(MAX_PAIRS_OF)] {
        for b in stored {
            stored_agrees(a, b);
        }
    }
});
