//! Every rule a record must meet before it is stored, applied by the device when the worker
//! saves and again by the server when a push arrives: a device may be modified or buggy, so
//! the server trusts nothing it has not checked with the same rules.
//!
//! What differs by side is only what each side can know: the server uses its own clock and
//! catalogue, allows a day of clock drift instead of ten minutes, and refuses fields it does
//! not define (the device keeps them for a newer peer).

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::Value;
use shiftlog_wire::RecordEnvelope;
use uuid::Uuid;

use crate::body::{ActivityBody, PaymentBody, RecordType, ShiftBody, TrainingBody};
use crate::catalogue::Catalogue;
use crate::error::ValidationError;
use crate::hlc;
use crate::limits::*;

/// Which side is checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The worker's device, as the worker saves.
    Device,
    /// The organization server, as a push arrives.
    Server,
}

/// What a check needs to know.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The organization's catalogue (the server builds the same one its devices pull).
    pub catalogue: &'a Catalogue,
    /// The checker's clock.
    pub now: DateTime<Utc>,
    /// Who checks.
    pub side: Side,
}

/// A record's body after the check.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckedBody {
    /// An activity.
    Activity(ActivityBody),
    /// A shift.
    Shift(ShiftBody),
    /// Training.
    Training(TrainingBody),
    /// The fact that a debrief was asked for.
    DebriefRequest,
    /// A pay ledger line the worker shared.
    Payment(PaymentBody),
    /// A tombstone.
    Deleted,
}

/// A record that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// Its type.
    pub record_type: RecordType,
    /// Its typed body.
    pub body: CheckedBody,
}

/// True for the characters that turn text direction around (they can make an export show
/// something other than what it holds).
pub fn is_direction_override(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Refuses control characters (NUL, terminal escapes, …) and direction overrides in `s`;
/// `allow_newlines` lets a note keep its line breaks and tabs.
pub fn plain_text(field: &str, s: &str, allow_newlines: bool) -> Result<(), ValidationError> {
    let bad = |c: char| {
        (c.is_control() && !(allow_newlines && (c == '\n' || c == '\t')))
            || is_direction_override(c)
    };
    if s.chars().any(bad) {
        return Err(ValidationError::ControlCharacter(field.to_string()));
    }
    Ok(())
}

/// Refuses an id that is not a UUIDv7 (what every device makes).
pub fn check_id(id: Uuid) -> Result<(), ValidationError> {
    if id.get_version_num() != 7 || id.get_variant() != uuid::Variant::RFC4122 {
        return Err(ValidationError::BadId(id.to_string()));
    }
    Ok(())
}

/// Refuses a time before 2000 or past `side`'s allowance for clock drift after `now`.
pub fn check_time(
    t: DateTime<FixedOffset>,
    now: DateTime<Utc>,
    side: Side,
) -> Result<(), ValidationError> {
    let ms = t.timestamp_millis();
    if ms < EARLIEST_MS {
        return Err(ValidationError::TooOld);
    }
    let allowance = match side {
        Side::Device => chrono::Duration::minutes(DEVICE_FUTURE_MINUTES),
        Side::Server => chrono::Duration::hours(SERVER_FUTURE_HOURS),
    };
    if t.with_timezone(&Utc) > now + allowance {
        return Err(ValidationError::InFuture);
    }
    Ok(())
}

/// Checks one record: its envelope, its clock, its body against the catalogue, its times.
pub fn check_record(r: &RecordEnvelope, ctx: &Context<'_>) -> Result<Checked, ValidationError> {
    plain_text("record_type", &r.record_type, false)?;
    let record_type = RecordType::parse(&r.record_type)
        .ok_or_else(|| ValidationError::UnknownRecordType(r.record_type.clone()))?;
    check_id(r.id)?;
    if r.version == 0 || r.version > MAX_VERSION {
        return Err(ValidationError::BadVersion(r.version));
    }
    plain_text("kind", &r.kind, false)?;
    if r.kind.is_empty() || r.kind.chars().count() > MAX_ID_CHARS {
        return Err(ValidationError::UnknownKind(r.kind.clone()));
    }
    if record_type != RecordType::Activity && r.kind != record_type.as_str() {
        return Err(ValidationError::UnknownKind(r.kind.clone()));
    }
    if let Some(stamp) = &r.hlc {
        hlc::check(stamp, ctx.now.timestamp_millis())?;
    }
    check_time(r.occurred_at, ctx.now, ctx.side)?;
    check_time(r.recorded_at, ctx.now, ctx.side)?;
    if ctx.side == Side::Server {
        if let Some(field) = r.unknown.keys().next() {
            return Err(ValidationError::UnknownField(field.clone()));
        }
    }
    let empty = r.body.as_object().is_some_and(|m| m.is_empty());
    if r.deleted {
        if !empty && ctx.side == Side::Server {
            return Err(ValidationError::UnexpectedDetails);
        }
        return Ok(Checked {
            record_type,
            body: CheckedBody::Deleted,
        });
    }
    let body = match record_type {
        RecordType::Activity => {
            let a = ActivityBody::parse(&r.kind, &r.body)?;
            refuse_extra(&a.extra, ctx)?;
            a.validate(ctx.catalogue)?;
            if let Some(id) = a.common.shift_id {
                check_id(id)?;
            }
            if let Some(p) = &a.common.period {
                p.check(r.occurred_at)?;
            }
            if let crate::body::KindDetails::SystemsNavigation(n) = &a.details {
                if let Some(d) = n.follow_up_date {
                    let from = r.occurred_at.date_naive() - chrono::Duration::days(1);
                    let to =
                        r.occurred_at.date_naive() + chrono::Duration::days(MAX_FOLLOW_UP_DAYS);
                    if d < from || d > to {
                        return Err(ValidationError::Malformed(
                            "follow_up_date: within two years after the activity".into(),
                        ));
                    }
                }
            }
            CheckedBody::Activity(a)
        }
        RecordType::Shift => {
            let s = ShiftBody::parse(&r.body)?;
            refuse_extra(&s.extra, ctx)?;
            s.validate(ctx.catalogue)?;
            check_time(s.started_at, ctx.now, ctx.side)?;
            if let Some(end) = s.ended_at {
                check_time(end, ctx.now, ctx.side)?;
            }
            CheckedBody::Shift(s)
        }
        RecordType::Training => {
            let t = TrainingBody::parse(&r.body)?;
            refuse_extra(&t.extra, ctx)?;
            t.validate()?;
            CheckedBody::Training(t)
        }
        RecordType::Payment => {
            let p = PaymentBody::parse(&r.body)?;
            refuse_extra(&p.extra, ctx)?;
            p.validate()?;
            // The day it was paid is the record's own local day, so a summary by day and an
            // export agree on when it was.
            if p.paid_on != r.occurred_at.date_naive() {
                return Err(ValidationError::Malformed(
                    "paid_on: the day of the record".into(),
                ));
            }
            CheckedBody::Payment(p)
        }
        RecordType::DebriefRequest => {
            // Only the fact and its time leave the device; never any content.
            if !empty {
                return Err(ValidationError::UnexpectedDetails);
            }
            CheckedBody::DebriefRequest
        }
    };
    Ok(Checked { record_type, body })
}

fn refuse_extra(
    extra: &serde_json::Map<String, Value>,
    ctx: &Context<'_>,
) -> Result<(), ValidationError> {
    match (ctx.side, extra.keys().next()) {
        (Side::Server, Some(field)) => Err(ValidationError::UnknownField(field.clone())),
        _ => Ok(()),
    }
}
