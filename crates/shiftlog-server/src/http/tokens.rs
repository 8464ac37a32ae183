//! Staff API token routes (admins): list, create, revoke.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::extract::{blocking, JsonBody};
use super::ApiError;
use crate::{OrgService, Staff, StaffToken, TokenScope};

pub(super) async fn list_tokens(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<Vec<StaffToken>>, ApiError> {
    Ok(Json(blocking(move || svc.staff_tokens(&who)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewTokenRequest {
    name: String,
    scope: TokenScope,
    #[serde(default)]
    days: Option<u32>,
}

pub(super) async fn create_token(
    State(svc): State<OrgService>,
    who: Staff,
    JsonBody(req): JsonBody<NewTokenRequest>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let made =
        blocking(move || svc.create_staff_token(&who, &req.name, req.scope, req.days)).await?;
    let mut body = serde_json::to_value(&made.token).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            shiftlog_wire::codes::INTERNAL,
            format!("internal error: {e}"),
        )
    })?;
    body["token"] = serde_json::Value::String(made.secret);
    Ok((StatusCode::CREATED, Json(body)))
}

pub(super) async fn revoke_token(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| ApiError::bad_request("id: not a valid id"))?;
    blocking(move || svc.revoke_staff_token(&who, id)).await?;
    Ok(Json(serde_json::json!({"revoked": id})))
}
