//! Signing in: dashboard sessions (a secret cookie and a CSRF token derived from it), the
//! login rate limit. Staff API tokens are in `tokens`.

use std::time::Instant;

use shiftlog_server_db::Session;

use super::accounts::verify_password;

use crate::util::{has_control, hash_secret, random_hex};
use crate::{OrgService, ServiceError, Staff};

/// How long a dashboard session lasts at most.
pub const SESSION_TTL: chrono::Duration = chrono::Duration::hours(8);
/// A session unused for this long ends (the next request is asked to sign in again).
pub const SESSION_IDLE: chrono::Duration = chrono::Duration::minutes(30);
/// A session's last use is written down at most this often (not on every request).
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// Accounts of one login name tried when a sign-in names no organization: each costs a hash.
pub const MAX_NAMESAKES: usize = 3;

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

impl OrgService {
    /// Checks a password and opens a session. The attempt is counted against the name and
    /// the caller's address (`client`, an IPv6 address by its /64) before the slow hash, so a
    /// parallel burst gets no more hashes than the limit; at most `login_hashes_at_once`
    /// hashes run at a time, and a login past that is told to retry.
    ///
    /// Login names are unique per organization only. With `organization`, only that
    /// organization's account is tried; without it, the sign-in succeeds only when exactly one
    /// account of that name (of at most [`MAX_NAMESAKES`]) takes the password.
    pub fn login(
        &self,
        username: &str,
        password: &str,
        organization: Option<&str>,
        client: std::net::IpAddr,
    ) -> Result<NewSession, ServiceError> {
        let now = Instant::now();
        let limiter = &self.login_limiter;
        let admitted = limiter
            .admit(username, client, now)
            .map_err(|w| self.limited("login", w))?;
        let (user_key, client_key) = (&admitted.user_key, &admitted.client_key);
        let organization = organization.map(str::trim).filter(|o| !o.is_empty());
        let candidates: Vec<_> =
            if username.len() <= 64 && password.len() <= 512 && !has_control(username, false) {
                self.store
                    .staff_by_username(username)?
                    .into_iter()
                    .filter(|a| organization.is_none_or(|o| a.org_id == o))
                    .take(MAX_NAMESAKES)
                    .collect()
            } else {
                Vec::new()
            };
        // Verify against a fixed hash when the user is unknown, so timing does not tell.
        const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2hpZnRsb2dzaGlmdGxvZw$9vQ9oYhR0bqU3n6CMWkS4eDB1oS7p8l5m0mC5s8HqKc";
        if candidates.is_empty() {
            verify_password(password, DUMMY);
        }
        let mut verified: Vec<_> = candidates
            .into_iter()
            .filter(|a| verify_password(password, &a.password_hash))
            .collect();
        // A disabled account is checked like the others (same time) and refused like a wrong
        // password: the answer does not say that the account exists.
        verified.retain(|a| !a.disabled);
        if verified.len() != 1 {
            self.metrics.login_failed();
            return Err(ServiceError::Unauthorized);
        }
        let account = verified.remove(0);
        // A success is not a failure: it leaves the address's count as it was.
        limiter.attempts.undo(client_key);
        limiter.attempts.reset(user_key);
        let token = random_hex(32)?;
        let csrf_token = csrf_for(&token);
        self.store.create_session(&Session {
            token_hash: hash_secret(&token),
            csrf_hash: hash_secret(&csrf_token),
            staff_id: account.id,
            expires_at: chrono::Utc::now() + SESSION_TTL,
            last_used_at: chrono::Utc::now(),
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
        let now = chrono::Utc::now();
        if account.disabled || session.expires_at < now || now - session.last_used_at > SESSION_IDLE
        {
            self.store.delete_session(&session.token_hash)?;
            return Err(ServiceError::Unauthorized);
        }
        if changes_state && csrf.map(hash_secret).as_deref() != Some(session.csrf_hash.as_str()) {
            return Err(ServiceError::Csrf);
        }
        if now - session.last_used_at >= TOUCH_EVERY {
            self.store.touch_session(&session.token_hash, now)?;
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
}
