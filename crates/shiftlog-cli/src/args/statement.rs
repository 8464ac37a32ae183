//! `shiftlog statement …` and `shiftlog verify`: the worker's work record, and checking one.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Subcommand;

/// `shiftlog statement …`.
#[derive(Subcommand)]
pub enum StatementAction {
    /// Ask your organizations to sign a statement of your work for a period (counts only,
    /// nothing about the people you served). Each is checked before it is kept.
    Request {
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: NaiveDate,
        /// Last day (included), YYYY-MM-DD.
        #[arg(long)]
        to: NaiveDate,
        /// One organization only (id; default: every organization with a server).
        #[arg(long)]
        org: Option<String>,
    },
    /// List the statements kept on this device, newest first.
    List,
    /// Save one statement as a file anyone can check with `shiftlog verify`.
    Save {
        /// Statement id (see `shiftlog statement list`).
        id: String,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
        /// Also write the organization's published keys it was checked against (for
        /// `shiftlog verify --keys`).
        #[arg(long, value_name = "FILE")]
        keys_out: Option<PathBuf>,
    },
    /// Write the printable page of your statements (every one, or the ids given).
    Print {
        /// Statement ids (default: every one kept).
        ids: Vec<String>,
        /// The HTML file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

/// `shiftlog verify FILE`: offline, no profile needed.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// A statement file (one statement, or several from a printed page).
    pub file: PathBuf,
    /// Trust this public key (64 hex digits) for the organization the statement names.
    #[arg(long, value_name = "PUBKEY", conflicts_with = "keys")]
    pub key: Option<String>,
    /// Trust the keys in this file: an organization's published list
    /// (/api/v1/statement-keys/ORG on its server), or a JSON array of lists.
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,
}
