//! The worker's work record (issue 14, part 3): one-line commands over `Core`'s statement
//! API. Asking, checking and keeping happen in the core; this only translates.

use chrono::NaiveDate;
use serde::Serialize;
use shiftlog_core::{Lang, StoredStatement};
use tauri::State;

use crate::state::{err, AppState, CommandError, Res};

/// What asking one organization did, as the UI shows it.
#[derive(Serialize)]
pub(crate) struct Asked {
    org_id: String,
    org_name: String,
    statement: Option<StoredStatement>,
    error: Option<CommandError>,
}

#[tauri::command]
pub(crate) async fn request_statement(
    state: State<'_, AppState>,
    lang: String,
    org_id: Option<String>,
    from: NaiveDate,
    to: NaiveDate,
) -> Res<Vec<Asked>> {
    let core = state.core(&lang)?;
    let outcomes = core
        .request_statement(org_id.as_deref(), from, to)
        .await
        .map_err(err(&lang))?;
    Ok(outcomes
        .into_iter()
        .map(|o| {
            let (statement, error) = match o.result {
                Ok(s) => (Some(s), None),
                Err(e) => (None, Some(err(&lang)(e))),
            };
            Asked {
                org_id: o.org_id,
                org_name: o.org_name,
                statement,
                error,
            }
        })
        .collect())
}

#[tauri::command]
pub(crate) fn statements(state: State<'_, AppState>, lang: String) -> Res<Vec<StoredStatement>> {
    state.core(&lang)?.statements().map_err(err(&lang))
}

#[tauri::command]
pub(crate) fn work_record_html(
    state: State<'_, AppState>,
    lang: String,
    ids: Vec<String>,
) -> Res<String> {
    state
        .core(&lang)?
        .work_record_html(&ids, Lang::parse(&lang))
        .map_err(err(&lang))
}
