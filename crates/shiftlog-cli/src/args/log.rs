//! Arguments of `shiftlog log`: one subcommand per built-in kind, and the options they share.
//! Choices and defaults are the record model's (`form`).

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shiftlog_core::model::{
    ContactType, NaloxoneRoute, NavOutcome, NavTask, OverdoseOutcome, ReferralType, YesNoUnknown,
};

use super::form::choice;

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
    /// An aggregate entry for past days (e.g. from a paper tally): first day, YYYY-MM-DD.
    #[arg(long, requires = "period_to")]
    pub period_from: Option<NaiveDate>,
    /// Last day of the period (at most 92 days, not after today).
    #[arg(long, requires = "period_from")]
    pub period_to: Option<NaiveDate>,
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
        #[arg(long)]
        naloxone_doses: Option<i64>,
        /// How naloxone was given.
        #[arg(long, value_parser = choice(NaloxoneRoute::ALL, NaloxoneRoute::as_str))]
        route: Option<NaloxoneRoute>,
        /// Was 911 called?
        #[arg(long, value_parser = choice(YesNoUnknown::ALL, YesNoUnknown::as_str))]
        called_911: Option<YesNoUnknown>,
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
        #[arg(long, value_parser = choice(OverdoseOutcome::ALL, OverdoseOutcome::as_str))]
        outcome: Option<OverdoseOutcome>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Systems navigation or accompaniment.
    Navigation {
        /// Task.
        #[arg(long, value_parser = choice(NavTask::ALL, NavTask::as_str))]
        task: Option<NavTask>,
        /// How the contact happened.
        #[arg(long, value_parser = choice(ContactType::ALL, ContactType::as_str))]
        contact: Option<ContactType>,
        /// Outcome.
        #[arg(long, value_parser = choice(NavOutcome::ALL, NavOutcome::as_str))]
        outcome: Option<NavOutcome>,
        /// Travel minutes.
        #[arg(long)]
        travel_minutes: Option<i64>,
        /// A barrier addressed (repeat for several).
        #[arg(long = "barrier")]
        barriers: Vec<String>,
        /// Referred to (a service, not a person).
        #[arg(long)]
        referral: Option<String>,
        /// Referral type.
        #[arg(long, value_parser = choice(ReferralType::ALL, ReferralType::as_str))]
        referral_type: Option<ReferralType>,
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
