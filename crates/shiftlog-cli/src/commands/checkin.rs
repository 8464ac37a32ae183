//! Check-ins: how the worker is doing, kept on this device; only a debrief request is shared.

use serde_json::json;
use shiftlog_core::{Core, NewCheckin};
use uuid::Uuid;

use crate::exit::Failure;
use crate::output::Output;

/// What `shiftlog checkin` was given.
pub struct CheckinArgs {
    /// Ask for a debrief.
    pub debrief: bool,
    /// 1 to 5.
    pub wellbeing: Option<i64>,
    /// Private note.
    pub note: Option<String>,
    /// Share the debrief request.
    pub share: bool,
    /// The activity it follows.
    pub after: Option<Uuid>,
    /// Organization id.
    pub org: Option<String>,
}

/// `shiftlog checkin`.
pub fn checkin(core: &Core, out: &Output, a: CheckinArgs) -> Result<(), Failure> {
    let c = core.record_checkin(NewCheckin {
        org_id: a.org,
        after_record_id: a.after,
        debrief_requested: a.debrief,
        wellbeing: a.wellbeing,
        private_note: a.note,
        share_debrief_request: a.share,
    })?;
    out.print(
        json!(c),
        if c.shared_record_id.is_some() {
            "Check-in saved. Your organization will know you asked for a debrief (nothing else)."
                .into()
        } else {
            "Check-in saved on this device only.".into()
        },
    );
    Ok(())
}

/// `shiftlog checkins`.
pub fn list(core: &Core, out: &Output) -> Result<(), Failure> {
    let list = core.list_checkins()?;
    if out.json {
        println!("{}", json!(list));
        return Ok(());
    }
    for c in list {
        println!(
            "{}  {}  debrief:{}  wellbeing:{}  shared:{}  {}",
            c.id,
            c.created_at.format("%Y-%m-%d %H:%M"),
            c.debrief_requested,
            c.wellbeing
                .map(|w| w.to_string())
                .unwrap_or_else(|| "-".into()),
            c.shared_record_id.is_some(),
            c.private_note.unwrap_or_default()
        );
    }
    Ok(())
}

/// `shiftlog checkin-retention [7|30|90|365|keep]`: shows, or chooses, how long check-ins stay.
pub fn retention(core: &Core, out: &Output, period: Option<String>) -> Result<(), Failure> {
    if let Some(p) = period {
        let days = match p.trim() {
            "keep" => None,
            n => Some(n.parse::<u32>().map_err(|_| {
                shiftlog_core::CoreError::from(shiftlog_core::ValidationError::Malformed(
                    "period: 7, 30, 90, 365 or keep".into(),
                ))
            })?),
        };
        core.set_checkin_retention_days(days)?;
    }
    let days = core.checkin_retention_days()?;
    out.print(
        json!({ "checkin_retention_days": days }),
        match days {
            Some(d) => format!(
                "Your check-ins are removed from this device {d} days after you write them."
            ),
            None => "Your check-ins stay on this device until you delete them.".into(),
        },
    );
    Ok(())
}

/// `shiftlog share-debrief`.
pub fn share(core: &Core, out: &Output, id: Uuid) -> Result<(), Failure> {
    let c = core.share_debrief_request(id)?;
    out.print(
        json!(c),
        "Shared: your organization will know you asked for a debrief.".into(),
    );
    Ok(())
}
