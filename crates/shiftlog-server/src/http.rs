//! HTTP front door: axum routes that translate requests to [`OrgService`] calls and errors
//! to JSON bodies with a stable code. No rule about records, roles or suppression lives here.

use std::future::Future;
use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use shiftlog_wire::{codes, paths, ErrorBody, PushRequest, PushResponse, ServerInfo};

use crate::export::{ExportRequest, Format};
use crate::summary::SummaryRequest;
use crate::{dashboard, OrgService, Role, ServiceError, Staff};

/// The dashboard's session cookie.
pub const SESSION_COOKIE: &str = "shiftlog_session";
/// The header a dashboard page sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            Json(ErrorBody {
                code: self.code.into(),
                message: self.message,
            }),
        )
            .into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::InvalidCode => ApiError::new(
                StatusCode::BAD_REQUEST,
                codes::INVALID_CODE,
                "That code is not valid: it may be mistyped, used already, or expired. Ask your coordinator for a new one.",
            ),
            ServiceError::Unauthorized => ApiError::new(
                StatusCode::UNAUTHORIZED,
                codes::UNAUTHORIZED,
                "This request needs a valid token or sign-in. Sign in again, or join the organization again with a new code.",
            ),
            ServiceError::DeviceRevoked => ApiError::new(
                StatusCode::UNAUTHORIZED,
                codes::DEVICE_REVOKED,
                "This device was removed by your organization. Your records stay on the device. Ask your coordinator for a new code.",
            ),
            ServiceError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, codes::FORBIDDEN, m),
            ServiceError::Csrf => ApiError::new(
                StatusCode::FORBIDDEN,
                codes::CSRF,
                "This change came without the page's security token. Reload the page and try again.",
            ),
            ServiceError::RateLimited(secs) => ApiError {
                retry_after: Some(secs),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    codes::RATE_LIMITED,
                    format!("Too many attempts. Wait {secs} seconds and try again."),
                )
            },
            ServiceError::NotFound(what) => ApiError::new(
                StatusCode::NOT_FOUND,
                codes::NOT_FOUND,
                format!("No such {what} in your organization."),
            ),
            ServiceError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, codes::CONFLICT, m),
            ServiceError::BadRequest(m) => ApiError::bad_request(m),
            ServiceError::Storage(e) => {
                eprintln!("storage error: {e}");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    codes::INTERNAL,
                    "The server could not do this right now. Nothing was lost; try again later.",
                )
            }
        }
    }
}

/// The router for `service`.
pub fn router(service: OrgService) -> Router {
    let limit = service.limits.max_body_bytes;
    Router::new()
        .route(paths::INFO, get(info))
        .route(paths::ENROLL, post(enroll))
        .route(paths::PUSH, post(push))
        .route(paths::CATALOGUE, get(device_catalogue))
        .route(paths::PULL, get(pull))
        .route(paths::EXPORT_CSV, get(export_csv))
        .route(paths::OPENAPI, get(openapi))
        .route("/api/v1/staff/login", post(login))
        .route("/api/v1/staff/logout", post(logout))
        .route("/api/v1/staff/me", get(me))
        .route("/api/v1/staff/summary", get(summary))
        .route("/api/v1/staff/summary/export", get(summary_export))
        .route("/api/v1/staff/records/export", get(records_export))
        .route("/api/v1/staff/devices", get(devices))
        .route("/api/v1/staff/devices/{id}/revoke", post(revoke))
        .route("/api/v1/staff/enrollment-codes", post(enrollment_code))
        .route(
            "/api/v1/staff/catalogue",
            get(staff_catalogue).put(set_catalogue),
        )
        .route("/api/v1/staff/audit", get(audit))
        .route("/api/v1/staff/accounts", get(accounts).post(add_account))
        .route("/api/v1/staff/accounts/{id}/role", put(set_role))
        .merge(dashboard::routes())
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "No such path.")
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                codes::METHOD_NOT_ALLOWED,
                "This path does not take that method; see /api/v1/openapi.json.",
            )
        })
        .layer(DefaultBodyLimit::max(limit))
        // Outermost: bodies are inflated before the size limit counts them, so a small
        // compressed body that inflates past the limit is refused like a large one.
        .layer(
            tower_http::decompression::RequestDecompressionLayer::new()
                .pass_through_unaccepted(true),
        )
        // Answers are compressed for clients that ask (devices on slow links do).
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(service)
}

