//! Staff routes: sign-in, the summary, devices, enrollment codes, the catalogue, the audit
//! log and accounts.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use shiftlog_wire::CatalogueResponse;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::{blocking, ClientIp, JsonBody, QueryParams, SessionCookie, StrictJson};
use super::{ApiError, SESSION_COOKIE};
use crate::openapi::answers::{
    BadRequest, Conflict, Forbidden, NotFound, NotJson, RateLimited, TooLarge, Unauthorized,
};
use crate::summary::{SummaryRequest, SummaryTable};
use crate::{AuditEntry, CatalogueEdit, DeviceInfo, Invite, OrgService, Role, Staff};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Login {
    /// The staff member's username.
    username: String,
    /// Their password.
    password: String,
    /// The organization's id; needed only when the name is in several organizations.
    #[serde(default)]
    organization: Option<String>,
}

/// Who is signed in, with the CSRF token their session's changes carry.
#[derive(Serialize, ToSchema)]
pub(super) struct SignedIn {
    /// Username.
    username: String,
    /// Role.
    role: Role,
    /// The organization's id.
    organization: String,
    /// Send it in `X-CSRF-Token` with every change made with the session cookie.
    csrf_token: String,
}

/// Sign in; sets the session cookie and returns the CSRF token.
///
/// Sent as `application/json` only, so a cross-site form cannot sign anyone in. Wrong
/// passwords are limited per account and per address.
#[utoipa::path(
    post,
    path = "/api/v1/staff/login",
    tag = "staff",
    operation_id = "login",
    request_body = Login,
    responses(
        (status = 200, description = "Signed in", body = SignedIn,
            headers(("Set-Cookie" = String, description = "The session cookie, `shiftlog_session`, HttpOnly, Secure, SameSite=Strict"))),
        BadRequest, Unauthorized, TooLarge, NotJson, RateLimited
    )
)]
pub(super) async fn login(
    State(svc): State<OrgService>,
    ClientIp(client): ClientIp,
    StrictJson(req): StrictJson<Login>,
) -> Result<Response, ApiError> {
    let s = blocking(move || {
        svc.login(
            &req.username,
            &req.password,
            req.organization.as_deref(),
            client,
        )
    })
    .await?;
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
        s.token,
        crate::staff::SESSION_TTL.num_seconds()
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(SignedIn {
            username: s.staff.actor,
            role: s.staff.role,
            organization: s.staff.org_id,
            csrf_token: s.csrf_token,
        }),
    )
        .into_response())
}

/// The answer to a sign-out.
#[derive(Serialize, ToSchema)]
pub(super) struct SignedOut {
    /// Always true.
    signed_out: bool,
}

/// Sign out: the session ends and its cookie is cleared.
#[utoipa::path(
    post,
    path = "/api/v1/staff/logout",
    tag = "staff",
    operation_id = "logout",
    security(("staffToken" = []), ("session" = [])),
    responses((status = 200, description = "Signed out", body = SignedOut), Unauthorized, Forbidden)
)]
pub(super) async fn logout(
    State(svc): State<OrgService>,
    _: Staff,
    SessionCookie(session): SessionCookie,
) -> Result<Response, ApiError> {
    if let Some(token) = session {
        blocking(move || svc.logout(&token)).await?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0"),
        )],
        Json(SignedOut { signed_out: true }),
    )
        .into_response())
}

/// Who is signed in.
#[derive(Serialize, ToSchema)]
pub(super) struct Me {
    /// Username, or `token:<name>#<id>` for a staff token.
    username: String,
    /// Role (a `summary` token acts as a viewer).
    role: Role,
    /// The organization's id.
    organization: String,
    /// The organization's name, when it has one.
    organization_name: Option<String>,
    /// The session's CSRF token; none for a staff token.
    csrf_token: Option<String>,
}

