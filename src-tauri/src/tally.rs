//! The open shift's tally (issue 14): one-line commands over `Core::tally` and
//! `Core::tally_change`. Each tap is one call, saved before it answers.

use shiftlog_core::{Tally, TallyCounter};
use tauri::State;

use crate::state::{err, AppState, Res};

#[tauri::command]
pub(crate) fn tally(
    state: State<'_, AppState>,
    lang: String,
    org_id: Option<String>,
) -> Res<Tally> {
    state
        .core(&lang)?
        .tally(org_id.as_deref())
        .map_err(err(&lang))
}

#[tauri::command]
pub(crate) fn tally_change(
    state: State<'_, AppState>,
    lang: String,
    org_id: Option<String>,
    key: String,
    delta: i64,
) -> Res<TallyCounter> {
    state
        .core(&lang)?
        .tally_change(org_id.as_deref(), &key, delta)
        .map_err(err(&lang))
}
