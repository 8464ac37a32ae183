//! Staff accounts (admins): list, add, change a role, disable, enable, remove, reset a
//! password.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::uuid_param;
use crate::http::extract::{blocking, JsonBody, SessionCookie};
use crate::http::ApiError;
use crate::openapi::answers::{BadRequest, Conflict, Forbidden, NotFound, TooLarge, Unauthorized};
use crate::{OrgService, Role, Staff};

/// A staff account as admins see it.
#[derive(Serialize, ToSchema)]
pub(crate) struct Account {
    /// Id.
    id: Uuid,
    /// Username.
    username: String,
    /// Role.
    role: Role,
    /// True when it cannot sign in.
    disabled: bool,
}

/// Staff accounts (admins).
#[utoipa::path(
    get,
    path = "/api/v1/staff/accounts",
    tag = "staff",
    operation_id = "accounts",
    security(("staffToken" = []), ("session" = [])),
    responses((status = 200, description = "The accounts", body = Vec<Account>), Unauthorized, Forbidden)
)]
pub(crate) async fn accounts(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<Vec<Account>>, ApiError> {
    let list = blocking(move || svc.staff_list(&who)).await?;
    Ok(Json(
        list.into_iter()
            .map(|(id, username, role, disabled)| Account {
                id,
                username,
                role,
                disabled,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAccount {
    /// Unique in the organization.
    username: String,
    /// At least 10 characters.
    #[schema(min_length = 10)]
    password: String,
    /// Role.
    role: Role,
}

/// The answer to a new account.
#[derive(Serialize, ToSchema)]
pub(crate) struct Created {
    /// Always true.
    created: bool,
}

/// Add a staff account (admins; audit-logged).
#[utoipa::path(
    post,
    path = "/api/v1/staff/accounts",
    tag = "staff",
    operation_id = "addAccount",
    security(("staffToken" = []), ("session" = [])),
    request_body = NewAccount,
    responses(
        (status = 201, description = "Created", body = Created),
        BadRequest, Unauthorized, Forbidden,
        (status = 409, description = "The name is taken", body = shiftlog_wire::ErrorBody),
        TooLarge
    )
)]
pub(crate) async fn add_account(
    State(svc): State<OrgService>,
    who: Staff,
    JsonBody(req): JsonBody<NewAccount>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    blocking(move || svc.create_staff(&who, &req.username, &req.password, req.role)).await?;
    Ok((StatusCode::CREATED, Json(Created { created: true })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoleChange {
    /// The new role.
    role: Role,
}

/// An account's role after a change.
#[derive(Serialize, ToSchema)]
pub(crate) struct RoleChanged {
    /// The account.
    id: Uuid,
    /// Its role now.
    role: Role,
}

/// An account's state after a change.
#[derive(Serialize, ToSchema)]
pub(crate) struct AccountChanged {
    /// The account.
    id: Uuid,
    /// Disabled or enabled, when that changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    disabled: Option<bool>,
    /// True when the password was changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    password_changed: Option<bool>,
}

/// The answer to a removal.
#[derive(Serialize, ToSchema)]
pub(crate) struct Removed {
    /// The id removed.
    removed: Uuid,
}

/// Change a role (admins; audit-logged; the last active admin cannot be demoted).
#[utoipa::path(
    put,
    path = "/api/v1/staff/accounts/{id}/role",
    tag = "staff",
    operation_id = "setRole",
    security(("staffToken" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    request_body = RoleChange,
    responses((status = 200, description = "Changed", body = RoleChanged), BadRequest, Unauthorized, Forbidden, NotFound, Conflict, TooLarge)
)]

pub(crate) async fn set_role(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RoleChange>,
) -> Result<Json<RoleChanged>, ApiError> {
    let id = uuid_param(&id)?;
    blocking(move || svc.set_role(&who, id, req.role)).await?;
    Ok(Json(RoleChanged { id, role: req.role }))
}

/// Disable a staff account and end its sessions (admins; audit-logged; not the last active admin).
#[utoipa::path(
    post,
    path = "/api/v1/staff/accounts/{id}/disable",
    tag = "staff",
    operation_id = "disableAccount",
    security(("staffToken" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses((status = 200, description = "Done", body = AccountChanged), BadRequest, Unauthorized, Forbidden, NotFound, Conflict)
)]
pub(crate) async fn disable_account(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Json<AccountChanged>, ApiError> {
    let id = uuid_param(&id)?;
    blocking(move || svc.set_staff_disabled(&who, id, true)).await?;
    Ok(Json(AccountChanged {
        id,
        disabled: Some(true),
        password_changed: None,
    }))
}

/// Enable a disabled staff account again (admins; audit-logged).
#[utoipa::path(
    post,
    path = "/api/v1/staff/accounts/{id}/enable",
    tag = "staff",
    operation_id = "enableAccount",
    security(("staffToken" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses((status = 200, description = "Done", body = AccountChanged), BadRequest, Unauthorized, Forbidden, NotFound)
)]
pub(crate) async fn enable_account(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Json<AccountChanged>, ApiError> {
    let id = uuid_param(&id)?;
    blocking(move || svc.set_staff_disabled(&who, id, false)).await?;
    Ok(Json(AccountChanged {
        id,
        disabled: Some(false),
        password_changed: None,
    }))
}

/// Remove a staff account and end its sessions (admins; audit-logged; not the last active
/// admin).
#[utoipa::path(
    delete,
    path = "/api/v1/staff/accounts/{id}",
    tag = "staff",
    operation_id = "removeAccount",
    security(("staffToken" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses((status = 200, description = "Removed", body = Removed), BadRequest, Unauthorized, Forbidden, NotFound, Conflict)
)]
pub(crate) async fn remove_account(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Json<Removed>, ApiError> {
    let id = uuid_param(&id)?;
    blocking(move || svc.remove_staff(&who, id)).await?;
    Ok(Json(Removed { removed: id }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordReset {
    /// The new password, at least 10 characters.
    #[schema(min_length = 10)]
    password: String,
}

/// Set a staff member's password and end their sessions (admins; audit-logged).
#[utoipa::path(
    put,
    path = "/api/v1/staff/accounts/{id}/password",
    tag = "staff",
    operation_id = "resetPassword",
    security(("staffToken" = []), ("session" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    request_body = PasswordReset,
    responses((status = 200, description = "Changed", body = AccountChanged), BadRequest, Unauthorized, Forbidden, NotFound, TooLarge)
)]

pub(crate) async fn reset_password(
    State(svc): State<OrgService>,
    who: Staff,
    SessionCookie(session): SessionCookie,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PasswordReset>,
) -> Result<Json<AccountChanged>, ApiError> {
    let id = uuid_param(&id)?;
    blocking(move || svc.reset_password(&who, id, &req.password, session.as_deref())).await?;
    Ok(Json(AccountChanged {
        id,
        disabled: None,
        password_changed: Some(true),
    }))
}
