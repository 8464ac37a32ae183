//! Every limit a record obeys, in one place. The device refuses what breaks them before it is
//! saved; the server refuses it again, because a device may be modified or buggy.

/// Largest quantity on one supply line; more than this in one hand-out is a typo.
pub const MAX_QUANTITY: i64 = 10_000;
/// Most lines in one supplies record.
pub const MAX_SUPPLY_LINES: usize = 50;
/// Most minutes in one activity or trip: a day.
pub const MAX_MINUTES: i64 = 1440;
/// Most people reached in one activity.
pub const MAX_PEOPLE: i64 = 10_000;
/// Most naloxone doses in one response.
pub const MAX_DOSES: i64 = 20;
/// Longest free-text note.
pub const MAX_NOTE_CHARS: usize = 280;
/// Longest id of a catalogue entry (kind, item, area, role).
pub const MAX_ID_CHARS: usize = 64;
/// Most barriers on one navigation record, and the longest one.
pub const MAX_BARRIERS: usize = 20;
/// Longest barrier.
pub const MAX_BARRIER_CHARS: usize = 80;
/// Longest referral destination (a service, never a person).
pub const MAX_REFERRAL_CHARS: usize = 120;
/// Largest out-of-pocket cost in cents ($100,000).
pub const MAX_OUT_OF_POCKET_CENTS: i64 = 10_000_000;
/// Longest training topic.
pub const MAX_TOPIC_CHARS: usize = 120;
/// Longest message an organization sends its devices (checked by the server when posted
/// and by the device when received).
pub const MAX_MESSAGE_CHARS: usize = 500;
/// Longest shift accepted.
pub const MAX_SHIFT_HOURS: i64 = 36;
/// How far past the device's own clock a time may be when the worker saves it (clock drift
/// between a phone and the truth).
pub const DEVICE_FUTURE_MINUTES: i64 = 10;
/// How far past the server's clock a time or a clock value may be: a device whose clock is a
/// day wrong is refused with a reason, rather than stored to win every later edit.
pub const SERVER_FUTURE_HOURS: i64 = 24;
/// No record is older than this (2000-01-01T00:00:00Z, in milliseconds since 1970).
pub const EARLIEST_MS: i64 = 946_684_800_000;
/// A follow-up date is at most this many days after the activity.
pub const MAX_FOLLOW_UP_DAYS: i64 = 2 * 366;
/// Highest version number: a record edited more often than this is a runaway loop.
pub const MAX_VERSION: u32 = 1_000_000;
/// Largest amount on one line of the worker's pay ledger, in cents ($100,000): more in one
/// payment to a worker is a typo.
pub const MAX_PAYMENT_CENTS: i64 = 10_000_000;
/// Most shifts one payment says it was for.
pub const MAX_PAYMENT_SHIFTS: usize = 31;
/// The currency of a payment when the worker does not say.
pub const DEFAULT_CURRENCY: &str = "CAD";
/// Longest past period one aggregate entry may stand for, in days: a quarter (Ontario's harm
/// reduction database allows quarterly bulk entry).
pub const MAX_PERIOD_DAYS: i64 = 92;
/// Largest count one tally counter may reach in a shift.
pub const MAX_TALLY: i64 = 10_000;
