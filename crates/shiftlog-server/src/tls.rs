//! Serving TLS directly, for organizations without a reverse proxy (`--tls-cert`, `--tls-key`).
//!
//! rustls (ring) terminates TLS in the server process. The certificate and key are PEM files
//! read at start, and again on SIGHUP: the listening socket stays open and connections being
//! served keep their session; new handshakes get the new certificate. A reload that fails
//! (unreadable file, no certificate, a key that is not the certificate's) keeps the old
//! certificate and logs why. The certificate's SHA-256 fingerprint is logged each time, so a
//! coordinator can read it out to a worker whose device is told to trust it.
//!
//! Handshakes run in their own tasks with a time limit, so a client that connects and says
//! nothing never holds up anyone else's connection.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use sha2::Digest;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;

use crate::OrgService;

/// A client has this long to finish its TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a certificate or key could not be used. Each message names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read.
    #[error("cannot read the TLS {what} file {path}: {source} (check the path given to --tls-{what} / SHIFTLOG_TLS_{upper} / tls_{what}, and that the server's user may read it)", upper = what.to_uppercase())]
    Read {
        /// `cert` or `key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The certificate file holds no PEM certificate.
    #[error("the TLS certificate file {0} holds no certificate: give a PEM file that starts with -----BEGIN CERTIFICATE----- (the full chain, server certificate first)")]
    NoCertificate(PathBuf),
    /// The key file holds no PEM private key.
    #[error("the TLS key file {path} holds no usable private key ({reason}): give a PEM file that starts with -----BEGIN PRIVATE KEY----- (or RSA / EC PRIVATE KEY)")]
    NoKey {
        /// The file.
        path: PathBuf,
        /// rustls's reason.
        reason: String,
    },
    /// The key is not the certificate's.
    #[error("the TLS key {key} does not belong to the certificate {cert}: give the key the certificate was made for")]
    Mismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
    },
    /// Only one of the two files was given.
    #[error("TLS needs both a certificate and a key: give --tls-cert and --tls-key (or neither, to serve plain http behind a proxy)")]
    OnlyOne,
}

/// The certificate in use, as served to new handshakes.
#[derive(Debug)]
struct Current(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for Current {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.read().unwrap_or_else(|p| p.into_inner()).clone())
    }
}

/// TLS settings: the two files, and the certificate read from them last.
pub struct Tls {
    cert: PathBuf,
    key: PathBuf,
    current: Arc<Current>,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl Tls {
    /// From the settings: `None` when neither file is given, an error when only one is.
    pub fn from_settings(
        cert: Option<&Path>,
        key: Option<&Path>,
    ) -> Result<Option<Arc<Tls>>, TlsError> {
        match (cert, key) {
            (None, None) => Ok(None),
            (Some(c), Some(k)) => Tls::load(c, k).map(|t| Some(Arc::new(t))),
            _ => Err(TlsError::OnlyOne),
        }
    }

    /// Reads and checks the certificate chain and its key.
    pub fn load(cert: &Path, key: &Path) -> Result<Tls, TlsError> {
        let current = Arc::new(Current(RwLock::new(Arc::new(read_pair(cert, key)?))));
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_no_client_auth()
            .with_cert_resolver(current.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            current,
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        })
    }

    /// Reads the files again. On success new handshakes get the new certificate; on failure
    /// the old one stays in use and the error says why.
    pub fn reload(&self) -> Result<(), TlsError> {
        let fresh = read_pair(&self.cert, &self.key)?;
        *self.current.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(fresh);
        Ok(())
    }

    /// The SHA-256 fingerprint of the server certificate in use, as `AB:CD:…`.
    pub fn fingerprint(&self) -> String {
        let ck = self
            .current
            .0
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        ck.cert.first().map(|c| fingerprint(c)).unwrap_or_default()
    }

