//! The background task: syncs when records wait, checks in now and then when none do, and
//! backs off on failures.

use std::sync::Arc;
use std::time::Duration;

use super::outbox::count_pending;
use super::{BASE_DELAY, MAX_DELAY};
use crate::{Core, CoreError};

pub(super) fn jitter(d: Duration) -> Duration {
    let mut b = [0u8; 2];
    let _ = getrandom::fill(&mut b);
    let frac = u16::from_le_bytes(b) as f64 / u16::MAX as f64; // 0..1
    d.mul_f64(0.75 + frac * 0.5)
}

/// How often the background task checks in with servers when nothing is waiting (catalogue
/// updates, a removed device, the clock).
pub(super) const PULL_INTERVAL: Duration = Duration::from_secs(300);

/// Longest wait between tries while the server cannot be reached. Alerts come with a sync,
/// and a worker who just reached Wi-Fi should get them within this even when nothing tells
/// the app that a connection appeared (the app also syncs at once when the webview reports
/// `online`, `ui/src/alerts.js`). Each try is one small `GET /api/v1/info`.
pub(super) const OFFLINE_RETRY: Duration = Duration::from_secs(30);

pub(crate) async fn run_background(core: Arc<Core>) {
    let mut delay = BASE_DELAY;
    let mut last_contact: Option<std::time::Instant> = None;
    loop {
        let pending = count_pending(&core).unwrap_or(0);
        let due = last_contact.is_none_or(|t| t.elapsed() >= PULL_INTERVAL);
        if pending > 0 || due {
            last_contact = Some(std::time::Instant::now());
            delay = match core.sync_now().await {
                Ok(_) => BASE_DELAY,
                Err(CoreError::NotEnrolled) => MAX_DELAY,
                Err(CoreError::Network(_)) => (delay * 2).min(OFFLINE_RETRY),
                Err(e) if e.is_permanent() => MAX_DELAY,
                Err(_) => (delay * 2).min(MAX_DELAY),
            };
        } else {
            delay = BASE_DELAY;
        }
        tokio::select! {
            _ = tokio::time::sleep(jitter(delay)) => {}
            _ = core.sync.wake.notified() => {}
        }
    }
}
