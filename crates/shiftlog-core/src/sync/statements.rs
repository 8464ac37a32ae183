//! Asking an organization's server for a signed work statement: `POST /api/v1/statements`
//! with the device's token, then the organization's published keys from the same server
//! (`GET /api/v1/statement-keys/{org}`, public), and the statement checked against them
//! before it is kept. A statement that fails its check is not kept: the worker is told why.
//! Only the organization's own server, with its own token, is asked, and only keys that
//! server publishes for that organization are trusted for it.

use shiftlog_statement::api::{self, StatementRequest};
use shiftlog_statement::{KeySet, SignedStatement};

use super::client::{join, parse, MAX_SMALL_RESPONSE};
use crate::statements::{RequestOutcome, StoredStatement};
use crate::{Core, CoreError, Result};

/// Most bytes read from a signed statement: counts by kind, pay type, topic and role with
/// their words in two languages (role descriptions are the largest part) stay far below.
pub(crate) const MAX_STATEMENT_RESPONSE: usize = 256 * 1024;
/// Most bytes read from a key list (a key is about 250 bytes; rotations add a few a year).
pub(crate) const MAX_KEYS_RESPONSE: usize = MAX_SMALL_RESPONSE;

/// An organization this device can ask: its server, token and the server's id for it.
struct Signer {
    org_id: String,
    name: String,
    server_org_id: String,
    base: reqwest::Url,
    token: String,
}

fn signers(core: &Core, org: Option<&str>) -> Result<Vec<Signer>> {
    let db = core.db();
    let mut stmt = db.prepare(
        "SELECT id, name, COALESCE(server_org_id, id), server_url, device_token
         FROM organizations
         WHERE server_url IS NOT NULL AND device_token IS NOT NULL AND removed_at IS NULL
           AND (?1 IS NULL OR id = ?1)
         ORDER BY joined_at, id",
    )?;
    let rows = stmt.query_map([org], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (org_id, name, server_org_id, url, token) = row?;
        out.push(Signer {
            org_id,
            name,
            server_org_id,
            base: super::parse_server_url(&url)?,
            token,
        });
    }
    Ok(out)
}

/// Asks `org` (every organization with a server when `None`) for a statement of
/// `request`'s period, one outcome per organization. No organization to ask is
/// [`CoreError::NotEnrolled`].
pub(crate) async fn request(
    core: &Core,
    org: Option<&str>,
    request: StatementRequest,
) -> Result<Vec<RequestOutcome>> {
    let signers = signers(core, org)?;
    if signers.is_empty() {
        return Err(CoreError::NotEnrolled);
    }
    let mut out = Vec::with_capacity(signers.len());
    for s in signers {
        let result = request_one(core, &s, request).await;
        out.push(RequestOutcome {
            org_id: s.org_id,
            org_name: s.name,
            result,
        });
    }
    Ok(out)
}

async fn request_one(
    core: &Core,
    s: &Signer,
    request: StatementRequest,
) -> Result<StoredStatement> {
    let unsupported = || CoreError::StatementsUnsupported {
        org: s.name.clone(),
    };
    let resp = core
        .sync
        .http(&s.base)
        .post(join(&s.base, api::STATEMENTS)?)
        .bearer_auth(&s.token)
        .json(&request)
        .send()
        .await?;
    if resp.status() == reqwest::StatusCode::NOT_FOUND {
        return Err(unsupported());
    }
    let signed: SignedStatement = parse(resp, MAX_STATEMENT_RESPONSE).await?;
    let resp = core
        .sync
        .http(&s.base)
        .get(join(&s.base, &api::statement_keys_path(&s.server_org_id))?)
        .send()
        .await?;
    if resp.status() == reqwest::StatusCode::NOT_FOUND {
        return Err(unsupported());
    }
    let published: KeySet = parse(resp, MAX_KEYS_RESPONSE).await?;
    // Only keys the server lists for this organization speak for it.
    let keys = KeySet::new(
        published
            .keys
            .into_iter()
            .filter(|k| k.organization_id == s.server_org_id)
            .collect(),
    );
    let verified = shiftlog_statement::verify(&signed, &keys).map_err(|reason| {
        CoreError::StatementRefused {
            org: s.name.clone(),
            reason,
        }
    })?;
    if verified.statement.organization.id != s.server_org_id {
        return Err(CoreError::BadResponse(
            "the statement names another organization".into(),
        ));
    }
    let period = verified.statement.period;
    if period.from != request.from || period.to != request.to {
        return Err(CoreError::BadResponse(
            "the statement covers another period than the one asked for".into(),
        ));
    }
    let mut verify_url = join(&s.base, api::VERIFY_PAGE)?;
    verify_url
        .query_pairs_mut()
        .append_pair("code", &verified.short_code);
    core.keep_statement(&s.org_id, &verified, &signed, &keys, verify_url.as_str())
}
