//! Enrollment: one-time codes (made on the command line or by a coordinator), a device
//! joining with one, and a device proving who it is with its token afterwards.

use shiftlog_wire::{EnrollResponse, OrganizationInfo};
use uuid::Uuid;

use crate::util::{has_control, hash_secret, random_code, random_hex, valid_pseudonym};
use crate::{DeviceAuth, OrgService, Redeemed, Role, ServiceError, Staff};

/// How long an enrollment code made on the command line stays valid.
pub const ENROLLMENT_CODE_TTL: chrono::Duration = chrono::Duration::hours(24);
/// How long an enrollment code a coordinator makes in the dashboard stays valid.
pub const DASHBOARD_CODE_TTL: chrono::Duration = chrono::Duration::minutes(30);

impl OrgService {
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
            // A code may be used once, until it expires: the rule lives here, storage keeps
            // the redemption atomic.
            let now = chrono::Utc::now();
            let usable = |c: &shiftlog_server_db::StoredCode| {
                c.used_at.is_none()
                    && chrono::DateTime::parse_from_rfc3339(&c.expires_at).is_ok_and(|t| t >= now)
            };
            match self.store.redeem_code(&code_hash, &device, &usable)? {
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
}