    /// Reloads on every SIGHUP, for as long as the server runs.
    pub fn reload_on_sighup(self: &Arc<Self>) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let mut hup = signal(SignalKind::hangup())?;
            let tls = self.clone();
            tokio::spawn(async move {
                while hup.recv().await.is_some() {
                    match tls.reload() {
                        Ok(()) => tracing::info!(
                            fingerprint = %tls.fingerprint(),
                            "TLS certificate reloaded"
                        ),
                        Err(e) => tracing::error!(
                            error = %e,
                            fingerprint = %tls.fingerprint(),
                            "TLS certificate not reloaded: the old one stays in use"
                        ),
                    }
                }
            });
        }
        Ok(())
    }

    /// Accepts on `tcp` and hands on the connections whose handshake completed.
    pub fn listener(&self, tcp: TcpListener) -> std::io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (tx, rx) = mpsc::channel(64);
        let acceptor = self.acceptor.clone();
        tokio::spawn(async move {
            loop {
                // Ends (and lets the port go) as soon as the server stops taking connections,
                // not at the next connection after that.
                let accepted = tokio::select! {
                    a = tcp.accept() => a,
                    _ = tx.closed() => return,
                };
                let (stream, peer) = match accepted {
                    Ok(c) => c,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, then go on.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if tx.is_closed() {
                    return;
                }
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { rx, local })
    }
}

/// The server's connections after their TLS handshake, for `axum::serve`.
pub struct TlsListener {
    rx: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(c) => c,
            // The accepting task is gone only when the runtime is shutting down.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// Marks requests that came in over the server's own TLS, so an address guessed from a
/// request (the joining link without `--public-url`) says `https://`.
#[derive(Debug, Clone, Copy)]
pub struct ServedOverTls;

/// [`crate::http::serve`] over TLS: the same router, the client's address as `ConnectInfo`.
pub async fn serve(
    listener: TcpListener,
    tls: &Tls,
    service: OrgService,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // `tap_io` makes the listener's address the connection's `ConnectInfo<SocketAddr>`.
    let listener = tls.listener(listener)?.tap_io(|_| {});
    axum::serve(
        listener,
        crate::http::router(service)
            .layer(axum::Extension(ServedOverTls))
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// The SHA-256 fingerprint of a DER certificate, as upper-case hex pairs joined by colons.
pub fn fingerprint(der: &[u8]) -> String {
    sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read_pair(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    let read = |what, path: &Path| {
        std::fs::read(path).map_err(|source| TlsError::Read {
            what,
            path: path.to_path_buf(),
            source,
        })
    };
    let cert_pem = read("cert", cert)?;
    let key_pem = read("key", key)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .filter_map(Result::ok)
        .collect();
    if chain.is_empty() {
        return Err(TlsError::NoCertificate(cert.to_path_buf()));
    }
    let no_key = |reason: String| TlsError::NoKey {
        path: key.to_path_buf(),
        reason,
    };
    let der = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| no_key(e.to_string()))?;
    let signing = provider()
        .key_provider
        .load_private_key(der)
        .map_err(|e| no_key(e.to_string()))?;
    let ck = CertifiedKey::new(chain, signing);
    match ck.keys_match() {
        Ok(()) => Ok(ck),
        // A key type whose public half rustls cannot work out: the handshake will tell.
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => Ok(ck),
        Err(_) => Err(TlsError::Mismatch {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
        let c = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
        let (cp, kp) = (
            dir.join(format!("{name}.crt")),
            dir.join(format!("{name}.key")),
        );
        std::fs::write(&cp, c.cert.pem()).expect("write");
        std::fs::write(&kp, c.key_pair.serialize_pem()).expect("write");
        (cp, kp)
    }

    #[test]
    fn bad_files_are_refused_with_what_to_do_and_a_failed_reload_keeps_the_old_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (c1, k1) = pair(dir.path(), "a");
        let (_c2, k2) = pair(dir.path(), "b");
        let missing = dir.path().join("missing.crt");
        let e = Tls::load(&missing, &k1).err().expect("missing").to_string();
        assert!(e.contains("missing.crt") && e.contains("--tls-cert"), "{e}");
        let e = Tls::load(&k1, &k1)
            .err()
            .expect("a key as cert")
            .to_string();
        assert!(e.contains("holds no certificate"), "{e}");
        let e = Tls::load(&c1, &c1)
            .err()
            .expect("a cert as key")
            .to_string();
        assert!(e.contains("no usable private key"), "{e}");
        let e = Tls::load(&c1, &k2).err().expect("mismatch").to_string();
        assert!(e.contains("does not belong to the certificate"), "{e}");
        assert!(matches!(
            Tls::from_settings(Some(&c1), None),
            Err(TlsError::OnlyOne)
        ));

        let tls = Tls::load(&c1, &k1).expect("good pair");
        let before = tls.fingerprint();
        std::fs::write(&c1, "not a certificate").expect("write");
        assert!(tls.reload().is_err());
        assert_eq!(tls.fingerprint(), before, "the old certificate stays");
    }
}
