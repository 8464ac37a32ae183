//! The login limiter over real HTTP on loopback: a parallel burst of wrong passwords gets no
//! more hashes than the limit; hashes running at once are capped (429 with Retry-After, no
//! queue); behind a trusted proxy one client's wrong passwords do not lock the others out,
//! and without one a forged X-Forwarded-For changes nothing; the login needs
//! `Content-Type: application/json` (a cross-site `text/plain` form cannot post it).

mod common;

use std::net::IpAddr;
use std::sync::Arc;

use common::*;
use serde_json::{json, Value};
use shiftlog_server::{http, Limits, OrgService};

/// `Limits::login_failures`.
const LIMIT: usize = 5;

async fn serve(db: Arc<TestDb>, limits: Limits, proxies: &[&str]) -> Running {
    let db2 = db.clone();
    let store = tokio::task::spawn_blocking(move || db2.open())
        .await
        .expect("open");
    let proxies = proxies.iter().map(|p| p.parse().expect("cidr")).collect();
    let service = OrgService::new(store, limits).with_trusted_proxies(proxies);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let svc = service.clone();
    tokio::spawn(async move { http::serve(listener, svc, std::future::pending()).await });
    call(&service, |s| {
        s.ensure_organization("demo", "Demo").expect("org");
        s.create_admin("demo", "ada", "correct horse battery")
            .expect("admin");
    })
    .await;
    Running { base, service, db }
}

fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().expect("ip"))
        .build()
        .expect("client")
}

