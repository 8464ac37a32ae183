//! `shiftlog-server`: runs an organization server, and the admin commands around it.

mod cli_backup;
mod cli_config;
mod cli_progress;
mod cli_staff;
mod cli_statement;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{FromArgMatches, Parser, Subcommand};
use shiftlog_server::export::{ExportRequest, Format};
use shiftlog_server::{
    http, Limits, OrgService, PostgresStorage, Role, SqliteStorage, Staff, Storage, TokenScope,
};

#[derive(Parser)]
#[command(
    name = "shiftlog-server",
    version,
    about = "shiftlog organization server"
)]
struct Cli {
    /// A TOML file of settings (see docs/running.md): flags and SHIFTLOG_* variables win
    /// over it, and it wins over the defaults. `config check` shows the result.
    #[arg(long, env = "SHIFTLOG_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Where the server keeps its SQLite database (when no --database-url is given).
    #[arg(
        long,
        env = "SHIFTLOG_SERVER_DATA",
        default_value = "shiftlog-server-data"
    )]
    data_dir: PathBuf,
    /// A PostgreSQL URL (e.g. postgres://root@127.0.0.1:5432/shiftlog) instead of SQLite.
    #[arg(long, env = "SHIFTLOG_DATABASE_URL")]
    database_url: Option<String>,
    /// With --database-url: the PostgreSQL schema to use (created if missing).
    #[arg(long, env = "SHIFTLOG_DATABASE_SCHEMA")]
    database_schema: Option<String>,
    /// Log lines as json or text, on standard error.
    #[arg(long, env = "SHIFTLOG_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: shiftlog_server::observe::LogFormat,
    /// Which log lines to write, in RUST_LOG syntax (e.g. `info`, `shiftlog_server=debug`).
    #[arg(long, env = "SHIFTLOG_LOG", default_value = "info")]
    log: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the staff dashboard.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8787")]
        listen: String,
        /// A reverse proxy (address or CIDR, repeatable or comma-separated) whose
        /// `Forwarded` / `X-Forwarded-For` client address is believed for login and other
        /// limits. Without it the socket's address is used and those headers are ignored.
        #[arg(long, env = "SHIFTLOG_TRUSTED_PROXY", value_delimiter = ',')]
        trusted_proxy: Vec<shiftlog_server::limits::Cidr>,
        /// Serve /metrics to requests with this bearer token, from any address; without it
        /// /metrics answers only direct callers on this machine.
        #[arg(long, env = "SHIFTLOG_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// Serve https with this PEM certificate chain (server certificate first), with
        /// --tls-key; both files are read again on SIGHUP. Without them, plain http.
        #[arg(long, env = "SHIFTLOG_TLS_CERT", value_name = "FILE")]
        tls_cert: Option<PathBuf>,
        /// The PEM private key of --tls-cert.
        #[arg(long, env = "SHIFTLOG_TLS_KEY", value_name = "FILE")]
        tls_key: Option<PathBuf>,
        /// The address devices reach this server at (e.g. https://shiftlog.example.org/),
        /// put in the dashboard's joining links and QR codes. Without it the dashboard
        /// guesses it from the request, and says so.
        #[arg(long, env = "SHIFTLOG_PUBLIC_URL", value_name = "URL")]
        public_url: Option<String>,
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
    /// Create the first admin of an organization. The password is read from standard input
    /// (one line), so it never shows in the process list.
    CreateAdmin {
        /// Organization id.
        #[arg(long)]
        org: String,
        /// Login name.
        #[arg(long)]
        username: String,
    },
    /// Disable, enable or remove a staff account, or set its password.
    Staff {
        #[command(subcommand)]
        command: cli_staff::StaffCommand,
    },
    /// Print a new one-time enrollment code for an organization (valid 24 hours).
    EnrollmentCode {
        /// Organization id.
        #[arg(long)]
        org: String,
        /// A second device for an existing worker: their pseudonym (e.g. W-7F3K), so both
        /// devices sync as one worker.
        #[arg(long, value_name = "PSEUDONYM")]
        second_device: Option<String>,
    },
    /// Print a new coordinator staff token named "cli" (90 days); see `token create`.
    StaffToken {
        /// Organization id.
        #[arg(long)]
        org: String,
    },
    /// Staff API tokens: create, list, revoke.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Statement keys that sign workers' work statements: list, rotate, revoke.
    #[command(subcommand)]
    StatementKey(cli_statement::StatementKeyCommand),
    /// Settings: `config check` prints each one, its value and where it came from.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions {
        /// Which shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `shiftlog-server man > shiftlog-server.1`.
    Man,
    /// Write a consistent copy of the SQLite database to FILE, while the server runs.
    Backup {
        /// The backup file to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup in place of the SQLite database (stop the server first; the database
    /// that was there is moved aside, never deleted).
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
    },
    /// Give the database a new data epoch after bringing back a PostgreSQL dump (pg_restore):
    /// every device then sends again the records the dump lacks (the SQLite restore does
    /// this itself; docs/backups.md).
    NewEpoch,
    /// Print the HTTP API's OpenAPI document (the one served at /api/v1/openapi.json).
    Openapi,
    /// Write the organization's record-level export to standard output (audit-logged).
    Export {
        /// Organization id.
        #[arg(long)]
        org: String,
        /// csv, xlsx or json.
        #[arg(long, default_value = "csv")]
        format: String,
        /// CSV for Excel (byte-order mark, formula-safe cells).
        #[arg(long)]
        excel: bool,
        /// First local day, YYYY-MM-DD.
        #[arg(long)]
        from: Option<String>,
        /// Last local day, YYYY-MM-DD.
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Subcommand)]
enum ConfigAction {
    /// Print every setting, its value (secrets hidden) and where it came from, and check it.
    Check,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Make a token and print its secret (shown once).
    Create {
        /// Organization id.
        #[arg(long)]
        org: String,
        /// A name saying what it is for, e.g. "funder report".
        #[arg(long)]
        name: String,
        /// summary (read-only summaries and summary exports) or coordinator.
        #[arg(long)]
        scope: String,
        /// Days it lasts (default 90, at most 365).
        #[arg(long)]
        days: Option<u32>,
    },
    /// List an organization's tokens (never their secrets).
    List {
        /// Organization id.
        #[arg(long)]
        org: String,
    },
    /// Revoke a token by id: it stops working at once.
    Revoke {
        /// Organization id.
        #[arg(long)]
        org: String,
        /// The token's id, from `token list`.
        id: String,
    },
}

