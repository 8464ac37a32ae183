//! `shiftlog-server`: runs an organization server, and the admin commands around it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use shiftlog_server::{http, Limits, OrgService, SqliteStorage};

#[derive(Parser)]
#[command(
    name = "shiftlog-server",
    version,
    about = "shiftlog organization server"
)]
struct Cli {
    /// Where the server keeps its SQLite database.
    #[arg(
        long,
        env = "SHIFTLOG_SERVER_DATA",
        default_value = "shiftlog-server-data"
    )]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: String,
    },
    /// Create the demo organization (if missing), a one-time enrollment code and a staff
    /// export token, and print them.
    InitDemo {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Create an organization.
    AddOrg {
        /// Short id: letters, digits, dashes.
        id: String,
        /// Display name.
        name: String,
    },
    /// Print a new one-time enrollment code for an organization (valid 24 hours).
    EnrollmentCode {
        /// Organization id.
        #[arg(long)]
        org: String,
    },
    /// Print a new staff token for exports.
    StaffToken {
        /// Organization id.
        #[arg(long)]
        org: String,
    },
    /// Write the organization's record-level CSV export to standard output.
    Export {
        /// Organization id.
        #[arg(long)]
        org: String,
    },
}

const DEMO_ORG: (&str, &str) = ("demo", "Demo Harm Reduction Society");

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shiftlog-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let store = SqliteStorage::open(&cli.data_dir).map_err(|e| {
        format!(
            "cannot open the database in {}: {e}",
            cli.data_dir.display()
        )
    })?;
    let svc = OrgService::new(Arc::new(store), Limits::default());
    match cli.command {
        Command::Serve { listen } => {
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
                eprintln!(
                    "shiftlog-server listening on http://{} (data in {})",
                    listener.local_addr()?,
                    cli.data_dir.display()
                );
                http::serve(listener, svc, async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
                Ok::<_, Box<dyn std::error::Error>>(())
            })?;
        }
        Command::InitDemo { json } => {
            svc.ensure_organization(DEMO_ORG.0, DEMO_ORG.1)?;
            let code = svc.new_enrollment_code(DEMO_ORG.0)?;
            let token = svc.new_staff_token(DEMO_ORG.0, "demo")?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({"org": DEMO_ORG.0, "enrollment_code": code, "staff_token": token})
                );
            } else {
                println!("organization: {} ({})", DEMO_ORG.1, DEMO_ORG.0);
                println!("enrollment code (one use, 24 hours): {code}");
                println!("staff export token: {token}");
            }
        }
        Command::AddOrg { id, name } => {
            let created = svc.ensure_organization(&id, &name)?;
            println!("{}", if created { "created" } else { "exists already" });
        }
        Command::EnrollmentCode { org } => println!("{}", svc.new_enrollment_code(&org)?),
        Command::StaffToken { org } => println!("{}", svc.new_staff_token(&org, "cli")?),
        Command::Export { org } => svc.export_csv(&org, std::io::stdout().lock())?,
    }
    Ok(())
}
