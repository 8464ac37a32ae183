//! The server over real HTTP on loopback with a real SQLite data directory.

use std::sync::Arc;

use serde_json::{json, Value};
use shiftlog_server::{http, Limits, OrgService, SqliteStorage};

struct Running {
    base: String,
    service: OrgService,
    _dir: tempfile::TempDir,
}

async fn start() -> Running {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStorage::open(dir.path()).expect("store");
    let service = OrgService::new(Arc::new(store), Limits::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let svc = service.clone();
    tokio::spawn(async move { http::serve(listener, svc, std::future::pending()).await });
    Running {
        base,
        service,
        _dir: dir,
    }
}

async fn enrolled(r: &Running, org: &str) -> String {
    r.service.ensure_organization(org, org).expect("org");
    let code = r.service.new_enrollment_code(org).expect("code");
    let resp: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/enroll", r.base))
        .json(&json!({"code": code, "device_name": "test"}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    resp["token"].as_str().expect("token").to_string()
}

fn record(id: &str) -> Value {
    json!({
        "id": id, "version": 1, "record_type": "activity", "kind": "supplies_distributed",
        "occurred_at": "2026-11-20T10:42:00-08:00", "recorded_at": "2026-11-20T10:42:05-08:00",
        "body": {"items": [{"item": "naloxone_kit", "quantity": 2}]}
    })
}

async fn post_raw(r: &Running, token: Option<&str>, body: &str) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/api/v1/push", r.base))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("every answer is JSON");
    (status, body)
}

fn export(r: &Running, org: &str) -> String {
    let mut buf = Vec::new();
    r.service.export_csv(org, &mut buf).expect("export");
    String::from_utf8(buf).expect("utf8")
}

#[tokio::test]
async fn malformed_bodies_get_400_with_a_json_reason_and_change_nothing() {
    let r = start().await;
    let token = enrolled(&r, "demo").await;
    let good = json!({"protocol": 1, "records": [record("01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c11")]});
    let (status, _) = post_raw(&r, Some(&token), &good.to_string()).await;
    assert_eq!(status, 200);
    let before = export(&r, "demo");

    let cases: &[(&str, &str)] = &[
        (r#"{"protocol": 1, "records": ["#, "not valid JSON"),
        ("", "not valid JSON"),
        (r#"{"protocol": 1}"#, "missing field `records`"),
        (r#"{"protocol": "one", "records": []}"#, "invalid type"),
        (r#"[1, 2, 3]"#, "does not match"),
        (
            r#"{"protocol": 1, "records": [{"id": "not-a-uuid", "version": 1}]}"#,
            "does not match",
        ),
    ];
    for (body, says) in cases {
        let (status, err) = post_raw(&r, Some(&token), body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(err["code"], "bad_request", "{body}");
        let msg = err["message"].as_str().expect("message");
        assert!(msg.contains(says), "{body}: {msg}");
    }
    assert_eq!(export(&r, "demo"), before, "nothing stored changed");
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401() {
    let r = start().await;
    let token = enrolled(&r, "demo").await;
    let body = json!({"protocol": 1, "records": [record("01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c12")]})
        .to_string();
    for t in [None, Some("sld_wrong"), Some("")] {
        let (status, err) = post_raw(&r, t, &body).await;
        assert_eq!(status, 401, "{t:?}");
        assert_eq!(err["code"], "unauthorized");
    }
    // A staff token is not a device token, and a device token cannot export.
    let staff = r.service.new_staff_token("demo", "t").expect("staff");
    let (status, _) = post_raw(&r, Some(&staff), &body).await;
    assert_eq!(status, 401);
    let resp = reqwest::Client::new()
        .get(format!("{}/api/v1/export/activities.csv", r.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 401);
    assert!(!export(&r, "demo").contains("01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c12"));
}

#[tokio::test]
async fn revoked_device_is_told_in_plain_words() {
    let r = start().await;
    let token = enrolled(&r, "demo").await;
    let dev = r.service.authenticate_device(&token).expect("device");
    r.service
        .store()
        .revoke_device(dev.device_id)
        .expect("revoke");
    let body = json!({"protocol": 1, "records": []}).to_string();
    let (status, err) = post_raw(&r, Some(&token), &body).await;
    assert_eq!(status, 401);
    assert_eq!(err["code"], "device_revoked");
    assert!(err["message"]
        .as_str()
        .expect("msg")
        .contains("Ask your coordinator"));
}

#[tokio::test]
async fn enrollment_codes_work_once() {
    let r = start().await;
    r.service.ensure_organization("demo", "Demo").expect("org");
    let code = r.service.new_enrollment_code("demo").expect("code");
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for c in [code.to_lowercase(), code.clone()] {
        let resp = client
            .post(format!("{}/api/v1/enroll", r.base))
            .json(&json!({"code": c, "device_name": "x"}))
            .send()
            .await
            .expect("send");
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, vec![200, 400]);
}

#[tokio::test]
async fn csv_export_over_http_is_per_organization() {
    let r = start().await;
    let a = enrolled(&r, "org-a").await;
    let b = enrolled(&r, "org-b").await;
    let ida = "01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c21";
    let idb = "01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c22";
    post_raw(
        &r,
        Some(&a),
        &json!({"protocol": 1, "records": [record(ida)]}).to_string(),
    )
    .await;
    post_raw(
        &r,
        Some(&b),
        &json!({"protocol": 1, "records": [record(idb)]}).to_string(),
    )
    .await;
    let staff_a = r.service.new_staff_token("org-a", "t").expect("staff");
    let resp = reqwest::Client::new()
        .get(format!("{}/api/v1/export/activities.csv", r.base))
        .bearer_auth(&staff_a)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("text/csv"));
    let text = resp.text().await.expect("text");
    assert!(text.starts_with("id,kind,occurred_at"));
    assert!(text.contains(ida));
    assert!(text.contains("naloxone_kit x2"));
    assert!(!text.contains(idb), "another organization's record leaked");
}

#[tokio::test]
async fn unknown_paths_answer_json_404() {
    let r = start().await;
    let resp = reqwest::get(format!("{}/nope", r.base))
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 404);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["code"], "not_found");
}
