//! The staff dashboard: static pages embedded in the binary. They call the same JSON API as
//! everything else (`/api/v1/staff/…`); nothing here decides anything.

use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::OrgService;

/// Content-Security-Policy of the pages: only their own scripts and styles, no CDN.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'";

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Routes of the dashboard.
pub fn routes() -> Router<OrgService> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard/") }))
        .route(
            "/dashboard/",
            get(|| async {
                asset(
                    "text/html; charset=utf-8",
                    include_str!("../dashboard/index.html"),
                )
            }),
        )
        .route(
            "/dashboard/app.js",
            get(|| async {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../dashboard/app.js"),
                )
            }),
        )
        .route(
            "/dashboard/tokens.js",
            get(|| async {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../dashboard/tokens.js"),
                )
            }),
        )
        .route(
            "/dashboard/messages.js",
            get(|| async {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../dashboard/messages.js"),
                )
            }),
        )
        .route(
            "/dashboard/spikes.js",
            get(|| async {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../dashboard/spikes.js"),
                )
            }),
        )
        .route(
            "/dashboard/chart.js",
            get(|| async {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../dashboard/chart.js"),
                )
            }),
        )
        .route(
            "/dashboard/i18n.js",
            get(|| async {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("../dashboard/i18n.js"),
                )
            }),
        )
        .route(
            "/dashboard/style.css",
            get(|| async {
                asset(
                    "text/css; charset=utf-8",
                    include_str!("../dashboard/style.css"),
                )
            }),
        )
}
