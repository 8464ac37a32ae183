//! Reading requests: who is calling ([`Device`], [`Staff`]), JSON bodies and query strings,
//! each as an axum extractor whose rejection is an [`ApiError`], so a handler only names
//! what it needs.

use std::convert::Infallible;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use serde::de::DeserializeOwned;
use shiftlog_wire::codes;

use super::{ApiError, CSRF_HEADER, SESSION_COOKIE};
use crate::{DeviceAuth, OrgService, ServiceError, Staff};

/// Runs a blocking service call off the async threads (storage calls block).
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

/// The enrolled device behind a request: its bearer token is checked (a revoked device gets
/// its own answer) and the request counts against the device's per-minute limit.
#[derive(Debug, Clone)]
pub struct Device(pub DeviceAuth);

impl FromRequestParts<OrgService> for Device {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, svc: &OrgService) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or(ServiceError::Unauthorized)?;
        let svc = svc.clone();
        blocking(move || {
            let device = svc.authenticate_device(&token)?;
            svc.device_rate(&device)?;
            Ok(Device(device))
        })
        .await
        .inspect(|d: &Device| crate::observe::logs::record_org(&d.0.org_id))
    }
}

/// The staff member behind a request: a staff bearer token, or a dashboard session cookie.
/// With a cookie, a request that changes something (anything but GET and HEAD) must carry the
/// session's CSRF token in [`CSRF_HEADER`].
impl FromRequestParts<OrgService> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, svc: &OrgService) -> Result<Self, ApiError> {
        let svc = svc.clone();
        if let Some(token) = bearer(&parts.headers) {
            return blocking(move || svc.authenticate_staff(&token))
                .await
                .inspect(|s: &Staff| crate::observe::logs::record_org(&s.org_id));
        }
        let session = cookie(&parts.headers, SESSION_COOKIE).ok_or(ServiceError::Unauthorized)?;
        let csrf = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let changes = !matches!(parts.method, Method::GET | Method::HEAD);
        blocking(move || svc.session_staff(&session, changes, csrf.as_deref()))
            .await
            .inspect(|s: &Staff| crate::observe::logs::record_org(&s.org_id))
    }
}

/// The caller's address for limits: the socket's peer, or, when the peer is a proxy the
/// server was told to trust (`--trusted-proxy`), the client address it forwarded.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub std::net::IpAddr);

impl FromRequestParts<OrgService> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, svc: &OrgService) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    codes::INTERNAL,
                    "The server was started without client addresses.",
                )
            })?;
        let values = |name: &'static str| {
            parts
                .headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
        };
        Ok(ClientIp(svc.client_address(
            peer,
            values("forwarded"),
            values("x-forwarded-for"),
        )))
    }
}

/// A JSON body that must say it is JSON (`Content-Type: application/json`): a form on
/// another site can post `text/plain` without asking the browser first, never JSON.
#[derive(Debug, Clone)]
pub struct StrictJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for StrictJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send this as JSON, with the header Content-Type: application/json.",
            ));
        }
        JsonBody::from_request(req, state)
            .await
            .map(|JsonBody(t)| StrictJson(t))
    }
}

/// The dashboard session cookie's value, if the request has one (not checked: pair it with
/// [`Staff`]).
#[derive(Debug, Clone)]
pub struct SessionCookie(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for SessionCookie {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(SessionCookie(cookie(&parts.headers, SESSION_COOKIE)))
    }
}

/// The raw body; too large is a 413 that says what to do.
async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                codes::PAYLOAD_TOO_LARGE,
                "The request is too large. Send fewer records at a time.",
            )
        } else {
            ApiError::bad_request(format!("Could not read the request body: {e}"))
        }
    })
}

/// A push, decoded record by record (`shiftlog_model::decode`): a record that cannot be read
/// is refused alone; only a body that is not a push at all is a 400. A packed body
/// (`Content-Type` [`shiftlog_wire::packed::CONTENT_TYPE`], protocol 3) is read whole into the
/// same records, which then meet the same checks; one that cannot be read is a 400 and
/// nothing of it is stored.
#[derive(Debug, Clone)]
pub struct PushBody(pub shiftlog_model::decode::DecodedPush);

impl<S: Send + Sync> FromRequest<S> for PushBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let packed = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case(shiftlog_wire::packed::CONTENT_TYPE)
            });
        let bytes = body_bytes(req, state).await?;
        if packed {
            return shiftlog_wire::packed::decode(&bytes)
                .map(|p| {
                    PushBody(shiftlog_model::decode::DecodedPush {
                        protocol: p.protocol,
                        lang: p.lang,
                        records: p.records.into_iter().map(Ok).collect(),
                    })
                })
                .map_err(|e| ApiError::bad_request(e.to_string()));
        }
        shiftlog_model::decode::decode_push(&bytes)
            .map(PushBody)
            .map_err(|e| ApiError::bad_request(e.0))
    }
}

/// A JSON body; every failure is a 400 (or 413) that says what is wrong.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = body_bytes(req, state).await?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
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
}

/// A query string; a failure is a 400 that names the parameter.
#[derive(Debug, Clone)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(t)| QueryParams(t))
            .map_err(|e| ApiError::bad_request(format!("Query string: {}", e.body_text())))
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_read_from_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(
            header::AUTHORIZATION,
            "Bearer  sld_abc ".parse().expect("value"),
        );
        h.append(
            header::COOKIE,
            "a=1; shiftlog_session=s3cret".parse().expect("value"),
        );
        h.append(header::COOKIE, "b=2".parse().expect("value"));
        assert_eq!(bearer(&h).as_deref(), Some("sld_abc"));
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("s3cret"));
        assert_eq!(cookie(&h, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&h, "shiftlog"), None);
        h.insert(header::AUTHORIZATION, "Basic abc".parse().expect("value"));
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, "Bearer ".parse().expect("value"));
        assert_eq!(bearer(&h), None);
    }
}
