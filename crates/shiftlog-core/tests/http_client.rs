//! The device's HTTP client against hostile servers on loopback: it follows no redirect (a
//! push body and its token are never sent anywhere else), and it reads no answer past a cap
//! (a server streaming without end gets a clean error, fast, with bounded memory).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use shiftlog_core::{NewActivity, RecordSync};
use shiftlog_wire::paths;

/// A server that only counts who connects to it (and answers nothing useful).
fn counting_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            h.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (addr, hits)
}

async fn info() -> Json<Value> {
    Json(json!({
        "protocol_versions": [1, 2],
        "max_batch_records": 100,
        "max_body_bytes": 1_000_000,
        "server_time": chrono::Utc::now(),
    }))
}

async fn enroll() -> Json<Value> {
    Json(json!({
        "device_id": uuid::Uuid::now_v7(),
        "token": "device-token",
        "organization": {"id": "org", "name": "Org"},
    }))
}

/// A server that enrolls normally, then answers every push with `status` pointing at `to`.
async fn redirecting_server(status: StatusCode, to: SocketAddr, enroll_too: bool) -> SocketAddr {
    let location = format!("http://{to}{}", paths::PUSH);
    let loc = location.clone();
    let redirect = move || {
        let loc = loc.clone();
        async move { (status, [(header::LOCATION, loc)]).into_response() }
    };
    let mut app = Router::new()
        .route(paths::INFO, get(info))
        .route(paths::PUSH, post(redirect.clone()));
    app = if enroll_too {
        app.route(paths::ENROLL, post(redirect))
    } else {
        app.route(paths::ENROLL, post(enroll))
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirected_push_is_not_sent_again_elsewhere() {
    for status in [
        StatusCode::TEMPORARY_REDIRECT,
        StatusCode::PERMANENT_REDIRECT,
    ] {
        let (elsewhere, hits) = counting_server();
        let addr = redirecting_server(status, elsewhere, false).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let core = common::open(dir.path()).expect("open");
        core.enroll(&format!("http://{addr}/"), "code", "phone")
            .await
            .expect("enroll");
        let rec = core
            .log_activity(NewActivity {
                org_id: None,
                occurred_at: None,
                kind: "outreach_contact".into(),
                body: json!({"people_reached": 2, "on_shift": false}),
            })
            .expect("log");
        let err = core.sync_now().await.expect_err("a redirect is an error");
        assert_eq!(err.code(), "server_redirect", "{status}: {err}");
        assert!(err.is_permanent());
        let words = err.message(shiftlog_core::Lang::En);
        assert!(words.contains("Nothing was sent there"), "{words}");
        assert!(err
            .message(shiftlog_core::Lang::Fr)
            .contains("Rien n'y a été envoyé"));
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(
            hits.load(Ordering::SeqCst),
            0,
            "{status}: the address it pointed at got nothing"
        );
        assert_eq!(
            core.get_record(rec.id).expect("kept").sync,
            RecordSync::Waiting
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirected_enrollment_sends_the_code_nowhere_else() {
    let (elsewhere, hits) = counting_server();
    let addr = redirecting_server(StatusCode::TEMPORARY_REDIRECT, elsewhere, true).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let core = common::open(dir.path()).expect("open");
    let err = core
        .enroll(&format!("http://{addr}/"), "code", "phone")
        .await
        .expect_err("redirect");
    assert_eq!(err.code(), "server_redirect");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    assert!(core.organizations().expect("orgs").is_empty());
}

/// How a hostile server answers every request.
#[derive(Clone, Copy)]
enum Flood {
    /// Chunked, without end, as fast as the client reads.
    Endless,
    /// Declares a 10 GiB body up front (and sends a little of it).
    Declared,
}

/// A raw HTTP/1.1 server that answers every request with a 200 JSON-looking body that never
/// ends (or claims to be huge); returns its address and how many bytes it managed to send.
fn flooding_server(how: Flood) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let sent = Arc::new(AtomicUsize::new(0));
    let s = sent.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let s = s.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                // Read the request head.
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    if line == "\r\n" {
                        break;
                    }
                    line.clear();
                }
                let mut out = stream;
                let head = match how {
                    Flood::Endless => "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_string(),
                    Flood::Declared => format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", 10u64 << 30),
                };
                if out.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let block = vec![b' '; 64 * 1024];
                loop {
                    let ok = match how {
                        Flood::Endless => out
                            .write_all(format!("{:x}\r\n", block.len()).as_bytes())
                            .and_then(|_| out.write_all(&block))
                            .and_then(|_| out.write_all(b"\r\n")),
                        Flood::Declared => out.write_all(&block),
                    };
                    if ok.is_err() {
                        return; // the client hung up
                    }
                    s.fetch_add(block.len(), Ordering::SeqCst);
                    // Past 1 GiB the client never stopped reading: give up (the test fails).
                    if s.load(Ordering::SeqCst) > 1 << 30 {
                        return;
                    }
                }
            });
        }
    });
    (addr, sent)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_answer_is_cut_off_with_a_clean_error() {
    for how in [Flood::Endless, Flood::Declared] {
        let (addr, sent) = flooding_server(how);
        let dir = tempfile::tempdir().expect("tempdir");
        let core = common::open(dir.path()).expect("open");
        let started = Instant::now();
        let err = tokio::time::timeout(
            Duration::from_secs(20),
            core.enroll(&format!("http://{addr}/"), "code", "phone"),
        )
        .await
        .expect("answers long before the request timeout")
        .expect_err("too large");
        let took = started.elapsed();
        assert_eq!(err.code(), "response_too_large", "{err}");
        assert!(err.message(shiftlog_core::Lang::En).contains("too large"));
        assert!(err.message(shiftlog_core::Lang::Fr).contains("trop grande"));
        std::thread::sleep(Duration::from_millis(300));
        let bytes = sent.load(Ordering::SeqCst);
        eprintln!("cut off after {took:?}, the server had written {bytes} bytes");
        // 64 KiB is read at most; the rest is what sockets buffer before the client hangs up.
        assert!(bytes < 32 << 20, "the server wrote {bytes} bytes");
        assert!(took < Duration::from_secs(10), "{took:?}");
        assert!(core.organizations().expect("orgs").is_empty());
    }
}