/// Serves `service` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: OrgService,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(service).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL,
                format!("internal error: {e}"),
            )
        })?
        .map_err(ApiError::from)
}

/// Reads a JSON body, turning every failure into a 400/413 that says what is wrong.
fn json_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                codes::PAYLOAD_TOO_LARGE,
                "The request is too large. Send fewer records at a time.",
            )
        } else {
            ApiError::bad_request(format!("Could not read the request body: {e}"))
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "The body is not valid JSON"
            }
            serde_json::error::Category::Data => "The JSON does not match what was expected",
            serde_json::error::Category::Io => "The body could not be read",
        };
        ApiError::bad_request(format!("{what}: {e}."))
    })
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::bad_request(format!("Query string: {}", e.body_text())))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The staff member behind a request: a staff bearer token, or a session cookie (with the
/// CSRF header for requests that change something).
async fn staff(svc: &OrgService, headers: &HeaderMap, method: &Method) -> Result<Staff, ApiError> {
    let svc = svc.clone();
    if let Some(token) = bearer(headers) {
        return blocking(move || svc.authenticate_staff(&token)).await;
    }
    let session = cookie(headers, SESSION_COOKIE).ok_or(ServiceError::Unauthorized)?;
    let csrf = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let changes = !matches!(*method, Method::GET | Method::HEAD);
    blocking(move || svc.session_staff(&session, changes, csrf.as_deref())).await
}

async fn info(State(svc): State<OrgService>) -> Json<ServerInfo> {
    Json(ServerInfo {
        protocol_versions: shiftlog_wire::PROTOCOL_VERSIONS.to_vec(),
        max_batch_records: svc.limits.max_batch_records,
        max_body_bytes: svc.limits.max_body_bytes,
        server_time: chrono::Utc::now(),
        request_encodings: vec!["gzip".into()],
        unknown: Default::default(),
    })
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::DOCUMENT,
    )
        .into_response()
}

async fn enroll(
    State(svc): State<OrgService>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<shiftlog_wire::EnrollResponse>, ApiError> {
    let req: shiftlog_wire::EnrollRequest = json_body(body)?;
    Ok(Json(
        blocking(move || svc.enroll(&req.code, &req.device_name)).await?,
    ))
}

async fn device(svc: &OrgService, headers: &HeaderMap) -> Result<crate::DeviceAuth, ApiError> {
    let token = bearer(headers).ok_or(ServiceError::Unauthorized)?;
    let svc = svc.clone();
    blocking(move || {
        let d = svc.authenticate_device(&token)?;
        svc.device_rate(&d)?;
        Ok(d)
    })
    .await
}

async fn push(
    State(svc): State<OrgService>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushResponse>, ApiError> {
    let device = device(&svc, &headers).await?;
    let req: PushRequest = json_body(body)?;
    if !shiftlog_wire::PROTOCOL_VERSIONS.contains(&req.protocol) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            codes::UNSUPPORTED_PROTOCOL,
            format!(
                "Protocol version {} is not supported; this server speaks {:?}. Update the app.",
                req.protocol,
                shiftlog_wire::PROTOCOL_VERSIONS
            ),
        ));
    }
    let results = blocking(move || svc.ingest(&device, &req.records)).await?;
    Ok(Json(PushResponse { results }))
}

async fn device_catalogue(
    State(svc): State<OrgService>,
    headers: HeaderMap,
) -> Result<Json<shiftlog_wire::CatalogueResponse>, ApiError> {
    let device = device(&svc, &headers).await?;
    Ok(Json(blocking(move || svc.catalogue(&device.org_id)).await?))
}

#[derive(serde::Deserialize)]
struct PullQuery {
    #[serde(default)]
    after: u64,
    #[serde(default = "default_pull_limit")]
    limit: u32,
}

fn default_pull_limit() -> u32 {
    500
}

