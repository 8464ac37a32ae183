//! The Tauri shell: registers commands, each a one-line call into `shiftlog-core`, opens the
//! profile when the worker enters their PIN, and runs the core's background sync while it is
//! open. No rule about records lives here.

mod focus;
mod join;
#[cfg(mobile)]
mod join_mobile;
mod pay;
mod state;
mod statement;
// The open shift's tally (issue 14).
mod tally;

use state::{err, AppState, CommandError, Open, Res};

use std::sync::atomic::AtomicU64;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;
use shiftlog_core::conflicts::SetAside;
use shiftlog_core::kinds::KindDef;
use shiftlog_core::{
    Catalogue, Checkin, Core, CoreError, EndShift, Lang, Message, NewActivity, NewCheckin,
    NewProfileKey, NewTraining, OpenOptions, Organization, Record, RecordQuery, Shift, StartShift,
    Summary, SummaryFormat, SummaryQuery, SyncReport, SyncStatus, Unlock, ValidationError,
};
use tauri::{Manager, State};
use uuid::Uuid;

#[derive(Serialize)]
struct ProfileState {
    exists: bool,
    unlocked: bool,
}

#[tauri::command]
fn profile_state(state: State<'_, AppState>) -> ProfileState {
    ProfileState {
        exists: shiftlog_core::profile_exists(&state.data_dir),
        unlocked: state
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some(),
    }
}

/// What the UI learns from an unlock: whether the PIN must be changed now (a 4- or
/// 5-digit PIN from before new PINs needed 6).
#[derive(Serialize)]
struct Unlocked {
    pin_change_needed: bool,
}

/// Async, and the opening itself on a blocking thread: deriving the key (Argon2) or waiting
/// for the OS keystore must not freeze the window.
#[tauri::command]
async fn unlock(state: State<'_, AppState>, lang: String, pin: String) -> Res<Unlocked> {
    let dir = state.data_dir.clone();
    let words = Lang::parse(&lang);
    let core = tauri::async_runtime::spawn_blocking(move || {
        let opts = OpenOptions {
            new_profile_key: NewProfileKey::KeystoreIfAvailable,
            ..OpenOptions::default()
        };
        let core = Core::open(&dir, Unlock::Pin(pin), &opts)?;
        core.set_language(words)?;
        Ok::<_, CoreError>(core)
    })
    .await
    .map_err(|e| CommandError {
        code: "internal".into(),
        message: e.to_string(),
    })?
    .map_err(err(&lang))?;
    let pin_change_needed = core.pin_change_needed();
    let sync_task = tauri::async_runtime::spawn(core.clone().run_background_sync());
    let old = state
        .open
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .replace(Open { core, sync_task });
    if let Some(o) = old {
        o.sync_task.abort();
    }
    Ok(Unlocked { pin_change_needed })
}

/// Off the UI thread too: it derives two keys and re-keys the database.
#[tauri::command]
async fn change_pin(state: State<'_, AppState>, lang: String, old: String, new: String) -> Res<()> {
    let core = state.core(&lang)?;
    tauri::async_runtime::spawn_blocking(move || core.change_pin(&old, &new))
        .await
        .map_err(|e| CommandError {
            code: "internal".into(),
            message: e.to_string(),
        })?
        .map_err(err(&lang))
}

#[tauri::command]
fn lock(state: State<'_, AppState>) {
    state.lock();
}

#[derive(Serialize)]
struct AppView {
    organizations: Vec<Organization>,
    catalogue: Catalogue,
    open_shift: Option<Shift>,
}

#[tauri::command]
fn app_state(state: State<'_, AppState>, lang: String) -> Res<AppView> {
    let core = state.core(&lang)?;
    let e = err(&lang);
    Ok(AppView {
        organizations: core.organizations().map_err(&e)?,
        catalogue: core.catalogue(None).map_err(&e)?,
        open_shift: core.open_shift(None).map_err(&e)?,
    })
}

#[tauri::command]
fn catalogue(state: State<'_, AppState>, lang: String, org_id: Option<String>) -> Res<Catalogue> {
    state
        .core(&lang)?
        .catalogue(org_id.as_deref())
        .map_err(err(&lang))
}

/// The forms of an organization: fields, choices, limits and defaults (the record model's).
#[tauri::command]
fn kind_definitions(
    state: State<'_, AppState>,
    lang: String,
    org_id: Option<String>,
) -> Res<Vec<KindDef>> {
    state
        .core(&lang)?
        .kind_definitions(org_id.as_deref())
        .map_err(err(&lang))
}

#[tauri::command]
fn open_shift(
    state: State<'_, AppState>,
    lang: String,
    org_id: Option<String>,
) -> Res<Option<Shift>> {
    state
        .core(&lang)?
        .open_shift(org_id.as_deref())
        .map_err(err(&lang))
}

