//! `shiftlog-server statement-key …`: an organization's statement keys, which sign the work
//! statements workers ask for (docs/security.md "Statement keys"). `list` shows them with
//! their dates, `rotate` makes a new key sign from now on (the old one keeps verifying what
//! it signed; its secret is destroyed), `revoke` stops a key from verifying anything (after
//! a leak: workers ask for new statements). Changes are audit-logged as `cli`.

use clap::Subcommand;
use shiftlog_server::OrgService;

#[derive(Subcommand)]
pub enum StatementKeyCommand {
    /// List the organization's statement keys, newest first.
    List {
        /// Organization id.
        #[arg(long)]
        org: String,
    },
    /// Make a new key; the one in use is retired and keeps verifying what it signed.
    Rotate {
        /// Organization id.
        #[arg(long)]
        org: String,
    },
    /// Revoke a key: nothing it signed verifies any more, whatever its date.
    Revoke {
        /// Organization id.
        #[arg(long)]
        org: String,
        /// The key id (16 hex digits, as `list` shows it).
        key_id: String,
    },
}

fn day(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(
        || "-".into(),
        |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

/// Runs one `statement-key` command.
pub fn run(
    svc: &OrgService,
    command: StatementKeyCommand,
) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        StatementKeyCommand::List { org } => {
            let keys = svc.cli_statement_keys(&org)?;
            if keys.is_empty() {
                println!("{org} has no statement key yet; one is made for the first statement");
            }
            println!("key_id\tcreated\tretired\trevoked\tcurrent");
            for k in keys {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    k.key_id,
                    day(Some(k.created_at)),
                    day(k.retired_at),
                    day(k.revoked_at),
                    if k.current { "yes" } else { "no" }
                );
            }
        }
        StatementKeyCommand::Rotate { org } => {
            let id = svc.cli_rotate_statement_key(&org)?;
            println!("{id} now signs the statements of {org}; older keys keep verifying");
        }
        StatementKeyCommand::Revoke { org, key_id } => {
            svc.cli_revoke_statement_key(&org, &key_id)?;
            println!(
                "{key_id} of {org} is revoked: nothing it signed verifies any more; the next \
                 statement is signed with a new key"
            );
        }
    }
    Ok(())
}
