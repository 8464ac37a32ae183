//! `shiftlog`: the same core API as the desktop app, for scripts, tests and terminals.
//! This file only translates arguments and errors; every rule lives in `shiftlog-core`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Local, NaiveDate, TimeZone};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::{json, Map, Value};
use shiftlog_core::{
    Core, CoreError, EndShift, Lang, NewActivity, NewCheckin, NewTraining, PayType, Record,
    RecordQuery, RecordSync, RecordType, StartShift, SummaryFormat, SummaryQuery, TrainingStatus,
    Unlock,
};
use uuid::Uuid;

#[derive(Parser)]
#[command(
    name = "shiftlog",
    version,
    about = "Log harm reduction and navigation work, offline first, and sync it to your organizations.",
    after_help = "Your data is encrypted on this device. Give your PIN with --pin or the SHIFTLOG_PIN \
                  environment variable; the first command you run sets it (4 to 12 digits)."
)]
struct Cli {
    /// Profile folder (default: $SHIFTLOG_DATA_DIR, else the app's data folder).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Your PIN (4 to 12 digits). Prefer the SHIFTLOG_PIN variable: arguments are visible to
    /// other users of this computer.
    #[arg(long, global = true, env = "SHIFTLOG_PIN", hide_env_values = true)]
    pin: Option<String>,
    /// Keep the database key in this computer's keystore instead of deriving it from a PIN
    /// (only when setting up a new profile; a keystore profile needs no flag afterwards).
    #[arg(long, global = true)]
    keystore: bool,
    /// Language of messages: en or fr.
    #[arg(long, global = true, env = "SHIFTLOG_LANG", default_value = "en")]
    lang: String,
    /// Print JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
        #[arg(long, value_enum, default_value = "received")]
        status: TrainingArg,
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
        /// Only records your organization's server refused.
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
    /// Remove synced records older than your organizations' retention windows.
    Purge,
    /// List data files that could not be read and were set aside (never deleted), and copy
    /// them somewhere for recovery.
    Rescue {
        /// Copy them into this folder.
        #[arg(long)]
        to: Option<PathBuf>,
    },
}

#[derive(Args, Clone, Default)]
struct CommonArgs {
    /// Organization id (default: your first).
    #[arg(long)]
    org: Option<String>,
    /// When it happened (RFC 3339, default now).
    #[arg(long)]
    at: Option<String>,
    /// Area id from your organization's list.
    #[arg(long)]
    area: Option<String>,
    /// Minutes spent.
    #[arg(long)]
    minutes: Option<i64>,
    /// People reached (a count).
    #[arg(long)]
    people: Option<i64>,
    /// A short note. No names.
    #[arg(long)]
    note: Option<String>,
    /// Done off shift.
    #[arg(long)]
    off_shift: bool,
}

#[derive(Subcommand)]
enum LogKind {
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

#[derive(Subcommand)]
enum ShiftAction {
    /// Start a shift.
    Start {
        /// Role title id.
        #[arg(long)]
        role: Option<String>,
        /// How it is paid.
        #[arg(long, value_enum, default_value = "paid")]
        pay: PayArg,
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
enum RouteArg {
    Intranasal,
    Intramuscular,
}
#[derive(Clone, Copy, ValueEnum)]
enum YesNoArg {
    Yes,
    No,
    Unknown,
}
#[derive(Clone, Copy, ValueEnum)]
enum OutcomeArg {
    Survived,
    Transported,
    Died,
    Unknown,
}
#[derive(Clone, Copy, ValueEnum)]
enum PayArg {
    Paid,
    Unpaid,
    Volunteer,
    OnCall,
    Honorarium,
}
#[derive(Clone, Copy, ValueEnum)]
enum TrainingArg {
    Received,
    Wanted,
}
#[derive(Clone, Copy, ValueEnum)]
enum TypeArg {
    Activity,
    Shift,
    DebriefRequest,
    Training,
}
#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum FormatArg {
    Text,
    Json,
    Csv,
    Html,
}

fn enum_str<T: ValueEnum>(v: T) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().replace('-', "_"))
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = Lang::parse(&cli.lang);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Core(e)) => {
            eprintln!("shiftlog: {}", e.message(lang));
            ExitCode::from(exit_code(&e))
        }
        Err(Failure::Usage(m)) => {
            eprintln!("shiftlog: {m}");
            ExitCode::from(2)
        }
    }
}

