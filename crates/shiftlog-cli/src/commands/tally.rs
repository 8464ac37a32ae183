//! `shiftlog tally`: the open shift's counters, one durable save per change.

use serde_json::json;
use shiftlog_core::{Core, Tally};

use crate::args::TallyAction;
use crate::exit::Failure;
use crate::output::Output;

/// Runs a tally action (`show` when none is given).
pub fn tally(core: &Core, out: &Output, action: Option<TallyAction>) -> Result<(), Failure> {
    match action.unwrap_or(TallyAction::Show { org: None }) {
        TallyAction::Show { org } => {
            let t = core.tally(org.as_deref())?;
            let text = words(&t, out);
            out.print(json!(t), text);
        }
        TallyAction::Add { key, n, org } => changed(core, out, org, &key, n)?,
        TallyAction::Remove { key, n, org } => changed(core, out, org, &key, -n)?,
    }
    Ok(())
}

fn changed(
    core: &Core,
    out: &Output,
    org: Option<String>,
    key: &str,
    delta: i64,
) -> Result<(), Failure> {
    let c = core.tally_change(org.as_deref(), key, delta)?;
    let text = format!("{}: {}", c.label.get(out.lang), c.count);
    out.print(json!(c), text);
    Ok(())
}

fn words(t: &Tally, out: &Output) -> String {
    t.counters
        .iter()
        .map(|c| format!("{:>6}  {}  ({})", c.count, c.label.get(out.lang), c.key))
        .collect::<Vec<_>>()
        .join("\n")
}
