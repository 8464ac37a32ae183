//! The HTTP side of sync: one reqwest client with the organization's limits, the server's
//! info and push calls, and what an answer means.
//!
//! The client follows no redirect: reqwest's default would send a push body again, with the
//! device token, to wherever a 307 or 308 points (even a plain `http://` address that
//! [`parse_server_url`] would refuse). A 3xx is [`CoreError::Redirected`]. Every answer is read
//! through [`read_capped`], so a server cannot make the device hold an endless body.

use std::sync::Mutex;
use std::time::Duration;

use reqwest::Url;
use shiftlog_wire::{paths, ErrorBody, PushResponse, ServerInfo};

use super::SyncActivity;
use crate::{CoreError, Result};

/// Most bytes read from an answer to a pull page or the catalogue (500 records of at most a
/// few KiB each; a catalogue of a few hundred entries). After gzip decoding.
pub(crate) const MAX_LARGE_RESPONSE: usize = 8 * 1024 * 1024;
/// Most bytes read from a push's answer (one result per record sent, at most
/// [`super::CLIENT_MAX_BATCH`], each possibly carrying the server's version).
pub(crate) const MAX_PUSH_RESPONSE: usize = 8 * 1024 * 1024;
/// Most bytes read from any other answer (server info, enrollment, an error body).
pub(crate) const MAX_SMALL_RESPONSE: usize = 64 * 1024;

pub(crate) struct SyncClient {
    /// The client for every server with no certificate of its own (see [`SyncClient::http`]).
    default_http: reqwest::Client,
    /// Clients for servers whose organization's own certificate the worker chose to trust,
    /// by origin (`trust.rs`): that certificate is trusted for that server only.
    pub(super) own_roots: Mutex<std::collections::HashMap<String, reqwest::Client>>,
    /// The options' roots and timeouts, for those clients.
    pub(super) opts: crate::OpenOptions,
    pub(crate) activity: Mutex<SyncActivity>,
    pub(crate) progress: tokio::sync::watch::Sender<SyncActivity>,
    pub(crate) wake: tokio::sync::Notify,
    pub(crate) one_at_a_time: tokio::sync::Mutex<()>,
    /// The last successful run's (pull_error, catalogue_error), for the status.
    pub(crate) last_fetch_errors: Mutex<(Option<String>, Option<String>)>,
}

/// A client with the options' roots, and `own` (one organization's certificate, PEM) if given.
pub(super) fn build_http(opts: &crate::OpenOptions, own: Option<&[u8]>) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5).min(opts.request_timeout))
        .timeout(opts.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("shiftlog/", env!("CARGO_PKG_VERSION")));
    for pem in opts.extra_roots_pem.iter().map(Vec::as_slice).chain(own) {
        let cert = reqwest::Certificate::from_pem(pem).map_err(|e| {
            CoreError::BadServerUrl(format!("the certificate to trust is not valid PEM: {e}"))
        })?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build()
        .map_err(|e| CoreError::Network(e.to_string()))
}

impl SyncClient {
    pub(crate) fn new(opts: &crate::OpenOptions) -> Result<SyncClient> {
        Ok(SyncClient {
            default_http: build_http(opts, None)?,
            own_roots: Mutex::default(),
            opts: opts.clone(),
            activity: Mutex::new(SyncActivity::Idle),
            progress: tokio::sync::watch::Sender::new(SyncActivity::Idle),
            wake: tokio::sync::Notify::new(),
            one_at_a_time: tokio::sync::Mutex::new(()),
            last_fetch_errors: Mutex::new((None, None)),
        })
    }

    /// The client for `base`: with its organization's own certificate when the worker trusted
    /// one for this server, else the default one.
    pub(crate) fn http(&self, base: &Url) -> reqwest::Client {
        self.own_roots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&base.origin().ascii_serialization())
            .unwrap_or(&self.default_http)
            .clone()
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
            .http(base)
            .post(url)
            .json(&shiftlog_wire::EnrollRequest {
                code: code.trim().to_string(),
                device_name: device_name.to_string(),
            })
            .send()
            .await?;
        parse(resp, MAX_SMALL_RESPONSE).await
    }

    pub(super) async fn info(&self, base: &Url) -> Result<ServerInfo> {
        parse(
            self.http(base).get(join(base, paths::INFO)?).send().await?,
            MAX_SMALL_RESPONSE,
        )
        .await
    }

    /// Starts a push on its own task, so the next batch can go while this one's answer is
    /// awaited; the push is dropped with the returned handle. `content_type` says whether
    /// the body is JSON or packed (`shiftlog_wire::packed`).
    pub(super) fn start_push(
        &self,
        base: &Url,
        token: &str,
        body: Vec<u8>,
        content_type: &'static str,
        gzip: bool,
    ) -> Result<InFlight> {
        let mut req = self
            .http(base)
            .post(join(base, paths::PUSH)?)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, content_type);
        if gzip {
            req = req.header(reqwest::header::CONTENT_ENCODING, "gzip");
        }
        Ok(InFlight(tokio::spawn(async move {
            parse(req.body(body).send().await?, MAX_PUSH_RESPONSE).await
        })))
    }
}

/// A push on the wire. Dropping it cancels it: the records it held stay pending, and a later
/// push of them is answered `already_had` if the server stored them.
pub(super) struct InFlight(tokio::task::JoinHandle<Result<PushResponse>>);

impl InFlight {
    /// The server's answer.
    pub(super) async fn answer(&mut self) -> Result<PushResponse> {
        (&mut self.0)
            .await
            .unwrap_or_else(|e| Err(CoreError::Network(format!("the push stopped: {e}"))))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.abort();
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

/// Reads an answer's body, `limit` bytes at most: a declared length over it is refused before
/// reading, and a body that runs past it is dropped as soon as it does.
pub(super) async fn read_capped(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>> {
    let too_large = CoreError::ResponseTooLarge { limit_bytes: limit };
    // (With gzip on, reqwest does not report the wire length; the cap counts decoded bytes.)
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A 3xx answer as an error, with where it pointed (shortened, without control characters).
fn redirected(resp: &reqwest::Response) -> CoreError {
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    CoreError::Redirected {
        status: resp.status().as_u16(),
        location,
    }
}

/// Reads an answer of at most `limit` bytes: the JSON of a success, or the server's error.
pub(super) async fn parse<T: serde::de::DeserializeOwned>(
    resp: reqwest::Response,
    limit: usize,
) -> Result<T> {
    let status = resp.status();
    if status.is_redirection() {
        return Err(redirected(&resp));
    }
    let limit = if status.is_success() {
        limit
    } else {
        MAX_SMALL_RESPONSE
    };
    let bytes = read_capped(resp, limit).await?;
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
