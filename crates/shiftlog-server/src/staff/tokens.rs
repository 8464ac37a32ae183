//! Staff API tokens: named, scoped (`summary`: protected summaries and their exports only;
//! `coordinator`), expiring (90 days unless told, at most 365), listed and revoked by admins.
//!
//! Scope is enforced once, here: a summary token's [`Staff`] carries the viewer role, so every
//! service call that checks [`Staff::require`] refuses it what a viewer may not do. Every audit
//! line made with a token names it (`token:<name>#<first 8 of its id>`).

use chrono::{Duration, Utc};
use shiftlog_server_db::{Role, StaffToken, TokenScope};
use uuid::Uuid;

use crate::util::{has_control, hash_secret, random_hex};
use crate::{OrgService, ServiceError, Staff};

/// Days a token lasts when no length is asked for.
pub const TOKEN_DAYS_DEFAULT: u32 = 90;
/// The longest a token may last, in days.
pub const TOKEN_DAYS_MAX: u32 = 365;
/// A token's last use is written down at most this often (not on every request).
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A token just made: the secret (shown once, never stored) and what is stored about it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewToken {
    /// The bearer secret.
    pub secret: String,
    /// The stored token, without its secret.
    pub token: StaffToken,
}

/// The role a token of `scope` acts with.
pub fn scope_role(scope: TokenScope) -> Role {
    match scope {
        TokenScope::Summary => Role::Viewer,
        TokenScope::Coordinator => Role::Coordinator,
    }
}

/// The audit actor of a token: `token:<name>#<first 8 of its id>`.
pub fn token_actor(t: &StaffToken) -> String {
    let id = t.id.to_string();
    format!("token:{}#{}", t.name, &id[..8])
}

impl OrgService {
    /// A new coordinator token of [`TOKEN_DAYS_DEFAULT`] days, named `name`, made from the
    /// command line (the demo and tests use it); returns the secret.
    pub fn new_staff_token(&self, org_id: &str, name: &str) -> Result<String, ServiceError> {
        let cli = Staff {
            org_id: org_id.to_string(),
            actor: "cli".into(),
            role: Role::Admin,
        };
        Ok(self
            .create_staff_token(&cli, name, TokenScope::Coordinator, None)?
            .secret)
    }

    /// An admin makes a token for their organization, lasting `days` (default
    /// [`TOKEN_DAYS_DEFAULT`], at most [`TOKEN_DAYS_MAX`]). Audit-logged.
    pub fn create_staff_token(
        &self,
        by: &Staff,
        name: &str,
        scope: TokenScope,
        days: Option<u32>,
    ) -> Result<NewToken, ServiceError> {
        by.require(Role::Admin)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 || has_control(name, false) {
            return Err(ServiceError::BadRequest(
                "name: give the token a name of 1 to 64 characters, such as \"funder report\"."
                    .into(),
            ));
        }
        let days = days.unwrap_or(TOKEN_DAYS_DEFAULT);
        if !(1..=TOKEN_DAYS_MAX).contains(&days) {
            return Err(ServiceError::BadRequest(format!(
                "days: a token lasts 1 to {TOKEN_DAYS_MAX} days; {days} was asked for."
            )));
        }
        if self.store.organization_name(&by.org_id)?.is_none() {
            return Err(ServiceError::NotFound(format!(
                "organization {}",
                by.org_id
            )));
        }
        let secret = format!("sls_{}", random_hex(32)?);
        let now = Utc::now();
        let token = StaffToken {
            id: Uuid::now_v7(),
            org_id: by.org_id.clone(),
            name: name.to_string(),
            scope,
            created_at: now,
            expires_at: now + Duration::days(i64::from(days)),
            created_by: by.actor.clone(),
            last_used_at: None,
        };
        self.store.add_staff_token(&token, &hash_secret(&secret))?;
        self.audit(
            &by.org_id,
            &by.actor,
            "token_create",
            serde_json::json!({"token": token.id, "name": token.name, "scope": scope,
                "expires_at": token.expires_at}),
        )?;
        Ok(NewToken { secret, token })
    }

    /// An admin lists their organization's tokens (never their secrets), newest first.
    pub fn staff_tokens(&self, by: &Staff) -> Result<Vec<StaffToken>, ServiceError> {
        by.require(Role::Admin)?;
        Ok(self.store.staff_tokens(&by.org_id)?)
    }

    /// An admin revokes a token of their organization: it stops working at once.
    /// Audit-logged.
    pub fn revoke_staff_token(&self, by: &Staff, id: Uuid) -> Result<(), ServiceError> {
        by.require(Role::Admin)?;
        self.store.delete_staff_token(&by.org_id, id)?;
        self.audit(
            &by.org_id,
            &by.actor,
            "token_revoke",
            serde_json::json!({"token": id}),
        )
    }

    /// Who a staff API token acts as: its organization, with the role of its scope, named
    /// for the audit log. Unknown or revoked is `Unauthorized`, expired `TokenExpired`.
    pub fn authenticate_staff(&self, secret: &str) -> Result<Staff, ServiceError> {
        let token = self
            .store
            .staff_token(&hash_secret(secret))?
            .ok_or(ServiceError::Unauthorized)?;
        let now = Utc::now();
        if token.expires_at <= now {
            return Err(ServiceError::TokenExpired);
        }
        if token.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY) {
            self.store.touch_staff_token(token.id, now)?;
        }
        Ok(Staff {
            org_id: token.org_id.clone(),
            actor: token_actor(&token),
            role: scope_role(token.scope),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_named_by_its_name_and_id() {
        let t = StaffToken {
            id: Uuid::parse_str("0193aa11-2233-7444-8555-666677778888").expect("id"),
            org_id: "o".into(),
            name: "funder".into(),
            scope: TokenScope::Summary,
            created_at: Utc::now(),
            expires_at: Utc::now(),
            created_by: "cli".into(),
            last_used_at: None,
        };
        assert_eq!(token_actor(&t), "token:funder#0193aa11");
        assert_eq!(scope_role(TokenScope::Summary), Role::Viewer);
        assert_eq!(scope_role(TokenScope::Coordinator), Role::Coordinator);
    }
}
