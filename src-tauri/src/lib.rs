//! The Tauri shell: registers commands, each a one-line call into `shiftlog-core`, and
//! starts the core's background sync. No rule about records lives here.

use std::sync::Arc;

use serde::Serialize;
use shiftlog_core::{
    Activity, Catalogue, Core, CoreError, Lang, NewActivity, Organization, SyncReport, SyncStatus,
};
use tauri::{Manager, State};

/// What a command failure looks like to the UI: a stable code and a message in the
/// worker's language.
#[derive(Debug, Serialize)]
struct CommandError {
    code: String,
    message: String,
}

fn err(lang: &str) -> impl Fn(CoreError) -> CommandError + '_ {
    move |e| CommandError {
        code: e.code().into(),
        message: e.message(Lang::parse(lang)),
    }
}

/// The core, or why it could not be opened (the UI shows that instead of crashing).
struct AppState(Result<Arc<Core>, CoreError>);

impl AppState {
    fn core(&self, lang: &str) -> Result<&Arc<Core>, CommandError> {
        self.0.as_ref().map_err(|e| CommandError {
            code: e.code().into(),
            message: e.message(Lang::parse(lang)),
        })
    }
}

#[derive(Serialize)]
struct AppView {
    organizations: Vec<Organization>,
    catalogue: Catalogue,
}

#[tauri::command]
fn app_state(state: State<'_, AppState>, lang: String) -> Result<AppView, CommandError> {
    let core = state.core(&lang)?;
    Ok(AppView {
        organizations: core.organizations().map_err(err(&lang))?,
        catalogue: core.catalogue(None).map_err(err(&lang))?,
    })
}

#[tauri::command]
fn log_activity(
    state: State<'_, AppState>,
    lang: String,
    activity: NewActivity,
) -> Result<Activity, CommandError> {
    state
        .core(&lang)?
        .log_activity(activity)
        .map_err(err(&lang))
}

#[tauri::command]
fn todays_activities(
    state: State<'_, AppState>,
    lang: String,
) -> Result<Vec<Activity>, CommandError> {
    state.core(&lang)?.todays_activities().map_err(err(&lang))
}

#[tauri::command]
fn sync_status(state: State<'_, AppState>, lang: String) -> Result<SyncStatus, CommandError> {
    state.core(&lang)?.sync_status().map_err(err(&lang))
}

#[tauri::command]
async fn sync_now(state: State<'_, AppState>, lang: String) -> Result<SyncReport, CommandError> {
    state.core(&lang)?.sync_now().await.map_err(err(&lang))
}

#[tauri::command]
async fn enroll(
    state: State<'_, AppState>,
    lang: String,
    server: String,
    code: String,
    device_name: String,
) -> Result<Organization, CommandError> {
    let core = state.core(&lang)?;
    core.enroll(&server, &code, &device_name)
        .await
        .map_err(err(&lang))
}

/// Builds and runs the app.
pub fn run() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let dir = match shiftlog_core::data_dir_override() {
                Some(d) => d,
                None => app.path().app_data_dir()?,
            };
            let core = Core::open(&dir);
            if let Ok(core) = &core {
                tauri::async_runtime::spawn(core.clone().run_background_sync());
            }
            app.manage(AppState(core));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            app_state,
            log_activity,
            todays_activities,
            sync_status,
            sync_now,
            enroll
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("shiftlog could not start: {e}");
        std::process::exit(1);
    }
}
