use serde_json::Value;

use super::*;

fn doc() -> Value {
    serde_json::from_str(document()).expect("valid JSON")
}

/// Every (method, path) of the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            ops.push((method.clone(), path.clone(), op.clone()));
        }
    }
    ops
}

/// Routes can only be added through `routes!`, which takes them from `#[utoipa::path]`: a
/// plain `.route(` in the router would be served and left out of the document.
#[test]
fn the_router_adds_api_routes_only_through_their_openapi_attribute() {
    for (file, src) in [
        ("http/mod.rs", include_str!("../http/mod.rs")),
        ("observe/mod.rs", include_str!("../observe/mod.rs")),
    ] {
        let plain = src.matches(concat!(".route", "(")).count();
        assert_eq!(plain, 0, "{file} registers a route without routes!");
        assert!(src.contains("routes!("), "{file}");
    }
}

/// The document holds each route of the API, with the methods each takes, and no other.
#[test]
fn the_document_lists_every_route_and_method() {
    let mut got: Vec<String> = operations(&doc())
        .into_iter()
        .map(|(m, p, _)| format!("{} {p}", m.to_uppercase()))
        .collect();
    got.sort();
    let mut want = vec![
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
        "GET /api/v1/info",
        "POST /api/v1/enroll",
        "POST /api/v1/push",
        "GET /api/v1/catalogue",
        "GET /api/v1/records",
        "GET /api/v1/export/activities.csv",
        "GET /api/v1/openapi.json",
        "GET /api/v1/messages",
        "POST /api/v1/messages/received",
        "POST /api/v1/staff/login",
        "POST /api/v1/staff/logout",
        "GET /api/v1/staff/me",
        "POST /api/v1/staff/me/password",
        "GET /api/v1/staff/summary",
        "GET /api/v1/staff/summary/export",
        "GET /api/v1/staff/records/export",
        "GET /api/v1/staff/devices",
        "POST /api/v1/staff/devices/{id}/revoke",
        "POST /api/v1/staff/enrollment-codes",
        "GET /api/v1/staff/catalogue",
        "PUT /api/v1/staff/catalogue",
        "GET /api/v1/staff/audit",
        "GET /api/v1/staff/tokens",
        "POST /api/v1/staff/tokens",
        "POST /api/v1/staff/tokens/{id}/revoke",
        "GET /api/v1/staff/accounts",
        "POST /api/v1/staff/accounts",
        "DELETE /api/v1/staff/accounts/{id}",
        "PUT /api/v1/staff/accounts/{id}/role",
        "POST /api/v1/staff/accounts/{id}/disable",
        "POST /api/v1/staff/accounts/{id}/enable",
        "PUT /api/v1/staff/accounts/{id}/password",
        "GET /api/v1/staff/spike-thresholds",
        "PUT /api/v1/staff/spike-thresholds",
        "GET /api/v1/staff/spike-notices",
        "GET /api/v1/staff/messages",
        "POST /api/v1/staff/messages",
        "POST /api/v1/staff/messages/{id}/withdraw",
        "POST /api/v1/statements",
        "GET /api/v1/statement-keys/{org_id}",
        "POST /api/v1/statements/verify",
        "GET /verify",
        "POST /verify",
    ];
    want.sort();
    assert_eq!(got, want);
}

/// Every documented route and method is served: none answers with the router's "no such
/// path" or "wrong method" fallbacks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_served() {
    let dir = tempfile::tempdir().expect("dir");
    let store = crate::SqliteStorage::open(dir.path()).expect("open");
    let svc = crate::OrgService::new(std::sync::Arc::new(store), crate::Limits::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(crate::http::serve(
        listener,
        svc,
        std::future::pending::<()>(),
    ));
    let client = reqwest::Client::new();
    let ops = operations(&doc());
    assert!(ops.len() >= 46, "{} operations", ops.len());
    for (method, path, _) in ops {
        let url = format!(
            "{base}{}",
            path.replace("{id}", &uuid::Uuid::nil().to_string())
                .replace("{org_id}", "demo")
        );
        let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let resp = client.request(m, &url).send().await.expect("send");
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap_or_default();
        assert_ne!(status, 405, "{method} {path}: {body}");
        assert!(
            !(status == 404 && body.contains("No such path")),
            "{method} {path} is not served"
        );
    }
}

