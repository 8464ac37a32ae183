//! shiftlog organization server: receives devices' records, and lets staff export them.
//!
//! [`OrgService`] is the server's one API (enroll, ingest, export, codes). HTTP handlers in
//! [`http`] and the `shiftlog-server` command only translate to and from it.

pub mod http;
pub mod sqlite;
pub mod storage;

use std::sync::Arc;

use sha2::{Digest, Sha256};
use shiftlog_wire::{EnrollResponse, OrganizationInfo, RecordEnvelope, RecordResult};
use uuid::Uuid;

pub use sqlite::SqliteStorage;
pub use storage::{DeviceAuth, ExportRow, Redeemed, Storage, StorageError};

/// How long an enrollment code stays valid.
pub const ENROLLMENT_CODE_TTL: chrono::Duration = chrono::Duration::hours(24);

/// Limits the server enforces and advertises.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most records in one push.
    pub max_batch_records: usize,
    /// Largest request body, bytes.
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_batch_records: 1000,
            max_body_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Errors of the server API.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Unknown, used or expired enrollment code.
    #[error("invalid enrollment code")]
    InvalidCode,
    /// No valid token.
    #[error("unauthorized")]
    Unauthorized,
    /// Device revoked.
    #[error("device revoked")]
    DeviceRevoked,
    /// Bad input.
    #[error("{0}")]
    BadRequest(String),
}

/// The organization server's API.
#[derive(Clone)]
pub struct OrgService {
    store: Arc<dyn Storage>,
    /// Limits in force.
    pub limits: Limits,
}

/// A random secret, hex-encoded: 32 bytes for tokens.
fn random_hex(bytes: usize) -> Result<String, ServiceError> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b)
        .map_err(|e| ServiceError::Storage(StorageError::Corrupt(format!("no randomness: {e}"))))?;
    Ok(hex::encode(b))
}

/// Tokens and codes are high-entropy random values, so a plain SHA-256 is enough to make a
/// stolen database useless for impersonation (no need for a slow password hash).
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

