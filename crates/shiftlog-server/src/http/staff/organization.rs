//! The organization as staff see it: the summary, devices, enrollment codes, the catalogue
//! and the audit log.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use serde::{Deserialize, Serialize};
use shiftlog_wire::CatalogueResponse;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::uuid_param;
use crate::http::extract::{blocking, JsonBody, QueryParams};
use crate::http::ApiError;
use crate::openapi::answers::{BadRequest, Forbidden, NotFound, TooLarge, Unauthorized};
use crate::summary::{SummaryRequest, SummaryTable};
use crate::{AuditEntry, CatalogueEdit, DeviceInfo, Invite, OrgService, Staff};

/// A summary table, small numbers protected.
///
/// Never by worker unless `unsuppressed`, which only admins may ask for (audit-logged).
#[utoipa::path(
    get,
    path = "/api/v1/staff/summary",
    tag = "staff",
    operation_id = "summary",
    security(("staffToken" = []), ("session" = [])),
    params(SummaryRequest),
    responses((status = 200, description = "The table", body = SummaryTable), BadRequest, Unauthorized, Forbidden)
)]
pub(crate) async fn summary(
    State(svc): State<OrgService>,
    who: Staff,
    QueryParams(req): QueryParams<SummaryRequest>,
) -> Result<Json<SummaryTable>, ApiError> {
    Ok(Json(blocking(move || svc.summary(&who, &req)).await?))
}

/// Devices and their worker pseudonyms (coordinators and admins).
#[utoipa::path(
    get,
    path = "/api/v1/staff/devices",
    tag = "staff",
    operation_id = "devices",
    security(("staffToken" = []), ("session" = [])),
    responses(
        (status = 200, description = "The organization's devices", body = Vec<DeviceInfo>),
        Unauthorized,
        (status = 403, description = "A viewer: device names are not shown to viewers", body = shiftlog_wire::ErrorBody)
    )
)]
pub(crate) async fn devices(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<Vec<DeviceInfo>>, ApiError> {
    Ok(Json(blocking(move || svc.devices(&who)).await?))
}

/// The answer to a revocation.
#[derive(Serialize, ToSchema)]
pub(crate) struct Revoked {
    /// The id revoked.
    revoked: Uuid,
}

/// Revoke a device (coordinators; audit-logged). Its records stay; it can no longer sync.
#[utoipa::path(
    post,
    path = "/api/v1/staff/devices/{id}/revoke",
    tag = "staff",
    operation_id = "revokeDevice",
    security(("staffToken" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "The device's id")),
    responses((status = 200, description = "Revoked", body = Revoked), BadRequest, Unauthorized, Forbidden, NotFound)
)]
pub(crate) async fn revoke(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Json<Revoked>, ApiError> {
    let id = uuid_param(&id)?;
    blocking(move || svc.revoke_device(&who, id)).await?;
    Ok(Json(Revoked { revoked: id }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CodeRequest {
    /// The worker's pseudonym (never a legal name); a new one is made when absent.
    #[serde(default)]
    pseudonym: Option<String>,
}

/// A one-time enrollment code (30 minutes) with its link and QR code (coordinators;
/// audit-logged).
#[utoipa::path(
    post,
    path = "/api/v1/staff/enrollment-codes",
    tag = "staff",
    operation_id = "enrollmentCode",
    security(("staffToken" = []), ("session" = [])),
    request_body = CodeRequest,
    responses((status = 200, description = "The code", body = Invite), BadRequest, Unauthorized, Forbidden, NotFound, TooLarge)
)]
pub(crate) async fn enrollment_code(
    State(svc): State<OrgService>,
    who: Staff,
    headers: HeaderMap,
    tls: Option<axum::Extension<crate::tls::ServedOverTls>>,
    JsonBody(req): JsonBody<CodeRequest>,
) -> Result<Json<Invite>, ApiError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_string();
    // Only a guess (the service prefers the configured --public-url and says which it used).
    let scheme = if tls.is_some() { "https" } else { "http" };
    let server = format!("{scheme}://{host}/");
    Ok(Json(
        blocking(move || svc.enrollment_invite(&who, req.pseudonym.as_deref(), &server)).await?,
    ))
}

/// The organization's catalogue.
#[utoipa::path(
    get,
    path = "/api/v1/staff/catalogue",
    tag = "staff",
    operation_id = "staffCatalogue",
    security(("staffToken" = []), ("session" = [])),
    responses((status = 200, description = "The catalogue", body = CatalogueResponse), Unauthorized)
)]
pub(crate) async fn staff_catalogue(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<CatalogueResponse>, ApiError> {
    Ok(Json(blocking(move || svc.catalogue(&who.org_id)).await?))
}

/// Replace the catalogue (coordinators; audit-logged).
#[utoipa::path(
    put,
    path = "/api/v1/staff/catalogue",
    tag = "staff",
    operation_id = "setCatalogue",
    security(("staffToken" = []), ("session" = [])),
    request_body = CatalogueEdit,
    responses((status = 200, description = "The catalogue as stored", body = CatalogueResponse), BadRequest, Unauthorized, Forbidden, TooLarge)
)]
pub(crate) async fn set_catalogue(
    State(svc): State<OrgService>,
    who: Staff,
    JsonBody(req): JsonBody<CatalogueEdit>,
) -> Result<Json<CatalogueResponse>, ApiError> {
    Ok(Json(
        blocking(move || {
            svc.set_catalogue(&who, &req)?;
            svc.catalogue(&who.org_id)
        })
        .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct Limit {
    /// Most entries (default 200).
    #[serde(default)]
    limit: Option<u32>,
}

/// The audit log, newest first (coordinators).
#[utoipa::path(
    get,
    path = "/api/v1/staff/audit",
    tag = "staff",
    operation_id = "audit",
    security(("staffToken" = []), ("session" = [])),
    params(Limit),
    responses((status = 200, description = "Entries", body = Vec<AuditEntry>), BadRequest, Unauthorized, Forbidden)
)]
pub(crate) async fn audit(
    State(svc): State<OrgService>,
    who: Staff,
    QueryParams(Limit { limit }): QueryParams<Limit>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    Ok(Json(
        blocking(move || svc.audit_log(&who, limit.unwrap_or(200))).await?,
    ))
}
