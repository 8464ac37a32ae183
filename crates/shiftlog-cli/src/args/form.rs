//! Options drawn from the record model's forms (`shiftlog_core::kinds`): the values a choice
//! may take, and the default an option has when it is not given. Nothing here is typed by
//! hand: the app's forms are drawn from the same definitions, so the two cannot disagree.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Command, CommandFactory};
use shiftlog_core::catalogue::Catalogue;
use shiftlog_core::kinds::kind_definitions;

use super::Cli;

/// Options whose default is their form's: (subcommand path, option id, form, field).
pub const FROM_FORMS: &[(&[&str], &str, &str, &str)] = &[
    (
        &["log", "overdose"],
        "naloxone_doses",
        OVERDOSE,
        "naloxone.doses",
    ),
    (&["log", "overdose"], "route", OVERDOSE, "naloxone.route"),
    (&["log", "overdose"], "called_911", OVERDOSE, "called_911"),
    (&["log", "overdose"], "outcome", OVERDOSE, "outcome"),
    (&["log", "navigation"], "task", NAVIGATION, "task"),
    (
        &["log", "navigation"],
        "contact",
        NAVIGATION,
        "contact_type",
    ),
    (&["log", "navigation"], "outcome", NAVIGATION, "outcome"),
    (
        &["log", "navigation"],
        "referral_type",
        NAVIGATION,
        "referral.type",
    ),
    (&["shift", "start"], "pay", "shift", "pay_type"),
    (&["training"], "status", "training", "status"),
];

/// The overdose response form.
pub const OVERDOSE: &str = "overdose_response";
/// The systems navigation form.
pub const NAVIGATION: &str = "systems_navigation";

/// A parser for one of the model's fixed choices: its stable ids are the possible values
/// (also accepted with `-` for `_`, as clap spells names).
pub fn choice<T>(all: &'static [T], id: fn(T) -> &'static str) -> impl TypedValueParser<Value = T>
where
    T: Copy + Send + Sync + 'static,
{
    PossibleValuesParser::new(all.iter().map(move |c| {
        let name = id(*c);
        let value = PossibleValue::new(name);
        if name.contains('_') {
            value.alias(name.replace('_', "-"))
        } else {
            value
        }
    }))
    .try_map(move |s: String| {
        let s = s.replace('-', "_");
        all.iter()
            .copied()
            .find(|c| id(*c) == s)
            .ok_or("not one of the choices")
    })
}

/// The command line, with each form default shown in the help of its option. The defaults
/// of built-in fields are the same for every organization, so the default catalogue's forms
/// say them; the values used are read from the organization's forms when a command runs.
pub fn command() -> Command {
    let defs = kind_definitions(&Catalogue::default_catalogue());
    let mut cmd = Cli::command();
    for (path, arg, form, field) in FROM_FORMS {
        let Some(default) = defs
            .iter()
            .find(|d| d.id == *form)
            .and_then(|d| d.default_of(field))
        else {
            continue;
        };
        let shown = default
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| default.to_string());
        let arg = arg.to_string();
        cmd = at(
            cmd,
            path,
            Box::new(move |c: Command| {
                c.mut_arg(arg, |a| {
                    let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
                    a.help(format!("{help} [default: {shown}]"))
                })
            }),
        );
    }
    cmd
}

fn at(cmd: Command, path: &[&str], f: Box<dyn FnOnce(Command) -> Command>) -> Command {
    match path.split_first() {
        None => f(cmd),
        Some((first, rest)) => {
            let rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            cmd.mut_subcommand(*first, move |c| {
                let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
                at(c, &rest, f)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_drawn_from_a_form_exists_and_shows_its_default() {
        let mut cmd = command();
        cmd.build();
        cmd.clone().debug_assert();
        let defs = kind_definitions(&Catalogue::default_catalogue());
        for (path, arg, form, field) in FROM_FORMS {
            let def = defs.iter().find(|d| d.id == *form).expect("form");
            assert!(
                def.default_of(field).is_some(),
                "{form}.{field} has a default"
            );
            let mut c = &cmd;
            for p in *path {
                c = c.find_subcommand(p).expect("subcommand");
            }
            let a = c
                .get_arguments()
                .find(|a| a.get_id() == *arg)
                .expect("option");
            let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
            assert!(help.contains("[default: "), "{path:?} {arg}: {help}");
        }
    }
}
