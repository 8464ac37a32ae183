//! Every reason a record can be refused with, built from any text and any numbers: its message
//! in English and in French holds no control character and stays short, whatever a hostile
//! device or a catalogue put in the values it echoes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shiftlog_model::check::is_direction_override;
use shiftlog_model::{Lang, ValidationError};

const MAX_MESSAGE_CHARS: usize = 320;

fuzz_target!(|input: (String, i64, i64, i64, u32)| {
    let (s, got, min, max, n) = input;
    use ValidationError::*;
    let all = [
        NoItems,
        UnknownItem(s.clone()),
        UnknownKind(s.clone()),
        UnknownArea(s.clone()),
        UnknownRole(s.clone()),
        OutOfRange {
            field: s.clone(),
            got,
            min,
            max,
        },
        Required(s.clone()),
        TooLong(s.clone()),
        Malformed(s.clone()),
        InFuture,
        TooOld,
        UnknownOrganization(s.clone()),
        NoteTooLong,
        ShiftAlreadyOpen,
        NoOpenShift,
        ShiftTimes,
        NotFound(s.clone()),
        UnsentRecords(n),
        BadPin,
        ControlCharacter(s.clone()),
        UnknownField(s.clone()),
        UnknownRecordType(s.clone()),
        BadId(s.clone()),
        BadVersion(n),
        BadClock(s.clone()),
        ClockAhead,
        UnexpectedDetails,
    ];
    for e in &all {
        assert!(!e.code().is_empty());
        for lang in [Lang::En, Lang::Fr] {
            let m = e.message(lang);
            if let Some(c) = m
                .chars()
                .find(|c| c.is_control() || is_direction_override(*c))
            {
                panic!("message of {e:?} in {lang:?} holds {c:?}: {m:?}");
            }
            let len = m.chars().count();
            assert!(
                len <= MAX_MESSAGE_CHARS,
                "message of {e:?} in {lang:?} is {len} chars"
            );
        }
    }
});
