//! `shiftlog log`: an activity's body from the options of its kind.

use serde_json::{json, Map, Value};
use shiftlog_core::model::{Naloxone, Navigation, Overdose, Referral, SupplyLine};
use shiftlog_core::{Core, NewActivity};

use super::form::Form;
use crate::args::form::{NAVIGATION, OVERDOSE};
use crate::args::{CommonArgs, LogKind};
use crate::exit::Failure;
use crate::input::{obj, parse_at, parse_json, parse_line};
use crate::output::Output;

/// Records the activity.
pub fn log(core: &Core, out: &Output, kind: LogKind) -> Result<(), Failure> {
    let (kind, body, common) = body_of(core, kind)?;
    let a = core.log_activity(NewActivity {
        org_id: common.org.clone(),
        occurred_at: parse_at(common.at.as_deref())?,
        kind,
        body: body_with_common(body, &common),
    })?;
    out.print(json!(a), format!("Saved {}", a.id));
    Ok(())
}

/// The kind id, the fields particular to it (typed by the record model, options not given
/// taken from the organization's form), and the options every kind shares.
fn body_of(
    core: &Core,
    kind: LogKind,
) -> Result<(String, Map<String, Value>, CommonArgs), Failure> {
    Ok(match kind {
        LogKind::Supplies { lines, common } => {
            let items = lines
                .iter()
                .map(|l| parse_line(l))
                .collect::<Result<Vec<SupplyLine>, _>>()?;
            (
                "supplies_distributed".to_string(),
                obj(json!({ "items": items })),
                common,
            )
        }
        LogKind::Overdose {
            naloxone_doses,
            route,
            called_911,
            ems_arrived,
            rescue_breathing,
            oxygen,
            recovery_position,
            stayed,
            kit_replaced,
            outcome,
            common,
        } => {
            let form = Form::of(core, common.org.as_deref(), OVERDOSE)?;
            let doses: i64 = form.or_default(naloxone_doses, "naloxone.doses")?;
            let route = form.or_default(route, "naloxone.route")?;
            let details = Overdose {
                called_911: form.or_default(called_911, "called_911")?,
                ems_arrived,
                naloxone: (doses > 0).then_some(Naloxone { doses, route }),
                rescue_breathing,
                oxygen,
                recovery_position,
                stayed_until_recovery_or_ems: stayed,
                kit_replaced,
                outcome: form.or_default(outcome, "outcome")?,
            };
            (OVERDOSE.to_string(), typed(&details)?, common)
        }
        LogKind::Navigation {
            task,
            contact,
            outcome,
            travel_minutes,
            barriers,
            referral,
            referral_type,
            follow_up,
            cost_cents,
            common,
        } => {
            let form = Form::of(core, common.org.as_deref(), NAVIGATION)?;
            let referral = match referral {
                Some(destination) => Some(Referral {
                    destination,
                    kind: form.or_default(referral_type, "referral.type")?,
                }),
                None => None,
            };
            let details = Navigation {
                task: form.or_default(task, "task")?,
                contact_type: form.or_default(contact, "contact_type")?,
                travel_minutes,
                barriers,
                referral,
                outcome: form.or_default(outcome, "outcome")?,
                follow_up_date: follow_up,
                out_of_pocket_cents: cost_cents,
            };
            (NAVIGATION.to_string(), typed(&details)?, common)
        }
        LogKind::Outreach { common } => ("outreach_contact".into(), Map::new(), common),
        LogKind::Education { common } => ("peer_education".into(), Map::new(), common),
        LogKind::Support { common } => ("emotional_support".into(), Map::new(), common),
        LogKind::Meal { common } => ("meal_service".into(), Map::new(), common),
        LogKind::Json { kind, body, common } => (kind, obj(parse_json(&body)?), common),
    })
}

/// A kind's details as the record model writes them.
fn typed<T: serde::Serialize>(details: &T) -> Result<Map<String, Value>, Failure> {
    serde_json::to_value(details)
        .map(obj)
        .map_err(|e| Failure::Usage(format!("cannot write the details: {e}")))
}

/// Adds the shared options to a kind's own fields: only those given, because a body that
/// does not say `on_shift` lets the core decide it from the open shift.
fn body_with_common(mut specific: Map<String, Value>, c: &CommonArgs) -> Value {
    let mut put = |k: &str, v: Value| {
        if !v.is_null() {
            specific.insert(k.into(), v);
        }
    };
    put("area", json!(c.area));
    put("minutes", json!(c.minutes));
    put("people_reached", json!(c.people));
    put("note", json!(c.note));
    if c.off_shift {
        put("on_shift", json!(false));
    }
    if let (Some(from), Some(to)) = (c.period_from, c.period_to) {
        put("period", json!({"from": from, "to": to}));
    }
    Value::Object(specific)
}
