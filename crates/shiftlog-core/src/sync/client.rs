//! The HTTP side of sync: one reqwest client with the organization's limits, the server's
//! info and push calls, and what an answer means.

use std::sync::Mutex;
use std::time::Duration;

use reqwest::Url;
use shiftlog_wire::{paths, ErrorBody, PushResponse, ServerInfo};

use super::SyncActivity;
use crate::{CoreError, Result};

pub(crate) struct SyncClient {
    pub(crate) http: reqwest::Client,
    pub(crate) activity: Mutex<SyncActivity>,
    pub(crate) progress: tokio::sync::watch::Sender<SyncActivity>,
    pub(crate) wake: tokio::sync::Notify,
    pub(crate) one_at_a_time: tokio::sync::Mutex<()>,
    /// The last successful run's (pull_error, catalogue_error), for the status.
    pub(crate) last_fetch_errors: Mutex<(Option<String>, Option<String>)>,
}

impl SyncClient {
    pub(crate) fn new(opts: &crate::OpenOptions) -> Result<SyncClient> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5).min(opts.request_timeout))
            .timeout(opts.request_timeout)
            .user_agent(concat!("shiftlog/", env!("CARGO_PKG_VERSION")));
        for pem in &opts.extra_roots_pem {
            let cert = reqwest::Certificate::from_pem(pem).map_err(|e| {
                CoreError::BadServerUrl(format!("the certificate to trust is not valid PEM: {e}"))
            })?;
            builder = builder.add_root_certificate(cert);
        }
        let http = builder
            .build()
            .map_err(|e| CoreError::Network(e.to_string()))?;
        Ok(SyncClient {
            http,
            activity: Mutex::new(SyncActivity::Idle),
            progress: tokio::sync::watch::Sender::new(SyncActivity::Idle),
            wake: tokio::sync::Notify::new(),
            one_at_a_time: tokio::sync::Mutex::new(()),
            last_fetch_errors: Mutex::new((None, None)),
        })
    }

    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    pub(super) fn set(&self, a: SyncActivity) {
        *self.activity.lock().unwrap_or_else(|p| p.into_inner()) = a.clone();
        self.progress.send_replace(a);
    }

    pub(crate) fn subscribe(&self) -> tokio::sync::watch::Receiver<SyncActivity> {
        self.progress.subscribe()
    }

    pub(super) fn get(&self) -> SyncActivity {
        self.activity
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) async fn enroll(
        &self,
        base: &Url,
        code: &str,
        device_name: &str,
    ) -> Result<shiftlog_wire::EnrollResponse> {
        let url = join(base, paths::ENROLL)?;
        let resp = self
            .http
            .post(url)
            .json(&shiftlog_wire::EnrollRequest {
                code: code.trim().to_string(),
                device_name: device_name.to_string(),
            })
            .send()
            .await?;
        parse(resp).await
    }

    pub(super) async fn info(&self, base: &Url) -> Result<ServerInfo> {
        parse(self.http.get(join(base, paths::INFO)?).send().await?).await
    }

    pub(super) async fn push(
        &self,
        base: &Url,
        token: &str,
        body: Vec<u8>,
        gzip: bool,
    ) -> Result<PushResponse> {
        let mut req = self
            .http
            .post(join(base, paths::PUSH)?)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if gzip {
            req = req.header(reqwest::header::CONTENT_ENCODING, "gzip");
        }
        parse(req.body(body).send().await?).await
    }
}

/// Checks a server address: http(s) only, and plain http only to this machine unless
/// `SHIFTLOG_ALLOW_INSECURE_HTTP=1` (records must not cross a network unencrypted).
pub fn parse_server_url(s: &str) -> Result<Url> {
    let url = Url::parse(s.trim()).map_err(|e| CoreError::BadServerUrl(e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d == "localhost",
                None => false,
            };
            let allowed = std::env::var("SHIFTLOG_ALLOW_INSECURE_HTTP").as_deref() == Ok("1");
            if !loopback && !allowed {
                return Err(CoreError::BadServerUrl(
                    "use an https:// address; plain http:// is only for this computer".into(),
                ));
            }
        }
        other => {
            return Err(CoreError::BadServerUrl(format!(
                "{other}:// is not a web address; it should start with https://"
            )))
        }
    }
    Ok(url)
}

pub(super) fn join(base: &Url, path: &str) -> Result<Url> {
    base.join(path)
        .map_err(|e| CoreError::BadServerUrl(e.to_string()))
}

pub(super) async fn parse<T: serde::de::DeserializeOwned>(resp: reqwest::Response) -> Result<T> {
    let status = resp.status();
    let bytes = resp.bytes().await?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| CoreError::Server {
            status: status.as_u16(),
            code: "bad_response".into(),
            message: format!("The server sent an answer this app cannot read ({e})."),
        });
    }
    let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
    match body {
        Some(b) if b.code == shiftlog_wire::codes::DEVICE_REVOKED => Err(CoreError::DeviceRevoked),
        Some(b) if b.code == shiftlog_wire::codes::UNSUPPORTED_PROTOCOL => {
            Err(CoreError::UnsupportedProtocol)
        }
        Some(b) => Err(CoreError::Server {
            status: status.as_u16(),
            code: b.code,
            message: b.message,
        }),
        None => Err(CoreError::Server {
            status: status.as_u16(),
            code: "http".into(),
            message: format!("The server answered {status}."),
        }),
    }
}

/// Compresses a push body. Records in a batch repeat their field names and much of their
/// values, so gzip cuts the bytes on a slow rural link several times over.
pub(super) fn gzip_bytes(data: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data)
        .and_then(|_| enc.finish())
        .map_err(|e| CoreError::Io {
            what: "compressing a push".into(),
            source: e,
        })
}
