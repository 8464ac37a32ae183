//! HTTP front door: axum routes that translate requests to [`OrgService`] calls and errors
//! to JSON bodies with a stable code. No rule about records lives here.

use std::future::Future;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use shiftlog_wire::{codes, paths, ErrorBody, PushRequest, PushResponse, ServerInfo};

use crate::{OrgService, ServiceError};

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                code: self.code.into(),
                message: self.message,
            }),
        )
            .into_response()
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
                "This request needs a valid token. Join the organization again with a new code.",
            ),
            ServiceError::DeviceRevoked => ApiError::new(
                StatusCode::UNAUTHORIZED,
                codes::DEVICE_REVOKED,
                "This device was removed by your organization. Your records stay on the device. Ask your coordinator for a new code.",
            ),
            ServiceError::BadRequest(m) => ApiError::bad_request(m),
            ServiceError::Storage(e) => {
                eprintln!("storage error: {e}");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    codes::INTERNAL,
                    "The server could not store this right now. Nothing was lost; try again later.",
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
        .route(paths::EXPORT_CSV, get(export_csv))
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "No such path.")
        })
        .layer(DefaultBodyLimit::max(limit))
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

fn bearer(headers: &HeaderMap) -> Result<String, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ServiceError::Unauthorized.into())
}

async fn info(State(svc): State<OrgService>) -> Json<ServerInfo> {
    Json(ServerInfo {
        protocol_versions: shiftlog_wire::PROTOCOL_VERSIONS.to_vec(),
        max_batch_records: svc.limits.max_batch_records,
        max_body_bytes: svc.limits.max_body_bytes,
        server_time: chrono::Utc::now(),
        unknown: Default::default(),
    })
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

async fn push(
    State(svc): State<OrgService>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushResponse>, ApiError> {
    let token = bearer(&headers)?;
    let svc2 = svc.clone();
    let device = blocking(move || svc2.authenticate_device(&token)).await?;
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

async fn export_csv(
    State(svc): State<OrgService>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = bearer(&headers)?;
    let bytes = blocking(move || {
        let org = svc.authenticate_staff(&token)?;
        let mut buf = Vec::new();
        svc.export_csv(&org, &mut buf)?;
        Ok(buf)
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"activities.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