/// A raw HTTP/1.1 server speaking just enough of the protocol: info, enrollment and push
/// answer normally; the pull answers with a body that never ends. Returns its address and how
/// many bytes of pull it wrote.
fn endless_pull_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let sent = Arc::new(AtomicUsize::new(0));
    let s = sent.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let s = s.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut out = stream;
                loop {
                    let mut first = String::new();
                    if reader.read_line(&mut first).map_or(true, |n| n == 0) {
                        return;
                    }
                    let mut length = 0usize;
                    let mut line = String::new();
                    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        line.clear();
                    }
                    let mut body = vec![0u8; length];
                    if std::io::Read::read_exact(&mut reader, &mut body).is_err() {
                        return;
                    }
                    let answer = if first.contains(paths::INFO) {
                        json!({"protocol_versions": [1, 2], "max_batch_records": 100,
                               "max_body_bytes": 1_000_000, "server_time": chrono::Utc::now()})
                    } else if first.contains(paths::ENROLL) {
                        json!({"device_id": uuid::Uuid::now_v7(), "token": "t",
                               "organization": {"id": "org", "name": "Org"}})
                    } else if first.contains(paths::PUSH) {
                        let req: Value = serde_json::from_slice(&body).unwrap_or_default();
                        let results: Vec<Value> = req["records"].as_array().into_iter().flatten()
                            .map(|r| json!({"id": r["id"], "version": r["version"], "status": "accepted"}))
                            .collect();
                        json!({ "results": results })
                    } else {
                        // The pull (and anything else): endless.
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                        if out.write_all(head.as_bytes()).is_err() {
                            return;
                        }
                        let block = vec![b' '; 64 * 1024];
                        while out
                            .write_all(format!("{:x}\r\n", block.len()).as_bytes())
                            .and_then(|_| out.write_all(&block))
                            .and_then(|_| out.write_all(b"\r\n"))
                            .is_ok()
                            && s.fetch_add(block.len(), Ordering::SeqCst) < 1 << 30
                        {
                        }
                        return;
                    };
                    let text = answer.to_string();
                    let reply = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{text}", text.len());
                    if out.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, sent)
}

/// Pull pages are capped too: the push is confirmed, the endless pull is cut off at its cap
/// and reported beside it, and the device keeps working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_pull_is_cut_off_and_reported_after_the_push() {
    let (addr, sent) = endless_pull_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let core = common::open(dir.path()).expect("open");
    core.enroll(&format!("http://{addr}/"), "code", "phone")
        .await
        .expect("enroll");
    let rec = core
        .log_activity(NewActivity {
            org_id: None,
            occurred_at: None,
            kind: "outreach_contact".into(),
            body: json!({"people_reached": 2, "on_shift": false}),
        })
        .expect("log");
    let started = Instant::now();
    let report = tokio::time::timeout(Duration::from_secs(20), core.sync_now())
        .await
        .expect("in time")
        .expect("the push went through");
    assert_eq!(report.accepted, 1);
    assert_eq!(report.pull_error.as_deref(), Some("response_too_large"));
    assert_eq!(
        report.catalogue_error.as_deref(),
        Some("response_too_large")
    );
    assert!(matches!(
        core.get_record(rec.id).expect("kept").sync,
        RecordSync::Sent { .. }
    ));
    std::thread::sleep(Duration::from_millis(300));
    let bytes = sent.load(Ordering::SeqCst);
    eprintln!(
        "pull cut off after {:?}; the server wrote {bytes} bytes",
        started.elapsed()
    );
    // The pull and the catalogue (both endless here) are capped at 8 MiB each; the rest is
    // what the sockets buffer.
    assert!(bytes < 64 << 20, "{bytes}");
}
