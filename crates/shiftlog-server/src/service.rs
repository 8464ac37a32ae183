//! The service itself: [`OrgService`] over a storage backend, its limits, organizations and
//! the audit log. Each concern of the API is a further `impl OrgService` in its own room
//! (enrollment, ingest, catalogue, devices, staff, summaries, exports).

use std::sync::Arc;
use std::time::Duration;

use crate::limits::{Cidr, Limits, LoginLimiter, RateLimiter};
use crate::util::{has_control, now_rfc3339, valid_id};
use crate::{AuditEntry, Role, ServiceError, Staff, Storage};

/// The organization server's API.
#[derive(Clone)]
pub struct OrgService {
    pub(crate) store: Arc<dyn Storage>,
    /// Limits in force.
    pub limits: Limits,
    pub(crate) device_limiter: Arc<RateLimiter>,
    pub(crate) login_limiter: Arc<LoginLimiter>,
    /// Proxies whose forwarded client address is believed (`--trusted-proxy`); none by default.
    pub(crate) trusted_proxies: Arc<[Cidr]>,
    /// Enrollment attempts per client address (`enroll`).
    pub(crate) enroll_limiter: Arc<RateLimiter>,
    /// How long a download may wait for its client to take the next chunk before it is
    /// dropped and its read connection released (`http::download`).
    pub(crate) download_stall: Duration,
    /// Catalogues ingest read recently (`catalogue`).
    pub(crate) catalogues: Arc<crate::catalogue::CatalogueCache>,
    /// Prometheus metrics (`observe::metrics`): aggregate counts only.
    pub(crate) metrics: crate::observe::Metrics,
    /// The address devices reach the server at (`--public-url`), for joining links.
    pub(crate) public_url: Option<Arc<str>>,
    /// Requests to the public statement routes per client address (`statements`).
    pub(crate) statement_limiter: Arc<RateLimiter>,
}

/// A download whose client takes nothing for this long is dropped.
pub(crate) const DOWNLOAD_STALL_TIMEOUT: Duration = Duration::from_secs(30);

impl OrgService {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Storage>, limits: Limits) -> Self {
        OrgService {
            store,
            device_limiter: Arc::new(RateLimiter::new(
                limits.device_requests_per_minute,
                Duration::from_secs(60),
            )),
            login_limiter: Arc::new(LoginLimiter::new(
                limits.login_failures,
                Duration::from_secs(15 * 60),
                limits.login_hashes_at_once,
            )),
            trusted_proxies: Arc::from(Vec::new()),
            enroll_limiter: Arc::new(RateLimiter::new(
                crate::enroll::ENROLL_ATTEMPTS_PER_ADDRESS,
                crate::enroll::ENROLL_WINDOW,
            )),
            limits,
            download_stall: DOWNLOAD_STALL_TIMEOUT,
            catalogues: Arc::default(),
            metrics: crate::observe::Metrics::new(),
            public_url: None,
            statement_limiter: Arc::new(RateLimiter::new(
                crate::statements::PUBLIC_REQUESTS_PER_MINUTE,
                Duration::from_secs(60),
            )),
        }
    }

    /// The same service, dropping downloads whose client takes nothing for `timeout`
    /// (30 s by default).
    pub fn with_download_stall_timeout(mut self, timeout: Duration) -> Self {
        self.download_stall = timeout;
        self
    }

    /// The same service, putting `url` (see [`crate::public_url`]) in joining links and QR
    /// codes instead of an address guessed from each request.
    pub fn with_public_url(mut self, url: Option<String>) -> Self {
        self.public_url = url.map(Arc::from);
        self
    }

    /// The configured public address, if any.
    pub fn configured_public_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }

    /// The same service, believing the forwarded client address (`Forwarded`,
    /// `X-Forwarded-For`) of requests whose peer is in `proxies`, and no one else's.
    pub fn with_trusted_proxies(mut self, proxies: Vec<Cidr>) -> Self {
        self.trusted_proxies = Arc::from(proxies);
        self
    }

    /// The address a request comes from, for limits: see [`crate::limits::client_address`].
    pub fn client_address<'a>(
        &self,
        peer: std::net::IpAddr,
        forwarded: impl Iterator<Item = &'a str>,
        x_forwarded_for: impl Iterator<Item = &'a str>,
    ) -> std::net::IpAddr {
        crate::limits::client_address(peer, &self.trusted_proxies, forwarded, x_forwarded_for)
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

    /// The database's data epoch, sent to devices in `/api/v1/info` (docs/backups.md).
    pub fn data_epoch(&self) -> Result<String, ServiceError> {
        Ok(self.store.data_epoch()?)
    }

    /// A new data epoch, after the database was restored from a backup
    /// (`shiftlog-server new-epoch`): devices send their records again.
    pub fn renew_data_epoch(&self) -> Result<String, ServiceError> {
        Ok(self.store.renew_data_epoch()?)
    }

    /// The display name of the caller's organization.
    pub fn organization_name(&self, staff: &Staff) -> Result<Option<String>, ServiceError> {
        Ok(self.store.organization_name(&staff.org_id)?)
    }

    /// The newest audit entries (admin or coordinator).
    pub fn audit_log(&self, staff: &Staff, limit: u32) -> Result<Vec<AuditEntry>, ServiceError> {
        staff.require(Role::Coordinator)?;
        Ok(self.store.audit_log(&staff.org_id, limit.clamp(1, 1000))?)
    }
}
