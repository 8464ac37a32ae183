//! Messages from the organization, fetched with each sync of it: after the push and pulls,
//! the device asks its server for the current list, keeps it (new ones stored, withdrawn and
//! expired ones dropped) and reports back the ids it holds, which is how the dashboard counts
//! deliveries. Only the organization's own server, with its own token, is asked; what it
//! lists is stored under that organization.

use chrono::Utc;
use shiftlog_wire::{paths, MessagesReceived, MessagesResponse};

use super::client::{join, parse, MAX_SMALL_RESPONSE};
use super::outbox::Target;
use crate::{Core, Result};

/// Most bytes read from the list of messages: [`crate::messages::MAX_PER_ORG`] messages of
/// at most 500 characters (up to 4 bytes each in UTF-8, more once JSON-escaped) would pass
/// 512 KiB only with a server sending far more than it should.
pub(crate) const MAX_MESSAGES_RESPONSE: usize = 512 * 1024;

/// Fetches and keeps `t`'s messages; returns how many are new on this device. An older
/// server without messages (404) is skipped.
pub(super) async fn sync_messages(core: &Core, t: &Target) -> Result<u32> {
    let resp = core
        .sync
        .http(&t.base)
        .get(join(&t.base, paths::MESSAGES)?)
        .bearer_auth(&t.token)
        .send()
        .await?;
    if resp.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(0);
    }
    let listed: MessagesResponse = parse(resp, MAX_MESSAGES_RESPONSE).await?;
    let stored = core.store_messages(&t.org_id, &listed.messages, Utc::now())?;
    if stored.ids.is_empty() {
        return Ok(stored.new);
    }
    let resp = core
        .sync
        .http(&t.base)
        .post(join(&t.base, paths::MESSAGES_RECEIVED)?)
        .bearer_auth(&t.token)
        .json(&MessagesReceived { ids: stored.ids })
        .send()
        .await?;
    if !resp.status().is_success() {
        // The server's error (or redirect) as the typed error it maps to.
        parse::<serde_json::Value>(resp, MAX_SMALL_RESPONSE).await?;
    }
    Ok(stored.new)
}
