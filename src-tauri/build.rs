//! Declares the app's commands so capabilities can allow exactly these and nothing else.

const COMMANDS: &[&str] = &[
    "app_state",
    "log_activity",
    "todays_activities",
    "sync_status",
    "sync_now",
    "enroll",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
