//! A device revoked by staff is refused on its very next request, on SQLite and PostgreSQL:
//! every device route (JSON and packed pushes, hostile bodies included, pull, catalogue,
//! messages, receipts, statements) answers 401 `device_revoked` with a sentence that says
//! what to do, and nothing of a refused push is stored. Revoked through one instance, it is
//! refused by another instance over the same database (nothing remembered per instance), and
//! by one started afterwards. Pushes racing the revocation: every push that starts after the
//! revocation was answered is refused, and so is one whose token was checked before it but
//! whose body ended after it (the save checks again, in its own transaction): nothing of it
//! is stored. A push answered 200 is stored whole.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use reqwest::Method;
use serde_json::{json, Value};
use shiftlog_server::{Limits, RecordFilter};
use shiftlog_wire::packed::{self, CONTENT_TYPE};
use shiftlog_wire::{PushRequest, RecordEnvelope};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ORG: &str = "demo";

async fn answer(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(json!(text)))
}

fn packed_body(records: &[Value]) -> Vec<u8> {
    packed::encode(&PushRequest {
        protocol: packed::PROTOCOL,
        lang: Some("en".into()),
        records: records
            .iter()
            .map(|r| serde_json::from_value::<RecordEnvelope>(r.clone()).expect("envelope"))
            .collect(),
    })
}

async fn push_json(base: &str, token: &str, protocol: u32, records: &[Value]) -> (u16, Value) {
    answer(
        client()
            .post(format!("{base}/api/v1/push"))
            .bearer_auth(token)
            .json(&json!({"protocol": protocol, "records": records}))
            .send()
            .await
            .expect("send"),
    )
    .await
}

async fn push_packed(base: &str, token: &str, body: Vec<u8>) -> (u16, Value) {
    answer(
        client()
            .post(format!("{base}/api/v1/push"))
            .bearer_auth(token)
            .header("content-type", CONTENT_TYPE)
            .body(body)
            .send()
            .await
            .expect("send"),
    )
    .await
}

/// Each record's version on the server, by id (read through the store, both backends).
async fn stored(r: &Running) -> BTreeMap<String, i64> {
    call(&r.service, |s| {
        let mut out = BTreeMap::new();
        s.store()
            .export_records(ORG, &RecordFilter::default(), &mut |row| {
                out.insert(row.id, row.version);
                Ok(())
            })
            .expect("export");
        out
    })
    .await
}

fn assert_accepted(what: &str, (status, body): &(u16, Value), n: usize) {
    assert_eq!(*status, 200, "{what}: {body}");
    let results = body["results"].as_array().expect("results");
    assert_eq!(results.len(), n, "{what}: {body}");
    assert!(
        results.iter().all(|r| r["status"] == "accepted"),
        "{what}: {body}"
    );
}

/// 401 `device_revoked`, with a sentence a worker can act on.
fn assert_revoked(what: &str, (status, body): &(u16, Value)) {
    assert_eq!(
        (*status, body["code"].as_str()),
        (401, Some("device_revoked")),
        "{what}: {body}"
    );
    let message = body["message"].as_str().unwrap_or("");
    assert!(
        message.contains("removed by your organization")
            && message.contains("records stay on the device")
            && message.contains("new code"),
        "{what}: not actionable: {message:?}"
    );
}

/// The device's id, as staff see it.
async fn device_id(r: &Running, token: &str) -> String {
    let t = token.to_string();
    call(&r.service, move |s| {
        s.authenticate_device(&t)
            .expect("device")
            .device_id
            .to_string()
    })
    .await
}

async fn revoke(r: &Running, staff: &Session, id: &str) {
    let (status, body) = answer(
        staff
            .send(
                r,
                Method::POST,
                &format!("/api/v1/staff/devices/{id}/revoke"),
            )
            .send()
            .await
            .expect("revoke"),
    )
    .await;
    assert_eq!(
        (status, body["revoked"].as_str()),
        (200, Some(id)),
        "{body}"
    );
}

