//! Device routes: server info, enrollment, push, catalogue, pull. A device is known by its
//! bearer token ([`Device`]).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use shiftlog_wire::{
    codes, CatalogueResponse, EnrollRequest, EnrollResponse, PullResponse, PushResponse, ServerInfo,
};

use super::extract::{blocking, ClientIp, Device, JsonBody, PushBody};
use super::ApiError;
use crate::OrgService;

pub(super) async fn info(State(svc): State<OrgService>) -> Json<ServerInfo> {
    let store = svc.clone();
    // Without it a device only skips its check for a restored database; a broken database
    // fails the push that follows anyway, with its own error.
    let data_epoch = match blocking(move || store.data_epoch()).await {
        Ok(e) => Some(e),
        Err(e) => {
            tracing::warn!(error = ?e, "cannot read the data epoch");
            None
        }
    };
    Json(ServerInfo {
        protocol_versions: shiftlog_wire::PROTOCOL_VERSIONS.to_vec(),
        max_batch_records: svc.limits.max_batch_records,
        max_body_bytes: svc.limits.max_body_bytes,
        server_time: chrono::Utc::now(),
        request_encodings: vec!["gzip".into()],
        data_epoch,
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
    ClientIp(client): ClientIp,
    JsonBody(req): JsonBody<EnrollRequest>,
) -> Result<Json<EnrollResponse>, ApiError> {
    // The client's address (a trusted proxy's forwarded one when configured).
    svc.enroll_attempt(client)?;
    Ok(Json(
        blocking(move || svc.enroll(&req.code, &req.device_name)).await?,
    ))
}

pub(super) async fn push(
    State(svc): State<OrgService>,
    Device(device): Device,
    PushBody(req): PushBody,
) -> Result<Json<PushResponse>, ApiError> {
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
    let results = blocking(move || svc.ingest(&device, &req)).await?;
    Ok(Json(PushResponse { results }))
}

pub(super) async fn device_catalogue(
    State(svc): State<OrgService>,
    Device(device): Device,
) -> Result<Json<CatalogueResponse>, ApiError> {
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
    Device(device): Device,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request(format!(
            "after and limit must be whole numbers ({})",
            e.body_text()
        ))
    })?;
    Ok(Json(
        blocking(move || svc.pull(&device, q.after, q.limit)).await?,
    ))
}
