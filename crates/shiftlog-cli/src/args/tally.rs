//! Arguments of `shiftlog tally`: the open shift's counters.

use clap::Subcommand;

#[derive(Subcommand)]
pub enum TallyAction {
    /// Show the counters and their counts (the default).
    Show {
        /// Organization id (default: your first).
        #[arg(long)]
        org: Option<String>,
    },
    /// Count N more (default 1): KEY is an item id (naloxone_kit) or a contact kind
    /// (outreach_contact: people reached), or `item:ID` / `people:KIND`.
    Add {
        /// The counter.
        key: String,
        /// How many.
        #[arg(default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        n: i64,
        /// Organization id (default: your first).
        #[arg(long)]
        org: Option<String>,
    },
    /// Take N back (default 1); a counter never goes below 0.
    Remove {
        /// The counter.
        key: String,
        /// How many.
        #[arg(default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..=10_000))]
        n: i64,
        /// Organization id (default: your first).
        #[arg(long)]
        org: Option<String>,
    },
}
