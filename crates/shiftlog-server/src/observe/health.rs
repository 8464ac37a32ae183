//! `/healthz` (the process answers), `/readyz` (the database answers, at the schema this
//! server's migrations reach) and `/metrics` (loopback callers, or the metrics token).

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

use super::logs::{chain, Quiet};
use crate::http::ApiError;
use crate::OrgService;

/// How long `/readyz` waits for the database.
const READY_WAIT: Duration = Duration::from_secs(5);

/// The stable code of a 503 from `/readyz`.
const NOT_READY: &str = "not_ready";

/// What the probes answer when all is well.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // Only describes the answer, which is written with `json!`.
struct Probe {
    /// `ok` or `ready`.
    status: String,
    /// `/readyz` only: the schema version the database is at.
    schema: Option<u32>,
}

/// Alive: always 200 while the server serves.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "probes",
    operation_id = "healthz",
    responses((status = 200, description = "The server is running", body = Probe))
)]
pub(super) async fn healthz() -> impl IntoResponse {
    (Extension(Quiet), Json(json!({"status": "ok"})))
}

/// Ready: 200 when the database answers at the expected schema version, 503 with what is
/// wrong otherwise (the cause itself goes to the log, not to the caller).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "probes",
    operation_id = "readyz",
    responses(
        (status = 200, description = "Ready to serve", body = Probe),
        (status = 503, description = "Not ready: code `not_ready`, and the message says whether the database cannot be reached or its schema is behind or newer", body = shiftlog_wire::ErrorBody)
    )
)]
pub(super) async fn readyz(State(svc): State<OrgService>) -> Response {
    let store = svc.store.clone();
    let probe = tokio::task::spawn_blocking(move || store.ready());
    let not_ready = |message: String| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, NOT_READY, message).into_response()
    };
    match tokio::time::timeout(READY_WAIT, probe).await {
        Ok(Ok(Ok(r))) if r.current() => (
            Extension(Quiet),
            Json(json!({"status": "ready", "schema": r.schema})),
        )
            .into_response(),
        Ok(Ok(Ok(r))) if r.schema < r.expected => not_ready(format!(
            "The database schema is at version {} and this server needs {}: restart the server so it migrates.",
            r.schema, r.expected
        )),
        Ok(Ok(Ok(r))) => not_ready(format!(
            "The database schema is at version {}, newer than this server ({}): run the newer server.",
            r.schema, r.expected
        )),
        Ok(Ok(Err(e))) => {
            tracing::error!(error = %chain(&e), "readiness: the database cannot be reached");
            not_ready("The database cannot be reached or read; the server log says why.".into())
        }
        Ok(Err(e)) => {
            tracing::error!(error = %chain(&e), "readiness probe failed");
            not_ready("The readiness check failed; the server log says why.".into())
        }
        Err(_) => not_ready(format!(
            "The database did not answer within {} seconds.",
            READY_WAIT.as_secs()
        )),
    }
}

/// The metrics, in Prometheus' text format. With a metrics token: to requests that carry
/// it. Without: to callers on this machine only, and never through a proxy (a request with
/// `Forwarded` or `X-Forwarded-For` is refused, since a proxy on this machine would make
/// every outside caller look local).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "probes",
    operation_id = "metrics",
    responses(
        (status = 200, description = "Prometheus text exposition format: aggregate counts, no names or ids", body = String, content_type = "text/plain"),
        (status = 403, description = "Not from this machine (or through a proxy), or without the metrics token", body = shiftlog_wire::ErrorBody)
    )
)]
pub(super) async fn metrics(State(svc): State<OrgService>, req: Request) -> Response {
    let headers = req.headers();
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>();
    let allowed = match &svc.metrics.token {
        Some(token) => bearer(headers).is_some_and(|t| same(t.as_bytes(), token.as_bytes())),
        None => {
            let forwarded =
                headers.contains_key("forwarded") || headers.contains_key("x-forwarded-for");
            !forwarded && peer.is_some_and(|ConnectInfo(a)| a.ip().is_loopback())
        }
    };
    if !allowed {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            shiftlog_wire::codes::FORBIDDEN,
            "Metrics are served to this machine only, or with the metrics token (--metrics-token).",
        )
        .into_response();
    }
    (
        Extension(Quiet),
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        svc.metrics.render(),
    )
        .into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Compares in time that does not depend on where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}
