//! The typed body of every record type (the JSON in docs/records.md). No field here may hold a
//! client's identity: people served are counts, places are coarse areas.
//!
//! Fields a body does not define are kept in an `extra` map: the device keeps a newer peer's
//! fields verbatim and sends them back after its own edits; the server refuses them (it
//! accepts only the fields of the protocol versions it speaks).

mod activity;
mod aggregate;
mod choices;
mod payment;
mod shift;
mod supplies;
mod training;

pub use activity::{
    ActivityBody, Common, KindDetails, Naloxone, Navigation, Overdose, Referral, BUILTIN_KINDS,
};
pub use aggregate::{Period, Source, CONTACT_KINDS};
pub use choices::{
    ChoiceInfo, ContactType, NaloxoneForm, NaloxoneRoute, NavOutcome, NavTask, OverdoseOutcome,
    PayMethod, PayType, ReferralType, ReplacementReason, SupplyRoute, TrainingStatus, YesNoUnknown,
};
pub use payment::{
    check_amount, check_currency, check_shift_ids, format_cents, parse_amount, payment_definition,
    PaymentBody,
};
pub use shift::ShiftBody;
pub use supplies::{Replacement, Supplies, SupplyFlow, SupplyLine};
pub use training::{topic_key, TrainingBody};

use serde_json::{Map, Value};

use crate::error::ValidationError;

/// The kinds of record that travel to an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordType {
    /// Frontline or navigation work.
    Activity,
    /// A shift.
    Shift,
    /// The shared fact that the worker asked for a debrief (never its content).
    DebriefRequest,
    /// Training received or wanted.
    Training,
    /// A line of the worker's pay ledger that they chose to share (docs/pay.md).
    Payment,
}

impl RecordType {
    /// Every record type, in the order docs/records.md lists them.
    pub const ALL: [RecordType; 5] = [
        RecordType::Activity,
        RecordType::Shift,
        RecordType::DebriefRequest,
        RecordType::Training,
        RecordType::Payment,
    ];

    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Activity => "activity",
            RecordType::Shift => "shift",
            RecordType::DebriefRequest => "debrief_request",
            RecordType::Training => "training",
            RecordType::Payment => "payment",
        }
    }

    /// Parses the stable id.
    pub fn parse(s: &str) -> Option<RecordType> {
        RecordType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

pub(crate) fn malformed(e: serde_json::Error) -> ValidationError {
    ValidationError::Malformed(e.to_string())
}

/// Reads a typed view of `body` straight from it, without copying the body first (the same
/// rules and the same errors as `serde_json::from_value` of a copy).
pub(crate) fn read<'a, T: serde::Deserialize<'a>>(body: &'a Value) -> Result<T, ValidationError> {
    T::deserialize(body).map_err(malformed)
}

/// The body as an object, or why not.
pub(crate) fn object(body: &Value) -> Result<&Map<String, Value>, ValidationError> {
    body.as_object()
        .ok_or_else(|| ValidationError::Malformed("the details must be an object".into()))
}

/// The top-level fields of `body` that are not in `known`, kept verbatim.
pub(crate) fn extra_fields(body: &Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    body.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `base` (the typed fields as JSON) with `extra` added where `base` has no such key.
pub(crate) fn with_extra(base: Value, extra: &Map<String, Value>) -> Value {
    match base {
        Value::Object(mut m) => {
            for (k, v) in extra {
                m.entry(k.clone()).or_insert_with(|| v.clone());
            }
            Value::Object(m)
        }
        other => other,
    }
}

/// Checks an optional number against an inclusive range.
pub fn range(field: &str, v: Option<i64>, min: i64, max: i64) -> Result<(), ValidationError> {
    match v {
        Some(x) if !(min..=max).contains(&x) => Err(ValidationError::OutOfRange {
            field: field.into(),
            got: x,
            min,
            max,
        }),
        _ => Ok(()),
    }
}

/// Checks a free-text note: its length, and no control characters but line breaks.
pub fn note(n: Option<&str>) -> Result<(), ValidationError> {
    match n {
        Some(s) if s.chars().count() > crate::limits::MAX_NOTE_CHARS => {
            Err(ValidationError::NoteTooLong)
        }
        Some(s) => crate::check::plain_text("note", s, true),
        None => Ok(()),
    }
}
