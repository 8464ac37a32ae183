//! An organization's own certificate (self-signed, or its own authority), trusted for that
//! organization's server only.
//!
//! On the join screen the worker pastes it or picks its file, and compares its SHA-256
//! fingerprint with the one the coordinator reads out (`shiftlog-server` logs it at start and
//! `config check` prints it). After a successful join it is kept in the encrypted database
//! (`settings`, key `org_cert:<organization id>`), and every request to that server's origin
//! uses a client that trusts it — and no other server's requests do.

use rusqlite::params;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use sha2::Digest;

use super::client::build_http;
use crate::{Core, CoreError, Organization, Result};

const KEY_PREFIX: &str = "org_cert:";

/// The SHA-256 fingerprint of the first certificate in `pem`, as `AB:CD:…` (64 hex digits in
/// pairs), the form `shiftlog-server` prints. An error when `pem` holds no certificate.
pub fn certificate_fingerprint(pem: &str) -> Result<String> {
    let first = CertificateDer::pem_slice_iter(pem.as_bytes())
        .next()
        .ok_or_else(|| CoreError::BadCertificate("no -----BEGIN CERTIFICATE----- block".into()))?
        .map_err(|e| CoreError::BadCertificate(e.to_string()))?;
    Ok(sha2::Sha256::digest(first.as_ref())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":"))
}

impl Core {
    /// [`Core::enroll`], trusting `cert_pem` (the organization's own certificate) for this
    /// server when given. Kept for the organization only once the join succeeds.
    pub async fn enroll_trusting(
        &self,
        server_url: &str,
        code: &str,
        device_name: &str,
        cert_pem: Option<&str>,
    ) -> Result<Organization> {
        let Some(pem) = cert_pem.map(str::trim).filter(|p| !p.is_empty()) else {
            return self.enroll(server_url, code, device_name).await;
        };
        certificate_fingerprint(pem)?;
        let base = super::parse_server_url(server_url)?;
        let client = build_http(&self.sync.opts, Some(pem.as_bytes()))?;
        self.own_roots()
            .insert(base.origin().ascii_serialization(), client);
        match self.enroll(server_url, code, device_name).await {
            Ok(org) => {
                self.set_setting(&format!("{KEY_PREFIX}{}", org.id), pem)?;
                self.refresh_trust()?;
                Ok(org)
            }
            Err(e) => {
                self.refresh_trust()?;
                Err(e)
            }
        }
    }

    /// The fingerprint of the certificate trusted for `org_id`'s server, if the worker gave one.
    pub fn organization_certificate(&self, org_id: &str) -> Result<Option<String>> {
        self.setting(&format!("{KEY_PREFIX}{org_id}"))?
            .map(|pem| certificate_fingerprint(&pem))
            .transpose()
    }

    /// Forgets the certificate kept for `org_id` (leaving it) and stops trusting it.
    pub(crate) fn forget_certificate(&self, org_id: &str) -> Result<()> {
        self.db().execute(
            "DELETE FROM settings WHERE key = ?1",
            params![format!("{KEY_PREFIX}{org_id}")],
        )?;
        self.refresh_trust()
    }

    /// Builds the per-server clients again from the kept certificates and the organizations'
    /// current server addresses (at open, after a join, after an address change).
    pub(crate) fn refresh_trust(&self) -> Result<()> {
        let kept: Vec<(String, String)> = {
            let db = self.db();
            let mut st = db.prepare(
                "SELECT o.server_url, s.value FROM organizations o
                 JOIN settings s ON s.key = ?1 || o.id
                 WHERE o.server_url IS NOT NULL AND o.removed_at IS NULL",
            )?;
            let rows = st.query_map(params![KEY_PREFIX], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        let mut map = std::collections::HashMap::new();
        for (server, pem) in kept {
            let Ok(base) = super::parse_server_url(&server) else {
                continue;
            };
            let client = build_http(&self.sync.opts, Some(pem.as_bytes()))?;
            map.insert(base.origin().ascii_serialization(), client);
        }
        *self.own_roots() = map;
        Ok(())
    }

    fn own_roots(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, reqwest::Client>> {
        self.sync
            .own_roots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}
