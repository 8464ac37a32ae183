//! A TLS front for a test server: a self-signed certificate made for this run, terminating
//! TLS on loopback and forwarding plain HTTP to the real server.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};

/// A running TLS front.
pub struct TlsFront {
    /// Where clients connect (`https://localhost:<port>/`).
    pub addr: SocketAddr,
    /// The self-signed certificate, PEM, for the client to trust.
    pub cert_pem: String,
}

impl TlsFront {
    /// Starts a TLS front for `upstream` with a fresh certificate for `localhost`.
    pub async fn start(upstream: SocketAddr) -> TlsFront {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])
            .expect("self-signed certificate");
        let cert_pem = cert.cert.pem();
        let der = cert.cert.der().clone();
        let key =
            rustls::pki_types::PrivateKeyDer::try_from(cert.key_pair.serialize_der()).expect("key");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(vec![der], key)
        .expect("server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut plain) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
        TlsFront { addr, cert_pem }
    }

    /// The `https://localhost:<port>/` URL.
    pub fn url(&self) -> String {
        format!("https://localhost:{}/", self.addr.port())
    }
}
