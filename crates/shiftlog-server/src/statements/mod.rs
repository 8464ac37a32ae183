//! Signed work statements (issue 14): a worker's device asks for a statement of their work
//! over a period; the server counts it from the records it holds for that worker (`count`),
//! signs it with the organization's statement key, keeps it in its register by short code,
//! and audit-logs the signing. Keys are made on first need, rotated and revoked by an admin
//! on the command line (`shiftlog-server statement-key …`), and published with their dates
//! for anyone to verify against (`verify`). docs/security.md "Statement keys".
//!
//! The private key is kept in the server database as it is, not encrypted: anyone who can
//! read the database can already change every record a statement is counted from, and a key
//! sealed by a secret on the same machine would add a file to lose without keeping that
//! reader out. What limits the harm is that a rotation or a revocation destroys the old
//! secret, and that a revocation refuses everything the key signed.

mod count;
pub mod verify;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use shiftlog_server_db::{IssuedStatement, StoredStatementKey};
use shiftlog_statement::api::{StatementRequest, MAX_PERIOD_DAYS};
use shiftlog_statement::{
    sign, KeySet, Organization, Period, PublishedKey, SignedStatement, Statement, StatementKey,
    Worker, STATEMENT_FORMAT,
};

use crate::{DeviceAuth, OrgService, ServiceError};

/// A statement key as the admin command lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyListing {
    /// Key id.
    pub key_id: String,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Replaced at.
    pub retired_at: Option<DateTime<Utc>>,
    /// Revoked at.
    pub revoked_at: Option<DateTime<Utc>>,
    /// True for the key new statements are signed with.
    pub current: bool,
}

/// Requests one address may make to the public statement routes (the key list, the verify
/// page and API) in a minute: plenty for a person checking a page, too few to guess codes.
pub const PUBLIC_REQUESTS_PER_MINUTE: u32 = 60;

