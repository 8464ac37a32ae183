//! `shiftlog-server staff …`: disable, re-enable or remove a staff account, or set its
//! password, from the server's command line (audit-logged as `cli`). A password is read from
//! the environment variable `SHIFTLOG_NEW_PASSWORD` or, without it, one line of standard
//! input, never from the command line, where the process list would show it.

use clap::Subcommand;
use shiftlog_server::OrgService;

/// The environment variable `staff set-password` reads the new password from, if set.
pub const PASSWORD_ENV: &str = "SHIFTLOG_NEW_PASSWORD";

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Disable an account: it cannot sign in and its sessions end now.
    Disable {
        /// Organization id.
        #[arg(long)]
        org: String,
        /// Login name.
        username: String,
    },
    /// Re-enable a disabled account.
    Enable {
        /// Organization id.
        #[arg(long)]
        org: String,
        /// Login name.
        username: String,
    },
    /// Remove an account and its sessions (the audit log keeps its name).
    Remove {
        /// Organization id.
        #[arg(long)]
        org: String,
        /// Login name.
        username: String,
    },
    /// Set an account's password (from $SHIFTLOG_NEW_PASSWORD or one line of standard
    /// input); every session of the account ends.
    SetPassword {
        /// Organization id.
        #[arg(long)]
        org: String,
        /// Login name.
        username: String,
    },
}

/// Runs one `staff` command.
pub fn run(svc: &OrgService, command: StaffCommand) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        StaffCommand::Disable { org, username } => {
            svc.cli_set_disabled(&org, &username, true)?;
            println!("{username} of {org} is disabled; their sessions have ended");
        }
        StaffCommand::Enable { org, username } => {
            svc.cli_set_disabled(&org, &username, false)?;
            println!("{username} of {org} is enabled");
        }
        StaffCommand::Remove { org, username } => {
            svc.cli_remove_staff(&org, &username)?;
            println!("{username} of {org} is removed");
        }
        StaffCommand::SetPassword { org, username } => {
            let password = match std::env::var(PASSWORD_ENV) {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            svc.cli_set_password(&org, &username, &password)?;
            println!("the password of {username} of {org} is changed; their sessions have ended");
        }
    }
    Ok(())
}
