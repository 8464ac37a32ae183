//! `shiftlog messages`: the organizations' messages and alerts kept on this device (unread
//! first, alerts first, as the core lists them), and `--read ID` to mark one read.

use chrono::Utc;
use serde_json::json;
use shiftlog_core::{Core, CoreError, Lang, Message, Urgency};

use crate::exit::Failure;
use crate::output::Output;

/// Lists the messages, or marks one read.
pub fn messages(
    core: &Core,
    out: &Output,
    read: Option<String>,
    org: Option<String>,
) -> Result<(), Failure> {
    let fr = out.lang == Lang::Fr;
    let list = core.messages(Utc::now())?;
    let Some(id) = read else {
        if out.json {
            println!("{}", json!(list));
        } else if list.is_empty() {
            println!("{}", if fr { "Aucun message." } else { "No messages." });
        } else {
            for m in &list {
                println!("{}", describe(m, out.lang));
            }
        }
        return Ok(());
    };
    // The id is the server's: find which organization sent it, unless the worker said.
    let mut from: Vec<&str> = list
        .iter()
        .filter(|m| m.id == id && org.as_deref().is_none_or(|o| o == m.org_id))
        .map(|m| m.org_id.as_str())
        .collect();
    from.dedup();
    let org_id = match from.as_slice() {
        [one] => one.to_string(),
        [] => return Err(CoreError::MessageNotFound(id).into()),
        _ => {
            return Err(Failure::Usage(if fr {
                "Deux organismes ont envoyé ce numéro : précisez --org.".into()
            } else {
                "Two organizations sent this id: add --org.".into()
            }))
        }
    };
    core.mark_message_read(&org_id, &id)?;
    out.print(
        json!({"id": id, "org_id": org_id, "read": true}),
        if fr {
            "Marqué comme lu."
        } else {
            "Marked read."
        }
        .into(),
    );
    Ok(())
}

/// One message on one line: id, urgency, organization, text, until when, read or not.
fn describe(m: &Message, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let urgency = match (m.urgency, fr) {
        (Urgency::Alert, false) => "ALERT",
        (Urgency::Alert, true) => "ALERTE",
        (Urgency::Notice, false) => "notice",
        (Urgency::Notice, true) => "avis",
    };
    let state = match (m.read_at.is_some(), fr) {
        (true, false) => "read",
        (true, true) => "lu",
        (false, false) => "unread",
        (false, true) => "non lu",
    };
    let text: String = m
        .text
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    format!(
        "{}  {}  {}  {}  [{} {}; {}]",
        m.id,
        urgency,
        m.org_name,
        text,
        if fr { "jusqu'au" } else { "until" },
        m.expires_at,
        state
    )
}