const DEMO_ORG: (&str, &str) = ("demo", "Demo Harm Reduction Society");

fn main() -> ExitCode {
    let matches = <Cli as clap::CommandFactory>::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let sources = match cli_config::apply(&mut cli, &matches) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("shiftlog-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Command::Config {
        action: ConfigAction::Check,
    } = &cli.command
    {
        return cli_config::check(&cli, &sources);
    }
    shiftlog_server::observe::logs::init(cli.log_format, Some(&cli.log));
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %shiftlog_server::observe::logs::chain(&*e), "shiftlog-server stopped");
            ExitCode::FAILURE
        }
    }
}

fn open(cli: &Cli) -> Result<Arc<dyn Storage>, Box<dyn std::error::Error>> {
    Ok(match &cli.database_url {
        Some(url) => Arc::new(
            PostgresStorage::connect(url, cli.database_schema.as_deref())
                .map_err(|e| format!("cannot open the PostgreSQL database: {e}"))?,
        ),
        None => Arc::new(SqliteStorage::open(&cli.data_dir).map_err(|e| {
            format!(
                "cannot open the database in {}: {e}",
                cli.data_dir.display()
            )
        })?),
    })
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    // These work on the database file itself, without opening (or migrating) it.
    let on_postgres = cli.database_url.is_some();
    match &cli.command {
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "shiftlog-server", &mut std::io::stdout());
            return Ok(());
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
            return Ok(());
        }
        Command::Openapi => {
            println!("{}", shiftlog_server::openapi::document());
            return Ok(());
        }
        Command::Backup { to } => return cli_backup::backup(&cli.data_dir, on_postgres, to),
        Command::Restore { from } => return cli_backup::restore(&cli.data_dir, on_postgres, from),
        _ => {}
    }
    // A server holds its SQLite data directory: no second server, no restore under it.
    let _held = match (&cli.command, on_postgres) {
        (Command::Serve { .. }, false) => Some(
            shiftlog_server_sqlite::backup::DataDirLock::acquire(&cli.data_dir)?,
        ),
        _ => None,
    };
    let svc = OrgService::new(open(&cli)?, Limits::default());
    match cli.command {
        Command::Serve {
            listen,
            trusted_proxy,
            metrics_token,
            tls_cert,
            tls_key,
            public_url,
        } => {
            let tls =
                shiftlog_server::tls::Tls::from_settings(tls_cert.as_deref(), tls_key.as_deref())?;
            let public_url = public_url
                .map(|u| shiftlog_server::public_url(&u))
                .transpose()?;
            let svc = svc
                .with_trusted_proxies(trusted_proxy)
                .with_metrics_token(metrics_token)
                .with_public_url(public_url);
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
                let stop = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                if let Some(tls) = tls {
                    // Served directly with rustls (tls.rs); the files are read again on SIGHUP.
                    tls.reload_on_sighup()?;
                    tracing::info!(
                        fingerprint = %tls.fingerprint(),
                        "shiftlog-server listening on https://{} (dashboard at /dashboard/)",
                        listener.local_addr()?
                    );
                    shiftlog_server::tls::serve(listener, &tls, svc, stop).await?;
                    return Ok(());
                }
                tracing::info!(
                    "shiftlog-server listening on http://{} (dashboard at /dashboard/)",
                    listener.local_addr()?
                );
                http::serve(listener, svc, stop).await?;
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
        Command::CreateAdmin { org, username } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            svc.create_admin(&org, &username, password)?;
            println!("admin {username} created for {org}");
        }
        Command::Staff { command } => cli_staff::run(&svc, command)?,
        Command::EnrollmentCode { org, second_device } => match second_device {
            None => println!("{}", svc.new_enrollment_code(&org)?),
            Some(p) => {
                let (code, expires) = svc.enrollment_code(&cli_admin(org), Some(&p))?;
                eprintln!(
                    "code for a second device of {p}, one use, until {}:",
                    expires.format("%Y-%m-%d %H:%M UTC")
                );
                println!("{code}");
            }
        },
        Command::StaffToken { org } => println!("{}", svc.new_staff_token(&org, "cli")?),
        Command::NewEpoch => println!(
            "new data epoch {}: devices will send their records again at their next sync",
            svc.renew_data_epoch()?
        ),
        Command::Token(cmd) => token_command(&svc, cmd)?,
        Command::StatementKey(cmd) => cli_statement::run(&svc, cmd)?,
        Command::Backup { .. }
        | Command::Config { .. }
        | Command::Restore { .. }
        | Command::Completions { .. }
        | Command::Openapi
        | Command::Man => unreachable!("handled above"),
        Command::Export {
            org,
            format,
            excel,
            from,
            to,
        } => {
            let format = Format::from_ext(&format).ok_or("format: csv, xlsx or json")?;
            let cli_admin = Staff {
                org_id: org,
                actor: "cli".into(),
                role: Role::Admin,
            };
            let req = ExportRequest {
                from,
                to,
                excel,
                ..Default::default()
            };
            // Standard output is line-buffered; an export is millions of lines.
            let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let mut out = cli_progress::Progress::new(out, "export", format != Format::Xlsx);
            svc.export_records(&cli_admin, &req, format)?
                .write(&svc, &mut out)?;
            std::io::Write::flush(&mut out)?;
            out.finish("export written");
        }
    }
    Ok(())
}

