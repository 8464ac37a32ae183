//! Compressed request bodies: accepted when valid, refused with a JSON reason when broken or
//! when they inflate past the size limit (a "zip bomb"), and nothing stored changes.

use std::io::Write;

use serde_json::{json, Value};
use shiftlog_system_tests::TestServer;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).expect("write");
    e.finish().expect("finish")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_pushes_are_checked_like_plain_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(dir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let code = server.org_with_code("demo", "Demo");
    let http = reqwest::Client::new();
    let enrolled: Value = http
        .post(format!("{}api/v1/enroll", server.url()))
        .json(&json!({"code": code, "device_name": "t"}))
        .send()
        .await
        .expect("enroll")
        .json()
        .await
        .expect("json");
    let token = enrolled["token"].as_str().expect("token");
    let info: Value = http
        .get(format!("{}api/v1/info", server.url()))
        .send()
        .await
        .expect("info")
        .json()
        .await
        .expect("json");
    assert_eq!(info["request_encodings"], json!(["gzip"]));

    let push = |body: Vec<u8>| {
        http.post(format!("{}api/v1/push", server.url()))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .header("content-encoding", "gzip")
            .body(body)
            .send()
    };
    let good = json!({"protocol": 1, "records": [{
        "id": "01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c31", "version": 1, "record_type": "activity",
        "kind": "meal_service", "occurred_at": "2026-11-20T10:42:00-08:00",
        "recorded_at": "2026-11-20T10:42:05-08:00", "body": {"people_reached": 12}}]});
    let r = push(gzip(good.to_string().as_bytes())).await.expect("send");
    assert_eq!(r.status().as_u16(), 200);
    let mut before = Vec::new();
    server
        .service
        .export_csv("demo", &mut before)
        .expect("export");

    // Not gzip at all.
    let r = push(b"definitely not gzip".to_vec()).await.expect("send");
    assert_eq!(r.status().as_u16(), 400);
    let v: Value = r.json().await.expect("json error");
    assert_eq!(v["code"], "bad_request");

    // A bomb: 64 MiB of spaces inflating from a few dozen KiB.
    let mut bomb_json = b"{\"protocol\": 1, \"records\": [".to_vec();
    bomb_json.extend(std::iter::repeat_n(b' ', 64 * 1024 * 1024));
    bomb_json.extend(b"]}");
    let bomb = gzip(&bomb_json);
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let r = push(bomb).await.expect("send");
    assert_eq!(r.status().as_u16(), 413);
    let v: Value = r.json().await.expect("json error");
    assert_eq!(v["code"], "payload_too_large");

    let mut after = Vec::new();
    server
        .service
        .export_csv("demo", &mut after)
        .expect("export");
    assert_eq!(before, after, "nothing stored changed");
}