/// Every device route, with `token`, is refused as revoked.
async fn refused_everywhere(base: &str, token: &str, what: &str) {
    let c = client();
    let mut edit = record(&rid(1));
    edit["version"] = json!(2);
    edit["body"]["items"][0]["quantity"] = json!(9);
    let fresh: Vec<Value> = (100..105).map(|n| record(&rid(n))).collect();
    let mut with_edit = fresh.clone();
    with_edit.push(edit.clone());
    assert_revoked(
        &format!("{what}: JSON push"),
        &push_json(base, token, 1, &with_edit).await,
    );
    assert_revoked(
        &format!("{what}: JSON push, protocol 2"),
        &push_json(base, token, 2, &fresh).await,
    );
    assert_revoked(
        &format!("{what}: packed push"),
        &push_packed(base, token, packed_body(&with_edit)).await,
    );
    // Revocation is checked before the body is read: hostile or unknown bodies get the same.
    assert_revoked(
        &format!("{what}: packed garbage"),
        &push_packed(base, token, vec![0xff; 64]).await,
    );
    assert_revoked(
        &format!("{what}: protocol 99"),
        &push_json(base, token, 99, &fresh).await,
    );
    let routes: Vec<(&str, reqwest::RequestBuilder)> = vec![
        ("pull", c.get(format!("{base}/api/v1/records?after=0"))),
        (
            "pull, bad cursor",
            c.get(format!("{base}/api/v1/records?after=x")),
        ),
        ("catalogue", c.get(format!("{base}/api/v1/catalogue"))),
        ("messages", c.get(format!("{base}/api/v1/messages"))),
        (
            "messages received",
            c.post(format!("{base}/api/v1/messages/received"))
                .json(&json!({"ids": []})),
        ),
        (
            "statement",
            c.post(format!("{base}/api/v1/statements"))
                .json(&json!({"from": "2026-11-01", "to": "2026-11-30"})),
        ),
    ];
    for (name, req) in routes {
        let got = answer(req.bearer_auth(token).send().await.expect("send")).await;
        assert_revoked(&format!("{what}: {name}"), &got);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_device_is_refused_on_every_route_and_nothing_it_sends_is_stored() {
    for b in BACKENDS {
        let r = start(b).await;
        let phone = enrolled(&r, ORG).await;
        let laptop = enrolled(&r, ORG).await;
        let staff = staff_session(&r, ORG, "cora", "coordinator").await;

        // Before: the phone pushes (JSON and packed) and pulls.
        let first: Vec<Value> = (1..4).map(|n| record(&rid(n))).collect();
        let packed_first: Vec<Value> = (4..7).map(|n| record(&rid(n))).collect();
        assert_accepted(
            &format!("{b:?}: JSON"),
            &push_json(&r.base, &phone, 1, &first).await,
            3,
        );
        assert_accepted(
            &format!("{b:?}: packed"),
            &push_packed(&r.base, &phone, packed_body(&packed_first)).await,
            3,
        );
        let (s, _) = answer(
            client()
                .get(format!("{}/api/v1/records?after=0", r.base))
                .bearer_auth(&phone)
                .send()
                .await
                .expect("pull"),
        )
        .await;
        assert_eq!(s, 200);
        let before = stored(&r).await;
        assert_eq!(before.len(), 6, "{b:?}");

        let id = device_id(&r, &phone).await;
        revoke(&r, &staff, &id).await;
        refused_everywhere(&r.base, &phone, &format!("{b:?}")).await;
        assert_eq!(stored(&r).await, before, "{b:?}: nothing of a refused push");

        // The list says so; the other device of the worker still syncs.
        let (_, devices) = answer(
            staff
                .get(&r, "/api/v1/staff/devices")
                .send()
                .await
                .expect("devices"),
        )
        .await;
        let revoked_at = devices
            .as_array()
            .expect("devices")
            .iter()
            .find(|d| d["id"] == json!(id))
            .map(|d| d["revoked_at"].clone());
        assert!(
            revoked_at.as_ref().is_some_and(Value::is_string),
            "{b:?}: {devices}"
        );
        assert_accepted(
            &format!("{b:?}: the laptop"),
            &push_json(&r.base, &laptop, 1, &[record(&rid(50))]).await,
            1,
        );
        // Revoked stays revoked: revoking again changes nothing, the phone is still refused.
        let again = answer(
            staff
                .send(
                    &r,
                    Method::POST,
                    &format!("/api/v1/staff/devices/{id}/revoke"),
                )
                .send()
                .await
                .expect("revoke again"),
        )
        .await;
        assert_ne!(again.0, 500, "{b:?}: {}", again.1);
        assert_revoked(
            &format!("{b:?}: after a second revoke"),
            &push_json(&r.base, &phone, 1, &[record(&rid(60))]).await,
        );
        let after = stored(&r).await;
        assert_eq!(after.len(), 7, "{b:?}: the six and the laptop's: {after:?}");
        assert!(after.values().all(|v| *v == 1), "{b:?}: no edit stored");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_through_one_instance_is_refused_by_another_over_the_same_database() {
    for b in BACKENDS {
        // Two instances over one database: PostgreSQL as deployed behind a balancer; SQLite
        // as two services over one file (the read-only token connection of each).
        let db = Arc::new(TestDb::new(b));
        let a = start_on(db.clone(), Limits::default()).await;
        let other = start_on(db.clone(), Limits::default()).await;
        let phone = enrolled(&a, ORG).await;
        let staff = staff_session(&a, ORG, "cora", "coordinator").await;
        // The phone is well known to the other instance before the revocation.
        for n in 0..5 {
            assert_accepted(
                &format!("{b:?}: push {n} to the other instance"),
                &push_json(&other.base, &phone, 1, &[record(&rid(n))]).await,
                1,
            );
            let (s, _) = answer(
                client()
                    .get(format!("{}/api/v1/catalogue", other.base))
                    .bearer_auth(&phone)
                    .send()
                    .await
                    .expect("catalogue"),
            )
            .await;
            assert_eq!(s, 200);
        }
        let before = stored(&other).await;
        let id = device_id(&a, &phone).await;
        revoke(&a, &staff, &id).await;
        // The very next push, to the other instance, at once.
        assert_revoked(
            &format!("{b:?}: the other instance's next push"),
            &push_json(&other.base, &phone, 1, &[record(&rid(90))]).await,
        );
        refused_everywhere(&other.base, &phone, &format!("{b:?}, other instance")).await;
        // And an instance started afterwards.
        let third = start_on(db.clone(), Limits::default()).await;
        refused_everywhere(&third.base, &phone, &format!("{b:?}, a new instance")).await;
        assert_eq!(stored(&a).await, before, "{b:?}");
        assert_eq!(stored(&third).await, before, "{b:?}");
    }
}

/// One push as the race saw it.
#[derive(Debug, Clone)]
struct Sent {
    started: Instant,
    status: u16,
    code: Option<String>,
    ids: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_racing_the_revocation_are_refused_when_saved_after_it_even_if_authenticated_before()
{
    for b in BACKENDS {
        let limits = Limits {
            device_requests_per_minute: 1_000_000,
            ..Limits::default()
        };
        let r = start_on(Arc::new(TestDb::new(b)), limits).await;
        let phone = enrolled(&r, ORG).await;
        let staff = staff_session(&r, ORG, "cora", "coordinator").await;
        let id = device_id(&r, &phone).await;
        let addr = r.base.trim_start_matches("http://").to_string();

        // A push that starts before the revocation: its headers (and token) go, and half its
        // body; the rest only after the revocation was answered.
        let slow_ids: Vec<String> = (0..5).map(|n| rid(900_000 + n)).collect();
        let body = serde_json::to_vec(&json!({
            "protocol": 1,
            "records": slow_ids.iter().map(|i| record(i)).collect::<Vec<_>>()
        }))
        .expect("json");
        let mut slow = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        let head = format!(
            "POST /api/v1/push HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {phone}\r\n\
             content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        slow.write_all(head.as_bytes()).await.expect("head");
        slow.write_all(&body[..body.len() / 2]).await.expect("half");
        tokio::time::sleep(Duration::from_millis(300)).await;

        // Pushes from four tasks, back to back, while the revocation happens.
        let log: Arc<Mutex<Vec<Sent>>> = Arc::default();
        let mut tasks = Vec::new();
        for t in 0..4u32 {
            let (base, token, log) = (r.base.clone(), phone.clone(), log.clone());
            tasks.push(tokio::spawn(async move {
                let mut refused = 0;
                for seq in 0..10_000u32 {
                    let ids: Vec<String> = (0..3).map(|k| rid(t * 100_000 + seq * 4 + k)).collect();
                    let records: Vec<Value> = ids.iter().map(|i| record(i)).collect();
                    let started = Instant::now();
                    let (status, body) = if seq % 2 == 0 {
                        push_json(&base, &token, 1, &records).await
                    } else {
                        push_packed(&base, &token, packed_body(&records)).await
                    };
                    let code = body["code"].as_str().map(String::from);
                    log.lock().expect("log").push(Sent {
                        started,
                        status,
                        code,
                        ids,
                    });
                    if status != 200 {
                        refused += 1;
                        if refused == 5 {
                            return;
                        }
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
        revoke(&r, &staff, &id).await;
        let revoked = Instant::now();
        // The first push after the revocation, alone.
        assert_revoked(
            &format!("{b:?}: the next push"),
            &push_json(&r.base, &phone, 1, &[record(&rid(999_999))]).await,
        );
        for t in tasks {
            tokio::time::timeout(Duration::from_secs(30), t)
                .await
                .expect("the pushes stop once refused")
                .expect("task");
        }
        // Now the slow push's body ends.
        slow.write_all(&body[body.len() / 2..]).await.expect("rest");
        let mut answer_bytes = Vec::new();
        slow.read_to_end(&mut answer_bytes)
            .await
            .expect("slow answer");
        let text = String::from_utf8_lossy(&answer_bytes).to_string();
        let slow_status: u16 = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status line");

        let on_server = stored(&r).await;
        let log = log.lock().expect("log").clone();
        let after: Vec<&Sent> = log.iter().filter(|s| s.started > revoked).collect();
        let before_ok = log.iter().filter(|s| s.status == 200).count();
        assert!(
            before_ok > 0,
            "{b:?}: pushes went through before the revocation"
        );
        assert!(
            !after.is_empty(),
            "{b:?}: pushes started after the revocation"
        );
        for s in &after {
            assert_eq!(
                (s.status, s.code.as_deref()),
                (401, Some("device_revoked")),
                "{b:?}: a push started {:?} after the revocation was answered",
                s.started - revoked
            );
        }
        // A push is stored whole when answered 200 and not at all otherwise.
        let expected: BTreeSet<String> = log
            .iter()
            .filter(|s| s.status == 200)
            .flat_map(|s| s.ids.clone())
            .collect();
        let slow_stored = slow_ids
            .iter()
            .filter(|i| on_server.contains_key(*i))
            .count();
        // The slow push: authenticated before the revocation, saved after it: refused as
        // revoked, with the same words, and nothing of it stored.
        let slow_body: Value = text
            .split_once("\r\n\r\n")
            .and_then(|(_, b)| serde_json::from_str(b).ok())
            .unwrap_or(json!(text));
        assert_revoked(
            &format!("{b:?}: the push whose body ended after the revocation"),
            &(slow_status, slow_body),
        );
        assert_eq!(slow_stored, 0, "{b:?}: refused, yet stored");
        let got: BTreeSet<String> = on_server.keys().cloned().collect();
        assert_eq!(
            got, expected,
            "{b:?}: stored exactly the pushes answered 200"
        );
        eprintln!(
            "{b:?}: {} pushes, {before_ok} stored before the revocation, {} started after it \
             (all refused); the push authenticated before it and finished after it: {slow_status} \
             (refused)",
            log.len(),
            after.len()
        );
    }
}

/// A request to `path` whose headers (with `token`) and half of `body` are sent now; the rest
/// when it is finished.
async fn slow_start(addr: &str, token: &str, path: &str, body: Value) -> SlowRequest {
    let body = serde_json::to_vec(&body).expect("json");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream
        .write_all(&body[..body.len() / 2])
        .await
        .expect("half");
    SlowRequest { stream, body }
}

struct SlowRequest {
    stream: tokio::net::TcpStream,
    body: Vec<u8>,
}

impl SlowRequest {
    /// Sends the rest of the body; the answer's status and JSON body.
    async fn finish(mut self) -> (u16, Value) {
        let rest = &self.body[self.body.len() / 2..];
        self.stream.write_all(rest).await.expect("rest");
        let mut bytes = Vec::new();
        self.stream.read_to_end(&mut bytes).await.expect("answer");
        let text = String::from_utf8_lossy(&bytes).to_string();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status line");
        let body = text
            .split_once("\r\n\r\n")
            .and_then(|(_, b)| serde_json::from_str(b).ok())
            .unwrap_or(json!(text));
        (status, body)
    }
}

/// The other device routes that write after reading a body: message receipts (for a message
/// the device is offered) and a work statement, authenticated before the revocation, their
/// bodies ended after it: refused as revoked, like a push (no statement is handed out).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_and_statements_whose_body_ended_after_the_revocation_are_refused() {
    for b in BACKENDS {
        let r = start(b).await;
        let phone = enrolled(&r, ORG).await;
        let staff = staff_session(&r, ORG, "cora", "coordinator").await;
        let id = device_id(&r, &phone).await;
        let addr = r.base.trim_start_matches("http://").to_string();
        let expires = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        let (status, posted) = answer(
            staff
                .send(&r, Method::POST, "/api/v1/staff/messages")
                .json(&json!({"text": "hello", "urgency": "notice", "expires_at": expires}))
                .send()
                .await
                .expect("message"),
        )
        .await;
        assert_eq!(status, 201, "{b:?}: {posted}");
        let message = posted["id"].as_str().expect("id").to_string();
        assert_accepted(
            &format!("{b:?}: a record to count"),
            &push_json(&r.base, &phone, 1, &[record(&rid(1))]).await,
            1,
        );
        let period = json!({"from": "2026-11-01", "to": "2026-11-30"});

        let receipts = slow_start(
            &addr,
            &phone,
            "/api/v1/messages/received",
            json!({ "ids": [message] }),
        )
        .await;
        let statement = slow_start(&addr, &phone, "/api/v1/statements", period).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        revoke(&r, &staff, &id).await;
        assert_revoked(
            &format!("{b:?}: receipts whose body ended after the revocation"),
            &receipts.finish().await,
        );
        let got = statement.finish().await;
        assert_revoked(
            &format!("{b:?}: a statement whose request ended after the revocation"),
            &got,
        );
        assert!(got.1.get("signature").is_none(), "{b:?}: {}", got.1);
    }
}
