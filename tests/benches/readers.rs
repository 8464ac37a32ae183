//! Readers never block writers, measured: push latency while three record exports stream to
//! clients that read slowly, against push latency without them, same run, both backends.
//!
//!   cargo bench -p shiftlog-system-tests --bench readers
//!
//! Each push is 100 new records from one device over real HTTP on loopback. The pushes
//! without exports run before and after the ones with them (so drift in machine load counts
//! on both sides). The slow clients take 16 KiB every 50 ms (about 320 KiB/s), so each
//! export keeps streaming (and holds its read connection) for the whole measurement.
//! `SHIFTLOG_BENCH_PUSHES` sets the pushes per phase (default 300).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use shiftlog_server::{http, Limits, OrgService, PostgresStorage, SqliteStorage, Storage};

/// Records stored before the exports start: about 13 MB of JSON each.
const SEED: u32 = 40_000;
const PER_PUSH: u32 = 100;
const SLOW_EXPORTS: usize = 3;

fn pg_url() -> String {
    std::env::var("SHIFTLOG_TEST_PG")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string())
}

fn record(n: u32) -> Value {
    json!({
        "id": format!("01936d5e-8f7a-7cc0-8a5e-{n:012x}"), "version": 1,
        "record_type": "activity", "kind": "supplies_distributed",
        "occurred_at": "2026-11-20T10:42:00-08:00", "recorded_at": "2026-11-20T10:42:05-08:00",
        "body": {"items": [{"item": "naloxone_kit", "quantity": 2}]}
    })
}

struct Pusher {
    http: reqwest::Client,
    url: String,
    token: String,
    next: u32,
}

impl Pusher {
    async fn push(&mut self, n: u32) -> Duration {
        let records: Vec<Value> = (self.next..self.next + n).map(record).collect();
        self.next += n;
        let t = Instant::now();
        let r = self
            .http
            .post(format!("{}api/v1/push", self.url))
            .bearer_auth(&self.token)
            .json(&json!({"protocol": 1, "records": records}))
            .send()
            .await
            .expect("push");
        assert!(r.status().is_success(), "push: {}", r.status());
        let body: Value = r.json().await.expect("json");
        let took = t.elapsed();
        let results = body["results"].as_array().expect("results");
        assert!(
            results.iter().all(|x| x["status"] == "accepted"),
            "push refused: {body}"
        );
        took
    }
}

/// A download read `16 KiB / 50 ms` until `stop`; returns the bytes read.
fn slow_export(addr: &str, staff: &str, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<usize> {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET /api/v1/staff/records/export?format=json HTTP/1.1\r\nHost: {addr}\r\n\
         Authorization: Bearer {staff}\r\n\r\n"
    )
    .expect("request");
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 16 * 1024];
        let mut total = 0;
        while !stop.load(Ordering::Relaxed) {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        total
    })
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(name: &str, store: Arc<dyn Storage>, pushes: usize) {
    // One device sends every push: lift its rate limit (600 a minute) for the bench.
    let limits = Limits {
        device_requests_per_minute: u32::MAX,
        ..Limits::default()
    };
    let service = OrgService::new(store, limits);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let url = format!("http://{addr}/");
    let (stop_server, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(http::serve(listener, service.clone(), async {
        let _ = stopped.await;
    }));
    let svc = service.clone();
    let (code, staff) = tokio::task::spawn_blocking(move || {
        svc.ensure_organization("bench", "bench").expect("org");
        (
            svc.new_enrollment_code("bench").expect("code"),
            svc.new_staff_token("bench", "bench").expect("staff token"),
        )
    })
    .await
    .expect("setup");
    let http = reqwest::Client::new();
    let enrolled: Value = http
        .post(format!("{url}api/v1/enroll"))
        .json(&json!({"code": code, "device_name": "bench"}))
        .send()
        .await
        .expect("enroll")
        .json()
        .await
        .expect("json");
    let mut p = Pusher {
        http,
        url,
        token: enrolled["token"].as_str().expect("token").to_string(),
        next: 0,
    };
    for _ in 0..SEED / 1000 {
        p.push(1000).await;
    }
    for _ in 0..20 {
        p.push(PER_PUSH).await; // warm-up
    }

    let mut without = Vec::new();
    for _ in 0..pushes {
        without.push(p.push(PER_PUSH).await);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let addr = addr.to_string();
    let readers: Vec<_> = (0..SLOW_EXPORTS)
        .map(|_| slow_export(&addr, &staff, stop.clone()))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut with = Vec::new();
    let t = Instant::now();
    for _ in 0..pushes {
        with.push(p.push(PER_PUSH).await);
    }
    let with_span = t.elapsed();
    stop.store(true, Ordering::Relaxed);
    let read: usize = readers.into_iter().map(|h| h.join().expect("reader")).sum();
    for _ in 0..pushes {
        without.push(p.push(PER_PUSH).await);
    }
    without.sort();
    with.sort();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let (w50, w99) = (quantile(&without, 0.5), quantile(&without, 0.99));
    let (s50, s99) = (quantile(&with, 0.5), quantile(&with, 0.99));
    println!(
        "| {name}: push of {PER_PUSH} records, no export | p50 {:.1} ms, p99 {:.1} ms | n = {} | |",
        ms(w50),
        ms(w99),
        without.len()
    );
    println!(
        "| {name}: same, while {SLOW_EXPORTS} exports stream to slow clients | p50 {:.1} ms, p99 {:.1} ms | n = {}; the clients read {:.1} MB in {:.1} s | |",
        ms(s50),
        ms(s99),
        with.len(),
        read as f64 / 1e6,
        with_span.as_secs_f64()
    );
    println!(
        "| {name}: p99 with / without | {:.2} | p50 {:.2}; load {} | ≤ 1.5 |",
        ms(s99) / ms(w99),
        ms(s50) / ms(w50),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let _ = stop_server.send(());
    let _ = served.await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let pushes: usize = std::env::var("SHIFTLOG_BENCH_PUSHES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    println!("| measure | value | detail | goal |");
    println!("| --- | --- | --- | --- |");
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite: Arc<dyn Storage> = Arc::new(SqliteStorage::open(dir.path()).expect("sqlite"));
    run("SQLite", sqlite, pushes).await;

    let schema = format!("bench_readers_{}", uuid::Uuid::new_v4().simple());
    let s2 = schema.clone();
    let pg = tokio::task::spawn_blocking(move || {
        PostgresStorage::connect(&pg_url(), Some(&s2)).map(|s| Arc::new(s) as Arc<dyn Storage>)
    })
    .await
    .expect("connect");
    match pg {
        Ok(store) => run("PostgreSQL", store, pushes).await,
        Err(e) => println!("| PostgreSQL | not measured: {e} | | |"),
    }
    let _ = std::thread::spawn(move || {
        if let Ok(mut c) = postgres::Client::connect(&pg_url(), postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    })
    .join();
}
