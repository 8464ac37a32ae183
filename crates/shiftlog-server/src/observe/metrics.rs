//! Prometheus metrics: aggregate counts only. No label ever holds an organization, a worker
//! pseudonym, a username, a token or any id; labels are route templates, status codes,
//! reason codes, export kinds and limiter names, all from small fixed sets.
//!
//! Each [`OrgService`] has a registry of its own (the `prometheus` crate, not a process-wide
//! recorder), so servers in one test process never see each other's counts.

use std::sync::Arc;
use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry,
    TextEncoder,
};
use shiftlog_wire::{RecordResult, RecordStatus};

use crate::OrgService;

/// The server's metrics, and who may read them.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
    /// With a token, `/metrics` asks for it (`Authorization: Bearer`) from everyone; without
    /// one it answers loopback callers only.
    pub(crate) token: Option<Arc<str>>,
}

struct Inner {
    registry: Registry,
    records: IntCounterVec,
    rejected: IntCounterVec,
    push_seconds: Histogram,
    exports: IntCounterVec,
    login_failures: IntCounter,
    rate_limited: IntCounterVec,
    http_requests: IntCounterVec,
    http_seconds: HistogramVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// A counter family; the names and help texts are constants, so this cannot fail.
fn counter_vec(r: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
    r.register(Box::new(c.clone())).expect("registered once");
    c
}

impl Metrics {
    /// A fresh registry with every metric at zero.
    pub fn new() -> Self {
        let r = Registry::new();
        let records = counter_vec(
            &r,
            "shiftlog_records_total",
            "Pushed records by answer (accepted, already_had, rejected, superseded, conflict).",
            &["result"],
        );
        let rejected = counter_vec(
            &r,
            "shiftlog_records_rejected_total",
            "Pushed records refused, by reason code.",
            &["reason"],
        );
        let push_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "shiftlog_push_duration_seconds",
                "Time to check and store one push.",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
        )
        .expect("valid metric");
        r.register(Box::new(push_seconds.clone()))
            .expect("registered once");
        let exports = counter_vec(
            &r,
            "shiftlog_exports_total",
            "Staff exports by what (records, summary) and format.",
            &["what", "format"],
        );
        let login_failures = IntCounter::new(
            "shiftlog_login_failures_total",
            "Staff sign-ins refused for a wrong name or password.",
        )
        .expect("valid metric");
        r.register(Box::new(login_failures.clone()))
            .expect("registered once");
        let rate_limited = counter_vec(
            &r,
            "shiftlog_rate_limited_total",
            "Requests refused by a rate limit, by limit (device, login, enroll, password).",
            &["limit"],
        );
        let http_requests = counter_vec(
            &r,
            "shiftlog_http_requests_total",
            "HTTP requests by method, route template and status.",
            &["method", "route", "status"],
        );
        let http_seconds = HistogramVec::new(
            HistogramOpts::new(
                "shiftlog_http_request_duration_seconds",
                "HTTP request latency by route template.",
            ),
            &["route"],
        )
        .expect("valid metric");
        r.register(Box::new(http_seconds.clone()))
            .expect("registered once");
        Metrics {
            inner: Arc::new(Inner {
                registry: r,
                records,
                rejected,
                push_seconds,
                exports,
                login_failures,
                rate_limited,
                http_requests,
                http_seconds,
            }),
            token: None,
        }
    }

    /// Counts a push's answers and how long it took.
    pub(crate) fn push(&self, answers: &[RecordResult], took: Duration) {
        let m = &self.inner;
        m.push_seconds.observe(took.as_secs_f64());
        for a in answers {
            let result = match a.status {
                RecordStatus::Accepted => "accepted",
                RecordStatus::AlreadyHad => "already_had",
                RecordStatus::Rejected => "rejected",
                RecordStatus::Superseded => "superseded",
                RecordStatus::Conflict => "conflict",
            };
            m.records.with_label_values(&[result]).inc();
            if a.status == RecordStatus::Rejected {
                let reason = a.reason_code.as_deref().map_or("none", label);
                m.rejected.with_label_values(&[reason]).inc();
            }
        }
    }

    /// Counts one export.
    pub(crate) fn export(&self, what: &'static str, format: crate::export::Format) {
        self.inner
            .exports
            .with_label_values(&[what, format.ext()])
            .inc();
    }

    /// Counts one refused sign-in.
    pub(crate) fn login_failed(&self) {
        self.inner.login_failures.inc();
    }

    /// Counts one request refused by the limit named `limit`.
    pub(crate) fn rate_limited(&self, limit: &'static str) {
        self.inner.rate_limited.with_label_values(&[limit]).inc();
    }

    /// Counts one HTTP request under its route template (never its raw path).
    pub(crate) fn http(&self, method: &str, route: &str, status: u16, took: Duration) {
        let m = &self.inner;
        m.http_requests
            .with_label_values(&[label(method), route, &status.to_string()])
            .inc();
        m.http_seconds
            .with_label_values(&[route])
            .observe(took.as_secs_f64());
    }

    /// The text exposition format.
    pub(crate) fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding into a Vec fails only on a metric that cannot be written; none here.
        let _ = TextEncoder::new().encode(&self.inner.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// A label value from a code: kept when it is a short plain code, `other` otherwise, so a
/// label can never carry text someone sent.
fn label(code: &str) -> &str {
    let plain = !code.is_empty()
        && code.len() <= 40
        && code.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
        });
    if plain {
        code
    } else {
        "other"
    }
}

impl OrgService {
    /// The same service, answering `/metrics` only to requests that carry `token` as a
    /// bearer token (from any address) instead of to loopback callers.
    pub fn with_metrics_token(mut self, token: Option<String>) -> Self {
        self.metrics.token = token.filter(|t| !t.is_empty()).map(Arc::from);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_plain_codes_only() {
        assert_eq!(label("unknown_kind"), "unknown_kind");
        assert_eq!(label("GET"), "GET");
        assert_eq!(label("W-0F9B2C11"), "other");
        assert_eq!(label("a b"), "other");
        assert_eq!(label(&"x".repeat(41)), "other");
    }
}