#[tauri::command]
fn log_activity(state: State<'_, AppState>, lang: String, activity: NewActivity) -> Res<Record> {
    state
        .core(&lang)?
        .log_activity(activity)
        .map_err(err(&lang))
}

/// The organization's retention in days when a record saved at `occurred_at` will leave
/// this device right after it is sent (the app says so when it is saved); else `None`.
#[tauri::command]
fn retention_notice(
    state: State<'_, AppState>,
    lang: String,
    org_id: String,
    occurred_at: Value,
) -> Res<Option<u32>> {
    let occurred_at = serde_json::from_value(occurred_at)
        .map_err(|e| err(&lang)(ValidationError::Malformed(e.to_string()).into()))?;
    state
        .core(&lang)?
        .retention_notice(&org_id, occurred_at)
        .map_err(err(&lang))
}

#[tauri::command]
fn todays_activities(state: State<'_, AppState>, lang: String) -> Res<Vec<Record>> {
    state.core(&lang)?.todays_activities().map_err(err(&lang))
}

#[tauri::command]
fn list_records(state: State<'_, AppState>, lang: String, query: RecordQuery) -> Res<Vec<Record>> {
    state.core(&lang)?.list_records(&query).map_err(err(&lang))
}

/// `occurred_at` is optional (RFC 3339); a shift's is its start, per docs/records.md.
#[tauri::command]
fn edit_record(
    state: State<'_, AppState>,
    lang: String,
    id: Uuid,
    occurred_at: Option<Value>,
    body: Value,
) -> Res<Record> {
    let occurred_at = occurred_at
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| err(&lang)(ValidationError::Malformed(e.to_string()).into()))?;
    state
        .core(&lang)?
        .edit_record(id, occurred_at, body)
        .map_err(err(&lang))
}

#[tauri::command]
fn delete_record(state: State<'_, AppState>, lang: String, id: Uuid) -> Res<()> {
    state.core(&lang)?.delete_record(id).map_err(err(&lang))
}

#[tauri::command]
fn start_shift(state: State<'_, AppState>, lang: String, shift: StartShift) -> Res<Shift> {
    state.core(&lang)?.start_shift(shift).map_err(err(&lang))
}

#[tauri::command]
fn end_shift(state: State<'_, AppState>, lang: String, shift: EndShift) -> Res<Shift> {
    state.core(&lang)?.end_shift(shift).map_err(err(&lang))
}

#[tauri::command]
fn record_checkin(state: State<'_, AppState>, lang: String, checkin: NewCheckin) -> Res<Checkin> {
    state
        .core(&lang)?
        .record_checkin(checkin)
        .map_err(err(&lang))
}

#[tauri::command]
fn list_checkins(state: State<'_, AppState>, lang: String) -> Res<Vec<Checkin>> {
    state.core(&lang)?.list_checkins().map_err(err(&lang))
}

#[tauri::command]
fn delete_checkin(state: State<'_, AppState>, lang: String, id: Uuid) -> Res<()> {
    state.core(&lang)?.delete_checkin(id).map_err(err(&lang))
}

#[tauri::command]
fn checkin_retention(state: State<'_, AppState>, lang: String) -> Res<Option<u32>> {
    state
        .core(&lang)?
        .checkin_retention_days()
        .map_err(err(&lang))
}

#[tauri::command]
fn set_checkin_retention(state: State<'_, AppState>, lang: String, days: Option<u32>) -> Res<()> {
    state
        .core(&lang)?
        .set_checkin_retention_days(days)
        .map_err(err(&lang))
}

#[tauri::command]
fn share_debrief_request(state: State<'_, AppState>, lang: String, id: Uuid) -> Res<Checkin> {
    state
        .core(&lang)?
        .share_debrief_request(id)
        .map_err(err(&lang))
}

#[tauri::command]
fn log_training(state: State<'_, AppState>, lang: String, training: NewTraining) -> Res<Record> {
    state
        .core(&lang)?
        .log_training(training)
        .map_err(err(&lang))
}

#[tauri::command]
fn summary(state: State<'_, AppState>, lang: String, query: SummaryQuery) -> Res<Summary> {
    state.core(&lang)?.summary(&query).map_err(err(&lang))
}

#[tauri::command]
fn summary_html(state: State<'_, AppState>, lang: String, query: SummaryQuery) -> Res<String> {
    state
        .core(&lang)?
        .summary_export(&query, SummaryFormat::Html, Lang::parse(&lang))
        .map_err(err(&lang))
}

/// Opens the system print dialog for the page (the summary's printable part; "save as PDF"
/// is one of its printers). WebKitGTK ignores the page's own `window.print()`.
#[tauri::command]
fn print_page(window: tauri::WebviewWindow, lang: String) -> Res<()> {
    window.print().map_err(|e| CommandError {
        code: "print".into(),
        message: if Lang::parse(&lang) == Lang::Fr {
            format!("Impression impossible : {e}")
        } else {
            format!("Could not print: {e}")
        },
    })
}

