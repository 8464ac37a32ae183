//! `shiftlog`: the same core API as the desktop app, for scripts, tests and terminals.
//! This file only translates arguments and errors; every rule lives in `shiftlog-core`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use shiftlog_core::{
    ActivityDetails, ActivityQuery, Core, CoreError, Lang, NewActivity, RecordSync, SupplyLine,
};

#[derive(Parser)]
#[command(
    name = "shiftlog",
    version,
    about = "Log harm reduction and navigation work, offline first, and sync it to your organizations."
)]
struct Cli {
    /// Profile folder (default: $SHIFTLOG_DATA_DIR, else the app's data folder).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
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
    /// Record an activity.
    Log {
        #[command(subcommand)]
        kind: LogKind,
    },
    /// List activities, newest first.
    List {
        /// Only today's.
        #[arg(long)]
        today: bool,
        /// At most this many.
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Send everything waiting to your organizations now.
    Sync,
    /// Show what is waiting to be sent and when it was last sent.
    Status,
    /// List your organizations.
    Orgs,
}

#[derive(Subcommand)]
enum LogKind {
    /// Supplies distributed: one or more ITEM=QUANTITY, e.g. naloxone_kit=2 syringes=10.
    Supplies {
        /// ITEM=QUANTITY lines.
        #[arg(required = true)]
        lines: Vec<String>,
        /// Organization id (default: your first).
        #[arg(long)]
        org: Option<String>,
        /// When it happened (RFC 3339, default now).
        #[arg(long)]
        at: Option<String>,
    },
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

/// Exit codes: 2 usage, 3 invalid input, 4 offline (retry), 5 other permanent failure.
fn exit_code(e: &CoreError) -> u8 {
    match e {
        CoreError::Invalid(_) => 3,
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

fn run(cli: Cli) -> Result<(), Failure> {
    let dir = cli.data_dir.unwrap_or_else(shiftlog_core::default_data_dir);
    let core: Arc<Core> = Core::open(&dir)?;
    let print = |v: serde_json::Value, text: String| {
        if cli.json {
            println!("{v}");
        } else {
            println!("{text}");
        }
    };
    match cli.command {
        Command::Enroll {
            server,
            code,
            device_name,
        } => {
            let org = runtime()?.block_on(core.enroll(&server, &code, &device_name))?;
            print(
                serde_json::json!(org),
                format!("Joined {} ({})", org.name, org.id),
            );
        }
        Command::Log { kind } => match kind {
            LogKind::Supplies { lines, org, at } => {
                let items = lines
                    .iter()
                    .map(|l| parse_line(l))
                    .collect::<Result<Vec<_>, _>>()?;
                let occurred_at = at
                    .map(|s| {
                        chrono::DateTime::parse_from_rfc3339(&s).map_err(|e| {
                            Failure::Usage(format!(
                                "--at {s}: {e}; use a time like 2026-11-22T14:05:00-08:00"
                            ))
                        })
                    })
                    .transpose()?;
                let a = core.log_activity(NewActivity {
                    org_id: org,
                    occurred_at,
                    details: ActivityDetails::SuppliesDistributed { items },
                })?;
                print(serde_json::json!(a), format!("Saved {}", a.id));
            }
        },
        Command::List { today, limit } => {
            let list = if today {
                core.todays_activities()?
            } else {
                core.list_activities(&ActivityQuery { since: None, limit })?
            };
            if cli.json {
                println!("{}", serde_json::json!(list));
            } else {
                for a in list {
                    let state = match a.sync {
                        RecordSync::Waiting => "waiting".to_string(),
                        RecordSync::Sent { .. } => "sent".to_string(),
                        RecordSync::NeedsAttention { reason } => {
                            format!("needs attention: {reason}")
                        }
                    };
                    println!(
                        "{}  {}  {}  {}  [{}]",
                        a.occurred_at.format("%Y-%m-%d %H:%M"),
                        a.org_id,
                        a.details.kind(),
                        a.details.body(),
                        state
                    );
                }
            }
        }
        Command::Sync => {
            let r = runtime()?.block_on(core.sync_now())?;
            print(
                serde_json::json!(r),
                format!(
                    "Sent {} new, {} already there, {} need attention",
                    r.accepted, r.already_had, r.rejected
                ),
            );
        }
        Command::Status => {
            let s = core.sync_status()?;
            print(
                serde_json::json!(s),
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
        Command::Orgs => {
            let orgs = core.organizations()?;
            if cli.json {
                println!("{}", serde_json::json!(orgs));
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
    }
    Ok(())
}

fn parse_line(s: &str) -> Result<SupplyLine, Failure> {
    let (item, qty) = s
        .split_once('=')
        .ok_or_else(|| Failure::Usage(format!("{s}: write ITEM=QUANTITY, e.g. naloxone_kit=2")))?;
    let quantity = qty
        .trim()
        .parse()
        .map_err(|_| Failure::Usage(format!("{s}: the quantity must be a whole number")))?;
    Ok(SupplyLine {
        item: item.trim().to_string(),
        quantity,
    })
}