impl OrgService {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Storage>, limits: Limits) -> Self {
        OrgService { store, limits }
    }

    /// The storage backend.
    pub fn store(&self) -> &Arc<dyn Storage> {
        &self.store
    }

    /// Creates the organization if it is missing.
    pub fn ensure_organization(&self, id: &str, name: &str) -> Result<bool, ServiceError> {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(ServiceError::BadRequest(
                "organization id: use letters, digits and dashes".into(),
            ));
        }
        Ok(self.store.ensure_organization(id, name)?)
    }

    /// A new one-time enrollment code for `org_id`: 10 characters a worker can type, grouped
    /// as `XXXXX-XXXXX`, from an alphabet with no look-alike characters.
    pub fn new_enrollment_code(&self, org_id: &str) -> Result<String, ServiceError> {
        const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
        let mut raw = [0u8; 10];
        getrandom::fill(&mut raw).map_err(|e| {
            ServiceError::Storage(StorageError::Corrupt(format!("no randomness: {e}")))
        })?;
        let mut code = String::with_capacity(11);
        for (i, b) in raw.iter().enumerate() {
            if i == 5 {
                code.push('-');
            }
            code.push(ALPHABET[*b as usize % ALPHABET.len()] as char);
        }
        self.store.add_enrollment_code(
            org_id,
            &hash_secret(&normalize_code(&code)),
            chrono::Utc::now() + ENROLLMENT_CODE_TTL,
        )?;
        Ok(code)
    }

    /// A new staff API token for exports.
    pub fn new_staff_token(&self, org_id: &str, label: &str) -> Result<String, ServiceError> {
        let token = format!("sls_{}", random_hex(32)?);
        self.store
            .add_staff_token(org_id, &hash_secret(&token), label)?;
        Ok(token)
    }

    /// Exchanges a one-time code for a device token.
    pub fn enroll(&self, code: &str, device_name: &str) -> Result<EnrollResponse, ServiceError> {
        let name = device_name.trim();
        if name.chars().count() > 80 {
            return Err(ServiceError::BadRequest(
                "device_name: at most 80 characters".into(),
            ));
        }
        let token = format!("sld_{}", random_hex(32)?);
        let device_id = Uuid::now_v7();
        match self.store.redeem_code(
            &hash_secret(&normalize_code(code)),
            device_id,
            if name.is_empty() { "device" } else { name },
            &hash_secret(&token),
        )? {
            Redeemed::Enrolled { org_id, org_name } => Ok(EnrollResponse {
                device_id,
                token,
                organization: OrganizationInfo {
                    id: org_id,
                    name: org_name,
                },
            }),
            Redeemed::Invalid => Err(ServiceError::InvalidCode),
        }
    }

    /// The device a bearer token belongs to; revoked devices are refused.
    pub fn authenticate_device(&self, token: &str) -> Result<DeviceAuth, ServiceError> {
        match self.store.device_by_token(&hash_secret(token))? {
            Some(d) if d.revoked => Err(ServiceError::DeviceRevoked),
            Some(d) => Ok(d),
            None => Err(ServiceError::Unauthorized),
        }
    }

    /// The organization a staff token belongs to.
    pub fn authenticate_staff(&self, token: &str) -> Result<String, ServiceError> {
        self.store
            .staff_org(&hash_secret(token))?
            .ok_or(ServiceError::Unauthorized)
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
        let mut ok = Vec::with_capacity(records.len());
        let mut rejected = Vec::new();
        for r in records {
            match check_envelope(r) {
                Ok(()) => ok.push(r.clone()),
                Err(reason) => rejected.push(RecordResult {
                    id: r.id,
                    version: r.version,
                    status: shiftlog_wire::RecordStatus::Rejected,
                    reason: Some(reason),
                }),
            }
        }
        let mut results = self.store.ingest(device, &ok)?;
        results.extend(rejected);
        Ok(results)
    }

    /// Writes the record-level CSV export of `org_id` (RFC 4180, UTF-8) to `out`.
    pub fn export_csv<W: std::io::Write>(&self, org_id: &str, out: W) -> Result<(), ServiceError> {
        let mut w = csv::Writer::from_writer(out);
        let io = |e: csv::Error| StorageError::Io(std::io::Error::other(e));
        w.write_record([
            "id",
            "kind",
            "occurred_at",
            "recorded_at",
            "received_at",
            "version",
            "device",
            "details",
        ])
        .map_err(io)?;
        self.store.export_activities(org_id, &mut |row| {
            w.write_record([
                row.id.as_str(),
                row.kind.as_str(),
                row.occurred_at.as_str(),
                row.recorded_at.as_str(),
                row.received_at.as_str(),
                &row.version.to_string(),
                row.device_id.as_str(),
                &describe_body(&row.kind, &row.body),
            ])
            .map_err(io)
        })?;
        w.flush().map_err(StorageError::Io)?;
        Ok(())
    }
}

/// Codes are typed by people: ignore case, spaces and dashes.
fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn check_envelope(r: &RecordEnvelope) -> Result<(), String> {
    if r.record_type != "activity" {
        return Err(format!(
            "record_type \u{201c}{}\u{201d} is not known to this server",
            r.record_type
        ));
    }
    if r.version == 0 {
        return Err("version must be 1 or more".into());
    }
    if !r.body.is_object() {
        return Err("body must be a JSON object".into());
    }
    if r.kind.is_empty() || r.kind.len() > 64 {
        return Err("kind must be 1 to 64 characters".into());
    }
    Ok(())
}

/// A readable one-cell summary of a record's details, e.g. `naloxone_kit x2; syringes x10`.
fn describe_body(kind: &str, body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    if kind == "supplies_distributed" {
        if let Some(items) = v.get("items").and_then(|i| i.as_array()) {
            return items
                .iter()
                .map(|l| {
                    format!(
                        "{} x{}",
                        l.get("item").and_then(|i| i.as_str()).unwrap_or("?"),
                        l.get("quantity").and_then(|q| q.as_i64()).unwrap_or(0)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
        }
    }
    body.to_string()
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
    fn describe_supplies() {
        assert_eq!(
            describe_body(
                "supplies_distributed",
                r#"{"items":[{"item":"naloxone_kit","quantity":2},{"item":"pipes","quantity":5}]}"#
            ),
            "naloxone_kit x2; pipes x5"
        );
    }
}
