//! The OpenAPI document of the HTTP API, generated from the handlers' `#[utoipa::path]`
//! attributes and the wire types' schemas, and served at `/api/v1/openapi.json`.
//!
//! The router registers every API route through `utoipa_axum::routes!` (`http::api_routes`),
//! which takes each route's path and method from the same attribute the document is made
//! from: a route cannot be served undocumented, nor documented and not served.

pub mod answers;

use std::sync::OnceLock;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Security requirement name: a device's bearer token, from enrollment.
pub const DEVICE_TOKEN: &str = "deviceToken";
/// Security requirement name: a staff API token (`shiftlog-server staff token` or the
/// dashboard's Tokens page), sent as a bearer token.
pub const STAFF_TOKEN: &str = "staffToken";
/// Security requirement name: the dashboard's session cookie.
pub const SESSION: &str = "session";

/// The document's head: its title, words for readers and the security schemes. The paths come
/// from the router.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "shiftlog organization server",
        version = "1",
        description = "Device sync (enroll, push, pull, catalogue, messages, statements) and the \
staff API behind the dashboard. Every error is JSON `{code, message}`: `code` is stable, for \
programs; `message` is a sentence a person can act on. Devices send their bearer token. Staff \
send a staff API token as a bearer token, or the dashboard's session cookie; with the cookie, a \
request that changes something also sends the session's CSRF token in the `X-CSRF-Token` header. \
This document is generated from the server's code (`shiftlog-server openapi` prints it).",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "device", description = "What an enrolled device calls: sync, catalogue, messages, statements"),
        (name = "staff", description = "The staff API behind the dashboard"),
        (name = "statements", description = "Public: statement keys and verifying a statement"),
        (name = "probes", description = "Health, readiness and metrics for operators")
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            DEVICE_TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The device token handed over once at enrollment (`/api/v1/enroll`).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            STAFF_TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A staff API token, scoped `summary` (acts as a viewer) or `coordinator`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::http::SESSION_COOKIE,
                "The dashboard's session, set by `/api/v1/staff/login`. A request that changes \
                 something also sends the session's CSRF token in `X-CSRF-Token`.",
            ))),
        );
    }
}

/// The document as a value (built from the router's routes).
pub fn spec() -> utoipa::openapi::OpenApi {
    crate::http::api_routes().into_openapi()
}

/// The document as JSON, built once.
pub fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut doc = serde_json::to_value(spec()).unwrap_or_else(|e| {
            // A document made of types the program holds always serializes.
            tracing::error!(error = %e, "cannot write the OpenAPI document");
            serde_json::Value::Null
        });
        plain_descriptions(&mut doc);
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    })
}

/// Descriptions come from doc comments, written for rustdoc: its links (`` [`KEYS_FORMAT`] ``)
/// become plain code words for the document's readers.
fn plain_descriptions(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    serde_json::Value::String(text) if key == "description" => {
                        *text = unlink(text);
                    }
                    _ => plain_descriptions(value),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(plain_descriptions),
        _ => {}
    }
}

/// `` [`crate::a::b`] `` → `` `a::b` ``; other text as it is.
fn unlink(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("[`") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("`]") {
            Some(end) => {
                let name = &after[..end];
                out.push('`');
                out.push_str(name.strip_prefix("crate::").unwrap_or(name));
                out.push('`');
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("[`");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
