//! Staff: accounts with roles (`accounts`: Argon2id passwords, admins adding staff and
//! changing roles), dashboard sessions with CSRF tokens (`sessions`, with the login
//! rate limit), staff API tokens (`tokens`: named, scoped, expiring, revocable), and who may
//! do what ([`Staff::require`]).

mod accounts;
mod manage;
mod sessions;
mod tokens;

use shiftlog_server_db::Role;

use crate::ServiceError;

pub use sessions::{csrf_for, NewSession, MAX_NAMESAKES, SESSION_IDLE, SESSION_TTL};
pub use tokens::{scope_role, token_actor, NewToken, TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX};

/// Someone acting for an organization: a signed-in staff member or a staff API token.
#[derive(Debug, Clone, PartialEq)]
pub struct Staff {
    /// Their organization: everything they see and change is scoped to it.
    pub org_id: String,
    /// For the audit log: the username, or `token:<name>#<first 8 of its id>`.
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
}
