//! Watching a running server: request logs ([`logs`]), Prometheus metrics ([`metrics`]) and
//! the health and readiness probes (`health`). The router takes these as layers and three
//! routes (`/healthz`, `/readyz`, `/metrics`); the service counts at the points where it
//! already decides (ingest answers, the login and rate limits, exports).

mod health;
pub mod logs;
pub mod metrics;

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use logs::LogFormat;
pub use metrics::Metrics;

use crate::{OrgService, ServiceError};

/// The probe and metrics routes, with their OpenAPI description.
pub(crate) fn routes() -> OpenApiRouter<OrgService> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
}

/// Counts every request under its method, route template and status.
pub(crate) async fn count(State(svc): State<OrgService>, req: Request, next: Next) -> Response {
    let method = match *req.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    let route = logs::route_of(&req);
    let started = Instant::now();
    let res = next.run(req).await;
    svc.metrics
        .http(method, &route, res.status().as_u16(), started.elapsed());
    res
}

impl OrgService {
    /// A refusal by the rate limit named `limit`, counted: `wait` seconds to wait.
    pub(crate) fn limited(&self, limit: &'static str, wait: u64) -> ServiceError {
        self.metrics.rate_limited(limit);
        ServiceError::RateLimited(wait)
    }
}
