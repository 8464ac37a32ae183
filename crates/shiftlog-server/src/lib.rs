//! shiftlog organization server: receives devices' records, and lets staff see, summarise and
//! export them.
//!
//! [`OrgService`] is the server's one API (enroll, ingest, catalogue, staff, summaries,
//! exports). HTTP handlers in [`http`] and the `shiftlog-server` command only translate to and
//! from it. Storage is a trait (`shiftlog-server-db`) with a SQLite and a PostgreSQL backend.

pub mod dashboard;
pub mod export;
pub mod facts;
pub mod http;
pub mod limits;
pub mod openapi;
pub mod staff;
pub mod summary;
pub mod suppress;

use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use shiftlog_wire::{
    CatalogueEntryWire, CatalogueResponse, EnrollResponse, OrganizationInfo, RecordEnvelope,
    RecordResult,
};
use uuid::Uuid;

pub use shiftlog_server_db::{
    AuditEntry, CatalogueEntry, DeviceAuth, DeviceInfo, ExportRow, RecordFilter, Redeemed, Role,
    Storage, StorageError,
};
pub use shiftlog_server_postgres::PostgresStorage;
pub use shiftlog_server_sqlite::SqliteStorage;
pub use staff::Staff;

/// How long an enrollment code made on the command line stays valid.
pub const ENROLLMENT_CODE_TTL: chrono::Duration = chrono::Duration::hours(24);
/// How long an enrollment code a coordinator makes in the dashboard stays valid.
pub const DASHBOARD_CODE_TTL: chrono::Duration = chrono::Duration::minutes(30);

/// Limits the server enforces and advertises.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most records in one push.
    pub max_batch_records: usize,
    /// Largest request body, bytes.
    pub max_body_bytes: usize,
    /// Requests one device may make per minute.
    pub device_requests_per_minute: u32,
    /// Failed logins allowed per login name, and per client address, per 15 minutes.
    pub login_failures: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_batch_records: 1000,
            max_body_bytes: 4 * 1024 * 1024,
            device_requests_per_minute: 600,
            login_failures: 5,
        }
    }
}

/// Errors of the server API.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Storage failed.
    #[error(transparent)]
    Storage(StorageError),
    /// Unknown, used or expired enrollment code.
    #[error("invalid enrollment code")]
    InvalidCode,
    /// No valid token or session.
    #[error("unauthorized")]
    Unauthorized,
    /// Device revoked.
    #[error("device revoked")]
    DeviceRevoked,
    /// Signed in, but the role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// A state-changing dashboard request without its CSRF token.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// Too many requests; retry after this many seconds.
    #[error("too many requests; retry in {0} s")]
    RateLimited(u64),
    /// The named thing does not exist in the caller's organization.
    #[error("{0} not found")]
    NotFound(String),
    /// A name is taken.
    #[error("{0}")]
    Conflict(String),
    /// Bad input.
    #[error("{0}")]
    BadRequest(String),
}

impl From<StorageError> for ServiceError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(what) => ServiceError::NotFound(what),
            StorageError::Conflict(_) => ServiceError::Conflict("That name is taken.".into()),
            other => ServiceError::Storage(other),
        }
    }
}

impl From<std::io::Error> for ServiceError {
    fn from(e: std::io::Error) -> Self {
        ServiceError::Storage(StorageError::Io(e))
    }
}

/// The organization server's API.
#[derive(Clone)]
pub struct OrgService {
    store: Arc<dyn Storage>,
    /// Limits in force.
    pub limits: Limits,
    device_limiter: Arc<limits::RateLimiter>,
    login_limiter: Arc<limits::RateLimiter>,
}

/// A random secret, hex-encoded.
pub(crate) fn random_hex(bytes: usize) -> Result<String, ServiceError> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b)
        .map_err(|e| ServiceError::Storage(StorageError::Corrupt(format!("no randomness: {e}"))))?;
    Ok(hex::encode(b))
}

