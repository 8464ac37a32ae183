//! Hybrid logical clocks: physical milliseconds plus a counter, so every write a device makes
//! gets a stamp later than anything it has written or seen, even when its wall clock is wrong
//! or goes backwards.
//!
//! A stamp is a string that sorts in clock order: `PPPPPPPPPPPPP-CCCC-NNNNNNNN`, 13 digits of
//! physical milliseconds, 4 of a counter, 8 lowercase hex of the node (device). Strings compare
//! correctly as plain text, in SQL and in Rust alike.
//!
//! The drift bound: a stamp more than [`MAX_DRIFT_MS`] ahead of the reader's clock is not
//! trusted. The server refuses it; a device does not take it in; and a stamp already stored
//! before this rule existed counts as no clock at all ([`effective`]), so it cannot win every
//! later edit.

use crate::limits::{EARLIEST_MS, SERVER_FUTURE_HOURS};

/// How far ahead of the reader's clock a stamp may be.
pub const MAX_DRIFT_MS: i64 = SERVER_FUTURE_HOURS * 3_600_000;
/// Highest counter value; the next tick borrows a millisecond.
pub const MAX_COUNTER: u16 = 9999;

/// A parsed stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp {
    /// Physical milliseconds since 1970.
    pub physical_ms: u64,
    /// Counter within that millisecond.
    pub counter: u16,
    /// The device's node id.
    pub node: u32,
}

/// Formats a clock value.
pub fn format(physical_ms: u64, counter: u16, node: u32) -> String {
    format!("{physical_ms:013}-{counter:04}-{node:08x}")
}

/// Parses a clock value written by [`format`]; anything else (signs, upper case, spaces,
/// other lengths) is `None`.
pub fn parse(s: &str) -> Option<Stamp> {
    let b = s.as_bytes();
    if b.len() != 27 || b[13] != b'-' || b[18] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let hex = b[19..]
        .iter()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c));
    if !digits(0..13) || !digits(14..18) || !hex {
        return None;
    }
    Some(Stamp {
        physical_ms: s[..13].parse().ok()?,
        counter: s[14..18].parse().ok()?,
        node: u32::from_str_radix(&s[19..], 16).ok()?,
    })
}

/// Why a stamp is refused, or its parsed value.
pub fn check(s: &str, now_ms: i64) -> Result<Stamp, crate::ValidationError> {
    let stamp = parse(s).ok_or_else(|| crate::ValidationError::BadClock(short(s)))?;
    let ms = i64::try_from(stamp.physical_ms).unwrap_or(i64::MAX);
    if ms < EARLIEST_MS {
        return Err(crate::ValidationError::BadClock(short(s)));
    }
    if ms > now_ms.saturating_add(MAX_DRIFT_MS) {
        return Err(crate::ValidationError::ClockAhead);
    }
    Ok(stamp)
}

/// The stamp as it counts when versions are compared: a stamp that cannot be read, or that is
/// past the drift bound of `now_ms`, counts as no clock at all.
pub fn effective(s: Option<&str>, now_ms: i64) -> Option<Stamp> {
    s.and_then(|s| check(s, now_ms).ok())
}

fn short(s: &str) -> String {
    s.chars().take(32).collect()
}

/// A device's clock state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Highest physical milliseconds seen.
    pub last_ms: u64,
    /// Counter within `last_ms`.
    pub counter: u16,
    /// This device's node id.
    pub node: u32,
}

impl Clock {
    /// A clock for `node` that has seen nothing.
    pub fn new(node: u32) -> Clock {
        Clock {
            last_ms: 0,
            counter: 0,
            node,
        }
    }

    /// The stamp for a local write at wall time `wall_ms`.
    pub fn tick(&mut self, wall_ms: u64) -> String {
        let bound = wall_ms.saturating_add(MAX_DRIFT_MS as u64);
        if self.last_ms > bound {
            // The clock once ran far ahead (a wrong date, since fixed). Stamps past the
            // bound were refused by every server, so going back to the wall clock loses
            // nothing and lets this device's edits be accepted again.
            self.last_ms = wall_ms;
            self.counter = 0;
        } else if wall_ms > self.last_ms {
            self.last_ms = wall_ms;
            self.counter = 0;
        } else if self.counter == MAX_COUNTER {
            // The counter is full: borrow the next millisecond rather than overflow.
            self.last_ms += 1;
            self.counter = 0;
        } else {
            self.counter += 1;
        }
        format(self.last_ms, self.counter, self.node)
    }

