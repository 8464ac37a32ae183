//! `shiftlog`: the same core API as the desktop app, for scripts, tests and terminals.
//! This crate only translates arguments and errors; every rule lives in `shiftlog-core`.
//! Here: parse the command line, open the profile, hand the command to its module, and turn
//! the result into an exit code (`exit`).

mod args;
mod commands;
mod exit;
mod input;
mod output;

use std::process::ExitCode;

use clap::FromArgMatches;
use shiftlog_core::Lang;

use args::{Cli, Command, OrgAction};
use commands::{
    aside, checkin, log, messages, orgs, pay, profile, records, shell, shift, statement, summary,
    sync, tally,
};
use exit::{Code, Failure};
use output::Output;

fn main() -> ExitCode {
    let cli =
        Cli::from_arg_matches(&args::form::command().get_matches()).unwrap_or_else(|e| e.exit());
    let out = Output {
        json: cli.json,
        lang: Lang::parse(&cli.lang),
    };
    match run(cli, &out) {
        Ok(code) => code.into(),
        Err(Failure::Core(e)) => {
            eprintln!("shiftlog: {}", e.message(out.lang));
            exit::code_of(&e).into()
        }
        Err(Failure::Usage(m)) => {
            eprintln!("shiftlog: {m}");
            Code::Usage.into()
        }
        Err(Failure::Said(m, code)) => {
            eprintln!("shiftlog: {m}");
            code.into()
        }
    }
}

fn run(cli: Cli, out: &Output) -> Result<Code, Failure> {
    let dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(shiftlog_core::default_data_dir);
    match &cli.command {
        Command::Completions { shell } => return shell::completions(*shell),
        Command::Man => return shell::man(),
        _ => {}
    }
    // Offline and without a profile: whoever checks a statement needs no PIN.
    if let Command::Verify(args) = &cli.command {
        return statement::verify(out, args);
    }
    if let Command::Rescue { to } = &cli.command {
        profile::rescue(&dir, to.as_deref())?;
        return Ok(Code::Ok);
    }
    let new_key = profile::new_key(cli.keystore, cli.key_from_pin);
    if let Command::ChangePin { new_pin } = &cli.command {
        profile::change_pin(&dir, cli.pin.clone(), new_pin, new_key, out)?;
        return Ok(Code::Ok);
    }
    let core = profile::open(&dir, cli.pin.clone(), cli.keystore, new_key)?;
    profile::warn_short_pin(&core, out);
    match cli.command {
        Command::Enroll {
            server,
            code,
            device_name,
        } => orgs::enroll(&core, out, &server, &code, &device_name)?,
        Command::AddOrg { name } => orgs::add(&core, out, &name)?,
        Command::Leave {
            org,
            even_if_unsent,
        } => orgs::leave(&core, out, &org, even_if_unsent)?,
        Command::Orgs => orgs::list(&core, out)?,
        Command::Org {
            action: OrgAction::SetUrl { org, url },
        } => orgs::set_url(&core, out, &org, &url)?,
        Command::Catalogue { org } => orgs::catalogue(&core, out, org.as_deref())?,
        Command::Log { kind } => log::log(&core, out, kind)?,
        Command::Shift { action } => shift::shift(&core, out, action)?,
        Command::Checkin {
            debrief,
            wellbeing,
            note,
            share,
            after,
            org,
        } => checkin::checkin(
            &core,
            out,
            checkin::CheckinArgs {
                debrief,
                wellbeing,
                note,
                share,
                after,
                org,
            },
        )?,
        Command::Checkins => checkin::list(&core, out)?,
        Command::CheckinRetention { period } => checkin::retention(&core, out, period)?,
        Command::ShareDebrief { id } => checkin::share(&core, out, id)?,
        Command::Training {
            topic,
            status,
            minutes,
            org,
        } => records::training(&core, out, topic, status, minutes, org)?,
        Command::List {
            today,
            r#type,
            needs_attention,
            limit,
        } => records::list(&core, out, today, r#type, needs_attention, limit)?,
        Command::Edit { id, body, at } => records::edit(&core, out, id, &body, at.as_deref())?,
        Command::Delete { id } => records::delete(&core, out, id)?,
        Command::Keep { id } => aside::keep(&core, out, id)?,
        Command::LetGo { id } => aside::let_go(&core, out, id)?,
        Command::Pay { action } => pay::pay(&core, out, action)?,
        Command::Tally { action } => tally::tally(&core, out, action)?,
        Command::Statement { action } => return statement::statement(&core, out, action),
        Command::Summary {
            month,
            from,
            to,
            org,
            format,
            out: file,
        } => summary::summary(
            &core,
            out,
            summary::SummaryArgs {
                month,
                from,
                to,
                org,
                format,
                out: file,
            },
        )?,
        Command::Sync => return sync::sync(&core, out),
        Command::Status => sync::status(&core, out)?,
        Command::Messages { read, org } => messages::messages(&core, out, read, org)?,
        Command::Purge => records::purge(&core, out)?,
        Command::Rescue { .. }
        | Command::ChangePin { .. }
        | Command::Verify(_)
        | Command::Completions { .. }
        | Command::Man => {}
    }
    Ok(Code::Ok)
}
