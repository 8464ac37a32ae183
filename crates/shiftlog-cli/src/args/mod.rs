//! The command line's arguments, as clap reads them. Nothing here decides anything: each
//! value goes to the core as it is.

pub mod form;
mod log;
mod pay;
mod statement;
// The open shift's tally (issue 14).
mod tally;
pub use tally::TallyAction;

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use shiftlog_core::{PayType, TrainingStatus};
use uuid::Uuid;

use form::choice;

pub use log::{CommonArgs, LogKind};
pub use pay::PayAction;
pub use statement::{StatementAction, VerifyArgs};

#[derive(Parser)]
#[command(
    name = "shiftlog",
    version,
    about = "Log harm reduction and navigation work, offline first, and sync it to your organizations.",
    after_help = "Your data is encrypted on this device. Give your PIN with --pin or the SHIFTLOG_PIN \
                  environment variable; the first command you run sets it (6 to 12 digits). The database \
                  key goes to this computer's keystore when one answers (the PIN then locks it); \
                  --key-from-pin derives it from the PIN instead."
)]
pub struct Cli {
    /// Profile folder (default: $SHIFTLOG_DATA_DIR, else the app's data folder).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Your PIN (6 to 12 digits; 4 or 5 still open an older profile). Prefer the SHIFTLOG_PIN variable: arguments are visible to
    /// other users of this computer.
    #[arg(long, global = true, env = "SHIFTLOG_PIN", hide_env_values = true)]
    pub pin: Option<String>,
    /// Keep the database key in this computer's keystore instead of deriving it from a PIN
    /// (only when setting up a new profile; a keystore profile needs no flag afterwards).
    #[arg(long, global = true)]
    pub keystore: bool,
    /// Derive a new profile's database key from its PIN instead of keeping it in this
    /// computer's keystore (the default when a keystore answers).
    #[arg(long, global = true, conflicts_with = "keystore")]
    pub key_from_pin: bool,
    /// Language of messages: en or fr.
    #[arg(long, global = true, env = "SHIFTLOG_LANG", default_value = "en")]
    pub lang: String,
    /// Print JSON.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Join an organization with the one-time code from your coordinator.
    Enroll {
        /// Server address, e.g. https://shiftlog.example.org
        server: String,
        /// The one-time code.
        code: String,
        /// A name for this device that you will recognise (not your legal name).
        #[arg(long, default_value = "shiftlog CLI")]
        device_name: String,
    },
    /// Add an organization kept on this device only (no server).
    AddOrg {
        /// Its name.
        name: String,
    },
    /// List your organizations.
    Orgs,
    /// Leave an organization: stop syncing with it; your records stay on this device.
    Leave {
        /// Organization id.
        org: String,
        /// Leave even if some records were not sent yet (they stay on this device only).
        #[arg(long)]
        even_if_unsent: bool,
    },
    /// Print shell completions (bash, zsh, fish, elvish, powershell), e.g.
    /// `shiftlog completions bash > /etc/bash_completion.d/shiftlog`.
    Completions {
        /// Which shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `shiftlog man > shiftlog.1`.
    Man,
    /// Change an organization's settings on this device.
    Org {
        #[command(subcommand)]
        action: OrgAction,
    },
    /// Show an organization's catalogue: kinds, items, areas, roles and what they expect.
    Catalogue {
        /// Organization id (default: your first).
        #[arg(long)]
        org: Option<String>,
    },
    /// Record an activity.
    Log {
        #[command(subcommand)]
        kind: LogKind,
    },
    /// Start or end a shift, or show the open one.
    Shift {
        #[command(subcommand)]
        action: ShiftAction,
    },
    /// Record how you are doing after a hard moment; it stays on this device.
    Checkin {
        /// Ask for a debrief.
        #[arg(long)]
        debrief: bool,
        /// How you are doing, 1 (struggling) to 5 (fine).
        #[arg(long)]
        wellbeing: Option<i64>,
        /// A private note (never leaves this device).
        #[arg(long)]
        note: Option<String>,
        /// Tell your organization you asked for a debrief (only that, and when).
        #[arg(long)]
        share: bool,
        /// The activity it follows.
        #[arg(long)]
        after: Option<Uuid>,
        /// Organization id.
        #[arg(long)]
        org: Option<String>,
    },
    /// List your check-ins.
    Checkins,
    /// Show or choose how long your check-ins stay on this device: 7, 30, 90 or 365 (days),
    /// or `keep` (until you delete them). 30 days unless you choose.
    CheckinRetention {
        /// 7, 30, 90, 365 or keep; leave out to see the current choice.
        period: Option<String>,
    },
    /// Share a check-in's debrief request with your organization.
    ShareDebrief {
        /// Check-in id.
        id: Uuid,
    },
    /// Record training received or wanted.
    Training {
        /// What it was about.
        topic: String,
        /// Received or wanted.
        #[arg(long, value_parser = choice(TrainingStatus::ALL, TrainingStatus::as_str))]
        status: Option<TrainingStatus>,
        /// How long, in minutes.
        #[arg(long)]
        minutes: Option<i64>,
        /// Organization id.
        #[arg(long)]
        org: Option<String>,
    },
    /// List records, newest first.
    List {
        /// Only today's activities.
        #[arg(long)]
        today: bool,
        /// Only this type.
        #[arg(long, value_enum)]
        r#type: Option<TypeArg>,
        /// Only what needs you: records your organization's server refused, and your versions
        /// set aside because another change to the same record was kept.
        #[arg(long)]
        needs_attention: bool,
        /// At most this many.
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Replace a record's details (JSON as in docs/records.md); keeps its id, bumps its version.
    Edit {
        /// Record id.
        id: Uuid,
        /// New body, JSON.
        body: String,
        /// New time (RFC 3339).
        #[arg(long)]
        at: Option<String>,
    },
    /// Delete a record (a tombstone is sent to the organization).
    Delete {
        /// Record id.
        id: Uuid,
    },
    /// Keep your version that was set aside (see list --needs-attention): it is saved again
    /// as a new version, which wins on the server and your other devices at the next sync.
    Keep {
        /// Id of the set-aside version.
        id: Uuid,
    },
    /// Let go of your version that was set aside: the record stays as the other change left it.
    LetGo {
        /// Id of the set-aside version.
        id: Uuid,
    },
    /// Your pay ledger: what you were paid. It stays on this device unless you share a line.
    Pay {
        #[command(subcommand)]
        action: PayAction,
    },
    /// Your work record: statements your organizations sign, to show an employer.
    Statement {
        #[command(subcommand)]
        action: StatementAction,
    },
    /// Check a work statement file offline: valid (0), altered (10), unknown key (11),
    /// revoked or replaced key (12), key of another organization (13), not a statement (3).
    Verify(VerifyArgs),
    /// The open shift's tally: counters per item and people reached per contact kind,
    /// rolled into records when the shift ends.
    Tally {
        #[command(subcommand)]
        action: Option<TallyAction>,
    },
    /// Your own summary: hours paid and unpaid, activities, supplies, naloxone, navigation.
    Summary {
        /// A month, e.g. 2026-11 (default: this month).
        #[arg(long, conflicts_with_all = ["from", "to"])]
        month: Option<String>,
        /// Start date, YYYY-MM-DD.
        #[arg(long, requires = "to")]
        from: Option<NaiveDate>,
        /// End date (inclusive), YYYY-MM-DD.
        #[arg(long, requires = "from")]
        to: Option<NaiveDate>,
        /// One organization only.
        #[arg(long)]
        org: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: FormatArg,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Send everything waiting to your organizations now.
    Sync,
    /// Show what is waiting to be sent and when it was last sent.
    Status,
    /// Show messages and alerts from your organizations (they come with each sync).
    Messages {
        /// Mark this message read.
        #[arg(long, value_name = "ID")]
        read: Option<String>,
        /// The organization it came from, when two sent the same id.
        #[arg(long)]
        org: Option<String>,
    },
    /// Remove synced records older than your organizations' retention windows.
    Purge,
    /// Change your PIN: give the current one as usual (--pin or SHIFTLOG_PIN) and the new one
    /// (6 to 12 digits) with --new-pin or SHIFTLOG_NEW_PIN.
    ChangePin {
        /// The new PIN. Prefer the SHIFTLOG_NEW_PIN variable: arguments are visible to other
        /// users of this computer.
        #[arg(long, env = "SHIFTLOG_NEW_PIN", hide_env_values = true)]
        new_pin: String,
    },
    /// List data files that could not be read and were set aside (never deleted), and copy
    /// them somewhere for recovery.
    Rescue {
        /// Copy them into this folder.
        #[arg(long)]
        to: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum ShiftAction {
    /// Start a shift.
    Start {
        /// Role title id.
        #[arg(long)]
        role: Option<String>,
        /// How it is paid.
        #[arg(long, value_parser = choice(PayType::ALL, PayType::as_str))]
        pay: Option<PayType>,
        /// Area id.
        #[arg(long)]
        area: Option<String>,
        /// Note.
        #[arg(long)]
        note: Option<String>,
        /// Organization id.
        #[arg(long)]
        org: Option<String>,
        /// Start time (RFC 3339, default now).
        #[arg(long)]
        at: Option<String>,
    },
    /// End the open shift.
    End {
        /// Organization id.
        #[arg(long)]
        org: Option<String>,
        /// End time (RFC 3339, default now).
        #[arg(long)]
        at: Option<String>,
    },
    /// Show the open shift.
    Show {
        /// Organization id.
        #[arg(long)]
        org: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum TypeArg {
    Activity,
    Shift,
    DebriefRequest,
    Training,
    Payment,
}
#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub enum FormatArg {
    Text,
    Json,
    Csv,
    Html,
}

/// `shiftlog org …`.
#[derive(Subcommand)]
pub enum OrgAction {
    /// Send this organization's records to a new server address (when the organization
    /// moved its server). The device keeps its token; nothing is sent until the next sync.
    SetUrl {
        /// Organization id (see `shiftlog orgs`).
        org: String,
        /// The new address, e.g. https://shiftlog.example.org
        url: String,
    },
}
