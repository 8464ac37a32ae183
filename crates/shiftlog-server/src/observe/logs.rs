//! Request logs: one line per request with its method, route template, status, latency,
//! organization (once a device or staff member is known) and request id. The line is built
//! from those fields only: never a body, a query string, a raw path (ids and codes travel
//! in paths), a header, a cookie or a token.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Response};
use axum::middleware::Next;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::{field, Span};

/// The header a request id comes in and goes back in.
pub const REQUEST_ID: &str = "x-request-id";

/// Log output, `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// Plain text for a terminal.
    Text,
}

/// Sends `tracing` events to standard error in `format`, filtered by `filter` (RUST_LOG
/// syntax, e.g. `info` or `shiftlog_server=debug`; `info` when absent or invalid).
pub fn init(format: LogFormat, filter: Option<&str>) {
    let filter = filter
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.with_ansi(false).try_init(),
    };
}

/// An error and each of its causes, joined by `: `.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// The route template of a request (`/api/v1/staff/devices/{id}/revoke`), or `unmatched`.
pub(crate) fn route_of<B>(req: &axum::http::Request<B>) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string())
}

/// Records the organization a request acts for on its log line (called by the extractors
/// once they know it).
pub fn record_org(org_id: &str) {
    Span::current().record("org", org_id);
}

type MakeSpan = fn(&Request) -> Span;
type OnResponse = fn(&Response<Body>, Duration, &Span);

/// The request span and its one line, written when the answer's head is ready.
pub(crate) fn trace_layer(
) -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, MakeSpan, (), OnResponse, (), (), ()> {
    TraceLayer::new_for_http()
        .make_span_with(make_span as MakeSpan)
        .on_request(())
        .on_response(on_response as OnResponse)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

fn make_span(req: &Request) -> Span {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        method = %req.method(),
        route = %route_of(req),
        request_id = %id,
        org = field::Empty,
    )
}

/// Runs inside the request's span, so the line carries its fields.
fn on_response(res: &Response<Body>, latency: Duration, _span: &Span) {
    let status = res.status().as_u16();
    let latency_ms = (latency.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0;
    if status >= 500 {
        tracing::error!(status, latency_ms, "request failed");
    } else if status < 400 && res.extensions().get::<Quiet>().is_some() {
        tracing::debug!(status, latency_ms, "request");
    } else {
        tracing::info!(status, latency_ms, "request");
    }
}

/// Put in a probe's answer (`/healthz`, `/readyz`, `/metrics`), so its successes, asked
/// for every few seconds, are logged at `debug` only.
#[derive(Clone, Copy)]
pub(crate) struct Quiet;

/// Keeps a short plain incoming request id (at most 64 of `A-Z a-z 0-9 - _ .`), or makes
/// one, and returns it in the `x-request-id` header. Outside the trace layer, so the span
/// sees the id it will answer with.
pub(crate) async fn request_id(mut req: Request, next: Next) -> axum::response::Response {
    let kept = req
        .headers()
        .get(REQUEST_ID)
        .filter(|v| plain_id(v.as_bytes()))
        .cloned();
    let id = match kept {
        Some(v) => v,
        None => HeaderValue::from_str(&uuid::Uuid::new_v4().simple().to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("none")),
    };
    req.headers_mut().insert(REQUEST_ID, id.clone());
    let mut res = next.run(req).await;
    res.headers_mut().insert(REQUEST_ID, id);
    res
}

fn plain_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_kept() {
        assert!(plain_id(b"abc-123_x.y"));
        assert!(!plain_id(b""));
        assert!(!plain_id(&[b'a'; 65]));
        assert!(!plain_id(b"a b"));
        assert!(!plain_id(b"a\"}{"));
        assert!(!plain_id("é".as_bytes()));
    }

    #[test]
    fn a_chain_names_every_cause() {
        let io = std::io::Error::other("disk gone");
        let e = crate::StorageError::Io(io);
        assert_eq!(chain(&e), "io: disk gone: disk gone");
    }
}
