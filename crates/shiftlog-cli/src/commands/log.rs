//! `shiftlog log`: an activity's body from the options of its kind.

use serde_json::{json, Map, Value};
use shiftlog_core::{Core, NewActivity};

use crate::args::{enum_str, CommonArgs, LogKind};
use crate::exit::Failure;
use crate::input::{obj, parse_at, parse_json, parse_line};
use crate::output::Output;

/// Records the activity.
pub fn log(core: &Core, out: &Output, kind: LogKind) -> Result<(), Failure> {
    let (kind, body, common) = body_of(kind)?;
    let a = core.log_activity(NewActivity {
        org_id: common.org.clone(),
        occurred_at: parse_at(common.at.as_deref())?,
        kind,
        body: body_with_common(body, &common),
    })?;
    out.print(json!(a), format!("Saved {}", a.id));
    Ok(())
}

/// The kind id, the fields particular to it, and the options every kind shares.
fn body_of(kind: LogKind) -> Result<(String, Map<String, Value>, CommonArgs), Failure> {
    Ok(match kind {
        LogKind::Supplies { lines, common } => {
            let items = lines
                .iter()
                .map(|l| parse_line(l))
                .collect::<Result<Vec<_>, _>>()?;
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
        } => (
            "overdose_response".to_string(),
            obj(json!({
                "called_911": enum_str(called_911),
                "ems_arrived": ems_arrived,
                "naloxone": (naloxone_doses > 0).then(|| json!({"doses": naloxone_doses, "route": enum_str(route)})),
                "rescue_breathing": rescue_breathing,
                "oxygen": oxygen,
                "recovery_position": recovery_position,
                "stayed_until_recovery_or_ems": stayed,
                "kit_replaced": kit_replaced,
                "outcome": enum_str(outcome),
            })),
            common,
        ),
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
        } => (
            "systems_navigation".to_string(),
            obj(json!({
                "task": task, "contact_type": contact, "outcome": outcome,
                "travel_minutes": travel_minutes, "barriers": barriers,
                "referral": referral.map(|d| json!({"destination": d, "type": referral_type})),
                "follow_up_date": follow_up, "out_of_pocket_cents": cost_cents,
            })),
            common,
        ),
        LogKind::Outreach { common } => ("outreach_contact".into(), Map::new(), common),
        LogKind::Education { common } => ("peer_education".into(), Map::new(), common),
        LogKind::Support { common } => ("emotional_support".into(), Map::new(), common),
        LogKind::Meal { common } => ("meal_service".into(), Map::new(), common),
        LogKind::Json { kind, body, common } => (kind, obj(parse_json(&body)?), common),
    })
}

/// Adds the shared options to a kind's own fields.
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
    Value::Object(specific)
}
