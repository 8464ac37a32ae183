//! Reading requests: bodies, query strings, credentials.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::Query;
use axum::http::{header, HeaderMap, Method, StatusCode};
use shiftlog_wire::codes;

use super::{ApiError, CSRF_HEADER, SESSION_COOKIE};
use crate::{OrgService, ServiceError, Staff};

pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL,
                format!("internal error: {e}"),
            )
        })?
        .map_err(ApiError::from)
}

/// Reads a JSON body, turning every failure into a 400/413 that says what is wrong.
pub(super) fn json_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                codes::PAYLOAD_TOO_LARGE,
                "The request is too large. Send fewer records at a time.",
            )
        } else {
            ApiError::bad_request(format!("Could not read the request body: {e}"))
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "The body is not valid JSON"
            }
            serde_json::error::Category::Data => "The JSON does not match what was expected",
            serde_json::error::Category::Io => "The body could not be read",
        };
        ApiError::bad_request(format!("{what}: {e}."))
    })
}

pub(super) fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::bad_request(format!("Query string: {}", e.body_text())))
}

pub(super) fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The staff member behind a request: a staff bearer token, or a session cookie (with the
/// CSRF header for requests that change something).
pub(super) async fn staff(
    svc: &OrgService,
    headers: &HeaderMap,
    method: &Method,
) -> Result<Staff, ApiError> {
    let svc = svc.clone();
    if let Some(token) = bearer(headers) {
        return blocking(move || svc.authenticate_staff(&token)).await;
    }
    let session = cookie(headers, SESSION_COOKIE).ok_or(ServiceError::Unauthorized)?;
    let csrf = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let changes = !matches!(*method, Method::GET | Method::HEAD);
    blocking(move || svc.session_staff(&session, changes, csrf.as_deref())).await
}
