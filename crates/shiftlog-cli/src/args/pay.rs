//! `shiftlog pay …`: the worker's pay ledger.

use chrono::NaiveDate;
use clap::Subcommand;
use shiftlog_core::model::PayMethod;
use uuid::Uuid;

use super::form::choice;

/// `shiftlog pay …`.
#[derive(Subcommand)]
pub enum PayAction {
    /// Note a payment: how much, when, from which organization, how (stays on this device).
    Add {
        /// How much, e.g. 40.00 (or 40,00).
        #[arg(long)]
        amount: String,
        /// The day you were paid, YYYY-MM-DD (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
        /// The organization that paid you (id; default: your first).
        #[arg(long)]
        org: Option<String>,
        /// How you were paid.
        #[arg(long, value_parser = choice(PayMethod::ALL, PayMethod::as_str))]
        method: PayMethod,
        /// Currency, three letters (default: CAD).
        #[arg(long)]
        currency: Option<String>,
        /// A shift it was for (shift id; repeat for several).
        #[arg(long = "shift", value_name = "ID")]
        shifts: Vec<Uuid>,
        /// A short note for you (never shared; no names).
        #[arg(long)]
        note: Option<String>,
    },
    /// List what you were paid, newest first.
    List {
        /// One organization only.
        #[arg(long)]
        org: Option<String>,
    },
    /// Change a line: what you give replaces what it says (a shared line is sent again).
    Edit {
        /// Payment id.
        id: Uuid,
        /// How much, e.g. 40.00.
        #[arg(long)]
        amount: Option<String>,
        /// The day you were paid, YYYY-MM-DD.
        #[arg(long)]
        date: Option<NaiveDate>,
        /// How you were paid.
        #[arg(long, value_parser = choice(PayMethod::ALL, PayMethod::as_str))]
        method: Option<PayMethod>,
        /// Currency, three letters.
        #[arg(long)]
        currency: Option<String>,
        /// The shifts it was for (replaces the list; repeat for several).
        #[arg(long = "shift", value_name = "ID")]
        shifts: Vec<Uuid>,
        /// Forget the shifts it was for.
        #[arg(long, conflicts_with = "shifts")]
        no_shifts: bool,
        /// A short note for you ("" removes it).
        #[arg(long)]
        note: Option<String>,
    },
    /// Share one line with the organization that paid you: only that line leaves this device.
    Share {
        /// Payment id (see `shiftlog pay list`).
        id: Uuid,
    },
    /// Delete a line (a shared line is withdrawn from your organization too).
    Delete {
        /// Payment id.
        id: Uuid,
    },
}