/// Every refusal is described with the JSON error body (the verify page's 404 is the page).
#[test]
fn refusals_carry_the_error_body() {
    let doc = doc();
    let mut refusals = 0;
    for (method, path, op) in operations(&doc) {
        for (status, answer) in op["responses"].as_object().expect("responses") {
            if !status.starts_with('4') && !status.starts_with('5') {
                continue;
            }
            let content = &answer["content"];
            if content.get("text/html").is_some() {
                assert_eq!(
                    (method.as_str(), path.as_str(), status.as_str()),
                    ("get", "/verify", "404")
                );
                continue;
            }
            assert_eq!(
                content["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody",
                "{method} {path} {status}"
            );
            assert!(
                answer["description"].as_str().is_some_and(|d| d.len() > 5),
                "{method} {path} {status} says nothing"
            );
            refusals += 1;
        }
    }
    assert!(refusals > 100, "{refusals}");
    let error = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(error["required"], serde_json::json!(["code", "message"]));
}

/// A route that needs a token says which one, names a defined scheme, and documents the 401;
/// a rate-limited answer says how long to wait.
#[test]
fn security_and_limits_are_documented() {
    let doc = doc();
    let schemes = doc["components"]["securitySchemes"]
        .as_object()
        .expect("schemes");
    assert_eq!(schemes[DEVICE_TOKEN]["scheme"], "bearer");
    assert_eq!(schemes[STAFF_TOKEN]["scheme"], "bearer");
    assert_eq!(schemes[SESSION]["in"], "cookie");
    assert_eq!(schemes[SESSION]["name"], crate::http::SESSION_COOKIE);
    let mut staff = 0;
    let mut device = 0;
    for (method, path, op) in operations(&doc) {
        let names: Vec<&str> = op["security"]
            .as_array()
            .map(|reqs| {
                reqs.iter()
                    .flat_map(|r| r.as_object().expect("requirement").keys())
                    .map(String::as_str)
                    .collect()
            })
            .unwrap_or_default();
        for n in &names {
            assert!(schemes.contains_key(*n), "{method} {path}: {n}");
        }
        if path.starts_with("/api/v1/staff/") && path != "/api/v1/staff/login" {
            assert_eq!(names, [STAFF_TOKEN, SESSION], "{method} {path}");
            staff += 1;
        }
        if names == [DEVICE_TOKEN] {
            device += 1;
        }
        if !names.is_empty() {
            assert!(op["responses"]["401"].is_object(), "{method} {path}");
        }
        if let Some(limited) = op["responses"].get("429") {
            assert!(
                limited["headers"]["Retry-After"].is_object(),
                "{method} {path}"
            );
        }
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{method} {path} has no summary"
        );
        assert!(op["operationId"].is_string(), "{method} {path}");
    }
    assert_eq!(staff, 28, "staff operations");
    assert_eq!(device, 6, "device operations");
}

/// Every `$ref` names a schema the document holds (parameters' types are not collected on
/// their own, so an enum only used in a query would be missing).
#[test]
fn every_reference_resolves() {
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let doc = doc();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 100, "{} references", found.len());
    for r in found {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r}: not a schema reference"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{r} does not resolve"
        );
    }
}

#[test]
fn rustdoc_links_read_as_code_words() {
    assert_eq!(
        unlink("Always [`KEYS_FORMAT`]; over [`crate::canonical::signed_bytes`]."),
        "Always `KEYS_FORMAT`; over `canonical::signed_bytes`."
    );
    assert_eq!(unlink("a [`broken"), "a [`broken");
    assert!(!document().contains("[`"));
}