enum Failure {
    Core(CoreError),
    Usage(String),
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        Failure::Core(e)
    }
}

/// Exit codes: 2 usage, 3 invalid input, 4 offline (retry), 5 other permanent failure,
/// 6 wrong or missing PIN.
fn exit_code(e: &CoreError) -> u8 {
    match e {
        CoreError::Invalid(_) => 3,
        CoreError::WrongPin | CoreError::PinNeeded => 6,
        e if !e.is_permanent() => 4,
        _ => 5,
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Usage(format!("cannot start: {e}")))
}

fn parse_at(at: Option<&str>) -> Result<Option<DateTime<FixedOffset>>, Failure> {
    at.map(|s| {
        DateTime::parse_from_rfc3339(s).map_err(|e| {
            Failure::Usage(format!(
                "{s}: {e}; use a time like 2026-11-22T14:05:00-08:00"
            ))
        })
    })
    .transpose()
}

fn parse_json(s: &str) -> Result<Value, Failure> {
    serde_json::from_str(s).map_err(|e| Failure::Usage(format!("not valid JSON: {e}")))
}

fn body_with_common(mut specific: Map<String, Value>, c: &CommonArgs) -> Value {
    let mut put = |k: &str, v: Value| {
        if !v.is_null() {
            specific.insert(k.into(), v);
        }
    };
    put("area", json!(c.area));
    put("minutes", json!(c.minutes));
    put("people_reached", json!(c.people));
    put("note", json!(c.note));
    if c.off_shift {
        put("on_shift", json!(false));
    }
    Value::Object(specific)
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn describe(r: &Record) -> String {
    let state = match &r.sync {
        RecordSync::Waiting => "waiting".to_string(),
        RecordSync::Sent { .. } => "sent".to_string(),
        RecordSync::Local => "this device only".to_string(),
        RecordSync::NeedsAttention { reason } => format!("needs attention: {reason}"),
    };
    format!(
        "{}  {}  {}  {}  {}  v{}  [{}]",
        r.id,
        r.occurred_at.format("%Y-%m-%d %H:%M"),
        r.org_id,
        r.kind,
        r.body,
        r.version,
        state
    )
}

fn local_midnight(d: NaiveDate) -> DateTime<FixedOffset> {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.fixed_offset())
        .unwrap_or_else(|| naive.and_utc().fixed_offset())
}

