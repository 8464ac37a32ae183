//! Pulls: the worker's records from their other devices, and the organization's catalogue.

use super::client::{join, parse, MAX_LARGE_RESPONSE};
use super::outbox::Target;
use crate::{Core, Result};
use shiftlog_wire::paths;

/// Most records asked for in one pull.
pub(super) const PULL_PAGE: u32 = 500;

/// Pulls the worker's records written from their other devices, page by page from the
/// cursor this device keeps. An older server without the endpoint is skipped. Returns how
/// many pulled records were refused because their id is another organization's record here.
pub(super) async fn pull_records(core: &Core, t: &Target) -> Result<u32> {
    let mut refused = 0u32;
    loop {
        let after = core.pull_cursor(&t.org_id)?;
        let mut url = join(&t.base, paths::PULL)?;
        url.query_pairs_mut()
            .append_pair("after", &after.to_string())
            .append_pair("limit", &PULL_PAGE.to_string());
        let resp = core
            .sync
            .http(&t.base)
            .get(url)
            .bearer_auth(&t.token)
            .send()
            .await?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(refused);
        }
        let page: shiftlog_wire::PullResponse = parse(resp, MAX_LARGE_RESPONSE).await?;
        let done = core.apply_pulled(&t.org_id, &page.records, page.next)?;
        refused = refused.saturating_add(done.refused as u32);
        if !page.more || page.next <= after {
            return Ok(refused);
        }
    }
}

/// Pulls the organization's catalogue and keeps it, section by section: a section the
/// organization left empty keeps the device's default.
pub(super) async fn pull_catalogue(core: &Core, t: &Target) -> Result<()> {
    let resp = core
        .sync
        .http(&t.base)
        .get(join(&t.base, paths::CATALOGUE)?)
        .bearer_auth(&t.token)
        .send()
        .await?;
    if resp.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(()); // an older server without catalogues
    }
    let wire: shiftlog_wire::CatalogueResponse = parse(resp, MAX_LARGE_RESPONSE).await?;
    let current = core.catalogue(Some(&t.org_id))?;
    let merged = crate::catalogue::from_wire(&wire, current);
    if merged != core.catalogue(Some(&t.org_id))? {
        core.set_catalogue(&t.org_id, &merged)?;
    }
    Ok(())
}
