//! Staff accounts: Argon2id passwords, the first admin from the command line, and what an
//! admin does (add staff, list them, change a role). Every change is audit-logged.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use shiftlog_server_db::{Role, StaffAccount};
use uuid::Uuid;

use crate::{OrgService, ServiceError, Staff};

pub(super) fn hash_password(password: &str) -> Result<String, ServiceError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| ServiceError::BadRequest(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| ServiceError::BadRequest(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::BadRequest(format!("password: {e}")))
}

pub(super) fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn check_new_account(username: &str, password: &str) -> Result<(), ServiceError> {
    if username.len() < 2
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
    {
        return Err(ServiceError::BadRequest(
            "username: 2 to 64 letters, digits, dots, dashes, underscores or @".into(),
        ));
    }
    check_password(password)
}

/// The rule for every new password (creation, change, reset).
pub(super) fn check_password(password: &str) -> Result<(), ServiceError> {
    if password.chars().count() < 10 || password.len() > 512 {
        return Err(ServiceError::BadRequest(
            "password: at least 10 characters".into(),
        ));
    }
    Ok(())
}

impl OrgService {
    /// Creates an admin of `org_id` (the `create-admin` command). Audit-logged.
    pub fn create_admin(
        &self,
        org_id: &str,
        username: &str,
        password: &str,
    ) -> Result<(), ServiceError> {
        if self.store.organization_name(org_id)?.is_none() {
            return Err(ServiceError::NotFound(format!("organization {org_id}")));
        }
        self.add_staff(org_id, "cli", username, password, Role::Admin)
    }

    /// An admin adds a staff member to their organization. Audit-logged.
    pub fn create_staff(
        &self,
        by: &Staff,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<(), ServiceError> {
        by.require(Role::Admin)?;
        self.add_staff(&by.org_id, &by.actor, username, password, role)
    }

    fn add_staff(
        &self,
        org_id: &str,
        actor: &str,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<(), ServiceError> {
        check_new_account(username, password)?;
        self.store
            .create_staff(&StaffAccount {
                id: Uuid::now_v7(),
                org_id: org_id.to_string(),
                username: username.to_string(),
                password_hash: hash_password(password)?,
                role,
                disabled: false,
            })
            .map_err(|e| match e {
                shiftlog_server_db::StorageError::Conflict(_) => {
                    ServiceError::Conflict(format!("The username {username} is taken."))
                }
                e => e.into(),
            })?;
        self.audit(
            org_id,
            actor,
            "staff_created",
            serde_json::json!({"username": username, "role": role.as_str()}),
        )
    }

    /// Staff of the caller's organization (admins): `(id, username, role, disabled)`.
    pub fn staff_list(&self, by: &Staff) -> Result<Vec<(Uuid, String, Role, bool)>, ServiceError> {
        by.require(Role::Admin)?;
        Ok(self
            .store
            .list_staff(&by.org_id)?
            .into_iter()
            .map(|a| (a.id, a.username, a.role, a.disabled))
            .collect())
    }

    /// An admin changes a staff member's role. Audit-logged.
    pub fn set_role(&self, by: &Staff, staff_id: Uuid, role: Role) -> Result<(), ServiceError> {
        by.require(Role::Admin)?;
        if role != Role::Admin {
            let target = self.member(&by.org_id, staff_id)?;
            self.keep_an_admin(&by.org_id, &target)?;
        }
        self.store.set_staff_role(&by.org_id, staff_id, role)?;
        self.audit(
            &by.org_id,
            &by.actor,
            "role_change",
            serde_json::json!({"staff": staff_id, "role": role.as_str()}),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
