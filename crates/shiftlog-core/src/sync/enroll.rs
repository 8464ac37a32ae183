//! Which server gets the records: an organization is known by the server it was joined at
//! and the server's id for it (`organizations.server_url`, `organizations.server_org_id`).
//!
//! A server picks its organization's id, so that id is never trusted as the device's key.
//! Joining again at the same server with the same id renews that organization's token; any
//! other answer, whatever id it names (an organization kept on this device only, one joined
//! at another server), gets a row of its own under a local id that is free on this device.

use chrono::Utc;
use rusqlite::{params, OptionalExtension};
use shiftlog_wire::EnrollResponse;

use crate::model::Organization;
use crate::{Core, CoreError, Result};

/// Longest organization id and name taken from a server.
const MAX_SERVER_ORG_ID: usize = 64;
const MAX_SERVER_ORG_NAME: usize = 200;

/// Keeps what a server answered to an enrollment, under the organization that server and id
/// name on this device, or a new one.
pub(crate) fn store_enrollment(
    core: &Core,
    server_url: &str,
    resp: &EnrollResponse,
) -> Result<Organization> {
    let server_id = checked(&resp.organization.id, MAX_SERVER_ORG_ID, "id")?;
    let name = checked(&resp.organization.name, MAX_SERVER_ORG_NAME, "name")?;
    let mut db = core.db();
    let tx = db.transaction()?;
    let existing: Option<String> = tx
        .query_row(
            "SELECT id FROM organizations WHERE server_url = ?1 AND server_org_id = ?2",
            params![server_url, server_id],
            |r| r.get(0),
        )
        .optional()?;
    let id = match existing {
        Some(id) => {
            tx.execute(
                "UPDATE organizations SET name = ?2, device_id = ?3, device_token = ?4
                 WHERE id = ?1",
                params![id, name, resp.device_id.to_string(), resp.token],
            )?;
            id
        }
        None => {
            let id = free_local_id(&tx, server_id)?;
            tx.execute(
                "INSERT INTO organizations (id, name, server_url, server_org_id, device_id,
                     device_token, joined_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id,
                    name,
                    server_url,
                    server_id,
                    resp.device_id.to_string(),
                    resp.token,
                    Utc::now().to_rfc3339(),
                ],
            )?;
            id
        }
    };
    tx.commit()?;
    drop(db);
    core.catalogues
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&id);
    Ok(Organization {
        id,
        name: name.to_string(),
        server_url: Some(server_url.to_string()),
    })
}

/// The server's id when no organization on this device has it and it does not look like one
/// kept on this device only (`local-…`); else the first free `<id>-2`, `<id>-3`, ….
fn free_local_id(tx: &rusqlite::Transaction<'_>, server_id: &str) -> Result<String> {
    let base = if server_id.starts_with("local-") {
        format!("joined-{server_id}")
    } else {
        server_id.to_string()
    };
    let taken = |id: &str| -> Result<bool> {
        Ok(tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM organizations WHERE id = ?1)",
            [id],
            |r| r.get(0),
        )?)
    };
    if !taken(&base)? {
        return Ok(base);
    }
    for n in 2..1000 {
        let id = format!("{base}-{n}");
        if !taken(&id)? {
            return Ok(id);
        }
    }
    Ok(format!("{base}-{}", uuid::Uuid::now_v7().simple()))
}

/// A value from the server's answer, trimmed: not empty, not too long, no control characters.
fn checked<'a>(value: &'a str, max: usize, what: &str) -> Result<&'a str> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(CoreError::BadResponse(format!(
            "organization {what} empty, too long or with control characters"
        )));
    }
    Ok(v)
}
