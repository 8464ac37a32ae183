//! Joining an organization from the join screen.
//!
//! A `shiftlog://join?server=…&code=…` link (the dashboard's link and QR code) opens the app
//! with both fields filled in: tauri-plugin-deep-link hands it over, from the command line
//! when the link started the app (on Linux and Windows the link is the one argument) or, when
//! the app already runs, through tauri-plugin-single-instance (a second launch passes its
//! arguments to the first and ends). The link is kept here until the join screen takes it, so
//! a link that arrives while the app is locked waits for the PIN. Nothing joins by itself: the
//! worker checks and presses Join.
//!
//! The worker may also trust the organization's own certificate (pasted, or read from a file
//! by the page), shown as its SHA-256 fingerprint to compare with what the coordinator reads
//! out; the core keeps it for that organization's server only.

use std::sync::Mutex;

use serde::Serialize;
use shiftlog_core::{JoinLink, Organization};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

use crate::state::{err, AppState, Res};

/// The event the page hears when a link arrives while the app runs.
pub(crate) const JOIN_LINK_EVENT: &str = "shiftlog://join-link";

/// The last joining link the app was opened with, until the join screen takes it.
#[derive(Default)]
pub(crate) struct PendingLink(Mutex<Option<JoinLink>>);

/// Registers the plugins that bring links in (single-instance first, as it must be).
pub(crate) fn plugins<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    #[cfg(desktop)]
    let builder = builder.plugin(single_instance());
    builder.plugin(tauri_plugin_deep_link::init())
}

/// One running app per profile: with a data directory of its own (`SHIFTLOG_DATA_DIR`, as
/// tests and a second profile use), its own D-Bus name, so it never hands links to another.
#[cfg(desktop)]
fn single_instance<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    let b = tauri_plugin_single_instance::Builder::new().callback(|app, _args, _cwd| {
        if let Some(w) = app.get_webview_window("main") {
            let _ = w.unminimize();
            let _ = w.set_focus();
        }
    });
    match shiftlog_core::data_dir_override() {
        Some(dir) => {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            dir.hash(&mut h);
            b.dbus_id(format!("org.shiftlog.app.p{:016x}", h.finish()))
        }
        None => b,
    }
    .build()
}

/// In `setup`: takes the link the app was started with and listens for later ones.
pub(crate) fn setup<R: Runtime>(app: &tauri::App<R>) {
    use tauri_plugin_deep_link::DeepLinkExt;
    app.manage(PendingLink::default());
    // A development build registers the scheme itself (a .desktop file on Linux); an
    // installed package registers it at install time.
    #[cfg(all(debug_assertions, any(target_os = "linux", windows)))]
    if let Err(e) = app.deep_link().register_all() {
        eprintln!("shiftlog: could not register shiftlog:// links: {e}");
    }
    if let Ok(Some(urls)) = app.deep_link().get_current() {
        arrived(app.handle(), &urls);
    }
    let handle = app.handle().clone();
    app.deep_link()
        .on_open_url(move |event| arrived(&handle, &event.urls()));
}

fn arrived<R: Runtime>(app: &AppHandle<R>, urls: &[tauri::Url]) {
    let Some(link) = urls
        .iter()
        .find_map(|u| shiftlog_core::parse_join_link(u.as_str()))
    else {
        return;
    };
    *app.state::<PendingLink>()
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(link);
    let _ = app.emit(JOIN_LINK_EVENT, ());
}

/// The joining link waiting for the join screen, taken (so it fills the form once).
#[tauri::command]
pub(crate) fn take_join_link(pending: State<'_, PendingLink>) -> Option<JoinLink> {
    pending.0.lock().unwrap_or_else(|p| p.into_inner()).take()
}

/// The SHA-256 fingerprint of a pasted or picked certificate, `AB:CD:…`.
#[tauri::command]
pub(crate) fn certificate_fingerprint(lang: String, pem: String) -> Res<String> {
    shiftlog_core::certificate_fingerprint(&pem).map_err(err(&lang))
}

/// Joins with a one-time code, trusting `certificate` (PEM) for this server when given.
#[tauri::command]
pub(crate) async fn join_organization(
    state: State<'_, AppState>,
    lang: String,
    server: String,
    code: String,
    device_name: String,
    certificate: Option<String>,
) -> Res<Organization> {
    let core = state.core(&lang)?;
    core.enroll_trusting(&server, &code, &device_name, certificate.as_deref())
        .await
        .map_err(err(&lang))
}

/// What the organizations screen shows of a trusted certificate.
#[derive(Serialize)]
pub(crate) struct TrustedCertificate {
    fingerprint: Option<String>,
}

/// The fingerprint of the certificate trusted for `org_id`, if the worker gave one.
#[tauri::command]
pub(crate) fn organization_certificate(
    state: State<'_, AppState>,
    lang: String,
    org_id: String,
) -> Res<TrustedCertificate> {
    Ok(TrustedCertificate {
        fingerprint: state
            .core(&lang)?
            .organization_certificate(&org_id)
            .map_err(err(&lang))?,
    })
}

/// A joining link read from a scanned QR code or pasted text; `None` if it is not one.
#[tauri::command]
pub(crate) fn read_join_link(text: String) -> Option<JoinLink> {
    shiftlog_core::parse_join_link(&text)
}
