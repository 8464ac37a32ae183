//! Messages to devices over HTTP on both backends: a device offline when a message was
//! posted gets it at its next fetch; expired and withdrawn messages are not sent; a revoked
//! device and another organization's devices get nothing; a role's message reaches only
//! workers with a shift in that role; viewers cannot post; receipts count each device once
//! and only for messages it was offered; bad text is a 400 with a code saying why.

mod common;

use chrono::{Duration, Utc};
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn device_get(r: &Running, token: &str) -> (u16, Value) {
    let resp = client()
        .get(format!("{}/api/v1/messages", r.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn received(r: &Running, token: &str, ids: Value) -> u16 {
    client()
        .post(format!("{}/api/v1/messages/received", r.base))
        .bearer_auth(token)
        .json(&json!({ "ids": ids }))
        .send()
        .await
        .expect("send")
        .status()
        .as_u16()
}

async fn post_message(r: &Running, s: &Session, body: Value) -> (u16, Value) {
    let resp = s
        .send(r, Method::POST, "/api/v1/staff/messages")
        .json(&body)
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}

fn later(hours: i64) -> String {
    (Utc::now() + Duration::hours(hours)).to_rfc3339()
}

fn ids(v: &Value) -> Vec<String> {
    v["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_string())
        .collect()
}

async fn listed(r: &Running, s: &Session, id: &str) -> Value {
    let list: Value = s
        .get(r, "/api/v1/staff/messages")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    list["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .find(|m| m["id"] == id)
        .cloned()
        .expect("listed")
}

async fn delivered(r: &Running, s: &Session, id: &str) -> u64 {
    listed(r, s, id).await["delivered"]
        .as_u64()
        .expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_reach_devices_and_are_counted() {
    for b in BACKENDS {
        let r = start(b).await;
        let a = enrolled(&r, "demo").await;
        let coord = staff_session(&r, "demo", "cora", "coordinator").await;
        // Posted while `late` has not even joined: it gets it at its first fetch.
        let (status, m) = post_message(
            &r,
            &coord,
            json!({"text": "  Strong batch going around downtown. Carry naloxone. ",
                   "urgency": "alert", "expires_at": later(24)}),
        )
        .await;
        assert_eq!(status, 201, "{b:?} {m}");
        let id = m["id"].as_str().expect("id").to_string();
        assert_eq!(
            m["text"],
            "Strong batch going around downtown. Carry naloxone."
        );
        let late = enrolled(&r, "demo").await;
        let (status, got) = device_get(&r, &late).await;
        assert_eq!(status, 200);
        assert_eq!(ids(&got), std::slice::from_ref(&id), "{b:?}");
        assert_eq!(got["messages"][0]["urgency"], "alert");
        assert!(got["messages"][0]["role"].is_null());

        // Receipts: repeats, unknown ids and rubbish do not inflate the count.
        assert_eq!(received(&r, &a, json!([id, id])).await, 204);
        assert_eq!(received(&r, &a, json!([id])).await, 204);
        assert_eq!(delivered(&r, &coord, &id).await, 1, "{b:?}");
        let unknown = uuid::Uuid::now_v7().to_string();
        assert_eq!(
            received(&r, &late, json!([unknown, "not-an-id", id])).await,
            204
        );
        assert_eq!(delivered(&r, &coord, &id).await, 2);

        // Another organization's device never sees it, nor counts for it.
        let other = enrolled(&r, "elsewhere").await;
        let (_, got) = device_get(&r, &other).await;
        assert!(ids(&got).is_empty(), "{b:?} {got}");
        assert_eq!(received(&r, &other, json!([id])).await, 204);
        assert_eq!(delivered(&r, &coord, &id).await, 2);

        // A revoked device is refused and gets nothing; its receipt stops counting.
        let devices: Value = coord
            .get(&r, "/api/v1/staff/devices")
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        let newest = devices.as_array().expect("devices")[0]["id"]
            .as_str()
            .expect("device id")
            .to_string();
        let resp = coord
            .send(
                &r,
                Method::POST,
                &format!("/api/v1/staff/devices/{newest}/revoke"),
            )
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 200);
        let (status, got) = device_get(&r, &late).await;
        assert_eq!(status, 401, "{b:?} {got}");
        assert_eq!(got["code"], "device_revoked");
        assert!(got.get("messages").is_none());
        assert_eq!(
            delivered(&r, &coord, &id).await,
            1,
            "revoked devices are not counted"
        );

        // Withdrawn: no longer sent.
        let resp = coord
            .send(
                &r,
                Method::POST,
                &format!("/api/v1/staff/messages/{id}/withdraw"),
            )
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 200);
        let (_, got) = device_get(&r, &a).await;
        assert!(ids(&got).is_empty(), "{b:?} withdrawn: {got}");

        // The audit log has both.
        let audit: Value = coord
            .get(&r, "/api/v1/staff/audit")
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        let actions: Vec<&str> = audit
            .as_array()
            .expect("audit")
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert!(actions.contains(&"post_message") && actions.contains(&"withdraw_message"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_messages_are_not_sent() {
    for b in BACKENDS {
        let r = start(b).await;
        let a = enrolled(&r, "demo").await;
        let coord = staff_session(&r, "demo", "cora", "coordinator").await;
        let (status, m) = post_message(
            &r,
            &coord,
            json!({"text": "Site closed tonight", "urgency": "notice",
                   "expires_at": (Utc::now() + Duration::seconds(2)).to_rfc3339()}),
        )
        .await;
        assert_eq!(status, 201, "{m}");
        let (_, got) = device_get(&r, &a).await;
        assert_eq!(ids(&got).len(), 1, "{b:?} live");
        tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
        let (_, got) = device_get(&r, &a).await;
        assert!(ids(&got).is_empty(), "{b:?} expired: {got}");
        let list: Value = coord
            .get(&r, "/api/v1/staff/messages")
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(list["messages"][0]["state"], "expired");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_message_reaches_workers_with_a_shift_in_that_role() {
    for b in BACKENDS {
        let r = start(b).await;
        let nav = enrolled(&r, "demo").await;
        let other = enrolled(&r, "demo").await;
        let shift = json!({
            "id": rid(1), "version": 1, "record_type": "shift", "kind": "shift",
            "occurred_at": "2026-11-03T09:00:00-08:00", "recorded_at": "2026-11-03T09:00:05-08:00",
            "body": {"started_at": "2026-11-03T09:00:00-08:00", "pay_type": "paid",
                     "role": "navigator"}
        });
        let (status, res) = push(&r, &nav, vec![shift]).await;
        assert_eq!(status, 200);
        assert_eq!(res["results"][0]["status"], "accepted", "{res}");
        let coord = staff_session(&r, "demo", "cora", "admin").await;
        let (status, m) = post_message(
            &r,
            &coord,
            json!({"text": "Navigators: housing office closed Friday", "urgency": "notice",
                   "role": "navigator", "expires_at": later(1)}),
        )
        .await;
        assert_eq!(status, 201, "{m}");
        let (_, got) = device_get(&r, &nav).await;
        assert_eq!(ids(&got).len(), 1, "{b:?}");
        assert_eq!(got["messages"][0]["role"], "navigator");
        let (_, got) = device_get(&r, &other).await;
        assert!(ids(&got).is_empty(), "{b:?} no navigator shift: {got}");
        // A role outside the catalogue is refused.
        let (status, e) = post_message(
            &r,
            &coord,
            json!({"text": "x", "urgency": "notice", "role": "police", "expires_at": later(1)}),
        )
        .await;
        assert_eq!((status, e["code"].as_str()), (400, Some("message_role")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_cannot_post_and_bad_messages_are_refused_with_a_code() {
    for b in BACKENDS {
        let r = start(b).await;
        let viewer = staff_session(&r, "demo", "vic", "viewer").await;
        let good = json!({"text": "hello", "urgency": "notice", "expires_at": later(1)});
        let (status, e) = post_message(&r, &viewer, good.clone()).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (403, Some("forbidden")),
            "{b:?}"
        );
        let resp = viewer
            .get(&r, "/api/v1/staff/messages")
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 200, "viewers see counts");

        // A viewer sees 1 to 4 devices as fewer than 5, like every protected count; the
        // coordinator sees the number.
        let coord0 = staff_session(&r, "demo", "cory", "coordinator").await;
        let (status, posted) = post_message(&r, &coord0, good.clone()).await;
        assert_eq!(status, 201, "{b:?} {posted}");
        let id = posted["id"].as_str().expect("id").to_string();
        let device = enrolled(&r, "demo").await;
        assert_eq!(received(&r, &device, json!([id])).await, 204);
        let v = listed(&r, &viewer, &id).await;
        assert!(v["delivered"].is_null(), "{b:?}: a viewer saw {v}");
        assert_eq!(v["delivered_fewer_than_5"], true);
        let c = listed(&r, &coord0, &id).await;
        assert_eq!(
            (c["delivered"].as_u64(), &c["delivered_fewer_than_5"]),
            (Some(1), &json!(false))
        );

        let coord = staff_session(&r, "demo", "cora", "coordinator").await;
        let cases = [
            (
                json!({"text": "   ", "urgency": "alert", "expires_at": later(1)}),
                "message_text_empty",
            ),
            (
                json!({"text": "a".repeat(501), "urgency": "alert", "expires_at": later(1)}),
                "message_text_too_long",
            ),
            (
                json!({"text": "bad\u{1b}[31m", "urgency": "alert", "expires_at": later(1)}),
                "message_text_not_plain",
            ),
            (
                json!({"text": "two\nlines", "urgency": "alert", "expires_at": later(1)}),
                "message_text_not_plain",
            ),
            (
                json!({"text": "flip\u{202e}", "urgency": "alert", "expires_at": later(1)}),
                "message_text_not_plain",
            ),
            (
                json!({"text": "ok", "urgency": "alert", "expires_at": later(-1)}),
                "message_expiry",
            ),
            (
                json!({"text": "ok", "urgency": "alert", "expires_at": later(31 * 24)}),
                "message_expiry",
            ),
            (
                json!({"text": "ok", "urgency": "alert", "expires_at": "tomorrow"}),
                "message_expiry",
            ),
            (
                json!({"text": "ok", "urgency": "urgent", "expires_at": later(1)}),
                "bad_request",
            ),
        ];
        for (body, code) in cases {
            let (status, e) = post_message(&r, &coord, body.clone()).await;
            assert_eq!(
                (status, e["code"].as_str()),
                (400, Some(code)),
                "{b:?} {body}: {e}"
            );
        }
        let (status, _) = post_message(
            &r,
            &coord,
            json!({"text": "a".repeat(500), "urgency": "alert", "expires_at": later(29 * 24)}),
        )
        .await;
        assert_eq!(status, 201, "500 characters and 29 days are fine");
        // Without the CSRF header, a session cannot post.
        let resp = client()
            .post(format!("{}/api/v1/staff/messages", r.base))
            .header("cookie", &coord.cookie)
            .json(&good)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 403);
    }
}
