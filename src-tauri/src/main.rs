//! shiftlog desktop app entry point.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    shiftlog_app::run();
}
