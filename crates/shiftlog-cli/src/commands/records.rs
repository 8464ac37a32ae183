//! Records in general: training, listing (with what needs attention), editing, deleting,
//! purging.

use serde_json::json;
use shiftlog_core::{Core, NewTraining, RecordQuery, RecordType, TrainingStatus};
use uuid::Uuid;

use super::aside;
use super::form::Form;
use crate::args::TypeArg;
use crate::exit::Failure;
use crate::input::{parse_at, parse_json};
use crate::output::{describe, Output};

/// `shiftlog training`.
pub fn training(
    core: &Core,
    out: &Output,
    topic: String,
    status: Option<TrainingStatus>,
    minutes: Option<i64>,
    org: Option<String>,
) -> Result<(), Failure> {
    let status = Form::of(core, org.as_deref(), "training")?.or_default(status, "status")?;
    let r = core.log_training(NewTraining {
        org_id: org,
        topic,
        status,
        minutes,
        occurred_at: None,
    })?;
    out.print(json!(r), format!("Saved {}", r.id));
    Ok(())
}

/// `shiftlog list`.
pub fn list(
    core: &Core,
    out: &Output,
    today: bool,
    r#type: Option<TypeArg>,
    needs_attention: bool,
    limit: Option<u32>,
) -> Result<(), Failure> {
    let record_type = r#type.map(|t| match t {
        TypeArg::Activity => RecordType::Activity,
        TypeArg::Shift => RecordType::Shift,
        TypeArg::DebriefRequest => RecordType::DebriefRequest,
        TypeArg::Training => RecordType::Training,
        TypeArg::Payment => RecordType::Payment,
    });
    let list = if today {
        core.todays_activities()?
    } else {
        core.list_records(&RecordQuery {
            record_type,
            needs_attention,
            limit,
            ..RecordQuery::default()
        })?
    };
    if !needs_attention || today {
        out.records(list);
        return Ok(());
    }
    // Needs attention: the records the server refused, then the worker's versions that lost
    // to another change and were set aside.
    let mut aside = core.set_aside_versions()?;
    aside.retain(|e| record_type.is_none_or(|t| e.record_type == t.as_str()));
    if out.json {
        let aside: Vec<_> = aside.iter().map(|e| aside::to_json(e, out.lang)).collect();
        println!("{}", json!({"records": list, "set_aside": aside}));
    } else if list.is_empty() && aside.is_empty() {
        out.records(list);
    } else {
        for r in &list {
            println!("{}", describe(r));
        }
        for line in aside::lines(&aside, out.lang) {
            println!("{line}");
        }
    }
    Ok(())
}

/// `shiftlog edit`.
pub fn edit(
    core: &Core,
    out: &Output,
    id: Uuid,
    body: &str,
    at: Option<&str>,
) -> Result<(), Failure> {
    let r = core.edit_record(id, parse_at(at)?, parse_json(body)?)?;
    out.print(json!(r), format!("Saved {} (version {})", r.id, r.version));
    Ok(())
}

/// `shiftlog delete`.
pub fn delete(core: &Core, out: &Output, id: Uuid) -> Result<(), Failure> {
    core.delete_record(id)?;
    out.print(json!({"deleted": id}), "Deleted".into());
    Ok(())
}

/// `shiftlog purge`.
pub fn purge(core: &Core, out: &Output) -> Result<(), Failure> {
    let n = core.purge_expired()?;
    out.print(
        json!({"purged": n}),
        format!("Removed {n} synced records past their retention window"),
    );
    Ok(())
}