/// `n` characters from an alphabet with no look-alike characters.
fn random_code(n: usize) -> Result<String, ServiceError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut raw = vec![0u8; n];
    getrandom::fill(&mut raw)
        .map_err(|e| ServiceError::Storage(StorageError::Corrupt(format!("no randomness: {e}"))))?;
    Ok(raw
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

/// Tokens and codes are high-entropy random values, so a plain SHA-256 is enough to make a
/// stolen database useless for impersonation (no need for a slow password hash).
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

/// An id typed by staff (organization, catalogue entry): letters, digits, `_` and `-`.
pub fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// True if `s` holds a control character (NUL and the like): never stored, and PostgreSQL
/// refuses NUL in text. `allow_newlines` lets multi-line descriptions through.
pub fn has_control(s: &str, allow_newlines: bool) -> bool {
    s.chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\t')))
}

/// A worker pseudonym: `W-` and 4 to 8 letters or digits.
pub fn valid_pseudonym(s: &str) -> bool {
    s.strip_prefix("W-")
        .is_some_and(|r| (4..=8).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// An SVG QR code of `text` (an enrollment link), for the dashboard to show beside the code.
pub fn qr_svg(text: &str) -> Result<String, ServiceError> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| ServiceError::BadRequest(format!("QR code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build())
}

pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl OrgService {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Storage>, limits: Limits) -> Self {
        OrgService {
            store,
            device_limiter: Arc::new(limits::RateLimiter::new(
                limits.device_requests_per_minute,
                Duration::from_secs(60),
            )),
            login_limiter: Arc::new(limits::RateLimiter::new(
                limits.login_failures,
                Duration::from_secs(15 * 60),
            )),
            limits,
        }
    }

    /// The storage backend.
    pub fn store(&self) -> &Arc<dyn Storage> {
        &self.store
    }

    /// Appends to the audit log.
    pub(crate) fn audit(
        &self,
        org_id: &str,
        actor: &str,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<(), ServiceError> {
        self.store.audit(
            org_id,
            &AuditEntry {
                at: now_rfc3339(),
                actor: actor.to_string(),
                action: action.to_string(),
                detail,
            },
        )?;
        Ok(())
    }

    /// Creates the organization if it is missing.
    pub fn ensure_organization(&self, id: &str, name: &str) -> Result<bool, ServiceError> {
        if !valid_id(id) {
            return Err(ServiceError::BadRequest(
                "organization id: use letters, digits and dashes".into(),
            ));
        }
        if name.trim().is_empty() || name.chars().count() > 120 || has_control(name, false) {
            return Err(ServiceError::BadRequest(
                "organization name: 1 to 120 characters, no control characters".into(),
            ));
        }
        Ok(self.store.ensure_organization(id, name)?)
    }

    /// A new one-time enrollment code for a new worker of `org_id`, valid 24 hours (the
    /// command line's code; the dashboard uses [`OrgService::enrollment_code`]).
    pub fn new_enrollment_code(&self, org_id: &str) -> Result<String, ServiceError> {
        let (code, _) = self.make_code(org_id, None, "cli", ENROLLMENT_CODE_TTL)?;
        Ok(code)
    }

    /// A short-lived one-time code made by `staff` (coordinator or admin): for a new worker,
    /// or, with `pseudonym`, a second device of an existing worker. Audit-logged.
    pub fn enrollment_code(
        &self,
        staff: &Staff,
        pseudonym: Option<&str>,
    ) -> Result<(String, chrono::DateTime<chrono::Utc>), ServiceError> {
        staff.require(Role::Coordinator)?;
        let worker = match pseudonym.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => {
                if !valid_pseudonym(p) {
                    return Err(ServiceError::BadRequest(
                        "pseudonym: like W-7F3K (W, a dash, 4 to 8 letters or digits)".into(),
                    ));
                }
                Some(
                    self.store
                        .worker_by_pseudonym(&staff.org_id, p)?
                        .ok_or_else(|| ServiceError::NotFound(format!("worker {p}")))?,
                )
            }
        };
        let out = self.make_code(&staff.org_id, worker, &staff.actor, DASHBOARD_CODE_TTL)?;
        self.audit(
            &staff.org_id,
            &staff.actor,
            "enrollment_code",
            serde_json::json!({"worker": pseudonym, "expires_at": out.1.to_rfc3339()}),
        )?;
        Ok(out)
    }

    fn make_code(
        &self,
        org_id: &str,
        worker_id: Option<Uuid>,
        actor: &str,
        ttl: chrono::Duration,
    ) -> Result<(String, chrono::DateTime<chrono::Utc>), ServiceError> {
        if self.store.organization_name(org_id)?.is_none() {
            return Err(ServiceError::NotFound(format!("organization {org_id}")));
        }
        let raw = random_code(10)?;
        let code = format!("{}-{}", &raw[..5], &raw[5..]);
        let expires_at = chrono::Utc::now() + ttl;
        self.store
            .add_enrollment_code(&shiftlog_server_db::NewCode {
                code_hash: hash_secret(&normalize_code(&code)),
                org_id: org_id.to_string(),
                worker_id,
                created_by: actor.to_string(),
                expires_at,
            })?;
        Ok((code, expires_at))
    }

    /// A new staff API token for exports (acts as a coordinator).
    pub fn new_staff_token(&self, org_id: &str, label: &str) -> Result<String, ServiceError> {
        let token = format!("sls_{}", random_hex(32)?);
        self.store
            .add_staff_token(org_id, &hash_secret(&token), label)?;
        Ok(token)
    }

    /// Exchanges a one-time code for a device token. A code for a new worker gives the worker
    /// a fresh pseudonym.
    pub fn enroll(&self, code: &str, device_name: &str) -> Result<EnrollResponse, ServiceError> {
        let name = device_name.trim();
        if name.chars().count() > 80 || has_control(name, false) {
            return Err(ServiceError::BadRequest(
                "device_name: at most 80 characters, no control characters".into(),
            ));
        }
        if code.len() > 64 {
            return Err(ServiceError::InvalidCode);
        }
        let token = format!("sld_{}", random_hex(32)?);
        let device_id = Uuid::now_v7();
        let code_hash = hash_secret(&normalize_code(code));
        for _ in 0..8 {
            let device = shiftlog_server_db::NewDevice {
                device_id,
                name: if name.is_empty() { "device" } else { name }.to_string(),
                token_hash: hash_secret(&token),
                new_worker: (Uuid::now_v7(), format!("W-{}", random_code(4)?)),
            };
            match self.store.redeem_code(&code_hash, &device)? {
                Redeemed::Enrolled {
                    org_id,
                    org_name,
                    pseudonym,
                } => {
                    self.audit(
                        &org_id,
                        &pseudonym,
                        "device_enrolled",
                        serde_json::json!({"device": device_id, "worker": pseudonym}),
                    )?;
                    return Ok(EnrollResponse {
                        device_id,
                        token,
                        organization: OrganizationInfo {
                            id: org_id,
                            name: org_name,
                        },
                    });
                }
                Redeemed::PseudonymTaken => continue,
                Redeemed::Invalid => return Err(ServiceError::InvalidCode),
            }
        }
        Err(ServiceError::Conflict(
            "Could not find a free pseudonym; try again.".into(),
        ))
    }

    /// The device a bearer token belongs to; revoked devices are refused.
    pub fn authenticate_device(&self, token: &str) -> Result<DeviceAuth, ServiceError> {
        match self.store.device_by_token(&hash_secret(token))? {
            Some(d) if d.revoked => Err(ServiceError::DeviceRevoked),
            Some(d) => Ok(d),
            None => Err(ServiceError::Unauthorized),
        }
    }

    /// Counts one request of `device` against its per-minute limit.
    pub fn device_rate(&self, device: &DeviceAuth) -> Result<(), ServiceError> {
        self.device_limiter
            .hit(&device.device_id.to_string(), Instant::now())
            .map_err(ServiceError::RateLimited)
    }

    /// Stores a push, answering per record. Records that break the envelope rules are
    /// rejected with a reason; the rest are stored.
    pub fn ingest(
        &self,
        device: &DeviceAuth,
        records: &[RecordEnvelope],
    ) -> Result<Vec<RecordResult>, ServiceError> {
        if records.len() > self.limits.max_batch_records {
            return Err(ServiceError::BadRequest(format!(
                "records: at most {} per request, got {}",
                self.limits.max_batch_records,
                records.len()
            )));
        }
        // Areas are the organization's list: a device that has not pulled a change yet may
        // still offer an area the coordinator removed; such a record is refused with a reason
        // the worker can act on (pick another area), and the rest go through.
        let areas = self.store.catalogue_section(&device.org_id, "areas")?;
        let mut ok = Vec::with_capacity(records.len());
        let mut answers: Vec<Option<RecordResult>> = Vec::with_capacity(records.len());
        for r in records {
            match facts::check_envelope(r).and_then(|()| check_area(r, &areas)) {
                Ok(()) => {
                    let mut envelope = r.clone();
                    if envelope.record_type == "debrief_request" {
                        // Only the fact and its time leave the device; never any content,
                        // even if a device sends some.
                        envelope.body = serde_json::json!({});
                        envelope.unknown.clear();
                    }
                    ok.push(shiftlog_server_db::IngestRecord {
                        facts: facts::facts(&envelope),
                        envelope,
                    });
                    answers.push(None);
                }
                Err(reason) => answers.push(Some(RecordResult::rejected(
                    r.id, r.version, "invalid", reason,
                ))),
            }
        }
        let mut stored = self.store.ingest(device, &ok)?.into_iter();
        // Answer in request order: stored results fill the gaps between rejections.
        Ok(answers
            .into_iter()
            .filter_map(|a| a.or_else(|| stored.next()))
            .collect())
    }

    /// The worker's own records written from their other devices, after `after`, at most
    /// `limit` (1 to 1000) at a time.
    pub fn pull(
        &self,
        device: &DeviceAuth,
        after: u64,
        limit: u32,
    ) -> Result<shiftlog_wire::PullResponse, ServiceError> {
        if !(1..=1000).contains(&limit) {
            return Err(ServiceError::BadRequest("limit: from 1 to 1000".into()));
        }
        Ok(self.store.pull_records(
            &device.org_id,
            device.worker_id,
            device.device_id,
            after,
            limit,
        )?)
    }

    /// The organization's catalogue as devices pull it.
    pub fn catalogue(&self, org_id: &str) -> Result<CatalogueResponse, ServiceError> {
        let name = self
            .store
            .organization_name(org_id)?
            .ok_or_else(|| ServiceError::NotFound(format!("organization {org_id}")))?;
        let section = |s: &str| -> Result<Vec<CatalogueEntryWire>, ServiceError> {
            Ok(self
                .store
                .catalogue_section(org_id, s)?
                .into_iter()
                .map(|e| CatalogueEntryWire {
                    id: e.id,
                    label: e.label,
                    description: e.description,
                    unknown: Default::default(),
                })
                .collect())
        };
        Ok(CatalogueResponse {
            organization: OrganizationInfo {
                id: org_id.to_string(),
                name,
            },
            activity_kinds: section("kinds")?,
            supply_items: section("items")?,
            areas: section("areas")?,
            roles: section("roles")?,
            retention_days: self.store.retention_days(org_id)?,
            unknown: Default::default(),
        })
    }

    /// Replaces the catalogue (coordinator or admin). Audit-logged.
    pub fn set_catalogue(
        &self,
        staff: &Staff,
        catalogue: &CatalogueEdit,
    ) -> Result<(), ServiceError> {
        staff.require(Role::Coordinator)?;
        if !(1..=3650).contains(&catalogue.retention_days) {
            return Err(ServiceError::BadRequest(
                "retention_days: from 1 to 3650".into(),
            ));
        }
        let sections = [
            ("kinds", &catalogue.activity_kinds),
            ("items", &catalogue.supply_items),
            ("areas", &catalogue.areas),
            ("roles", &catalogue.roles),
        ];
        for (name, entries) in sections {
            check_entries(name, entries)?;
        }
        for (name, entries) in sections {
            self.store
                .replace_catalogue_section(&staff.org_id, name, entries)?;
        }
        self.store
            .set_retention_days(&staff.org_id, catalogue.retention_days)?;
        self.audit(
            &staff.org_id,
            &staff.actor,
            "catalogue_change",
            serde_json::json!({
                "activity_kinds": catalogue.activity_kinds.len(),
                "supply_items": catalogue.supply_items.len(),
                "areas": catalogue.areas.len(),
                "roles": catalogue.roles.len(),
                "retention_days": catalogue.retention_days,
            }),
        )
    }

    /// The organization's devices (any staff role).
    pub fn devices(&self, staff: &Staff) -> Result<Vec<DeviceInfo>, ServiceError> {
        Ok(self.store.list_devices(&staff.org_id)?)
    }

    /// Revokes a device of the caller's organization (coordinator or admin). Audit-logged.
    pub fn revoke_device(&self, staff: &Staff, device_id: Uuid) -> Result<(), ServiceError> {
        staff.require(Role::Coordinator)?;
        self.store.revoke_device(&staff.org_id, device_id)?;
        self.audit(
            &staff.org_id,
            &staff.actor,
            "revoke_device",
            serde_json::json!({"device": device_id}),
        )
    }

    /// The newest audit entries (admin or coordinator).
    pub fn audit_log(&self, staff: &Staff, limit: u32) -> Result<Vec<AuditEntry>, ServiceError> {
        staff.require(Role::Coordinator)?;
        Ok(self.store.audit_log(&staff.org_id, limit.clamp(1, 1000))?)
    }
}

/// The catalogue as a coordinator edits it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEdit {
    /// Activity kinds the organization uses.
    pub activity_kinds: Vec<CatalogueEntry>,
    /// Supply items.
    pub supply_items: Vec<CatalogueEntry>,
    /// Areas (coarse: neighbourhood, town, postal prefix).
    pub areas: Vec<CatalogueEntry>,
    /// Role titles, each with what the role is expected to do.
    pub roles: Vec<CatalogueEntry>,
    /// Days synced records stay on devices.
    pub retention_days: u32,
}

/// Refuses a live record whose area is not on the organization's list, when it keeps one.
fn check_area(r: &RecordEnvelope, areas: &[CatalogueEntry]) -> Result<(), String> {
    if r.deleted || areas.is_empty() {
        return Ok(());
    }
    match r.body.get("area").and_then(|a| a.as_str()) {
        Some(a) if !areas.iter().any(|e| e.id == a) => Err(format!(
            "The area \u{201c}{a}\u{201d} is no longer on your organization's list. Pick another area and send it again."
        )),
        _ => Ok(()),
    }
}

fn check_entries(section: &str, entries: &[CatalogueEntry]) -> Result<(), ServiceError> {
    if entries.len() > 500 {
        return Err(ServiceError::BadRequest(format!(
            "{section}: at most 500 entries"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for e in entries {
        if !valid_id(&e.id) {
            return Err(ServiceError::BadRequest(format!(
                "{section}: id \u{201c}{}\u{201d}: use letters, digits, _ and -, at most 64",
                e.id.chars().take(64).collect::<String>()
            )));
        }
        if !seen.insert(e.id.as_str()) {
            return Err(ServiceError::BadRequest(format!(
                "{section}: id \u{201c}{}\u{201d} appears twice",
                e.id
            )));
        }
        if e.label.trim().is_empty() || e.label.chars().count() > 80 || has_control(&e.label, false)
        {
            return Err(ServiceError::BadRequest(format!(
                "{section}: {}: label must be 1 to 80 characters",
                e.id
            )));
        }
        if e.description.chars().count() > 1000 || has_control(&e.description, true) {
            return Err(ServiceError::BadRequest(format!(
                "{section}: {}: description at most 1000 characters, no control characters",
                e.id
            )));
        }
        if section == "roles" && e.description.trim().is_empty() {
            return Err(ServiceError::BadRequest(format!(
                "roles: {}: say in plain words what this role is expected to do",
                e.id
            )));
        }
    }
    Ok(())
}

/// Codes are typed by people: ignore case, spaces and dashes.
fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_ignore_case_spaces_and_dashes() {
        assert_eq!(normalize_code(" abcde-23456 "), "ABCDE23456");
        assert_eq!(
            hash_secret(&normalize_code("abcde 23456")),
            hash_secret(&normalize_code("ABCDE-23456"))
        );
    }

    #[test]
    fn ids_and_pseudonyms() {
        for (s, ok) in [
            ("naloxone_kit", true),
            ("V6A", true),
            ("", false),
            ("a b", false),
            ("x' OR 1=1 --", false),
        ] {
            assert_eq!(valid_id(s), ok, "{s}");
        }
        for (s, ok) in [
            ("W-7F3K", true),
            ("W-7F3", false),
            ("X-7F3K", false),
            ("W-7F3K;", false),
        ] {
            assert_eq!(valid_pseudonym(s), ok, "{s}");
        }
    }

    #[test]
    fn roles_must_say_what_they_do() {
        let e = |id: &str, d: &str| CatalogueEntry {
            id: id.into(),
            label: "Label".into(),
            description: d.into(),
        };
        assert!(check_entries("roles", &[e("outreach", "Street outreach and supplies")]).is_ok());
        assert!(check_entries("roles", &[e("outreach", " ")]).is_err());
        assert!(check_entries("areas", &[e("v6a", "")]).is_ok());
        assert!(check_entries("areas", &[e("v6a", ""), e("v6a", "")]).is_err());
    }
}
