//! What an admin (or the server's command line) does to an existing account: disable,
//! re-enable, remove, reset a password; and a staff member changing their own password.
//! The organization always keeps one active admin. Every change is audit-logged by username,
//! never with a password, so the log stays readable after a removal.

use shiftlog_server_db::{Role, StaffAccount};
use uuid::Uuid;

use super::accounts::{check_password, hash_password, verify_password};

use crate::util::hash_secret;
use crate::{OrgService, ServiceError, Staff};

impl OrgService {
    /// The staff member `staff_id` of `org_id`.
    pub(super) fn member(
        &self,
        org_id: &str,
        staff_id: Uuid,
    ) -> Result<StaffAccount, ServiceError> {
        self.store
            .list_staff(org_id)?
            .into_iter()
            .find(|a| a.id == staff_id)
            .ok_or_else(|| ServiceError::NotFound(format!("staff member {staff_id}")))
    }

    /// The staff member of `org_id` signing in as `username`.
    fn member_by_name(&self, org_id: &str, username: &str) -> Result<StaffAccount, ServiceError> {
        self.store
            .list_staff(org_id)?
            .into_iter()
            .find(|a| a.username == username)
            .ok_or_else(|| ServiceError::NotFound(format!("staff member {username} in {org_id}")))
    }

    /// `Conflict` if taking `target` away (disable, remove, demote) would leave `org_id`
    /// without an active admin.
    pub(super) fn keep_an_admin(
        &self,
        org_id: &str,
        target: &StaffAccount,
    ) -> Result<(), ServiceError> {
        if target.role != Role::Admin || target.disabled {
            return Ok(());
        }
        let active = self
            .store
            .list_staff(org_id)?
            .iter()
            .filter(|a| a.role == Role::Admin && !a.disabled)
            .count();
        if active <= 1 {
            return Err(ServiceError::Conflict(format!(
                "{} is the organization's last active admin. Make another staff member an admin \
                 first. / {} est le dernier administrateur actif : nommez d'abord un autre \
                 administrateur.",
                target.username, target.username
            )));
        }
        Ok(())
    }

    fn disable(
        &self,
        org_id: &str,
        actor: &str,
        target: &StaffAccount,
        disabled: bool,
    ) -> Result<(), ServiceError> {
        if disabled {
            self.keep_an_admin(org_id, target)?;
        }
        self.store.set_staff_disabled(org_id, target.id, disabled)?;
        if disabled {
            self.store.end_staff_sessions(target.id, None)?;
        }
        self.audit(
            org_id,
            actor,
            if disabled {
                "staff_disabled"
            } else {
                "staff_enabled"
            },
            serde_json::json!({"staff": target.id, "username": target.username}),
        )
    }

    fn remove(&self, org_id: &str, actor: &str, target: &StaffAccount) -> Result<(), ServiceError> {
        self.keep_an_admin(org_id, target)?;
        self.store.remove_staff(org_id, target.id)?;
        self.audit(
            org_id,
            actor,
            "staff_removed",
            serde_json::json!({"staff": target.id, "username": target.username, "role": target.role.as_str()}),
        )
    }

    /// Stores a new password for `target` and ends their sessions but `keep` (a cookie value).
    fn store_password(
        &self,
        org_id: &str,
        actor: &str,
        action: &str,
        target: &StaffAccount,
        password: &str,
        keep: Option<&str>,
    ) -> Result<(), ServiceError> {
        check_password(password)?;
        self.store
            .set_staff_password(org_id, target.id, &hash_password(password)?)?;
        let keep = keep.map(hash_secret);
        self.store.end_staff_sessions(target.id, keep.as_deref())?;
        self.audit(
            org_id,
            actor,
            action,
            serde_json::json!({"staff": target.id, "username": target.username}),
        )
    }

    /// An admin disables (`true`) or re-enables a staff member; disabling ends their
    /// sessions at once. The last active admin cannot be disabled. Audit-logged.
    pub fn set_staff_disabled(
        &self,
        by: &Staff,
        staff_id: Uuid,
        disabled: bool,
    ) -> Result<(), ServiceError> {
        by.require(Role::Admin)?;
        let target = self.member(&by.org_id, staff_id)?;
        self.disable(&by.org_id, &by.actor, &target, disabled)
    }

    /// An admin removes a staff member and their sessions. Not the last active admin.
    pub fn remove_staff(&self, by: &Staff, staff_id: Uuid) -> Result<(), ServiceError> {
        by.require(Role::Admin)?;
        let target = self.member(&by.org_id, staff_id)?;
        self.remove(&by.org_id, &by.actor, &target)
    }

    /// An admin sets a staff member's password; their sessions end (all of them, or, when
    /// the admin resets their own, all but `keep`, the caller's session cookie).
    pub fn reset_password(
        &self,
        by: &Staff,
        staff_id: Uuid,
        password: &str,
        keep: Option<&str>,
    ) -> Result<(), ServiceError> {
        by.require(Role::Admin)?;
        let target = self.member(&by.org_id, staff_id)?;
        let keep = keep.filter(|_| target.username == by.actor);
        self.store_password(
            &by.org_id,
            &by.actor,
            "password_reset",
            &target,
            password,
            keep,
        )
    }

    /// A signed-in staff member changes their own password, giving the current one. A wrong
    /// current password is `Forbidden` and counts like a failed sign-in against the login
    /// limit. Their other sessions end; `keep` (the caller's session cookie) stays.
    pub fn change_own_password(
        &self,
        by: &Staff,
        current: &str,
        new: &str,
        keep: Option<&str>,
        client: std::net::IpAddr,
    ) -> Result<(), ServiceError> {
        if by.actor.starts_with("token:") {
            return Err(ServiceError::Forbidden(
                "A staff token has no password; sign in to change yours.".into(),
            ));
        }
        let target = self.member_by_name(&by.org_id, &by.actor)?;
        check_password(new)?;
        let limiter = &self.login_limiter;
        let now = std::time::Instant::now();
        let admitted = limiter
            .admit(&by.actor, client, now)
            .map_err(|w| self.limited("password", w))?;
        let (user_key, client_key) = (&admitted.user_key, &admitted.client_key);
        if current.len() > 512 || !verify_password(current, &target.password_hash) {
            return Err(ServiceError::Forbidden(
                "The current password is wrong. / Le mot de passe actuel est faux.".into(),
            ));
        }
        limiter.attempts.undo(client_key);
        limiter.attempts.reset(user_key);
        self.store_password(
            &by.org_id,
            &by.actor,
            "password_changed",
            &target,
            new,
            keep,
        )
    }

    /// `staff disable|enable --org ORG USERNAME` on the command line (actor `cli`).
    pub fn cli_set_disabled(
        &self,
        org_id: &str,
        username: &str,
        disabled: bool,
    ) -> Result<(), ServiceError> {
        let target = self.member_by_name(org_id, username)?;
        self.disable(org_id, "cli", &target, disabled)
    }

    /// `staff remove --org ORG USERNAME` on the command line (actor `cli`).
    pub fn cli_remove_staff(&self, org_id: &str, username: &str) -> Result<(), ServiceError> {
        let target = self.member_by_name(org_id, username)?;
        self.remove(org_id, "cli", &target)
    }

    /// `staff set-password --org ORG USERNAME` on the command line: every session ends.
    pub fn cli_set_password(
        &self,
        org_id: &str,
        username: &str,
        password: &str,
    ) -> Result<(), ServiceError> {
        let target = self.member_by_name(org_id, username)?;
        self.store_password(org_id, "cli", "password_reset", &target, password, None)
    }
}
