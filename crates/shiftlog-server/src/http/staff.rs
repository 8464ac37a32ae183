//! Staff routes: sign-in, the summary, devices, enrollment codes, the catalogue, the audit
//! log and accounts.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use shiftlog_wire::CatalogueResponse;

use super::extract::{blocking, ClientIp, JsonBody, QueryParams, SessionCookie, StrictJson};
use super::{ApiError, SESSION_COOKIE};
use crate::summary::{SummaryRequest, SummaryTable};
use crate::{AuditEntry, CatalogueEdit, DeviceInfo, Invite, OrgService, Role, Staff};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Login {
    username: String,
    password: String,
    /// The organization's id; needed only when the name is in several organizations.
    #[serde(default)]
    organization: Option<String>,
}

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
        Json(serde_json::json!({
            "username": s.staff.actor, "role": s.staff.role, "organization": s.staff.org_id,
            "csrf_token": s.csrf_token,
        })),
    )
        .into_response())
}

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
        Json(serde_json::json!({"signed_out": true})),
    )
        .into_response())
}

pub(super) async fn me(
    State(svc): State<OrgService>,
    who: Staff,
    SessionCookie(session): SessionCookie,
) -> Result<Json<serde_json::Value>, ApiError> {
    let csrf = session.map(|t| crate::staff::csrf_for(&t));
    let caller = who.clone();
    let name = blocking(move || svc.organization_name(&caller)).await?;
    Ok(Json(serde_json::json!({
        "username": who.actor, "role": who.role, "organization": who.org_id,
        "organization_name": name, "csrf_token": csrf,
    })))
}

pub(super) async fn summary(
    State(svc): State<OrgService>,
    who: Staff,
    QueryParams(req): QueryParams<SummaryRequest>,
) -> Result<Json<SummaryTable>, ApiError> {
    Ok(Json(blocking(move || svc.summary(&who, &req)).await?))
}

pub(super) async fn devices(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<Vec<DeviceInfo>>, ApiError> {
    Ok(Json(blocking(move || svc.devices(&who)).await?))
}

fn uuid_param(s: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(s).map_err(|_| ApiError::bad_request("id: not a valid id"))
}

pub(super) async fn revoke(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = uuid_param(&id)?;
    blocking(move || svc.revoke_device(&who, id)).await?;
    Ok(Json(serde_json::json!({"revoked": id})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CodeRequest {
    #[serde(default)]
    pseudonym: Option<String>,
}

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

pub(super) async fn staff_catalogue(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<CatalogueResponse>, ApiError> {
    Ok(Json(blocking(move || svc.catalogue(&who.org_id)).await?))
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Limit {
    #[serde(default)]
    limit: Option<u32>,
}

pub(super) async fn audit(
    State(svc): State<OrgService>,
    who: Staff,
    QueryParams(Limit { limit }): QueryParams<Limit>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    Ok(Json(
        blocking(move || svc.audit_log(&who, limit.unwrap_or(200))).await?,
    ))
}

pub(super) async fn accounts(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Json<serde_json::Value>, ApiError> {
    let list = blocking(move || svc.staff_list(&who)).await?;
    Ok(Json(serde_json::json!(list
        .into_iter()
        .map(
            |(id, username, role, disabled)| serde_json::json!({"id": id, "username": username, "role": role, "disabled": disabled})
        )
        .collect::<Vec<_>>())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewAccount {
    username: String,
    password: String,
    role: Role,
}

pub(super) async fn add_account(
    State(svc): State<OrgService>,
    who: Staff,
    JsonBody(req): JsonBody<NewAccount>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    blocking(move || svc.create_staff(&who, &req.username, &req.password, req.role)).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"created": true})),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RoleChange {
    role: Role,
}

pub(super) async fn set_role(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RoleChange>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = uuid_param(&id)?;
    blocking(move || svc.set_role(&who, id, req.role)).await?;
    Ok(Json(serde_json::json!({"id": id, "role": req.role})))
}

pub(super) async fn disable_account(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = uuid_param(&id)?;
    blocking(move || svc.set_staff_disabled(&who, id, true)).await?;
    Ok(Json(serde_json::json!({"id": id, "disabled": true})))
}

pub(super) async fn enable_account(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = uuid_param(&id)?;
    blocking(move || svc.set_staff_disabled(&who, id, false)).await?;
    Ok(Json(serde_json::json!({"id": id, "disabled": false})))
}

pub(super) async fn remove_account(
    State(svc): State<OrgService>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = uuid_param(&id)?;
    blocking(move || svc.remove_staff(&who, id)).await?;
    Ok(Json(serde_json::json!({"removed": id})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PasswordReset {
    password: String,
}

pub(super) async fn reset_password(
    State(svc): State<OrgService>,
    who: Staff,
    SessionCookie(session): SessionCookie,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PasswordReset>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = uuid_param(&id)?;
    blocking(move || svc.reset_password(&who, id, &req.password, session.as_deref())).await?;
    Ok(Json(
        serde_json::json!({"id": id, "password_changed": true}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PasswordChange {
    current_password: String,
    new_password: String,
}

pub(super) async fn change_password(
    State(svc): State<OrgService>,
    who: Staff,
    ClientIp(client): ClientIp,
    SessionCookie(session): SessionCookie,
    JsonBody(req): JsonBody<PasswordChange>,
) -> Result<Json<serde_json::Value>, ApiError> {
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
    Ok(Json(serde_json::json!({"password_changed": true})))
}
