//! Enrollment: one-time codes (made on the command line or by a coordinator), a device
//! joining with one, and a device proving who it is with its token afterwards.

use chrono::{DateTime, Utc};
use shiftlog_server_db::StoredCode;
use shiftlog_wire::{EnrollResponse, OrganizationInfo};
use uuid::Uuid;

use crate::util::{has_control, hash_secret, qr_svg, random_code, random_hex, valid_pseudonym};
use crate::{DeviceAuth, OrgService, Redeemed, Role, ServiceError, Staff};

/// How long an enrollment code made on the command line stays valid.
pub const ENROLLMENT_CODE_TTL: chrono::Duration = chrono::Duration::hours(24);
/// How long an enrollment code a coordinator makes in the dashboard stays valid.
pub const DASHBOARD_CODE_TTL: chrono::Duration = chrono::Duration::minutes(30);

/// Enrollment attempts one client address may make per [`ENROLL_WINDOW`], whatever their
/// outcome. Generous enough for a coordinator joining a room of phones behind one office
/// network; tiny next to the 10^15 possible codes, so guessing one stays hopeless.
pub const ENROLL_ATTEMPTS_PER_ADDRESS: u32 = 30;
/// The window [`ENROLL_ATTEMPTS_PER_ADDRESS`] counts in.
pub const ENROLL_WINDOW: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// A one-time code as a coordinator hands it over: to type, as a link, or to scan.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Invite {
    /// The code, e.g. `ABCDE-23456`.
    pub code: String,
    /// Valid until.
    pub expires_at: DateTime<Utc>,
    /// The server address in the link: the configured `--public-url`, or a guess.
    pub server: String,
    /// True when no public URL is configured and `server` was guessed from the request.
    pub server_guessed: bool,
    /// `shiftlog://join?server=…&code=…` (the server percent-encoded), which the app opens
    /// to join.
    pub link: String,
    /// The link as an SVG QR code.
    pub qr_svg: String,
}

/// The joining link the app opens: `shiftlog://join?server=<percent-encoded URL>&code=<code>`.
pub fn join_link(server: &str, code: &str) -> String {
    format!(
        "shiftlog://join?server={}&code={}",
        percent_encode(server),
        percent_encode(code)
    )
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Checks a `--public-url`: an absolute http(s) URL with a host and nothing after the path;
/// returned with a trailing slash. Plain http is allowed (devices take it only on loopback).
pub fn public_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            format!(
                "public URL {url:?}: must start with https:// (e.g. https://shiftlog.example.org/)"
            )
        })?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty()
        || rest.contains(['?', '#', ' '])
        || has_control(rest, false)
        || host.contains('@')
    {
        return Err(format!(
            "public URL {url:?}: give the address devices reach the server at, e.g. https://shiftlog.example.org/ (no user, query or fragment)"
        ));
    }
    Ok(if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    })
}

