//! Limits the server enforces and advertises, and the rate limiters behind some of them: a
//! fixed window per key (a device, a login name, a client address), kept in memory per server
//! instance, which is enough to slow down guessing and runaway clients.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Limits the server enforces and advertises.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most records in one push.
    pub max_batch_records: usize,
    /// Largest request body, bytes.
    pub max_body_bytes: usize,
    /// Requests one device may make per minute.
    pub device_requests_per_minute: u32,
    /// Failed logins allowed per login name, and per client address, per 15 minutes.
    pub login_failures: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_batch_records: 1000,
            max_body_bytes: 4 * 1024 * 1024,
            device_requests_per_minute: 600,
            login_failures: 5,
        }
    }
}

/// At most `max` events per `window` for each key.
#[derive(Debug)]
pub struct RateLimiter {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// A limiter allowing `max` events per `window` per key.
    pub fn new(max: u32, window: Duration) -> Self {
        RateLimiter {
            max,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `key` at `now`; `Err(seconds to wait)` when over the limit.
    pub fn hit(&self, key: &str, now: Instant) -> Result<(), u64> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 100_000 {
            // Forget finished windows so the map cannot grow without bound.
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = seen.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }

    /// True when `key` has no events left in its window (without counting one).
    pub fn exhausted(&self, key: &str, now: Instant) -> Option<u64> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let (start, n) = seen.get(key)?;
        let left = self.window.saturating_sub(now.duration_since(*start));
        (*n >= self.max && !left.is_zero()).then(|| left.as_secs().max(1))
    }

    /// Forgets `key` (after a successful login).
    pub fn reset(&self, key: &str) {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_table() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        let steps: &[(&str, u64, Result<(), u64>)] = &[
            ("a", 0, Ok(())),
            ("a", 1, Ok(())),
            ("a", 2, Err(58)),
            ("b", 2, Ok(())),
            ("a", 59, Err(1)),
            ("a", 60, Ok(())),
        ];
        for (key, at, want) in steps {
            assert_eq!(
                l.hit(key, t0 + Duration::from_secs(*at)),
                *want,
                "{key}@{at}"
            );
        }
        assert_eq!(l.exhausted("b", t0 + Duration::from_secs(3)), None);
        l.reset("a");
        assert_eq!(l.hit("a", t0 + Duration::from_secs(61)), Ok(()));
    }
}
