//! Message routes: devices fetch their messages and say which they stored; staff post, list
//! and withdraw them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use shiftlog_wire::{MessagesReceived, MessagesResponse};

use super::extract::{blocking, Device, JsonBody};
use super::ApiError;
use crate::messages::{NewMessage, StaffMessage, StaffMessages};
use crate::openapi::answers::{
    BadRequest, Forbidden, NotFound, RateLimited, TooLarge, Unauthorized,
};
use crate::{OrgService, Staff};

/// The organization's live messages for this device (to everyone, or to a role its worker
/// has a shift in), newest first, at most 100.
#[utoipa::path(
    get,
    path = shiftlog_wire::paths::MESSAGES,
    tag = "device",
    operation_id = "deviceMessages",
    security(("deviceToken" = [])),
    responses((status = 200, description = "Messages", body = MessagesResponse), Unauthorized, RateLimited)
)]
pub(super) async fn device_messages(
    State(svc): State<OrgService>,
    Device(device): Device,
) -> Result<Json<MessagesResponse>, ApiError> {
    Ok(Json(
        blocking(move || svc.messages_for_device(&device)).await?,
    ))
}

/// The ids of messages this device stored; only messages it is offered now count, each
/// device once.
#[utoipa::path(
    post,
    path = shiftlog_wire::paths::MESSAGES_RECEIVED,
    tag = "device",
    operation_id = "messagesReceived",
    security(("deviceToken" = [])),
    request_body = MessagesReceived,
    responses((status = 204, description = "Noted"), BadRequest, Unauthorized, TooLarge, RateLimited)
)]
pub(super) async fn received(
    State(svc): State<OrgService>,
    Device(device): Device,
    JsonBody(req): JsonBody<MessagesReceived>,
) -> Result<StatusCode, ApiError> {
    blocking(move || svc.record_received(&device, &req.ids)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Messages to devices, newest first, with delivery counts, and the roles one may go to.
#[utoipa::path(
    get,
    path = "/api/v1/staff/messages",
    tag = "staff",
    operation_id = "listMessages",
    security(("staffToken" = []), ("session" = [])),
    responses((status = 200, description = "Messages", body = StaffMessages), Unauthorized)
)]
pub(super) async fn list(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<StaffMessages>, ApiError> {
    Ok(Json(blocking(move || svc.list_messages(&who)).await?))
}

/// Post a message to every device or to one role (coordinators and admins; audit-logged).
#[utoipa::path(
    post,
    path = "/api/v1/staff/messages",
    tag = "staff",
    operation_id = "postMessage",
    security(("staffToken" = []), ("session" = [])),
    request_body = NewMessage,
    responses(
        (status = 201, description = "Posted", body = StaffMessage),
        (status = 400, description = "Not valid: `message_text_empty`, `message_text_too_long`, `message_text_not_plain`, `message_expiry`, `message_role` or `bad_request`", body = shiftlog_wire::ErrorBody),
        Unauthorized, Forbidden, TooLarge
    )
)]
pub(super) async fn post(
    State(svc): State<OrgService>,
    who: Staff,
    JsonBody(req): JsonBody<NewMessage>,
) -> Result<(StatusCode, Json<StaffMessage>), ApiError> {
    let made = blocking(move || svc.post_message(&who, &req)).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// The answer to a withdrawal.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(super) struct Withdrawn {
    /// The message withdrawn.
    withdrawn: uuid::Uuid,
}

/// Withdraw a message: devices are no longer sent it (coordinators and admins; audit-logged).
#[utoipa::path(
    post,
    path = "/api/v1/staff/messages/{id}/withdraw",
    tag = "staff",
    operation_id = "withdrawMessage",
    security(("staffToken" = []), ("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "The message's id")),
    responses((status = 200, description = "Withdrawn", body = Withdrawn), BadRequest, Unauthorized, Forbidden, NotFound)
)]
pub(super) async fn withdraw(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Json<Withdrawn>, ApiError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| ApiError::bad_request("id: not a valid id"))?;
    blocking(move || svc.withdraw_message(&who, id)).await?;
    Ok(Json(Withdrawn { withdrawn: id }))
}
