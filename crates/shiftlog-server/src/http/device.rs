//! Device routes: server info, enrollment, push, catalogue, pull. A device is known by its
//! bearer token ([`Device`]).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use shiftlog_wire::{
    codes, paths, CatalogueResponse, EnrollRequest, EnrollResponse, PullResponse, PushRequest,
    PushResponse, ServerInfo,
};
use utoipa::IntoParams;

use super::extract::{blocking, ClientIp, Device, JsonBody, PushBody};
use super::ApiError;
use crate::openapi::answers::{BadRequest, Conflict, RateLimited, TooLarge, Unauthorized};
use crate::OrgService;

/// Protocol versions, limits and the server's clock: what a device reads before it syncs.
#[utoipa::path(
    get,
    path = paths::INFO,
    tag = "device",
    operation_id = "info",
    responses((status = 200, description = "Server info", body = ServerInfo))
)]
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

/// This document (OpenAPI 3.1), generated from the server's code.
#[utoipa::path(
    get,
    path = paths::OPENAPI,
    tag = "device",
    operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI document", body = Object, content_type = "application/json"))
)]
pub(super) async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document(),
    )
        .into_response()
}

/// Exchange a one-time code for a device token (limited per address).
#[utoipa::path(
    post,
    path = paths::ENROLL,
    tag = "device",
    operation_id = "enroll",
    request_body = EnrollRequest,
    responses(
        (status = 200, description = "The device token, shown only this once", body = EnrollResponse),
        (status = 400, description = "Not valid, or the code is mistyped, used or expired (`invalid_code`)", body = shiftlog_wire::ErrorBody),
        Conflict, TooLarge, RateLimited
    )
)]
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

/// A packed batch's bytes (protocol 3), for the document only: the handler reads the body.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
struct PackedBatch(Vec<u8>);

/// Store records; one result per record, in request order.
///
/// A record that cannot be read is refused alone (`rejected` with a reason); only a body that
/// is not a push at all is a 400.
#[utoipa::path(
    post,
    path = paths::PUSH,
    tag = "device",
    operation_id = "push",
    security(("deviceToken" = [])),
    request_body(
        description = "A batch as JSON, or (protocol 3, when /info lists it) the same batch packed: `application/vnd.shiftlog.packed`, described in docs/records.md \"Packed pushes\" and decoded into the same records before the same checks",
        content((PushRequest = "application/json"), (PackedBatch = "application/vnd.shiftlog.packed"))
    ),
    responses(
        (status = 200, description = "One result per record", body = PushResponse),
        (status = 400, description = "Not a push, or a protocol version this server does not speak (`unsupported_protocol`)", body = shiftlog_wire::ErrorBody),
        Unauthorized, TooLarge, RateLimited
    )
)]
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
    let results = blocking(move || svc.ingest_push(&device, req)).await?;
    Ok(Json(PushResponse { results }))
}

/// The organization's catalogue, for devices.
#[utoipa::path(
    get,
    path = paths::CATALOGUE,
    tag = "device",
    operation_id = "deviceCatalogue",
    security(("deviceToken" = [])),
    responses((status = 200, description = "The catalogue", body = CatalogueResponse), Unauthorized, RateLimited)
)]
pub(super) async fn device_catalogue(
    State(svc): State<OrgService>,
    Device(device): Device,
) -> Result<Json<CatalogueResponse>, ApiError> {
    Ok(Json(blocking(move || svc.catalogue(&device.org_id)).await?))
}

#[derive(serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PullQuery {
    /// The `next` of the previous page; 0 for the start.
    #[serde(default)]
    #[param(minimum = 0)]
    after: u64,
    /// Most records in this page (default 500).
    #[serde(default = "default_pull_limit")]
    #[param(minimum = 1, maximum = 1000)]
    limit: u32,
}

fn default_pull_limit() -> u32 {
    500
}

/// The worker's own records written from their other devices, after a cursor (tombstones
/// included), oldest change first.
#[utoipa::path(
    get,
    path = paths::PULL,
    tag = "device",
    operation_id = "pullRecords",
    security(("deviceToken" = [])),
    params(PullQuery),
    responses((status = 200, description = "A page of records", body = PullResponse), BadRequest, Unauthorized, RateLimited)
)]
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
