//! Attack cases, all refused with a JSON error and nothing changed, on both backends.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn body(resp: reqwest::Response) -> (u16, Value) {
    let s = resp.status().as_u16();
    let text = resp.text().await.expect("text");
    (
        s,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({s}): {text}")),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_organizations_data_by_id_or_filter_is_out_of_reach() {
    for b in BACKENDS {
        let r = start(b).await;
        let south_device = enrolled(&r, "south").await;
        push(&r, &south_device, vec![record(&rid(5))]).await;
        let north = staff_session(&r, "north", "nora", "admin").await;
        let south_id = call(&r.service, move |s| {
            s.authenticate_device(&south_device).expect("dev").device_id
        })
        .await;

        // Revoking the other organization's device by its id: not found, and it still works.
        let (s, e) = body(
            north
                .send(
                    &r,
                    Method::POST,
                    &format!("/api/v1/staff/devices/{south_id}/revoke"),
                )
                .send()
                .await
                .expect("revoke"),
        )
        .await;
        assert_eq!((s, e["code"].as_str()), (404, Some("not_found")), "{b:?}");
        let south_token = enrolled(&r, "south").await;
        let (s, _) = push(&r, &south_token, vec![record(&rid(6))]).await;
        assert_eq!(s, 200);

        // Lists, summaries and exports only ever hold the caller's organization.
        let (_, devices) = body(
            north
                .get(&r, "/api/v1/staff/devices")
                .send()
                .await
                .expect("d"),
        )
        .await;
        assert_eq!(devices, json!([]));
        let (_, t) = body(
            north
                .get(
                    &r,
                    "/api/v1/staff/summary?measure=activities&unsuppressed=true",
                )
                .send()
                .await
                .expect("s"),
        )
        .await;
        assert_eq!(
            t["rows"],
            json!([{"label": "total", "cells": [0]}]),
            "{b:?}"
        );
        let csv = north
            .get(&r, "/api/v1/staff/records/export?format=csv")
            .send()
            .await
            .expect("e")
            .text()
            .await
            .expect("t");
        assert_eq!(csv.lines().count(), 1, "header only: {csv}");
        // An organization cannot be picked by a parameter: there is none to pick.
        let (s, e) = body(
            north
                .get(&r, "/api/v1/staff/records/export?format=csv&org=south")
                .send()
                .await
                .expect("e"),
        )
        .await;
        assert_eq!((s, e["code"].as_str()), (400, Some("bad_request")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injection_strings_and_bad_parameters_are_refused() {
    for b in BACKENDS {
        let r = start(b).await;
        let device = enrolled(&r, "demo").await;
        push(&r, &device, vec![record(&rid(1))]).await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let evil = [
            "x' OR '1'='1",
            "1; DROP TABLE records; --",
            "v6a%27%20OR%201=1",
            "../../etc/passwd",
            "<script>alert(1)</script>",
        ];
        for e in evil {
            let enc: String = url_encode(e);
            for q in [
                format!("/api/v1/staff/summary?measure=activities&area={enc}"),
                format!("/api/v1/staff/summary?measure=activities&kind={enc}"),
                format!("/api/v1/staff/summary?measure=activities&from={enc}"),
                format!("/api/v1/staff/summary?measure={enc}"),
                format!("/api/v1/staff/summary?measure=activities&by={enc}"),
                format!("/api/v1/staff/records/export?format=csv&area={enc}"),
                format!("/api/v1/staff/records/export?format=csv&record_type={enc}"),
                format!("/api/v1/staff/records/export?format={enc}"),
            ] {
                let (s, err) = body(admin.get(&r, &q).send().await.expect("send")).await;
                assert_eq!(
                    (s, err["code"].as_str()),
                    (400, Some("bad_request")),
                    "{b:?} {q}"
                );
            }
            let (s, _) = body(
                admin
                    .send(
                        &r,
                        Method::POST,
                        &format!("/api/v1/staff/devices/{enc}/revoke"),
                    )
                    .send()
                    .await
                    .expect("send"),
            )
            .await;
            assert!(s == 400 || s == 404, "{s} for {e}");
        }
        let records = export(&r, "demo").await;
        assert!(records.contains(&rid(1)), "the table is still there");
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_tokens_and_csrf_are_enforced() {
    for b in BACKENDS {
        let r = start(b).await;
        let device = enrolled(&r, "demo").await;
        let viewer = staff_session(&r, "demo", "vic", "viewer").await;
        let coord = staff_session(&r, "demo", "cora", "coordinator").await;

        // A viewer asking for unsuppressed data, or for coordinators' work.
        for (method, path, payload) in [
            (
                Method::GET,
                "/api/v1/staff/summary?measure=activities&unsuppressed=true",
                None,
            ),
            (
                Method::POST,
                "/api/v1/staff/enrollment-codes",
                Some(json!({})),
            ),
            (Method::GET, "/api/v1/staff/audit", None),
            (Method::GET, "/api/v1/staff/accounts", None),
        ] {
            let mut req = viewer.send(&r, method, path);
            if let Some(p) = payload {
                req = req.json(&p);
            }
            let (s, e) = body(req.send().await.expect("send")).await;
            assert_eq!(
                (s, e["code"].as_str()),
                (403, Some("forbidden")),
                "{b:?} {path}"
            );
        }
        // A coordinator cannot make accounts or change roles.
        let (s, _) = body(
            coord
                .send(&r, Method::POST, "/api/v1/staff/accounts")
                .json(
                    &json!({"username": "mallory", "password": "long enough pw", "role": "admin"}),
                )
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(s, 403);
        // A device token is not a staff credential; a staff token is not a device's.
        let (s, _) = body(
            client()
                .get(format!("{}/api/v1/staff/devices", r.base))
                .bearer_auth(&device)
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(s, 401);
        // No cookie at all, and a forged cookie.
        for cookie in [None, Some("shiftlog_session=forged")] {
            let mut req = client().get(format!("{}/api/v1/staff/me", r.base));
            if let Some(c) = cookie {
                req = req.header("cookie", c);
            }
            let (s, e) = body(req.send().await.expect("send")).await;
            assert_eq!((s, e["code"].as_str()), (401, Some("unauthorized")));
        }
        // A revoked token gets the plain-words answer on every device endpoint.
        let d = device.clone();
        call(&r.service, move |s| {
            let id = s.authenticate_device(&d).expect("dev").device_id;
            s.store().revoke_device("demo", id).expect("revoke");
        })
        .await;
        let (s, e) = body(
            client()
                .get(format!("{}/api/v1/catalogue", r.base))
                .bearer_auth(&device)
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!((s, e["code"].as_str()), (401, Some("device_revoked")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_bodies_get_json_errors() {
    for b in BACKENDS {
        let limits = shiftlog_server::Limits {
            max_body_bytes: 64 * 1024,
            device_requests_per_minute: 5,
            ..Default::default()
        };
        let r = start_on(std::sync::Arc::new(TestDb::new(b)), limits).await;
        let device = enrolled(&r, "demo").await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let big = "x".repeat(100 * 1024);
        for (path, token) in [
            ("/api/v1/push", Some(&device)),
            ("/api/v1/enroll", None),
            ("/api/v1/staff/login", None),
        ] {
            let mut req = client()
                .post(format!("{}{path}", r.base))
                .header("content-type", "application/json")
                .body(format!("{{\"pad\": \"{big}\"}}"));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let (s, e) = body(req.send().await.expect("send")).await;
            assert_eq!(
                (s, e["code"].as_str()),
                (413, Some("payload_too_large")),
                "{path}"
            );
        }
        for bad in ["", "{", "[]", "{\"activity_kinds\": 5}", "{\"unknown\": 1}"] {
            let (s, e) = body(
                admin
                    .send(&r, Method::PUT, "/api/v1/staff/catalogue")
                    .header("content-type", "application/json")
                    .body(bad)
                    .send()
                    .await
                    .expect("send"),
            )
            .await;
            assert_eq!((s, e["code"].as_str()), (400, Some("bad_request")), "{bad}");
        }
        let (s, _) = body(
            client()
                .post(format!("{}/api/v1/enroll", r.base))
                .json(&json!({"code": "A".repeat(10_000), "device_name": "x"}))
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(s, 400);
        // Per-device rate limit: the sixth request in a minute waits.
        let mut statuses = Vec::new();
        for _ in 0..6 {
            statuses.push(push(&r, &device, vec![]).await.0);
        }
        // The oversized push above was the first of the minute.
        assert_eq!(statuses, [200, 200, 200, 200, 429, 429], "{b:?}");
    }
}

/// Found by schemathesis: PostgreSQL refuses NUL in text, so control characters must be
/// refused (or dropped from facts) before they reach any backend.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_are_refused_before_storage() {
    for b in BACKENDS {
        let r = start(b).await;
        let device = enrolled(&r, "demo").await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let (s, e) = body(
            admin
                .send(&r, Method::PUT, "/api/v1/staff/catalogue")
                .json(&json!({"activity_kinds": [{"id": "x", "label": "a\u{0}b"}],
                    "supply_items": [], "areas": [], "roles": [], "retention_days": 30}))
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!((s, e["code"].as_str()), (400, Some("bad_request")), "{b:?}");
        let code = call(&r.service, |s| s.new_enrollment_code("demo").expect("code")).await;
        let (s, _) = body(
            client()
                .post(format!("{}/api/v1/enroll", r.base))
                .json(&json!({"code": code, "device_name": "phone\u{0}"}))
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(s, 400);
        let (s, _) = login(&r, "ada\u{0}", "whatever")
            .await
            .err()
            .expect("refused");
        assert_eq!(s, 401);
        let mut rec = record(&rid(9));
        rec["body"]["area"] = json!("v6a\u{0}");
        rec["body"]["note"] = json!("nul \u{0} inside");
        let mut bad_kind = record(&rid(10));
        bad_kind["kind"] = json!("meal\u{0}");
        let (s, resp) = push(&r, &device, vec![rec, bad_kind]).await;
        assert_eq!(s, 200, "{b:?}: {resp}");
        // Refused per record with a reason (the record model's rule), never stored.
        assert_eq!(resp["results"][0]["status"], "rejected");
        assert_eq!(resp["results"][1]["status"], "rejected");
    }
}

/// Every guarded route of the OpenAPI document asks who is calling before it reads anything:
/// without credentials, or with the other side's credential, a malformed query or body is
/// answered 401, not with a validation error; a dashboard session that changes something
/// without its CSRF token is answered 403 before its body is read. A new route whose handler
/// forgets the `Staff` or `Device` extractor fails here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_guarded_route_asks_who_before_reading_anything() {
    // Probes are open; /metrics answers callers on the server's own machine without a token
    // (tests/observability.rs checks it refuses forwarded and remote callers). Statement keys
    // and verifying are public by design (limited per address; tests/statements.rs).
    const OPEN: [&str; 10] = [
        "/api/v1/info",
        "/api/v1/enroll",
        "/api/v1/openapi.json",
        "/api/v1/staff/login",
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/statement-keys/{org_id}",
        "/api/v1/statements/verify",
        "/verify",
    ];
    const DEVICE: [&str; 6] = [
        "/api/v1/push",
        "/api/v1/catalogue",
        "/api/v1/records",
        "/api/v1/messages",
        "/api/v1/messages/received",
        "/api/v1/statements",
    ];
    for b in BACKENDS {
        let r = start(b).await;
        let device = enrolled(&r, "demo").await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let staff_token = call(&r.service, |s| {
            s.new_staff_token("demo", "t").expect("token")
        })
        .await;
        let doc: Value = client()
            .get(format!("{}/api/v1/openapi.json", r.base))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        let (mut staff_routes, mut device_routes) = (0, 0);
        for (path, item) in doc["paths"].as_object().expect("paths") {
            if OPEN.contains(&path.as_str()) {
                continue;
            }
            let is_device = DEVICE.contains(&path.as_str());
            let url = format!(
                "{}{}?measure=nonsense&format=zip&limit=x&after=-1",
                r.base,
                path.replace("{id}", "not-an-id")
            );
            let methods = ["get", "post", "put", "delete"];
            for m in methods.iter().filter(|m| item.get(**m).is_some()) {
                let method = Method::from_bytes(m.to_uppercase().as_bytes()).expect("method");
                let bad = || {
                    client()
                        .request(method.clone(), &url)
                        .header("content-type", "application/json")
                        .body("{")
                };
                let wrong = if is_device { &staff_token } else { &device };
                for req in [bad(), bad().bearer_auth(wrong)] {
                    let (s, e) = body(req.send().await.expect("send")).await;
                    assert_eq!(
                        (s, e["code"].as_str()),
                        (401, Some("unauthorized")),
                        "{b:?} {m} {path}"
                    );
                }
                if is_device {
                    device_routes += 1;
                } else if method != Method::GET {
                    let req = bad().header("cookie", &admin.cookie);
                    let (s, e) = body(req.send().await.expect("send")).await;
                    assert_eq!(
                        (s, e["code"].as_str()),
                        (403, Some("csrf_token_missing")),
                        "{b:?} {m} {path}"
                    );
                    staff_routes += 1;
                } else {
                    staff_routes += 1;
                }
            }
        }
        assert_eq!(device_routes, DEVICE.len(), "{b:?}");
        assert!(
            staff_routes >= 15,
            "{b:?}: read {staff_routes} staff routes"
        );
    }
}
