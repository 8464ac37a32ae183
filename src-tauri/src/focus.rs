//! Locking when the window is out of focus: hidden, minimized, or another app in front.

use std::sync::atomic::Ordering;

use tauri::Manager;

use crate::AppState;

/// How long the window may be out of focus (hidden, minimized, another app in front) before
/// the profile locks. `SHIFTLOG_LOCK_GRACE_SECONDS` may only shorten it (the e2e tests do).
fn lock_grace() -> std::time::Duration {
    let secs = std::env::var("SHIFTLOG_LOCK_GRACE_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map_or(LOCK_GRACE_SECONDS, |s| s.min(LOCK_GRACE_SECONDS));
    std::time::Duration::from_secs(secs)
}

/// The grace before a window out of focus locks, seconds.
const LOCK_GRACE_SECONDS: u64 = 30;

/// The window lost or got focus: losing it starts the grace; getting it back within the grace
/// cancels the lock. The lock drops the `Core` here, in the shell, so the key leaves memory
/// even if the webview's timers sleep while it is hidden; the UI sees it at its next look.
pub(crate) fn changed(app: &tauri::AppHandle, focused: bool) {
    let state = app.state::<AppState>();
    let generation = state.focus_gen.fetch_add(1, Ordering::SeqCst) + 1;
    if focused {
        return;
    }
    let app = app.clone();
    std::thread::spawn(move || {
        std::thread::sleep(lock_grace());
        let state = app.state::<AppState>();
        if state.focus_gen.load(Ordering::SeqCst) == generation {
            state.lock();
        }
    });
}