fn cli_admin(org: String) -> Staff {
    Staff {
        org_id: org,
        actor: "cli".into(),
        role: Role::Admin,
    }
}

fn token_command(svc: &OrgService, cmd: TokenCommand) -> Result<(), Box<dyn std::error::Error>> {
    match cmd {
        TokenCommand::Create {
            org,
            name,
            scope,
            days,
        } => {
            let scope = TokenScope::parse(&scope).ok_or("scope: summary or coordinator")?;
            let made = svc.create_staff_token(&cli_admin(org), &name, scope, days)?;
            eprintln!(
                "token {} ({}, {}) expires {}; the secret is shown only now:",
                made.token.id,
                made.token.name,
                scope.as_str(),
                made.token.expires_at.format("%Y-%m-%d %H:%M UTC")
            );
            println!("{}", made.secret);
        }
        TokenCommand::List { org } => {
            println!("id\tname\tscope\tcreated\texpires\tlast used\tcreated by");
            let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M").to_string();
            for t in svc.staff_tokens(&cli_admin(org))? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.name,
                    t.scope.as_str(),
                    when(t.created_at),
                    when(t.expires_at),
                    t.last_used_at.map(when).unwrap_or_else(|| "never".into()),
                    t.created_by
                );
            }
        }
        TokenCommand::Revoke { org, id } => {
            let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| "id: not a token id")?;
            svc.revoke_staff_token(&cli_admin(org), id)?;
            println!("revoked {id}");
        }
    }
    Ok(())
}