async fn pull(
    State(svc): State<OrgService>,
    headers: HeaderMap,
    query: Result<axum::extract::Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<shiftlog_wire::PullResponse>, ApiError> {
    let device = device(&svc, &headers).await?;
    let axum::extract::Query(q) = query.map_err(|e| {
        ApiError::bad_request(format!(
            "after and limit must be whole numbers ({})",
            e.body_text()
        ))
    })?;
    Ok(Json(
        blocking(move || svc.pull(&device, q.after, q.limit)).await?,
    ))
}

/// A `Write` that hands 64 KiB chunks to an HTTP body, so a big export never sits in memory.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 64 * 1024 {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

/// Streams what `write` produces as the response body of a download named `filename`.
fn download(
    format: Format,
    filename: String,
    write: impl FnOnce(&mut ChannelWriter) -> Result<(), ServiceError> + Send + 'static,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tokio::task::spawn_blocking(move || {
        let mut w = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(64 * 1024),
        };
        let result = write(&mut w).and_then(|()| {
            std::io::Write::flush(&mut w).map_err(|e| ServiceError::Storage(e.into()))
        });
        if let Err(e) = result {
            eprintln!("export failed: {e}");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

async fn export_csv(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let who = staff(&svc, &headers, &method).await?;
    let svc2 = svc.clone();
    let plan =
        blocking(move || svc2.export_records(&who, &ExportRequest::default(), Format::Csv)).await?;
    Ok(download(Format::Csv, "activities.csv".into(), move |w| {
        plan.write(&svc, w)
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    username: String,
    password: String,
}

async fn login(
    State(svc): State<OrgService>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: Login = json_body(body)?;
    let s =
        blocking(move || svc.login(&req.username, &req.password, &addr.ip().to_string())).await?;
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
        s.token,
        crate::staff::SESSION_TTL.num_seconds()
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(serde_json::json!({
            "username": s.staff.actor, "role": s.staff.role, "organization": s.staff.org_id,
            "csrf_token": s.csrf_token,
        })),
    )
        .into_response())
}

async fn logout(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    staff(&svc, &headers, &method).await?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        blocking(move || svc.logout(&token)).await?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0"),
        )],
        Json(serde_json::json!({"signed_out": true})),
    )
        .into_response())
}

async fn me(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let who = staff(&svc, &headers, &method).await?;
    let csrf = cookie(&headers, SESSION_COOKIE).map(|t| crate::staff::csrf_for(&t));
    let org = who.org_id.clone();
    let name = blocking(move || Ok(svc.store().organization_name(&org)?)).await?;
    Ok(Json(serde_json::json!({
        "username": who.actor, "role": who.role, "organization": who.org_id,
        "organization_name": name, "csrf_token": csrf,
    })))
}

async fn summary(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
    q: Result<Query<SummaryRequest>, QueryRejection>,
) -> Result<Json<crate::summary::SummaryTable>, ApiError> {
    let req = query(q)?;
    let who = staff(&svc, &headers, &method).await?;
    Ok(Json(blocking(move || svc.summary(&who, &req)).await?))
}

#[derive(Deserialize)]
struct FormatParam {
    format: Format,
    #[serde(default)]
    excel: bool,
}

async fn summary_export(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
    raw: axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    // The format rides along the summary's own parameters; split them before strict parsing.
    let raw = raw.0.unwrap_or_default();
    let (fmt, rest): (Vec<_>, Vec<_>) = url_pairs(&raw)
        .into_iter()
        .partition(|(k, _)| k == "format" || k == "excel");
    let f: FormatParam = serde_urlencoded_pairs(&fmt)?;
    let req: SummaryRequest = serde_urlencoded_pairs(&rest)?;
    let who = staff(&svc, &headers, &method).await?;
    let format = f.format;
    let name = format!("summary-{:?}.{}", req.measure, format.ext()).to_lowercase();
    let table = blocking(move || svc.export_summary(&who, &req, format)).await?;
    Ok(download(format, name, move |w| {
        Ok(crate::export::write_summary(&table, format, f.excel, w)?)
    }))
}

fn url_pairs(raw: &str) -> Vec<(String, String)> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{raw}").parse().unwrap_or_default(),
    )
    .map(|Query(v)| v)
    .unwrap_or_default()
}