/// Who is signed in, and the CSRF token.
#[utoipa::path(
    get,
    path = "/api/v1/staff/me",
    tag = "staff",
    operation_id = "me",
    security(("staffToken" = []), ("session" = [])),
    responses((status = 200, description = "The staff member", body = Me), Unauthorized)
)]
pub(super) async fn me(
    State(svc): State<OrgService>,
    who: Staff,
    SessionCookie(session): SessionCookie,
) -> Result<Json<Me>, ApiError> {
    let csrf = session.map(|t| crate::staff::csrf_for(&t));
    let caller = who.clone();
    let name = blocking(move || svc.organization_name(&caller)).await?;
    Ok(Json(Me {
        username: who.actor,
        role: who.role,
        organization: who.org_id,
        organization_name: name,
        csrf_token: csrf,
    }))
}

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
pub(super) async fn summary(
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
pub(super) async fn devices(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<Vec<DeviceInfo>>, ApiError> {
    Ok(Json(blocking(move || svc.devices(&who)).await?))
}

fn uuid_param(s: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(s).map_err(|_| ApiError::bad_request("id: not a valid id"))
}

/// The answer to a revocation.
#[derive(Serialize, ToSchema)]
pub(super) struct Revoked {
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
pub(super) async fn revoke(
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
pub(super) struct CodeRequest {
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
pub(super) async fn enrollment_code(
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
pub(super) async fn staff_catalogue(
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
pub(super) async fn set_catalogue(
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
pub(super) struct Limit {
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
pub(super) async fn audit(
    State(svc): State<OrgService>,
    who: Staff,
    QueryParams(Limit { limit }): QueryParams<Limit>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    Ok(Json(
        blocking(move || svc.audit_log(&who, limit.unwrap_or(200))).await?,
    ))
}

/// A staff account as admins see it.
#[derive(Serialize, ToSchema)]
pub(super) struct Account {
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
pub(super) async fn accounts(
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
pub(super) struct NewAccount {
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
pub(super) struct Created {
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
pub(super) async fn add_account(
    State(svc): State<OrgService>,
    who: Staff,
    JsonBody(req): JsonBody<NewAccount>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    blocking(move || svc.create_staff(&who, &req.username, &req.password, req.role)).await?;
    Ok((StatusCode::CREATED, Json(Created { created: true })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RoleChange {
    /// The new role.
    role: Role,
}

/// An account's role after a change.
#[derive(Serialize, ToSchema)]
pub(super) struct RoleChanged {
    /// The account.
    id: Uuid,
    /// Its role now.
    role: Role,
}

/// An account's state after a change.
#[derive(Serialize, ToSchema)]
pub(super) struct AccountChanged {
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
pub(super) struct Removed {
    /// The id removed.
    removed: Uuid,
}

/// The answer to a password change.
#[derive(Serialize, ToSchema)]
pub(super) struct PasswordChanged {
    /// Always true.
    password_changed: bool,
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

pub(super) async fn set_role(
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
pub(super) async fn disable_account(
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
pub(super) async fn enable_account(
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
pub(super) async fn remove_account(
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
pub(super) struct PasswordReset {
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

pub(super) async fn reset_password(
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PasswordChange {
    /// The password now.
    current_password: String,
    /// The new one, at least 10 characters.
    #[schema(min_length = 10)]
    new_password: String,
}

/// Change your own password, giving the current one; your other sessions end (audit-logged).
#[utoipa::path(
    post,
    path = "/api/v1/staff/me/password",
    tag = "staff",
    operation_id = "changePassword",
    security(("staffToken" = []), ("session" = [])),
    request_body = PasswordChange,
    responses(
        (status = 200, description = "Changed", body = PasswordChanged),
        BadRequest, Unauthorized,
        (status = 403, description = "A wrong current password, a staff token, or the CSRF token missing", body = shiftlog_wire::ErrorBody),
        NotFound, TooLarge, RateLimited
    )
)]

pub(super) async fn change_password(
    State(svc): State<OrgService>,
    who: Staff,
    ClientIp(client): ClientIp,
    SessionCookie(session): SessionCookie,
    JsonBody(req): JsonBody<PasswordChange>,
) -> Result<Json<PasswordChanged>, ApiError> {
    blocking(move || {
        svc.change_own_password(
            &who,
            &req.current_password,
            &req.new_password,
            session.as_deref(),
            client,
        )
    })
    .await?;
    Ok(Json(PasswordChanged {
        password_changed: true,
    }))
}
