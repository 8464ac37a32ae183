//! The outbox: which organizations to sync, and the batches of waiting records, read in
//! (time, id) order and encoded for a push.

use reqwest::Url;
use rusqlite::params;
use shiftlog_wire::{packed, PushRequest};

use super::client::{gzip_bytes, parse_server_url};
use super::marks::Outgoing;
use crate::records::{row_to_envelope, ENVELOPE_COLS};
use crate::{Core, CoreError, Result};

pub(super) struct Target {
    pub(super) org_id: String,
    pub(super) base: Url,
    pub(super) token: String,
}

pub(super) fn targets(core: &Core) -> Result<Vec<Target>> {
    let db = core.db();
    let mut stmt = db.prepare(
        "SELECT id, server_url, device_token FROM organizations
         WHERE server_url IS NOT NULL AND device_token IS NOT NULL AND removed_at IS NULL
         ORDER BY joined_at, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (org_id, url, token) = row?;
        out.push(Target {
            org_id,
            base: parse_server_url(&url)?,
            token,
        });
    }
    Ok(out)
}

/// Where a pass over the outbox has got to: the (occurred_utc_ms, id) of the last record read.
pub(super) type Key = (i64, String);

/// An organization's records still to send (`?1`), after the cursor (`?3` time, `?4` id),
/// in order, `?2` at most: searched through the partial index `records_pending`.
pub(crate) fn pending_sql() -> String {
    format!(
        "SELECT {ENVELOPE_COLS}, r.sync_change_counter, r.occurred_utc_ms FROM records r
         WHERE r.org_id = ?1 AND r.sync_change_counter > 0
           AND (r.occurred_utc_ms, r.id) > (?3, ?4)
         ORDER BY r.occurred_utc_ms, r.id LIMIT ?2"
    )
}

/// The next `limit` waiting records of `org_id` after `after`, in (time, id) order: what was
/// read of each (to mark it later), its envelope, and where the pass got to.
pub(super) fn pending_batch(
    core: &Core,
    org_id: &str,
    limit: usize,
    after: Option<&Key>,
) -> Result<(
    Vec<Outgoing>,
    Vec<shiftlog_wire::RecordEnvelope>,
    Option<Key>,
)> {
    let db = core.db();
    let mut stmt = db.prepare_cached(&pending_sql())?;
    let (after_ms, after_id) = after.cloned().unwrap_or((i64::MIN, String::new()));
    let mut rows = stmt.query(params![org_id, limit as i64, after_ms, after_id])?;
    let mut sent = Vec::with_capacity(limit);
    let mut envs = Vec::with_capacity(limit);
    let mut last = None;
    while let Some(row) = rows.next()? {
        let env = row_to_envelope(row)?;
        let counter: i64 = row.get(10)?;
        last = Some((row.get::<_, i64>(11)?, env.id.to_string()));
        sent.push(Outgoing {
            id: env.id,
            version: env.version,
            counter,
        });
        envs.push(env);
    }
    Ok((sent, envs, last))
}

/// A push body ready to go, and what it holds.
pub(super) struct Prepared {
    pub(super) sent: Vec<Outgoing>,
    pub(super) body: Vec<u8>,
    /// JSON, or packed when the server speaks [`packed::PROTOCOL`].
    pub(super) content_type: &'static str,
    pub(super) last: Key,
}

/// Reads, encodes and compresses the next batch after `after`; `None` when the pass is done.
/// The batch is packed when the protocol allows it, JSON otherwise. A batch whose body would
/// pass the server's body limit is halved until it fits.
pub(super) fn prepare(
    core: &Core,
    org_id: &str,
    mut batch: usize,
    after: Option<&Key>,
    protocol: u32,
    gzip: bool,
    max_body: usize,
) -> Result<Option<Prepared>> {
    let lang = core.setting(crate::LANG_SETTING)?;
    loop {
        let (sent, records, last) = pending_batch(core, org_id, batch, after)?;
        let Some(last) = last else {
            return Ok(None);
        };
        let req = PushRequest {
            protocol,
            records,
            lang: lang.clone(),
        };
        let pack = protocol >= packed::PROTOCOL && req.records.iter().all(packed::can_pack);
        let (raw, content_type) = if pack {
            (packed::encode(&req), packed::CONTENT_TYPE)
        } else {
            let json = serde_json::to_vec(&req).map_err(|e| CoreError::Server {
                status: 0,
                code: "encode".into(),
                message: e.to_string(),
            })?;
            (json, "application/json")
        };
        if raw.len() > max_body && batch > 1 {
            batch = (batch / 2).max(1);
            continue;
        }
        let body = if gzip { gzip_bytes(&raw)? } else { raw };
        return Ok(Some(Prepared {
            sent,
            body,
            content_type,
            last,
        }));
    }
}

pub(super) fn count_pending(core: &Core) -> Result<u32> {
    Ok(core.db().query_row(
        "SELECT COUNT(*) FROM records r JOIN organizations o ON o.id = r.org_id
         WHERE r.sync_change_counter > 0 AND o.server_url IS NOT NULL",
        [],
        |r| r.get(0),
    )?)
}