#[tauri::command]
fn leave_organization(
    state: State<'_, AppState>,
    lang: String,
    org_id: String,
    even_if_unsent: bool,
) -> Res<()> {
    state
        .core(&lang)?
        .leave_organization(&org_id, even_if_unsent)
        .map_err(err(&lang))
}

#[tauri::command]
fn add_local_organization(
    state: State<'_, AppState>,
    lang: String,
    name: String,
) -> Res<Organization> {
    state
        .core(&lang)?
        .add_local_organization(&name)
        .map_err(err(&lang))
}

#[tauri::command]
fn sync_status(state: State<'_, AppState>, lang: String) -> Res<SyncStatus> {
    state.core(&lang)?.sync_status().map_err(err(&lang))
}

#[tauri::command]
async fn sync_now(state: State<'_, AppState>, lang: String) -> Res<SyncReport> {
    let core = state.core(&lang)?;
    core.set_language(Lang::parse(&lang)).map_err(err(&lang))?;
    core.sync_now().await.map_err(err(&lang))
}

/// The worker's versions that lost to another change (shown in Needs attention).
#[tauri::command]
fn set_aside_versions(state: State<'_, AppState>, lang: String) -> Res<Vec<SetAside>> {
    state.core(&lang)?.set_aside_versions().map_err(err(&lang))
}

#[tauri::command]
fn keep_set_aside(state: State<'_, AppState>, lang: String, id: Uuid) -> Res<()> {
    state.core(&lang)?.keep_set_aside(id).map_err(err(&lang))
}

#[tauri::command]
fn dismiss_set_aside(state: State<'_, AppState>, lang: String, id: Uuid) -> Res<()> {
    state.core(&lang)?.dismiss_set_aside(id).map_err(err(&lang))
}

/// The organizations' messages and alerts kept on this device, unread and alerts first.
#[tauri::command]
fn messages(state: State<'_, AppState>, lang: String) -> Res<Vec<Message>> {
    state
        .core(&lang)?
        .messages(std::time::SystemTime::now())
        .map_err(err(&lang))
}

#[tauri::command]
fn mark_message_read(
    state: State<'_, AppState>,
    lang: String,
    org_id: String,
    id: String,
) -> Res<()> {
    state
        .core(&lang)?
        .mark_message_read(&org_id, &id)
        .map_err(err(&lang))
}

#[tauri::command]
async fn enroll(
    state: State<'_, AppState>,
    lang: String,
    server: String,
    code: String,
    device_name: String,
) -> Res<Organization> {
    let core = state.core(&lang)?;
    core.enroll(&server, &code, &device_name)
        .await
        .map_err(err(&lang))
}

/// Builds and runs the app. On Android and iOS this is the entry point the Tauri mobile
/// runtime calls (docs/mobile.md; not built on this project's machines).
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    // Joining links and, on phones, the camera scan (join.rs, join_mobile.rs).
    let builder = join::plugins(tauri::Builder::default());
    #[cfg(mobile)]
    let builder = join_mobile::plugins(builder);
    let result = builder
        .setup(|app| {
            join::setup(app);
            let data_dir = match shiftlog_core::data_dir_override() {
                Some(d) => d,
                None => app.path().app_data_dir()?,
            };
            app.manage(AppState {
                data_dir,
                open: Mutex::new(None),
                focus_gen: AtomicU64::new(0),
            });
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Focused(focused) = event {
                focus::changed(window.app_handle(), *focused);
            }
        })
        .invoke_handler(tauri::generate_handler![
            profile_state,
            unlock,
            change_pin,
            lock,
            app_state,
            catalogue,
            kind_definitions,
            open_shift,
            log_activity,
            retention_notice,
            todays_activities,
            list_records,
            edit_record,
            delete_record,
            start_shift,
            end_shift,
            record_checkin,
            list_checkins,
            delete_checkin,
            share_debrief_request,
            checkin_retention,
            set_checkin_retention,
            log_training,
            summary,
            summary_html,
            print_page,
            add_local_organization,
            leave_organization,
            sync_status,
            sync_now,
            set_aside_versions,
            keep_set_aside,
            dismiss_set_aside,
            messages,
            mark_message_read,
            enroll,
            // The pay ledger (pay.rs).
            pay::add_payment,
            pay::list_payments,
            pay::edit_payment,
            pay::delete_payment,
            pay::share_payment,
            pay::pay_summary,
            pay::payment_form,
            // The work record (statement.rs).
            statement::request_statement,
            statement::statements,
            statement::work_record_html,
            // Joining: links, an organization's own certificate (join.rs).
            join::take_join_link,
            join::read_join_link,
            join::certificate_fingerprint,
            join::join_organization,
            join::organization_certificate,
            // The open shift's tally (tally.rs).
            tally::tally,
            tally::tally_change
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("shiftlog could not start: {e}");
        std::process::exit(1);
    }
}
