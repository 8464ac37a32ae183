//! Staff API token routes (admins): list, create, revoke.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::extract::{blocking, JsonBody};
use super::ApiError;
use crate::openapi::answers::{BadRequest, Forbidden, NotFound, TooLarge, Unauthorized};
use crate::{OrgService, Staff, StaffToken, TokenScope};

/// The organization's staff API tokens, newest first (admins); never their secrets.
#[utoipa::path(
    get,
    path = "/api/v1/staff/tokens",
    tag = "staff",
    operation_id = "listTokens",
    security(("staffToken" = []), ("session" = [])),
    responses((status = 200, description = "Tokens", body = Vec<StaffToken>), Unauthorized, Forbidden)
)]
pub(super) async fn list_tokens(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<Vec<StaffToken>>, ApiError> {
    Ok(Json(blocking(move || svc.staff_tokens(&who)).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewTokenRequest {
    /// A name to know it by.
    name: String,
    /// `summary` reads protected summaries and their exports only; `coordinator` acts as a
    /// coordinator.
    scope: TokenScope,
    /// Days it lasts: 90 when absent, at most 365.
    #[serde(default)]
    days: Option<u32>,
}

/// A new token: the stored token and, this once, its secret.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(super) struct CreatedToken {
    #[serde(flatten)]
    made: StaffToken,
    /// The bearer secret: in this answer only.
    token: String,
}

/// The answer to a revocation.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(super) struct RevokedToken {
    /// The token revoked.
    revoked: uuid::Uuid,
}

/// Make a staff API token (admins; audit-logged). The secret is in the answer only.
#[utoipa::path(
    post,
    path = "/api/v1/staff/tokens",
    tag = "staff",
    operation_id = "createToken",
    security(("staffToken" = []), ("session" = [])),
    request_body = NewTokenRequest,
    responses((status = 201, description = "Made", body = CreatedToken), BadRequest, Unauthorized, Forbidden, NotFound, TooLarge)
)]

pub(super) async fn create_token(
    State(svc): State<OrgService>,
    who: Staff,
    JsonBody(req): JsonBody<NewTokenRequest>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let made =
        blocking(move || svc.create_staff_token(&who, &req.name, req.scope, req.days)).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            made: made.token,
            token: made.secret,
        }),
    ))
}

/// Revoke a staff API token (admins; audit-logged); it stops working at once.
#[utoipa::path(
    post,
    path = "/api/v1/staff/tokens/{id}/revoke",
    tag = "staff",
    operation_id = "revokeToken",
    security(("staffToken" = []), ("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "The token's id")),
    responses((status = 200, description = "Revoked", body = RevokedToken), BadRequest, Unauthorized, Forbidden, NotFound)
)]
pub(super) async fn revoke_token(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Json<RevokedToken>, ApiError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| ApiError::bad_request("id: not a valid id"))?;
    blocking(move || svc.revoke_staff_token(&who, id)).await?;
    Ok(Json(RevokedToken { revoked: id }))
}
