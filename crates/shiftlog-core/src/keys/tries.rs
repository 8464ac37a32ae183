//! Wrong PINs: after [`FREE_TRIES`] in a row, each further try waits [`FIRST_WAIT`] seconds,
//! doubling, at most [`MAX_WAIT`]. The counter lives in `key.json`, so closing the app or
//! killing the CLI does not reset it, and a try is counted *before* its key is derived:
//! killing the process during the slow Argon2 step leaves it counted. A right PIN resets it.
//!
//! This slows a person at the unlock screen; it does not slow someone who copied the files
//! (they run Argon2 themselves): against them only the Argon2 cost and the PIN's length
//! count (docs/security.md).

use std::path::Path;

use super::file;
use crate::error::CoreError;

/// Wrong PINs in a row allowed without waiting (as on Android's lock screen).
pub const FREE_TRIES: u32 = 5;
/// The wait after the first try past [`FREE_TRIES`], seconds.
pub const FIRST_WAIT: u64 = 30;
/// The longest wait, seconds.
pub const MAX_WAIT: u64 = 3600;

/// Seconds to wait after `failures` wrong PINs in a row.
pub fn wait_after(failures: u32) -> u64 {
    if failures < FREE_TRIES {
        return 0;
    }
    let doublings = (failures - FREE_TRIES).min(16);
    (FIRST_WAIT << doublings).min(MAX_WAIT)
}

#[cfg(feature = "test-support")]
pub(crate) static CLOCK_OFFSET: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Now, Unix seconds (moved forward by tests through `test_support::advance_pin_clock`).
fn now() -> i64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    #[cfg(feature = "test-support")]
    let t = t + CLOCK_OFFSET.load(std::sync::atomic::Ordering::SeqCst);
    t
}

/// Refuses with [`CoreError::TooManyTries`] while a wait runs; otherwise counts this try as
/// wrong, on disk, before the caller derives anything. [`succeeded`] takes it back.
pub(crate) fn begin(path: &Path) -> Result<(), CoreError> {
    let mut kf = file::read(path)?;
    let now = now();
    let wait = wait_after(kf.failures) as i64;
    if let Some(last) = kf.last_failure_at.filter(|_| wait > 0) {
        if now < last {
            // The clock went back: the wait starts again from now, neither skipped nor endless.
            kf.last_failure_at = Some(now);
            file::write(path, &kf)?;
            return Err(CoreError::TooManyTries {
                wait_seconds: wait as u64,
            });
        }
        let left = last + wait - now;
        if left > 0 {
            return Err(CoreError::TooManyTries {
                wait_seconds: left as u64,
            });
        }
    }
    kf.failures = kf.failures.saturating_add(1);
    kf.last_failure_at = Some(now);
    file::write(path, &kf)
}

/// The try [`begin`] counted failed for another reason than the PIN: it is not counted.
pub(crate) fn undo(path: &Path) -> Result<(), CoreError> {
    let mut kf = file::read(path)?;
    if kf.failures == 0 {
        return Ok(());
    }
    kf.failures -= 1;
    if kf.failures == 0 {
        kf.last_failure_at = None;
    }
    file::write(path, &kf)
}

/// The PIN was right: the counter starts again.
pub(crate) fn succeeded(path: &Path) -> Result<(), CoreError> {
    let mut kf = file::read(path)?;
    if kf.failures == 0 && kf.last_failure_at.is_none() {
        return Ok(());
    }
    kf.failures = 0;
    kf.last_failure_at = None;
    file::write(path, &kf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_and_stop_at_an_hour() {
        let waits: Vec<u64> = (0..14).map(wait_after).collect();
        assert_eq!(
            waits,
            [0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
        );
        assert_eq!(wait_after(u32::MAX), MAX_WAIT);
    }
}
