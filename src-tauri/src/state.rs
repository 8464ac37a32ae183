//! What every command shares: the open profile, the failure the UI sees, and reaching the
//! core. New commands live in their own module beside this one and use these.

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use shiftlog_core::{Core, CoreError, Lang};

/// What a command failure looks like to the UI: a stable code and a message in the
/// worker's language.
#[derive(Debug, Serialize)]
pub(crate) struct CommandError {
    pub(crate) code: String,
    pub(crate) message: String,
}

pub(crate) type Res<T> = Result<T, CommandError>;

pub(crate) fn err(lang: &str) -> impl Fn(CoreError) -> CommandError + '_ {
    move |e| CommandError {
        code: e.code().into(),
        message: e.message(Lang::parse(lang)),
    }
}

/// The open profile (after the PIN), and the background sync task serving it.
pub(crate) struct Open {
    pub(crate) core: Arc<Core>,
    pub(crate) sync_task: tauri::async_runtime::JoinHandle<()>,
}

pub(crate) struct AppState {
    pub(crate) data_dir: PathBuf,
    pub(crate) open: Mutex<Option<Open>>,
    /// Counts focus changes, so a lock timer knows whether focus came back meanwhile.
    pub(crate) focus_gen: AtomicU64,
}

impl AppState {
    /// Drops the open profile (and with it the database key) and stops its sync.
    pub(crate) fn lock(&self) {
        if let Some(o) = self.open.lock().unwrap_or_else(|p| p.into_inner()).take() {
            o.sync_task.abort();
        }
    }

    pub(crate) fn core(&self, lang: &str) -> Res<Arc<Core>> {
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|o| o.core.clone())
            .ok_or_else(|| err(lang)(CoreError::PinNeeded))
    }
}
