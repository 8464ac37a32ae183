//! Phones: joining by scanning the dashboard's QR code with the camera.
//!
//! **Not built or tested here** (no Android NDK or Xcode on this project's machines; see
//! docs/mobile.md). Only compiled for Android and iOS (`cfg(mobile)`), so desktop builds never
//! see the barcode-scanner plugin. The page calls the plugin's `scan` (allowed by the phone
//! capability in tauri.android.conf.json / tauri.ios.conf.json), then `read_join_link` with
//! what it read, and fills the join form exactly as an opened link does.

/// Registers the barcode scanner.
pub(crate) fn plugins<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.plugin(tauri_plugin_barcode_scanner::init())
}