fn run(cli: Cli) -> Result<(), Failure> {
    let dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(shiftlog_core::default_data_dir);
    let lang = Lang::parse(&cli.lang);
    if let Command::Rescue { to } = &cli.command {
        let files = shiftlog_core::store::quarantined(&dir);
        if let Some(dest) = to {
            let copies = shiftlog_core::store::export_quarantined(&dir, dest)?;
            println!("Copied {} file(s) to {}", copies.len(), dest.display());
        } else if files.is_empty() {
            println!("No data file was set aside.");
        } else {
            for f in files {
                println!("{}", f.display());
            }
        }
        return Ok(());
    }
    let source = shiftlog_core::profile_key_source(&dir);
    let unlock =
        match (source.as_deref(), cli.pin.clone(), cli.keystore) {
            (Some("keystore"), _, _) | (None, None, true) => Unlock::Keystore,
            (_, Some(pin), _) => Unlock::Pin(pin),
            (Some(_), None, _) => {
                return Err(Failure::Usage(
                    "enter your PIN with --pin or SHIFTLOG_PIN".into(),
                ))
            }
            (None, None, false) => return Err(Failure::Usage(
                "choose a PIN (4 to 12 digits) with --pin or SHIFTLOG_PIN to set up this device, \
                 or use --keystore to keep the key in this computer's keystore"
                    .into(),
            )),
        };
    let core: Arc<Core> = Core::open(&dir, &unlock)?;
    let json_out = cli.json;
    let print = |v: Value, text: String| {
        if json_out {
            println!("{v}");
        } else {
            println!("{text}");
        }
    };
    let print_records = |list: Vec<Record>| {
        if json_out {
            println!("{}", json!(list));
        } else if list.is_empty() {
            println!("Nothing here.");
        } else {
            for r in &list {
                println!("{}", describe(r));
            }
        }
    };
    match cli.command {
        Command::Enroll {
            server,
            code,
            device_name,
        } => {
            let org = runtime()?.block_on(core.enroll(&server, &code, &device_name))?;
            print(json!(org), format!("Joined {} ({})", org.name, org.id));
        }
        Command::AddOrg { name } => {
            let org = core.add_local_organization(&name)?;
            print(
                json!(org),
                format!("Added {} ({}), kept on this device only", org.name, org.id),
            );
        }
        Command::Leave {
            org,
            even_if_unsent,
        } => {
            core.leave_organization(&org, even_if_unsent)?;
            print(
                json!({"left": org}),
                format!("Left {org}. Your records stay on this device."),
            );
        }
        Command::Orgs => {
            let orgs = core.organizations()?;
            if json_out {
                println!("{}", json!(orgs));
            } else if orgs.is_empty() {
                println!("No organization yet. Join one with: shiftlog enroll <server> <code>");
            } else {
                for o in orgs {
                    println!(
                        "{}  {}  {}",
                        o.id,
                        o.name,
                        o.server_url.unwrap_or_else(|| "(this device only)".into())
                    );
                }
            }
        }
        Command::Catalogue { org } => {
            let cat = core.catalogue(org.as_deref())?;
            if json_out {
                println!("{}", json!(cat));
            } else {
                println!("Activity kinds: {}", cat.kinds.join(", "));
                for k in &cat.custom_kinds {
                    println!("  + {} ({})", k.id, k.label.get(lang));
                }
                println!("Items:");
                for i in &cat.items {
                    println!("  {}  {}", i.id, i.label.get(lang));
                }
                println!("Areas:");
                for a in &cat.areas {
                    println!("  {}  {}", a.id, a.label.get(lang));
                }
                println!("Roles:");
                for r in &cat.roles {
                    println!(
                        "  {}  {}: {}",
                        r.id,
                        r.title.get(lang),
                        r.expectations.get(lang)
                    );
                }
                println!(
                    "Synced records stay on this device for {} days.",
                    cat.retention_days
                );
            }
        }
        Command::Log { kind } => {
            let (kind, body, common) = match kind {
                LogKind::Supplies { lines, common } => {
                    let items = lines
                        .iter()
                        .map(|l| parse_line(l))
                        .collect::<Result<Vec<_>, _>>()?;
                    (
                        "supplies_distributed".to_string(),
                        obj(json!({ "items": items })),
                        common,
                    )
                }
                LogKind::Overdose {
                    naloxone_doses,
                    route,
                    called_911,
                    ems_arrived,
                    rescue_breathing,
                    oxygen,
                    recovery_position,
                    stayed,
                    kit_replaced,
                    outcome,
                    common,
                } => (
                    "overdose_response".to_string(),
                    obj(json!({
                        "called_911": enum_str(called_911),
                        "ems_arrived": ems_arrived,
                        "naloxone": (naloxone_doses > 0).then(|| json!({"doses": naloxone_doses, "route": enum_str(route)})),
                        "rescue_breathing": rescue_breathing,
                        "oxygen": oxygen,
                        "recovery_position": recovery_position,
                        "stayed_until_recovery_or_ems": stayed,
                        "kit_replaced": kit_replaced,
                        "outcome": enum_str(outcome),
                    })),
                    common,
                ),
                LogKind::Navigation {
                    task,
                    contact,
                    outcome,
                    travel_minutes,
                    barriers,
                    referral,
                    referral_type,
                    follow_up,
                    cost_cents,
                    common,
                } => (
                    "systems_navigation".to_string(),
                    obj(json!({
                        "task": task, "contact_type": contact, "outcome": outcome,
                        "travel_minutes": travel_minutes, "barriers": barriers,
                        "referral": referral.map(|d| json!({"destination": d, "type": referral_type})),
                        "follow_up_date": follow_up, "out_of_pocket_cents": cost_cents,
                    })),
                    common,
                ),
                LogKind::Outreach { common } => ("outreach_contact".into(), Map::new(), common),
                LogKind::Education { common } => ("peer_education".into(), Map::new(), common),
                LogKind::Support { common } => ("emotional_support".into(), Map::new(), common),
                LogKind::Meal { common } => ("meal_service".into(), Map::new(), common),
                LogKind::Json { kind, body, common } => (kind, obj(parse_json(&body)?), common),
            };
            let a = core.log_activity(NewActivity {
                org_id: common.org.clone(),
                occurred_at: parse_at(common.at.as_deref())?,
                kind,
                body: body_with_common(body, &common),
            })?;
            print(json!(a), format!("Saved {}", a.id));
        }
        Command::Shift { action } => match action {
            ShiftAction::Start {
                role,
                pay,
                area,
                note,
                org,
                at,
            } => {
                let pay_type: PayType = serde_json::from_value(json!(enum_str(pay)))
                    .map_err(|e| Failure::Usage(e.to_string()))?;
                let s = core.start_shift(StartShift {
                    org_id: org,
                    role,
                    pay_type: Some(pay_type),
                    area,
                    note,
                    started_at: parse_at(at.as_deref())?,
                })?;
                print(
                    json!(s),
                    format!("Shift started {}", s.body.started_at.format("%H:%M")),
                );
            }
            ShiftAction::End { org, at } => {
                let s = core.end_shift(EndShift {
                    org_id: org,
                    ended_at: parse_at(at.as_deref())?,
                })?;
                print(json!(s), "Shift ended".into());
            }
            ShiftAction::Show { org } => {
                let s = core.open_shift(org.as_deref())?;
                print(
                    json!(s),
                    match &s {
                        Some(s) => format!(
                            "Shift open since {} ({})",
                            s.body.started_at.format("%Y-%m-%d %H:%M"),
                            s.body.pay_type.as_str()
                        ),
                        None => "No shift open".into(),
                    },
                );
            }
        },
        Command::Checkin {
            debrief,
            wellbeing,
            note,
            share,
            after,
            org,
        } => {
            let c = core.record_checkin(NewCheckin {
                org_id: org,
                after_record_id: after,
                debrief_requested: debrief,
                wellbeing,
                private_note: note,
                share_debrief_request: share,
            })?;
            print(
                json!(c),
                if c.shared_record_id.is_some() {
                    "Check-in saved. Your organization will know you asked for a debrief (nothing else).".into()
                } else {
                    "Check-in saved on this device only.".into()
                },
            );
        }
        Command::Checkins => {
            let list = core.list_checkins()?;
            if json_out {
                println!("{}", json!(list));
            } else {
                for c in list {
                    println!(
                        "{}  {}  debrief:{}  wellbeing:{}  shared:{}  {}",
                        c.id,
                        c.created_at.format("%Y-%m-%d %H:%M"),
                        c.debrief_requested,
                        c.wellbeing
                            .map(|w| w.to_string())
                            .unwrap_or_else(|| "-".into()),
                        c.shared_record_id.is_some(),
                        c.private_note.unwrap_or_default()
                    );
                }
            }
        }
        Command::ShareDebrief { id } => {
            let c = core.share_debrief_request(id)?;
            print(
                json!(c),
                "Shared: your organization will know you asked for a debrief.".into(),
            );
        }
        Command::Training {
            topic,
            status,
            minutes,
            org,
        } => {
            let status: TrainingStatus = serde_json::from_value(json!(enum_str(status)))
                .map_err(|e| Failure::Usage(e.to_string()))?;
            let r = core.log_training(NewTraining {
                org_id: org,
                topic,
                status,
                minutes,
                occurred_at: None,
            })?;
            print(json!(r), format!("Saved {}", r.id));
        }
        Command::List {
            today,
            r#type,
            needs_attention,
            limit,
        } => {
            let list = if today {
                core.todays_activities()?
            } else {
                let record_type = r#type.map(|t| match t {
                    TypeArg::Activity => RecordType::Activity,
                    TypeArg::Shift => RecordType::Shift,
                    TypeArg::DebriefRequest => RecordType::DebriefRequest,
                    TypeArg::Training => RecordType::Training,
                });
                core.list_records(&RecordQuery {
                    record_type,
                    needs_attention,
                    limit,
                    ..RecordQuery::default()
                })?
            };
            print_records(list);
        }
        Command::Edit { id, body, at } => {
            let r = core.edit_record(id, parse_at(at.as_deref())?, parse_json(&body)?)?;
            print(json!(r), format!("Saved {} (version {})", r.id, r.version));
        }
        Command::Delete { id } => {
            core.delete_record(id)?;
            print(json!({"deleted": id}), "Deleted".into());
        }
        Command::Summary {
            month,
            from,
            to,
            org,
            format,
            out,
        } => {
            let (from, to) = match (month, from, to) {
                (_, Some(f), Some(t)) => (
                    local_midnight(f),
                    local_midnight(t + chrono::Duration::days(1)),
                ),
                (m, _, _) => {
                    let first = match m {
                        Some(m) => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
                            .map_err(|_| Failure::Usage(format!("--month {m}: use YYYY-MM")))?,
                        None => {
                            let today = Local::now().date_naive();
                            today
                                - chrono::Duration::days(i64::from(chrono::Datelike::day0(&today)))
                        }
                    };
                    let next = first
                        .checked_add_months(chrono::Months::new(1))
                        .ok_or_else(|| Failure::Usage("month out of range".into()))?;
                    (local_midnight(first), local_midnight(next))
                }
            };
            let q = SummaryQuery {
                from,
                to,
                org_id: org.clone(),
            };
            let text = match (format, json_out) {
                (_, true) | (FormatArg::Json, _) => json!(core.summary(&q)?).to_string(),
                (FormatArg::Csv, _) => core.summary_export(&q, SummaryFormat::Csv, lang)?,
                (FormatArg::Html, _) => core.summary_export(&q, SummaryFormat::Html, lang)?,
                (FormatArg::Text, _) => core
                    .summary_export(&q, SummaryFormat::Csv, lang)?
                    .lines()
                    .skip(1)
                    .map(|l| l.replace(',', "  "))
                    .collect::<Vec<_>>()
                    .join("\n"),
            };
            match out {
                Some(path) => std::fs::write(&path, text)
                    .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?,
                None => println!("{text}"),
            }
        }
        Command::Sync => {
            let r = runtime()?.block_on(core.sync_now())?;
            print(
                json!(r),
                format!(
                    "Sent {} new, {} already there, {} need attention",
                    r.accepted, r.already_had, r.rejected
                ),
            );
        }
        Command::Status => {
            let s = core.sync_status()?;
            print(
                json!(s),
                format!(
                    "{} waiting to send, {} need attention, last sent {}",
                    s.waiting,
                    s.needs_attention,
                    s.last_sent_at
                        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| "never".into())
                ),
            );
        }
        Command::Rescue { .. } => {}
        Command::Purge => {
            let n = core.purge_expired()?;
            print(
                json!({"purged": n}),
                format!("Removed {n} synced records past their retention window"),
            );
        }
    }
    Ok(())
}

fn parse_line(s: &str) -> Result<Value, Failure> {
    let (item, qty) = s
        .split_once('=')
        .ok_or_else(|| Failure::Usage(format!("{s}: write ITEM=QUANTITY, e.g. naloxone_kit=2")))?;
    let quantity: i64 = qty
        .trim()
        .parse()
        .map_err(|_| Failure::Usage(format!("{s}: the quantity must be a whole number")))?;
    Ok(json!({ "item": item.trim(), "quantity": quantity }))
}
