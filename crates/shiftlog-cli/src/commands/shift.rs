//! `shiftlog shift`: start, end, show.

use serde_json::json;
use shiftlog_core::{Core, EndShift, StartShift};

use super::form::Form;
use crate::args::ShiftAction;
use crate::exit::Failure;
use crate::input::parse_at;
use crate::output::Output;

/// Runs a shift action.
pub fn shift(core: &Core, out: &Output, action: ShiftAction) -> Result<(), Failure> {
    match action {
        ShiftAction::Start {
            role,
            pay,
            area,
            note,
            org,
            at,
        } => {
            let pay_type = Form::of(core, org.as_deref(), "shift")?.or_default(pay, "pay_type")?;
            let s = core.start_shift(StartShift {
                org_id: org,
                role,
                pay_type: Some(pay_type),
                area,
                note,
                started_at: parse_at(at.as_deref())?,
            })?;
            out.print(
                json!(s),
                format!("Shift started {}", s.body.started_at.format("%H:%M")),
            );
        }
        ShiftAction::End { org, at } => {
            let s = core.end_shift(EndShift {
                org_id: org,
                ended_at: parse_at(at.as_deref())?,
            })?;
            out.print(json!(s), "Shift ended".into());
        }
        ShiftAction::Show { org } => {
            let s = core.open_shift(org.as_deref())?;
            out.print(
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
    }
    Ok(())
}
