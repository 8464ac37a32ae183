//! HTTP front door: axum routes that translate requests to [`OrgService`] calls and errors
//! to JSON bodies with a stable code. No rule about records, roles or suppression lives here.

mod device;
mod download;
mod error;
mod extract;
mod messages;
mod spikes;
mod staff;
mod statements;
mod tokens;
mod verify_page;

use std::future::Future;
use std::net::SocketAddr;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::Router;
use shiftlog_statement::api;
use shiftlog_wire::{codes, paths};

pub use error::ApiError;

use crate::{dashboard, OrgService};
use device::{device_catalogue, enroll, info, openapi, pull, push};
use download::{export_csv, records_export, summary_export};
use staff::{
    accounts, add_account, audit, change_password, devices, disable_account, enable_account,
    enrollment_code, login, logout, me, remove_account, reset_password, revoke, set_catalogue,
    set_role, staff_catalogue, summary,
};

/// The dashboard's session cookie.
pub const SESSION_COOKIE: &str = "shiftlog_session";
/// The header a dashboard page sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The router for `service`.
pub fn router(service: OrgService) -> Router {
    let limit = service.limits.max_body_bytes;
    Router::new()
        .route(paths::INFO, get(info))
        .route(paths::ENROLL, post(enroll))
        .route(paths::PUSH, post(push))
        .route(paths::CATALOGUE, get(device_catalogue))
        .route(paths::PULL, get(pull))
        .route(paths::EXPORT_CSV, get(export_csv))
        .route(paths::OPENAPI, get(openapi))
        .route("/api/v1/staff/login", post(login))
        .route("/api/v1/staff/logout", post(logout))
        .route("/api/v1/staff/me", get(me))
        .route("/api/v1/staff/summary", get(summary))
        .route("/api/v1/staff/summary/export", get(summary_export))
        .route("/api/v1/staff/records/export", get(records_export))
        .route("/api/v1/staff/devices", get(devices))
        .route("/api/v1/staff/devices/{id}/revoke", post(revoke))
        .route("/api/v1/staff/enrollment-codes", post(enrollment_code))
        .route(
            "/api/v1/staff/catalogue",
            get(staff_catalogue).put(set_catalogue),
        )
        .route("/api/v1/staff/audit", get(audit))
        .route(
            "/api/v1/staff/tokens",
            get(tokens::list_tokens).post(tokens::create_token),
        )
        .route(
            "/api/v1/staff/tokens/{id}/revoke",
            post(tokens::revoke_token),
        )
        .route("/api/v1/staff/accounts", get(accounts).post(add_account))
        .route("/api/v1/staff/accounts/{id}/role", put(set_role))
        .route("/api/v1/staff/accounts/{id}", delete(remove_account))
        .route("/api/v1/staff/accounts/{id}/disable", post(disable_account))
        .route("/api/v1/staff/accounts/{id}/enable", post(enable_account))
        .route("/api/v1/staff/accounts/{id}/password", put(reset_password))
        .route("/api/v1/staff/me/password", post(change_password))
        .route(
            "/api/v1/staff/spike-thresholds",
            get(spikes::spike_settings).put(spikes::set_spike_thresholds),
        )
        .route("/api/v1/staff/spike-notices", get(spikes::spike_notices))
        .route(paths::MESSAGES, get(messages::device_messages))
        .route(paths::MESSAGES_RECEIVED, post(messages::received))
        .route(
            "/api/v1/staff/messages",
            get(messages::list).post(messages::post),
        )
        .route(
            "/api/v1/staff/messages/{id}/withdraw",
            post(messages::withdraw),
        )
        // Signed work statements: the device asks, anyone verifies (issue 14).
        .route(api::STATEMENTS, post(statements::issue))
        .route(api::STATEMENT_KEYS, get(statements::keys))
        .route(api::VERIFY_API, post(statements::verify_api))
        .route(
            api::VERIFY_PAGE,
            get(statements::verify_page_get).post(statements::verify_page_post),
        )
        .merge(dashboard::routes())
        .merge(crate::observe::routes())
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "No such path.")
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                codes::METHOD_NOT_ALLOWED,
                "This path does not take that method; see /api/v1/openapi.json.",
            )
        })
        .layer(DefaultBodyLimit::max(limit))
        // Outermost: bodies are inflated before the size limit counts them, so a small
        // compressed body that inflates past the limit is refused like a large one.
        .layer(
            tower_http::decompression::RequestDecompressionLayer::new()
                .pass_through_unaccepted(true),
        )
        // Answers are compressed for clients that ask (devices on slow links do).
        .layer(tower_http::compression::CompressionLayer::new())
        // One log line and one count per request; the request id outside both.
        .layer(crate::observe::logs::trace_layer())
        .layer(axum::middleware::from_fn_with_state(
            service.clone(),
            crate::observe::count,
        ))
        .layer(axum::middleware::from_fn(crate::observe::logs::request_id))
        .with_state(service)
}

/// Serves `service` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: OrgService,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(service).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