/// One login: status, Retry-After, body.
async fn try_login(
    base: &str,
    http: &reqwest::Client,
    username: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> (u16, Option<u64>, Value) {
    let mut req = http
        .post(format!("{base}/api/v1/staff/login"))
        .json(&json!({"username": username, "password": password}));
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry, resp.json().await.expect("json"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_parallel_burst_of_guesses_gets_no_more_hashes_than_the_limit() {
    for b in BACKENDS {
        let limits = Limits {
            login_hashes_at_once: 64,
            ..Limits::default()
        };
        let r = serve(Arc::new(TestDb::new(b)), limits, &[]).await;
        let guesser = client_from("127.0.0.2");
        let mut burst = tokio::task::JoinSet::new();
        for i in 0..40 {
            let (base, g) = (r.base.clone(), guesser.clone());
            burst.spawn(async move {
                try_login(&base, &g, "ada", &format!("guess {i:04}"), None).await
            });
        }
        let answers = burst.join_all().await;
        let hashed = answers.iter().filter(|a| a.0 == 401).count();
        let limited = answers.iter().filter(|a| a.0 == 429).count();
        assert_eq!(hashed, LIMIT, "{b:?}: exactly the limit is hashed");
        assert_eq!(limited, 40 - LIMIT, "{b:?}");
        assert!(answers
            .iter()
            .filter(|a| a.0 == 429)
            .all(|a| a.1.is_some_and(|s| (1..=900).contains(&s))));
        // The same burst of names from one address: the address is stopped at the limit too.
        let mut burst = tokio::task::JoinSet::new();
        let other = client_from("127.0.0.3");
        for i in 0..20 {
            let (base, g) = (r.base.clone(), other.clone());
            burst.spawn(async move {
                try_login(&base, &g, &format!("user{i}"), "wrong password", None).await
            });
        }
        let answers = burst.join_all().await;
        assert_eq!(
            answers.iter().filter(|a| a.0 == 401).count(),
            LIMIT,
            "{b:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hashes_at_once_are_capped_and_the_rest_are_told_to_retry() {
    let limits = Limits {
        login_hashes_at_once: 1,
        ..Limits::default()
    };
    let r = serve(Arc::new(TestDb::new(Backend::Sqlite)), limits, &[]).await;
    // 24 different names from 24 different addresses: no per-key limit applies.
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..24 {
        let base = r.base.clone();
        let g = client_from(&format!("127.0.1.{}", i + 1));
        burst.spawn(async move {
            try_login(&base, &g, &format!("user{i}"), "wrong password", None).await
        });
    }
    let answers = burst.join_all().await;
    let busy: Vec<_> = answers.iter().filter(|a| a.0 == 429).collect();
    assert!(!busy.is_empty(), "some logins found every hash slot taken");
    assert!(busy
        .iter()
        .all(|a| a.1 == Some(1) && a.2["code"] == "rate_limited"));
    assert_eq!(
        answers.iter().filter(|a| a.0 == 401).count() + busy.len(),
        24
    );
    // A refused-while-busy login was not counted: the same name and address may try again.
    let (s, _, _) = try_login(
        &r.base,
        &client_from("127.0.1.1"),
        "ada",
        "correct horse battery",
        None,
    )
    .await;
    assert_eq!(s, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_one_client_does_not_lock_out_the_others() {
    for b in BACKENDS {
        // Every request comes from the proxy, 127.0.0.1, with the client in X-Forwarded-For.
        let r = serve(Arc::new(TestDb::new(b)), Limits::default(), &["127.0.0.1"]).await;
        let proxy = client_from("127.0.0.1");
        for i in 0..LIMIT + 2 {
            let (s, _, _) = try_login(
                &r.base,
                &proxy,
                &format!("guess{i}"),
                "wrong password",
                Some("203.0.113.5"),
            )
            .await;
            assert_eq!(s, if i < LIMIT { 401 } else { 429 }, "{b:?} try {i}");
        }
        // Another client behind the same proxy signs in.
        let (s, _, body) = try_login(
            &r.base,
            &proxy,
            "ada",
            "correct horse battery",
            Some("198.51.100.7"),
        )
        .await;
        assert_eq!(s, 200, "{b:?}: {body}");
        // The limited client cannot get out by forging a hop to the left of the proxy's.
        let (s, _, _) = try_login(
            &r.base,
            &proxy,
            "ada",
            "correct horse battery",
            Some("1.1.1.1, 203.0.113.5"),
        )
        .await;
        assert_eq!(s, 429, "{b:?}");
        // IPv6 clients are grouped by /64.
        for i in 0..LIMIT {
            let ip = format!("2001:db8:1:2::{:x}", i + 1);
            let (s, _, _) = try_login(&r.base, &proxy, "nobody", "wrong password", Some(&ip)).await;
            assert_eq!(s, 401, "{b:?}");
        }
        let (s, _, _) = try_login(
            &r.base,
            &proxy,
            "ada",
            "correct horse battery",
            Some("2001:db8:1:2:ffff::1"),
        )
        .await;
        assert_eq!(s, 429, "{b:?}: the same /64");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_trusted_proxy_forwarded_headers_are_ignored() {
    let r = serve(
        Arc::new(TestDb::new(Backend::Sqlite)),
        Limits::default(),
        &[],
    )
    .await;
    let c = client_from("127.0.0.4");
    for i in 0..LIMIT + 1 {
        let fake = format!("198.51.100.{i}");
        let (s, _, _) = try_login(
            &r.base,
            &c,
            &format!("guess{i}"),
            "wrong password",
            Some(&fake),
        )
        .await;
        assert_eq!(s, if i < LIMIT { 401 } else { 429 }, "try {i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_needs_a_json_content_type() {
    let r = serve(
        Arc::new(TestDb::new(Backend::Sqlite)),
        Limits::default(),
        &[],
    )
    .await;
    let body = r#"{"username":"ada","password":"correct horse battery"}"#;
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = client()
            .post(format!("{}/api/v1/staff/login", r.base))
            .body(body);
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        let resp = req.send().await.expect("send");
        assert_eq!(resp.status().as_u16(), 415, "{ct:?}");
        assert!(resp.headers().get("set-cookie").is_none());
        let e: Value = resp.json().await.expect("json");
        assert_eq!(e["code"], "unsupported_media_type");
        assert!(e["message"]
            .as_str()
            .expect("msg")
            .contains("application/json"));
    }
    let resp = client()
        .post(format!("{}/api/v1/staff/login", r.base))
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 200);
}
