//! `shiftlog pay`: the worker's pay ledger. Amounts stay on this device; `pay share` sends
//! one line to the organization that paid.

use serde_json::json;
use shiftlog_core::model::{format_cents, parse_amount};
use shiftlog_core::{Core, NewPayment, Payment, RecordSync};

use crate::args::PayAction;
use crate::exit::Failure;
use crate::output::Output;

/// Runs one `shiftlog pay` action.
pub fn pay(core: &Core, out: &Output, action: PayAction) -> Result<(), Failure> {
    match action {
        PayAction::Add {
            amount,
            date,
            org,
            method,
            currency,
            shifts,
            note,
        } => {
            let p = core.add_payment(NewPayment {
                org_id: org,
                amount_cents: parse_amount(&amount).map_err(shiftlog_core::CoreError::from)?,
                currency,
                paid_on: date.unwrap_or_else(|| chrono::Local::now().date_naive()),
                method,
                shift_ids: shifts,
                note,
            })?;
            out.print(
                json!(p),
                format!(
                    "Saved on this device only: {}. Nobody else sees it unless you share it (shiftlog pay share {}).",
                    line(&p),
                    p.id
                ),
            );
        }
        PayAction::List { org } => {
            let list = core.list_payments(org.as_deref())?;
            if out.json {
                println!("{}", json!(list));
            } else if list.is_empty() {
                println!("Nothing here.");
            } else {
                for p in &list {
                    println!("{}  {}", p.id, line(p));
                }
            }
        }
        PayAction::Edit {
            id,
            amount,
            date,
            method,
            currency,
            shifts,
            no_shifts,
            note,
        } => {
            let old = core.get_payment(id)?;
            let amount_cents = match amount {
                Some(a) => parse_amount(&a).map_err(shiftlog_core::CoreError::from)?,
                None => old.amount_cents,
            };
            let p = core.edit_payment(
                id,
                NewPayment {
                    org_id: None,
                    amount_cents,
                    currency: Some(currency.unwrap_or(old.currency)),
                    paid_on: date.unwrap_or(old.paid_on),
                    method: method.unwrap_or(old.method),
                    shift_ids: match (no_shifts, shifts.is_empty()) {
                        (true, _) => vec![],
                        (false, true) => old.shift_ids,
                        (false, false) => shifts,
                    },
                    note: note.or(old.note),
                },
            )?;
            out.print(json!(p), format!("Changed: {}", line(&p)));
        }
        PayAction::Share { id } => {
            let p = core.share_payment(id)?;
            out.print(
                json!(p),
                format!(
                    "Shared with {}: {} {} on {} ({}). Its staff can see this line; your other lines and your note stay on this device.",
                    p.org_id,
                    format_cents(p.amount_cents),
                    p.currency,
                    p.paid_on,
                    p.method.as_str()
                ),
            );
        }
        PayAction::Delete { id } => {
            let shared = core.get_payment(id)?.shared_record_id.is_some();
            core.delete_payment(id)?;
            out.print(
                json!({ "deleted": id, "withdrawn": shared }),
                if shared {
                    "Deleted. Your organization will be told to remove the line you shared.".into()
                } else {
                    "Deleted.".into()
                },
            );
        }
    }
    Ok(())
}

/// `2026-11-20  local-x  40.00 CAD  cash  [this device only]  note`.
fn line(p: &Payment) -> String {
    let state = match &p.shared {
        None => "this device only".to_string(),
        Some(RecordSync::Waiting) => "shared, waiting to be sent".into(),
        Some(RecordSync::Sent { .. }) => "shared, sent".into(),
        Some(RecordSync::Local) => "this device only".into(),
        Some(RecordSync::NeedsAttention { reason }) => format!("shared, needs attention: {reason}"),
    };
    let mut s = format!(
        "{}  {}  {} {}  {}  [{}]",
        p.paid_on,
        p.org_id,
        format_cents(p.amount_cents),
        p.currency,
        p.method.as_str(),
        state
    );
    if !p.shift_ids.is_empty() {
        s.push_str(&format!("  shifts: {}", p.shift_ids.len()));
    }
    if let Some(n) = &p.note {
        s.push_str(&format!("  {n}"));
    }
    s
}
