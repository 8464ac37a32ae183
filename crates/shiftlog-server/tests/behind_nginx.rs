//! The larger deployment of the README, for real: two `shiftlog-server` processes on one
//! PostgreSQL schema behind a real nginx (the configuration docs/running.md gives), each told
//! to believe that proxy only (`--trusted-proxy 127.0.0.1`). A device joins and pushes through
//! nginx; both instances serve it; every record is stored once however often it is sent; and
//! the login limit is counted per client address that nginx reports, not per proxy.
//! scripts/setup.sh installs nginx; without it this test fails, it does not skip.

mod common;

use std::net::IpAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::bin::{cli, free_port, ok, serve_with, Db};
use common::{record, rid, Backend, TestDb};
use serde_json::{json, Value};

/// nginx in the foreground with a configuration of its own, killed when dropped.
struct Nginx {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The proxy part of docs/running.md's nginx example, over two upstreams, listening on
/// loopback without TLS (devices allow plain http to loopback only).
fn nginx_conf(dir: &std::path::Path, listen: u16, upstreams: &[String]) -> String {
    let servers: String = upstreams
        .iter()
        .map(|u| format!("    server {};\n", u.trim_start_matches("http://")))
        .collect();
    let d = dir.display();
    format!(
        "daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  upstream shiftlog {{
{servers}  }}
  server {{
    listen 127.0.0.1:{listen};
    client_max_body_size 5m;
    location / {{
      proxy_pass http://shiftlog;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
      proxy_read_timeout 300s;
    }}
  }}
}}
"
    )
}

async fn start_nginx(upstreams: &[String]) -> Nginx {
    let dir = tempfile::tempdir().expect("tempdir");
    // nginx's workers drop to an unprivileged user when started as root: let them in.
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .expect("chmod");
    let port = free_port();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(&conf, nginx_conf(dir.path(), port, upstreams)).expect("conf");
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("nginx is not installed: bash scripts/setup.sh installs it (Debian's nginx-light)");
    let child = Command::new(nginx)
        .args(["-p", &dir.path().display().to_string(), "-c"])
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start nginx");
    let n = Nginx {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while reqwest::get(format!("{}/api/v1/info", n.base))
        .await
        .map_or(true, |r| !r.status().is_success())
    {
        assert!(Instant::now() < deadline, "nginx did not start proxying");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    n
}

/// Requests an instance has answered on `route`, from its own /metrics (loopback).
async fn answered(base: &str, route: &str) -> u64 {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    text.lines()
        .filter(|l| {
            l.starts_with("shiftlog_http_requests_total")
                && l.contains(&format!("route=\"{route}\""))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().expect("ip"))
        .build()
        .expect("client")
}

async fn login(base: &str, http: &reqwest::Client, username: &str) -> u16 {
    http.post(format!("{base}/api/v1/staff/login"))
        .json(&json!({"username": username, "password": "not the password"}))
        .send()
        .await
        .expect("login")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_postgres_behind_nginx_serve_devices_and_count_limits_per_client() {
    let test_db = TestDb::new(Backend::Postgres);
    let db = Db::Postgres {
        url: common::pg_url(),
        schema: test_db.schema.clone().expect("schema"),
    };
    ok(cli(&db, &["add-org", "peers", "Peers"]));
    let code = ok(cli(&db, &["enrollment-code", "--org", "peers"]))
        .trim()
        .to_string();
    let a = serve_with(&db, &["--trusted-proxy", "127.0.0.1"]).await;
    let b = serve_with(&db, &["--trusted-proxy", "127.0.0.1"]).await;
    let proxy = start_nginx(&[a.base.clone(), b.base.clone()]).await;

    // A device joins and pushes 300 records through the proxy, every batch twice (a retry
    // after a lost answer), so both instances see the same records.
    let http = reqwest::Client::new();
    let joined: Value = http
        .post(format!("{}/api/v1/enroll", proxy.base))
        .json(&json!({"code": code, "device_name": "phone"}))
        .send()
        .await
        .expect("enroll")
        .json()
        .await
        .expect("json");
    let token = joined["token"].as_str().expect("token").to_string();
    let mut accepted = 0;
    for batch in 0..3u32 {
        let records: Vec<Value> = (0..100).map(|n| record(&rid(batch * 100 + n))).collect();
        for _ in 0..2 {
            let r: Value = http
                .post(format!("{}/api/v1/push", proxy.base))
                .bearer_auth(&token)
                .json(&json!({"protocol": 1, "records": records}))
                .send()
                .await
                .expect("push")
                .json()
                .await
                .expect("json");
            for res in r["results"].as_array().expect("results") {
                match res["status"].as_str() {
                    Some("accepted") => accepted += 1,
                    Some("already_had") => {}
                    other => panic!("unexpected {other:?}: {res}"),
                }
            }
        }
    }
    assert_eq!(
        accepted, 300,
        "each record stored once, whichever instance got it"
    );
    let csv = ok(cli(&db, &["export", "--org", "peers"]));
    assert_eq!(csv.lines().count(), 301, "300 rows and the heading");
    let (on_a, on_b) = (
        answered(&a.base, "/api/v1/push").await,
        answered(&b.base, "/api/v1/push").await,
    );
    assert_eq!(on_a + on_b, 6, "every push reached an instance");
    assert!(on_a > 0 && on_b > 0, "nginx spread them: {on_a} and {on_b}");

    // Failed logins from one client address (127.0.0.2) reach both instances in turn; each
    // instance counts what nginx says the client was, so its sixth is refused.
    let from_2 = client_from("127.0.0.2");
    let mut statuses = Vec::new();
    for i in 0..12 {
        statuses.push(login(&proxy.base, &from_2, &format!("guess{i}")).await);
    }
    assert!(
        statuses[..10].iter().all(|s| *s == 401) && statuses[10..].iter().all(|s| *s == 429),
        "the limit is per client and per instance: {statuses:?}"
    );
    // Another client behind the same proxy is not held back by the first one's guesses,
    // even when it claims to be the first (nginx replaces the header it sent).
    let from_3 = client_from("127.0.0.3");
    assert_eq!(login(&proxy.base, &from_3, "someone").await, 401);
    let forged = from_3
        .post(format!("{}/api/v1/staff/login", proxy.base))
        .header("x-forwarded-for", "127.0.0.2")
        .json(&json!({"username": "someone else", "password": "x"}))
        .send()
        .await
        .expect("login")
        .status()
        .as_u16();
    assert_eq!(
        forged, 401,
        "a client's own X-Forwarded-For is not believed"
    );
}
