//! This device's hybrid logical clock: physical milliseconds plus a counter, so every local
//! write gets a time later than anything this device has written or seen, even when its
//! wall clock is wrong or goes backwards. Formatted by [`shiftlog_wire::hlc`].

/// The clock's state.
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
        if wall_ms > self.last_ms {
            self.last_ms = wall_ms;
            self.counter = 0;
        } else if self.counter == 9999 {
            // The counter is full: borrow the next millisecond rather than overflow.
            self.last_ms += 1;
            self.counter = 0;
        } else {
            self.counter += 1;
        }
        shiftlog_wire::hlc::format(self.last_ms, self.counter, self.node)
    }

    /// Takes in a stamp seen from another device, so later local writes sort after it.
    pub fn observe(&mut self, remote: &str, wall_ms: u64) {
        let Some((r_ms, r_c, _)) = shiftlog_wire::hlc::parse(remote) else {
            return;
        };
        let new_ms = self.last_ms.max(r_ms).max(wall_ms);
        self.counter = if new_ms == self.last_ms && new_ms == r_ms {
            self.counter.max(r_c).saturating_add(1).min(9999)
        } else if new_ms == self.last_ms {
            self.counter.saturating_add(1).min(9999)
        } else if new_ms == r_ms {
            r_c.saturating_add(1).min(9999)
        } else {
            0
        };
        self.last_ms = new_ms;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_always_go_up_even_when_the_wall_clock_goes_back() {
        let mut c = Clock::new(7);
        let a = c.tick(1_000);
        let b = c.tick(1_000);
        let d = c.tick(500); // the wall clock jumped back
        let e = c.tick(2_000);
        assert!(a < b && b < d && d < e, "{a} {b} {d} {e}");
    }

    #[test]
    fn a_stamp_seen_from_a_device_days_ahead_orders_later_writes_after_it() {
        let mut c = Clock::new(1);
        let remote = shiftlog_wire::hlc::format(10_000_000, 3, 2);
        c.observe(&remote, 1_000);
        let next = c.tick(1_001);
        assert!(next > remote, "{next} > {remote}");
        // Garbage from a peer changes nothing.
        let before = c;
        c.observe("garbage", 1_002);
        assert_eq!(c, before);
    }
}
