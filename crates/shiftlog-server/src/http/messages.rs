//! Message routes: devices fetch their messages and say which they stored; staff post, list
//! and withdraw them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use shiftlog_wire::{MessagesReceived, MessagesResponse};

use super::extract::{blocking, Device, JsonBody};
use super::ApiError;
use crate::messages::{NewMessage, StaffMessage, StaffMessages};
use crate::{OrgService, Staff};

pub(super) async fn device_messages(
    State(svc): State<OrgService>,
    Device(device): Device,
) -> Result<Json<MessagesResponse>, ApiError> {
    Ok(Json(
        blocking(move || svc.messages_for_device(&device)).await?,
    ))
}

pub(super) async fn received(
    State(svc): State<OrgService>,
    Device(device): Device,
    JsonBody(req): JsonBody<MessagesReceived>,
) -> Result<StatusCode, ApiError> {
    blocking(move || svc.record_received(&device, &req.ids)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn list(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<StaffMessages>, ApiError> {
    Ok(Json(blocking(move || svc.list_messages(&who)).await?))
}

pub(super) async fn post(
    State(svc): State<OrgService>,
    who: Staff,
    JsonBody(req): JsonBody<NewMessage>,
) -> Result<(StatusCode, Json<StaffMessage>), ApiError> {
    let made = blocking(move || svc.post_message(&who, &req)).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

pub(super) async fn withdraw(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| ApiError::bad_request("id: not a valid id"))?;
    blocking(move || svc.withdraw_message(&who, id)).await?;
    Ok(Json(serde_json::json!({"withdrawn": id})))
}
