//! Arguments of `shiftlog log`: one subcommand per built-in kind, and the options they share.

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};

#[derive(Args, Clone, Default)]
pub struct CommonArgs {
    /// Organization id (default: your first).
    #[arg(long)]
    pub org: Option<String>,
    /// When it happened (RFC 3339, default now).
    #[arg(long)]
    pub at: Option<String>,
    /// Area id from your organization's list.
    #[arg(long)]
    pub area: Option<String>,
    /// Minutes spent.
    #[arg(long)]
    pub minutes: Option<i64>,
    /// People reached (a count).
    #[arg(long)]
    pub people: Option<i64>,
    /// A short note. No names.
    #[arg(long)]
    pub note: Option<String>,
    /// Done off shift.
    #[arg(long)]
    pub off_shift: bool,
}

#[derive(Subcommand)]
pub enum LogKind {
    /// Supplies handed out: one or more ITEM=QUANTITY, e.g. naloxone_kit=2 syringes=10.
    Supplies {
        /// ITEM=QUANTITY lines.
        #[arg(required = true)]
        lines: Vec<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Overdose response.
    Overdose {
        /// Naloxone doses given (0 for none).
        #[arg(long, default_value_t = 0)]
        naloxone_doses: i64,
        /// How naloxone was given.
        #[arg(long, value_enum, default_value = "intranasal")]
        route: RouteArg,
        /// Was 911 called?
        #[arg(long, value_enum, default_value = "yes")]
        called_911: YesNoArg,
        /// EMS arrived.
        #[arg(long)]
        ems_arrived: bool,
        /// Rescue breathing given.
        #[arg(long)]
        rescue_breathing: bool,
        /// Oxygen given.
        #[arg(long)]
        oxygen: bool,
        /// Recovery position.
        #[arg(long)]
        recovery_position: bool,
        /// Stayed until recovery or EMS.
        #[arg(long)]
        stayed: bool,
        /// Kit replaced.
        #[arg(long)]
        kit_replaced: bool,
        /// Outcome.
        #[arg(long, value_enum, default_value = "survived")]
        outcome: OutcomeArg,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Systems navigation or accompaniment.
    Navigation {
        /// Task: id, income_assistance, disability_assistance, housing, bank_account,
        /// health_appointment, pharmacy, legal, other.
        #[arg(long)]
        task: String,
        /// Contact: phone, in_person, accompaniment.
        #[arg(long, default_value = "in_person")]
        contact: String,
        /// Outcome: completed, pending, declined.
        #[arg(long, default_value = "completed")]
        outcome: String,
        /// Travel minutes.
        #[arg(long)]
        travel_minutes: Option<i64>,
        /// A barrier addressed (repeat for several).
        #[arg(long = "barrier")]
        barriers: Vec<String>,
        /// Referred to (a service, not a person).
        #[arg(long)]
        referral: Option<String>,
        /// Referral type: passive, active, warm_handoff.
        #[arg(long, default_value = "active")]
        referral_type: String,
        /// Follow-up date, YYYY-MM-DD.
        #[arg(long)]
        follow_up: Option<NaiveDate>,
        /// Out-of-pocket cost, in cents.
        #[arg(long)]
        cost_cents: Option<i64>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Outreach contact.
    Outreach {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Peer education.
    Education {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Emotional support or a group.
    Support {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Meal service.
    Meal {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Any kind, with its body as JSON (docs/records.md), e.g. an organization's own kind.
    Json {
        /// Kind id.
        kind: String,
        /// Body, JSON.
        body: String,
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RouteArg {
    Intranasal,
    Intramuscular,
}
#[derive(Clone, Copy, ValueEnum)]
pub enum YesNoArg {
    Yes,
    No,
    Unknown,
}
#[derive(Clone, Copy, ValueEnum)]
pub enum OutcomeArg {
    Survived,
    Transported,
    Died,
    Unknown,
}
