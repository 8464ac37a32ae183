//! Staff routes: sign-in, sign-out, who is signed in and one's own password; the
//! organization's summary, devices, codes, catalogue and audit log (`organization`); staff
//! accounts (`accounts`).

pub(crate) mod accounts;
pub(crate) mod organization;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{blocking, ClientIp, JsonBody, SessionCookie, StrictJson};
use super::{ApiError, SESSION_COOKIE};
use crate::openapi::answers::{
    BadRequest, Forbidden, NotFound, NotJson, RateLimited, TooLarge, Unauthorized,
};
use crate::{OrgService, Role, Staff};

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

pub(super) fn uuid_param(s: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(s).map_err(|_| ApiError::bad_request("id: not a valid id"))
}

/// The answer to a password change.
#[derive(Serialize, ToSchema)]
pub(super) struct PasswordChanged {
    /// Always true.
    password_changed: bool,
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