fn now() -> DateTime<Utc> {
    // Whole seconds: what is stored, published and signed reads back the same.
    let t = Utc::now();
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

fn usable(k: &StoredStatementKey) -> bool {
    k.secret.is_some() && k.retired_at.is_none() && k.revoked_at.is_none()
}

fn published(k: StoredStatementKey) -> PublishedKey {
    PublishedKey {
        key_id: k.key_id,
        organization_id: k.org_id,
        public_key: k.public_key,
        created_at: k.created_at,
        retired_at: k.retired_at,
        revoked_at: k.revoked_at,
    }
}

fn secret_of(k: &StoredStatementKey) -> Result<StatementKey, ServiceError> {
    let corrupt = || {
        ServiceError::Storage(shiftlog_server_db::StorageError::Corrupt(format!(
            "statement key {}",
            k.key_id
        )))
    };
    let hex = k.secret.as_deref().ok_or_else(corrupt)?;
    let bytes: [u8; 32] = hex::decode(hex)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(corrupt)?;
    let key = StatementKey::from_secret(&bytes);
    if key.key_id() != k.key_id {
        return Err(corrupt());
    }
    Ok(key)
}

impl OrgService {
    /// Makes a new key for `org_id`, retiring (and destroying the secret of) the one in use.
    fn new_statement_key(&self, org_id: &str, actor: &str) -> Result<String, ServiceError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| std::io::Error::other(e.to_string()))?;
        let key = StatementKey::from_secret(&secret);
        let at = now();
        self.store.add_statement_key(
            &StoredStatementKey {
                key_id: key.key_id(),
                org_id: org_id.to_string(),
                public_key: hex::encode(key.public_key()),
                secret: Some(hex::encode(secret)),
                created_at: at,
                retired_at: None,
                revoked_at: None,
            },
            at,
        )?;
        self.audit(
            org_id,
            actor,
            "statement_key_created",
            serde_json::json!({ "key_id": key.key_id() }),
        )?;
        Ok(key.key_id())
    }

    /// The key new statements of `org_id` are signed with, made on first need.
    fn signing_key(&self, org_id: &str) -> Result<StatementKey, ServiceError> {
        let keys = self.store.statement_keys(org_id)?;
        if let Some(k) = keys.iter().find(|k| usable(k)) {
            return secret_of(k);
        }
        self.new_statement_key(org_id, "server")?;
        let keys = self.store.statement_keys(org_id)?;
        let k = keys
            .iter()
            .find(|k| usable(k))
            .ok_or_else(|| ServiceError::NotFound("statement key".into()))?;
        secret_of(k)
    }

    /// Signs a statement of the device's worker's work from `req.from` to `req.to`, counted
    /// from the records this server holds for the worker, and keeps it in the register.
    pub fn issue_statement(
        &self,
        device: &DeviceAuth,
        req: &StatementRequest,
    ) -> Result<SignedStatement, ServiceError> {
        let issued_at = now();
        check_period(req.from, req.to, issued_at)?;
        let name = self
            .store
            .organization_name(&device.org_id)?
            .ok_or_else(|| ServiceError::NotFound(format!("organization {}", device.org_id)))?;
        let rows = self.store.worker_work(
            &device.org_id,
            device.worker_id,
            &req.from.format("%Y-%m-%d").to_string(),
            &req.to.format("%Y-%m-%d").to_string(),
        )?;
        let counts = count::count(&rows, &self.catalogue(&device.org_id)?);
        let statement = Statement {
            format: STATEMENT_FORMAT.into(),
            organization: Organization {
                id: device.org_id.clone(),
                name,
            },
            worker: Worker {
                id: device.worker_id.to_string(),
                pseudonym: device.pseudonym.clone(),
            },
            period: Period {
                from: req.from,
                to: req.to,
            },
            issued_at,
            hours: counts.hours,
            activities: counts.activities,
            training: counts.training,
            roles: counts.roles,
        };
        let key = self.signing_key(&device.org_id)?;
        let signed = sign(statement, &key);
        let code = signed.short_code().unwrap_or_default();
        // Storage reads the device again as it keeps the statement: one revoked while the
        // request's body came is refused here, and the signed statement is never handed out.
        self.store.add_issued_statement(
            device.device_id,
            &IssuedStatement {
                code: code.clone(),
                org_id: device.org_id.clone(),
                worker_id: device.worker_id,
                key_id: signed.key_id.clone(),
                issued_at,
                document: signed.to_json(),
            },
        )?;
        // Which statement and for when; never its counts.
        self.audit(
            &device.org_id,
            &format!("device:{}", device.device_id),
            "statement_signed",
            serde_json::json!({
                "code": code,
                "key_id": signed.key_id,
                "worker": device.pseudonym,
                "from": req.from,
                "to": req.to,
            }),
        )?;
        Ok(signed)
    }

    /// The organization's statement keys, as anyone may fetch them; `NotFound` for an
    /// organization this server does not have.
    pub fn published_keys(&self, org_id: &str) -> Result<KeySet, ServiceError> {
        if !crate::util::valid_id(org_id) || self.store.organization_name(org_id)?.is_none() {
            return Err(ServiceError::NotFound(format!("organization {org_id}")));
        }
        Ok(KeySet::new(
            self.store
                .statement_keys(org_id)?
                .into_iter()
                .map(published)
                .collect(),
        ))
    }

    /// `statement-key list --org ORG`.
    pub fn cli_statement_keys(&self, org_id: &str) -> Result<Vec<KeyListing>, ServiceError> {
        self.published_keys(org_id)?;
        Ok(self
            .store
            .statement_keys(org_id)?
            .into_iter()
            .map(|k| KeyListing {
                current: usable(&k),
                key_id: k.key_id,
                created_at: k.created_at,
                retired_at: k.retired_at,
                revoked_at: k.revoked_at,
            })
            .collect())
    }

    /// `statement-key rotate --org ORG`: a new key signs from now on; the old one is retired
    /// (its secret destroyed) and keeps verifying what it signed. Audit-logged as `cli`.
    pub fn cli_rotate_statement_key(&self, org_id: &str) -> Result<String, ServiceError> {
        self.published_keys(org_id)?;
        self.new_statement_key(org_id, "cli")
    }

    /// `statement-key revoke --org ORG KEY_ID`: nothing the key signed verifies any more, and
    /// its secret is destroyed; the next statement is signed with a new key. Audit-logged.
    pub fn cli_revoke_statement_key(&self, org_id: &str, key_id: &str) -> Result<(), ServiceError> {
        self.published_keys(org_id)?;
        self.store.revoke_statement_key(org_id, key_id, now())?;
        self.audit(
            org_id,
            "cli",
            "statement_key_revoked",
            serde_json::json!({ "key_id": key_id }),
        )
    }

    /// A request to the public statement routes from `client`: limited per address.
    pub fn statement_attempt(&self, client: std::net::IpAddr) -> Result<(), ServiceError> {
        self.statement_limiter
            .hit(
                &crate::limits::address_key(client),
                std::time::Instant::now(),
            )
            .map_err(|w| self.limited("statements", w))
    }
}

/// Refuses a period that ends before it starts, is longer than [`MAX_PERIOD_DAYS`], starts
/// before 2000 or ends after tomorrow (a day ahead for time zones).
fn check_period(from: NaiveDate, to: NaiveDate, now: DateTime<Utc>) -> Result<(), ServiceError> {
    let bad = |m: String| ServiceError::Invalid("statement_period", m);
    if to < from {
        return Err(bad("to: the period ends before it starts.".into()));
    }
    if (to - from).num_days() + 1 > MAX_PERIOD_DAYS {
        return Err(bad(format!(
            "the period is longer than {MAX_PERIOD_DAYS} days; ask for one statement per year."
        )));
    }
    if from < NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN) {
        return Err(bad("from: before the year 2000.".into()));
    }
    if to > (now + Duration::days(1)).date_naive() {
        return Err(bad("to: the period ends in the future.".into()));
    }
    Ok(())
}