fn serde_urlencoded_pairs<T: serde::de::DeserializeOwned>(
    pairs: &[(String, String)],
) -> Result<T, ApiError> {
    let encoded: String = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let uri = format!("/?{encoded}")
        .parse()
        .map_err(|_| ApiError::bad_request("Query string: not valid"))?;
    Query::<T>::try_from_uri(&uri)
        .map(|Query(t)| t)
        .map_err(|e| ApiError::bad_request(format!("Query string: {}", e.body_text())))
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn records_export(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
    raw: axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    let raw = raw.0.unwrap_or_default();
    let (fmt, rest): (Vec<_>, Vec<_>) = url_pairs(&raw)
        .into_iter()
        .partition(|(k, _)| k == "format");
    #[derive(Deserialize)]
    struct F {
        format: Format,
    }
    let F { format } = serde_urlencoded_pairs(&fmt)?;
    let req: ExportRequest = serde_urlencoded_pairs(&rest)?;
    let who = staff(&svc, &headers, &method).await?;
    let svc2 = svc.clone();
    let plan = blocking(move || svc2.export_records(&who, &req, format)).await?;
    Ok(download(
        format,
        format!("records.{}", format.ext()),
        move |w| plan.write(&svc, w),
    ))
}

async fn devices(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
) -> Result<Json<Vec<crate::DeviceInfo>>, ApiError> {
    let who = staff(&svc, &headers, &method).await?;
    Ok(Json(blocking(move || svc.devices(&who)).await?))
}

fn uuid_param(s: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(s).map_err(|_| ApiError::bad_request("id: not a valid id"))
}

async fn revoke(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let who = staff(&svc, &headers, &method).await?;
    let id = uuid_param(&id)?;
    blocking(move || svc.revoke_device(&who, id)).await?;
    Ok(Json(serde_json::json!({"revoked": id})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeRequest {
    #[serde(default)]
    pseudonym: Option<String>,
}

async fn enrollment_code(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let who = staff(&svc, &headers, &method).await?;
    let req: CodeRequest = json_body(body)?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_string();
    let out = blocking(move || {
        let (code, expires_at) = svc.enrollment_code(&who, req.pseudonym.as_deref())?;
        let link = format!("shiftlog://enroll?server=http://{host}/&code={code}");
        Ok(serde_json::json!({
            "code": code, "expires_at": expires_at, "link": link, "qr_svg": crate::qr_svg(&link)?,
        }))
    })
    .await?;
    Ok(Json(out))
}

async fn staff_catalogue(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
) -> Result<Json<shiftlog_wire::CatalogueResponse>, ApiError> {
    let who = staff(&svc, &headers, &method).await?;
    Ok(Json(blocking(move || svc.catalogue(&who.org_id)).await?))
}

async fn set_catalogue(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<shiftlog_wire::CatalogueResponse>, ApiError> {
    let who = staff(&svc, &headers, &method).await?;
    let req: crate::CatalogueEdit = json_body(body)?;
    Ok(Json(
        blocking(move || {
            svc.set_catalogue(&who, &req)?;
            svc.catalogue(&who.org_id)
        })
        .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Limit {
    #[serde(default)]
    limit: Option<u32>,
}

async fn audit(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
    q: Result<Query<Limit>, QueryRejection>,
) -> Result<Json<Vec<crate::AuditEntry>>, ApiError> {
    let Limit { limit } = query(q)?;
    let who = staff(&svc, &headers, &method).await?;
    Ok(Json(
        blocking(move || svc.audit_log(&who, limit.unwrap_or(200))).await?,
    ))
}

async fn accounts(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let who = staff(&svc, &headers, &method).await?;
    let list = blocking(move || svc.staff_list(&who)).await?;
    Ok(Json(serde_json::json!(list
        .into_iter()
        .map(
            |(id, username, role)| serde_json::json!({"id": id, "username": username, "role": role})
        )
        .collect::<Vec<_>>())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAccount {
    username: String,
    password: String,
    role: Role,
}

async fn add_account(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let who = staff(&svc, &headers, &method).await?;
    let req: NewAccount = json_body(body)?;
    blocking(move || svc.create_staff(&who, &req.username, &req.password, req.role)).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"created": true})),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleChange {
    role: Role,
}

async fn set_role(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let who = staff(&svc, &headers, &method).await?;
    let id = uuid_param(&id)?;
    let req: RoleChange = json_body(body)?;
    blocking(move || svc.set_role(&who, id, req.role)).await?;
    Ok(Json(serde_json::json!({"id": id, "role": req.role})))
}