    /// Takes in a stamp seen from another device, so later local writes sort after it. A
    /// stamp that cannot be read, or past the drift bound of `wall_ms`, changes nothing.
    pub fn observe(&mut self, remote: &str, wall_ms: u64) {
        let Ok(r) = check(remote, i64::try_from(wall_ms).unwrap_or(i64::MAX)) else {
            return;
        };
        let (r_ms, r_c) = (r.physical_ms, r.counter);
        let new_ms = self.last_ms.max(r_ms).max(wall_ms);
        self.counter = if new_ms == self.last_ms && new_ms == r_ms {
            self.counter.max(r_c).saturating_add(1).min(MAX_COUNTER)
        } else if new_ms == self.last_ms {
            self.counter.saturating_add(1).min(MAX_COUNTER)
        } else if new_ms == r_ms {
            r_c.saturating_add(1).min(MAX_COUNTER)
        } else {
            0
        };
        self.last_ms = new_ms;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_200_000_000;

    #[test]
    fn stamps_sort_in_clock_order_and_parse_strictly() {
        let a = format(1_795_200_000_000, 0, 0xdeadbeef);
        let b = format(1_795_200_000_000, 1, 0x00000001);
        let c = format(1_795_200_000_001, 0, 0x00000000);
        assert!(a < b && b < c);
        assert_eq!(
            parse(&a),
            Some(Stamp {
                physical_ms: 1_795_200_000_000,
                counter: 0,
                node: 0xdeadbeef
            })
        );
        for bad in [
            "nonsense",
            "",
            "+795200000000-0000-00000000",
            "1795200000000-0000-DEADBEEF",
            "1795200000000-00000-0000000",
            "1795200000000-0000-0000000\0",
            " 795200000000-0000-00000000",
            "1795200000000-0000-00000000x",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn drift_bound_and_effective_clock() {
        let ok = format(NOW as u64, 0, 1);
        assert!(check(&ok, NOW).is_ok());
        let day_ahead = format((NOW + MAX_DRIFT_MS + 1) as u64, 0, 1);
        assert_eq!(
            check(&day_ahead, NOW),
            Err(crate::ValidationError::ClockAhead)
        );
        let centuries = format((NOW as u64) * 5, 0, 1);
        assert_eq!(effective(Some(&centuries), NOW), None);
        let before_2000 = format(1_000, 0, 1);
        assert!(check(&before_2000, NOW).is_err());
        assert_eq!(effective(Some("nonsense"), NOW), None);
    }

    #[test]
    fn ticks_always_go_up_even_when_the_wall_clock_goes_back() {
        let mut c = Clock::new(7);
        let a = c.tick(NOW as u64);
        let b = c.tick(NOW as u64);
        let d = c.tick(NOW as u64 - 500);
        let e = c.tick(NOW as u64 + 2_000);
        assert!(a < b && b < d && d < e, "{a} {b} {d} {e}");
    }

    #[test]
    fn a_clock_that_ran_centuries_ahead_comes_back() {
        let mut c = Clock::new(7);
        c.tick((NOW as u64) * 5);
        let next = c.tick(NOW as u64);
        assert!(check(&next, NOW).is_ok(), "{next}");
    }

    #[test]
    fn remote_stamps_order_later_writes_unless_beyond_the_bound() {
        let mut c = Clock::new(1);
        let remote = format(NOW as u64 + 3_600_000, 3, 2);
        c.observe(&remote, NOW as u64);
        let next = c.tick(NOW as u64 + 1);
        assert!(next > remote, "{next} > {remote}");
        let before = c;
        c.observe("garbage", NOW as u64);
        c.observe(&format((NOW as u64) * 5, 0, 2), NOW as u64);
        assert_eq!(c, before);
    }
}
