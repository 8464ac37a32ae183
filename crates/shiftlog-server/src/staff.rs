//! Staff: accounts with roles, Argon2id passwords, dashboard sessions with CSRF tokens, the
//! login rate limit, and who may do what.

use std::time::Instant;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use shiftlog_server_db::{Role, Session, StaffAccount};
use uuid::Uuid;

use crate::util::{has_control, hash_secret, random_hex};
use crate::{OrgService, ServiceError};

/// How long a dashboard session lasts.
pub const SESSION_TTL: chrono::Duration = chrono::Duration::hours(8);

/// Someone acting for an organization: a signed-in staff member or a staff API token.
#[derive(Debug, Clone, PartialEq)]
pub struct Staff {
    /// Their organization: everything they see and change is scoped to it.
    pub org_id: String,
    /// For the audit log: the username, or `token:<label>`.
    pub actor: String,
    /// What they may do.
    pub role: Role,
}

impl Staff {
    /// `Forbidden` unless the role is `min` or more powerful.
    pub fn require(&self, min: Role) -> Result<(), ServiceError> {
        if self.role <= min {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(format!(
                "This needs the {} role; you are signed in as {}.",
                min.as_str(),
                self.role.as_str()
            )))
        }
    }
}

/// A new session: the cookie value and the CSRF token the page sends back in a header.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    /// Cookie value (secret).
    pub token: String,
    /// CSRF token.
    pub csrf_token: String,
    /// Who signed in.
    pub staff: Staff,
}

/// The CSRF token of a session, derived from its secret cookie value so a page can ask for it
/// again after a reload, and a cross-site page, which cannot read the cookie, cannot make it.
pub fn csrf_for(session_token: &str) -> String {
    hash_secret(&format!("csrf:{session_token}"))
}

fn hash_password(password: &str) -> Result<String, ServiceError> {
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

fn verify_password(password: &str, phc: &str) -> bool {
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

    /// Staff of the caller's organization (admins): `(id, username, role)`.
    pub fn staff_list(&self, by: &Staff) -> Result<Vec<(Uuid, String, Role)>, ServiceError> {
        by.require(Role::Admin)?;
        Ok(self
            .store
            .list_staff(&by.org_id)?
            .into_iter()
            .map(|a| (a.id, a.username, a.role))
            .collect())
    }

    /// An admin changes a staff member's role. Audit-logged.
    pub fn set_role(&self, by: &Staff, staff_id: Uuid, role: Role) -> Result<(), ServiceError> {
        by.require(Role::Admin)?;
        self.store.set_staff_role(&by.org_id, staff_id, role)?;
        self.audit(
            &by.org_id,
            &by.actor,
            "role_change",
            serde_json::json!({"staff": staff_id, "role": role.as_str()}),
        )
    }

    /// A new staff API token for exports (acts as a coordinator).
    pub fn new_staff_token(&self, org_id: &str, label: &str) -> Result<String, ServiceError> {
        let token = format!("sls_{}", random_hex(32)?);
        self.store
            .add_staff_token(org_id, &hash_secret(&token), label)?;
        Ok(token)
    }

    /// Checks a password and opens a session. `client` (the caller's address) and the
    /// username are rate-limited on failures.
    pub fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<NewSession, ServiceError> {
        let now = Instant::now();
        let user_key = format!("user:{}", username.to_lowercase());
        let client_key = format!("client:{client}");
        for key in [&user_key, &client_key] {
            if let Some(wait) = self.login_limiter.exhausted(key, now) {
                return Err(ServiceError::RateLimited(wait));
            }
        }
        let account =
            if username.len() <= 64 && password.len() <= 512 && !has_control(username, false) {
                self.store.staff_by_username(username)?
            } else {
                None
            };
        // Verify against a fixed hash when the user is unknown, so timing does not tell.
        const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2hpZnRsb2dzaGlmdGxvZw$9vQ9oYhR0bqU3n6CMWkS4eDB1oS7p8l5m0mC5s8HqKc";
        let ok = match &account {
            Some(a) => verify_password(password, &a.password_hash),
            None => {
                verify_password(password, DUMMY);
                false
            }
        };
        let Some(account) = account.filter(|_| ok) else {
            let _ = self.login_limiter.hit(&user_key, now);
            let _ = self.login_limiter.hit(&client_key, now);
            return Err(ServiceError::Unauthorized);
        };
        self.login_limiter.reset(&user_key);
        let token = random_hex(32)?;
        let csrf_token = csrf_for(&token);
        self.store.create_session(&Session {
            token_hash: hash_secret(&token),
            csrf_hash: hash_secret(&csrf_token),
            staff_id: account.id,
            expires_at: chrono::Utc::now() + SESSION_TTL,
        })?;
        Ok(NewSession {
            token,
            csrf_token,
            staff: Staff {
                org_id: account.org_id,
                actor: account.username,
                role: account.role,
            },
        })
    }

    /// The staff member of a session cookie. Requests that change something must carry the
    /// session's CSRF token (`csrf`); reads need not.
    pub fn session_staff(
        &self,
        token: &str,
        changes_state: bool,
        csrf: Option<&str>,
    ) -> Result<Staff, ServiceError> {
        let Some((session, account)) = self.store.session(&hash_secret(token))? else {
            return Err(ServiceError::Unauthorized);
        };
        if session.expires_at < chrono::Utc::now() {
            self.store.delete_session(&session.token_hash)?;
            return Err(ServiceError::Unauthorized);
        }
        if changes_state && csrf.map(hash_secret).as_deref() != Some(session.csrf_hash.as_str()) {
            return Err(ServiceError::Csrf);
        }
        Ok(Staff {
            org_id: account.org_id,
            actor: account.username,
            role: account.role,
        })
    }

    /// Ends a session.
    pub fn logout(&self, token: &str) -> Result<(), ServiceError> {
        Ok(self.store.delete_session(&hash_secret(token))?)
    }

    /// The organization of a staff API token; it acts as a coordinator.
    pub fn authenticate_staff(&self, token: &str) -> Result<Staff, ServiceError> {
        let (org_id, label) = self
            .store
            .staff_token(&hash_secret(token))?
            .ok_or(ServiceError::Unauthorized)?;
        Ok(Staff {
            org_id,
            actor: format!("token:{label}"),
            role: Role::Coordinator,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_power() {
        let s = |role| Staff {
            org_id: "o".into(),
            actor: "a".into(),
            role,
        };
        let table = [
            (Role::Admin, Role::Admin, true),
            (Role::Admin, Role::Viewer, true),
            (Role::Coordinator, Role::Admin, false),
            (Role::Coordinator, Role::Coordinator, true),
            (Role::Viewer, Role::Coordinator, false),
            (Role::Viewer, Role::Viewer, true),
        ];
        for (have, need, ok) in table {
            assert_eq!(s(have).require(need).is_ok(), ok, "{have:?} for {need:?}");
        }
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
