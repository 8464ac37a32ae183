//! Declares the app's commands so capabilities can allow exactly these and nothing else.

const COMMANDS: &[&str] = &[
    "profile_state",
    "unlock",
    "change_pin",
    "lock",
    "app_state",
    "catalogue",
    "kind_definitions",
    "open_shift",
    "log_activity",
    "retention_notice",
    "todays_activities",
    "list_records",
    "edit_record",
    "delete_record",
    "start_shift",
    "end_shift",
    "record_checkin",
    "list_checkins",
    "delete_checkin",
    "share_debrief_request",
    "checkin_retention",
    "set_checkin_retention",
    "log_training",
    "summary",
    "summary_html",
    "print_page",
    "add_local_organization",
    "leave_organization",
    "sync_status",
    "sync_now",
    "set_aside_versions",
    "keep_set_aside",
    "dismiss_set_aside",
    "messages",
    "mark_message_read",
    "enroll",
    // The pay ledger (src/pay.rs).
    "add_payment",
    "list_payments",
    "edit_payment",
    "delete_payment",
    "share_payment",
    "pay_summary",
    "payment_form",
    // The work record (src/statement.rs).
    "request_statement",
    "statements",
    "work_record_html",
    // Joining (src/join.rs).
    "take_join_link",
    "read_join_link",
    "certificate_fingerprint",
    "join_organization",
    "organization_certificate",
    // The open shift's tally (src/tally.rs).
    "tally",
    "tally_change",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