impl OrgService {
    /// [`OrgService::enrollment_code`] ready to hand over: with the link the app opens to
    /// join, and its QR code. The link carries the configured public URL, or else
    /// `guessed_server` (the address the coordinator reached the server at), marked as a guess.
    pub fn enrollment_invite(
        &self,
        staff: &Staff,
        pseudonym: Option<&str>,
        guessed_server: &str,
    ) -> Result<Invite, ServiceError> {
        let (code, expires_at) = self.enrollment_code(staff, pseudonym)?;
        let (server, server_guessed) = match self.configured_public_url() {
            Some(u) => (u.to_string(), false),
            None => (guessed_server.to_string(), true),
        };
        let link = join_link(&server, &code);
        Ok(Invite {
            qr_svg: qr_svg(&link)?,
            code,
            expires_at,
            server,
            server_guessed,
            link,
        })
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

    /// Counts one enrollment attempt from `client`, before its code is looked at:
    /// [`ServiceError::RateLimited`] past [`ENROLL_ATTEMPTS_PER_ADDRESS`] in [`ENROLL_WINDOW`].
    pub fn enroll_attempt(&self, client: std::net::IpAddr) -> Result<(), ServiceError> {
        self.enroll_limiter
            .hit(
                &crate::limits::address_key(client),
                std::time::Instant::now(),
            )
            .map_err(|w| self.limited("enroll", w))
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
            // Storage keeps the redemption atomic and asks this rule inside it.
            let now = chrono::Utc::now();
            let usable = |c: &StoredCode| code_usable(c, now);
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

/// A code may be used once, until it expires. A stored expiry that cannot be read counts as
/// expired.
fn code_usable(code: &StoredCode, now: DateTime<Utc>) -> bool {
    code.used_at.is_none() && DateTime::parse_from_rfc3339(&code.expires_at).is_ok_and(|t| t >= now)
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
    fn a_code_is_usable_once_until_it_expires() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let code = |expires_at: &str, used_at: Option<&str>| StoredCode {
            org_id: "demo".into(),
            worker_id: None,
            expires_at: expires_at.into(),
            used_at: used_at.map(String::from),
        };
        for (expires_at, used_at, usable) in [
            ("2026-12-01T12:30:00Z", None, true),
            ("2026-12-01T12:00:00Z", None, true),
            ("2026-12-01T13:00:00+01:00", None, true),
            ("2026-12-01T11:59:59Z", None, false),
            ("2026-12-01T12:30:00Z", Some("2026-12-01T11:00:00Z"), false),
            ("not a time", None, false),
            ("", None, false),
        ] {
            assert_eq!(
                code_usable(&code(expires_at, used_at), now),
                usable,
                "{expires_at} {used_at:?}"
            );
        }
    }

    #[test]
    fn an_invite_links_to_the_server_and_its_code_works_once() {
        let dir = tempfile::tempdir().expect("dir");
        let store = crate::SqliteStorage::open(dir.path()).expect("open");
        let svc = OrgService::new(std::sync::Arc::new(store), crate::Limits::default());
        svc.ensure_organization("demo", "Demo").expect("org");
        let as_role = |role| Staff {
            org_id: "demo".into(),
            actor: "ada".into(),
            role,
        };
        let invite = svc
            .enrollment_invite(&as_role(Role::Coordinator), None, "http://10.0.0.5:8787/")
            .expect("invite");
        assert_eq!(
            invite.link,
            format!(
                "shiftlog://join?server=http%3A%2F%2F10.0.0.5%3A8787%2F&code={}",
                invite.code
            )
        );
        assert!(invite.server_guessed);
        let configured = svc
            .clone()
            .with_public_url(Some(
                public_url("https://shiftlog.example.org").expect("url"),
            ))
            .enrollment_invite(&as_role(Role::Coordinator), None, "http://10.0.0.5:8787/")
            .expect("invite");
        assert!(!configured.server_guessed);
        assert_eq!(configured.server, "https://shiftlog.example.org/");
        assert!(configured
            .link
            .starts_with("shiftlog://join?server=https%3A%2F%2Fshiftlog.example.org%2F&code="));
        assert!(invite.qr_svg.contains("<svg"), "{}", invite.qr_svg);
        assert!(invite.expires_at > chrono::Utc::now());
        svc.enroll(&invite.code.to_lowercase(), "phone")
            .expect("enrolled");
        assert!(matches!(
            svc.enroll(&invite.code, "phone"),
            Err(ServiceError::InvalidCode)
        ));
        assert!(matches!(
            svc.enrollment_invite(&as_role(Role::Viewer), None, "http://x/"),
            Err(ServiceError::Forbidden(_))
        ));
    }

    #[test]
    fn public_urls_are_checked() {
        assert_eq!(
            public_url("https://a.example/x").as_deref(),
            Ok("https://a.example/x/")
        );
        for bad in [
            "a.example",
            "https://",
            "https://u@a.example/",
            "https://a.example/?q",
            "ftp://a",
        ] {
            assert!(public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_ignore_case_spaces_and_dashes() {
        assert_eq!(normalize_code(" abcde-23456 "), "ABCDE23456");
        assert_eq!(
            hash_secret(&normalize_code("abcde 23456")),
            hash_secret(&normalize_code("ABCDE-23456"))
        );
    }
}
