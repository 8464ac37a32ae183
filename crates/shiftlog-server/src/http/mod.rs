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
use axum::Router;
use shiftlog_wire::codes;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::ApiError;

use crate::{dashboard, OrgService};

/// The dashboard's session cookie.
pub const SESSION_COOKIE: &str = "shiftlog_session";
/// The header a dashboard page sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The API's routes with their OpenAPI description. Each `routes!` registers its handlers
/// under the path and method of their `#[utoipa::path]`, the same attribute the document
/// (`crate::openapi`) is made from.
pub(crate) fn api_routes() -> OpenApiRouter<OrgService> {
    OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .routes(routes!(device::info))
        .routes(routes!(device::enroll))
        .routes(routes!(device::push))
        .routes(routes!(device::device_catalogue))
        .routes(routes!(device::pull))
        .routes(routes!(download::export_csv))
        .routes(routes!(device::openapi))
        .routes(routes!(staff::login))
        .routes(routes!(staff::logout))
        .routes(routes!(staff::me))
        .routes(routes!(staff::organization::summary))
        .routes(routes!(download::summary_export))
        .routes(routes!(download::records_export))
        .routes(routes!(staff::organization::devices))
        .routes(routes!(staff::organization::revoke))
        .routes(routes!(staff::organization::enrollment_code))
        .routes(routes!(
            staff::organization::staff_catalogue,
            staff::organization::set_catalogue
        ))
        .routes(routes!(staff::organization::audit))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(
            staff::accounts::accounts,
            staff::accounts::add_account
        ))
        .routes(routes!(staff::accounts::set_role))
        .routes(routes!(staff::accounts::remove_account))
        .routes(routes!(staff::accounts::disable_account))
        .routes(routes!(staff::accounts::enable_account))
        .routes(routes!(staff::accounts::reset_password))
        .routes(routes!(staff::change_password))
        .routes(routes!(
            spikes::spike_settings,
            spikes::set_spike_thresholds
        ))
        .routes(routes!(spikes::spike_notices))
        .routes(routes!(messages::device_messages))
        .routes(routes!(messages::received))
        .routes(routes!(messages::list, messages::post))
        .routes(routes!(messages::withdraw))
        // Signed work statements: the device asks, anyone verifies (issue 14).
        .routes(routes!(statements::issue))
        .routes(routes!(statements::keys))
        .routes(routes!(statements::verify_api))
        .routes(routes!(
            statements::verify_page_get,
            statements::verify_page_post
        ))
        .merge(crate::observe::routes())
}

/// The router for `service`.
pub fn router(service: OrgService) -> Router {
    let limit = service.limits.max_body_bytes;
    let (api, _) = api_routes().split_for_parts();
    api.merge(dashboard::routes())
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
