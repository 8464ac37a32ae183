//! Device routes: server info, enrollment, push, catalogue, pull.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use shiftlog_wire::{codes, PushRequest, PushResponse, ServerInfo};

use super::extract::{bearer, blocking, json_body};
use super::ApiError;
use crate::{OrgService, ServiceError};

pub(super) async fn info(State(svc): State<OrgService>) -> Json<ServerInfo> {
    Json(ServerInfo {
        protocol_versions: shiftlog_wire::PROTOCOL_VERSIONS.to_vec(),
        max_batch_records: svc.limits.max_batch_records,
        max_body_bytes: svc.limits.max_body_bytes,
        server_time: chrono::Utc::now(),
        request_encodings: vec!["gzip".into()],
        unknown: Default::default(),
    })
}

pub(super) async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::DOCUMENT,
    )
        .into_response()
}

pub(super) async fn enroll(
    State(svc): State<OrgService>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<shiftlog_wire::EnrollResponse>, ApiError> {
    let req: shiftlog_wire::EnrollRequest = json_body(body)?;
    Ok(Json(
        blocking(move || svc.enroll(&req.code, &req.device_name)).await?,
    ))
}

pub(super) async fn device(
    svc: &OrgService,
    headers: &HeaderMap,
) -> Result<crate::DeviceAuth, ApiError> {
    let token = bearer(headers).ok_or(ServiceError::Unauthorized)?;
    let svc = svc.clone();
    blocking(move || {
        let d = svc.authenticate_device(&token)?;
        svc.device_rate(&d)?;
        Ok(d)
    })
    .await
}

pub(super) async fn push(
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

pub(super) async fn device_catalogue(
    State(svc): State<OrgService>,
    headers: HeaderMap,
) -> Result<Json<shiftlog_wire::CatalogueResponse>, ApiError> {
    let device = device(&svc, &headers).await?;
    Ok(Json(blocking(move || svc.catalogue(&device.org_id)).await?))
}

#[derive(serde::Deserialize)]
pub(super) struct PullQuery {
    #[serde(default)]
    after: u64,
    #[serde(default = "default_pull_limit")]
    limit: u32,
}

fn default_pull_limit() -> u32 {
    500
}

pub(super) async fn pull(
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
