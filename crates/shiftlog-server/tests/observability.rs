//! Watching a running server, over real HTTP on both backends: the request log (the real
//! binary with JSON logs, its standard error read line by line) names route templates and
//! statuses and never a secret sent in the request; `/healthz`; `/readyz` when the database
//! is fine, behind, newer or gone; `/metrics` counts refusals and failed sign-ins by code,
//! holds no organization, user or worker, and answers only loopback or its token.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use shiftlog_server::{http, Limits, OrgService};

/// The secrets of the log test: each is sent in a request and must never be logged.
struct Secrets {
    code: String,
    token: String,
    wrong_password: &'static str,
    password: &'static str,
    cookie: String,
    csrf: String,
    query: &'static str,
    device_id: String,
}

/// Starts the real binary on `db` with JSON logs; its address and its stderr lines so far.
fn spawn_server(db: &TestDb) -> (std::process::Child, String, Arc<Mutex<Vec<String>>>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shiftlog-server"));
    match &db.schema {
        Some(schema) => cmd.args(["--database-url", &pg_url(), "--database-schema", schema]),
        None => cmd.arg("--data-dir").arg(db.dir.path()),
    };
    let mut child = cmd
        .args(["--log-format", "json", "--log", "info"])
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("SHIFTLOG_LOG")
        .env_remove("SHIFTLOG_LOG_FORMAT")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn shiftlog-server");
    let stderr = child.stderr.take().expect("stderr");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let kept = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let addr: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                    .collect();
                let _ = tx.send(addr);
            }
            kept.lock().expect("lines").push(line);
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the server says where it listens");
    (child, format!("http://{addr}"), lines)
}

/// Makes the requests whose secrets the log must not show; returns them.
async fn requests_with_secrets(base: &str, code: String) -> Secrets {
    let c = client();
    let enrolled: Value = c
        .post(format!("{base}/api/v1/enroll"))
        .json(&json!({"code": code, "device_name": "phone"}))
        .send()
        .await
        .expect("enroll")
        .json()
        .await
        .expect("json");
    let token = enrolled["token"].as_str().expect("token").to_string();
    let mut bad = record(&rid(2));
    bad["kind"] = json!("no_such_kind");
    let push = c
        .post(format!("{base}/api/v1/push"))
        .bearer_auth(&token)
        .json(&json!({"protocol": 1, "records": [record(&rid(1)), bad]}))
        .send()
        .await
        .expect("push");
    assert_eq!(push.status(), 200);
    let query = "after=0&note=QUERYSECRET42";
    let pull = c
        .get(format!("{base}/api/v1/records?{query}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("pull");
    assert_eq!(pull.status(), 200);
    let wrong_password = "wrong-Horse-7731-secret";
    let refused = c
        .post(format!("{base}/api/v1/staff/login"))
        .json(&json!({"username": "logadmin", "password": wrong_password}))
        .send()
        .await
        .expect("login");
    assert_eq!(refused.status(), 401);
    let password = "correct horse battery";
    let ok = c
        .post(format!("{base}/api/v1/staff/login"))
        .json(&json!({"username": "logadmin", "password": password}))
        .send()
        .await
        .expect("login");
    assert_eq!(ok.status(), 200);
    let cookie = ok
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_string();
    let body: Value = ok.json().await.expect("json");
    let csrf = body["csrf_token"].as_str().expect("csrf").to_string();
    let device_id = uuid::Uuid::new_v4().to_string();
    let revoke = c
        .post(format!("{base}/api/v1/staff/devices/{device_id}/revoke"))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoke.status(), 404);
    Secrets {
        code,
        token,
        wrong_password,
        password,
        cookie,
        csrf,
        query: "QUERYSECRET42",
        device_id,
    }
}

/// The one log line of the request to `route` that got `status`.
fn line_for<'a>(lines: &'a [Value], route: &str, status: u64) -> &'a Value {
    lines
        .iter()
        .find(|l| l["span"]["route"] == route && l["fields"]["status"] == status)
        .unwrap_or_else(|| panic!("no log line for {route} {status}: {lines:#?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn one_log_line_per_request_with_route_and_status_and_no_secret() {
    for backend in BACKENDS {
        let db = Arc::new(TestDb::new(backend));
        let d = db.clone();
        let code = tokio::task::spawn_blocking(move || {
            let s = OrgService::new(d.open(), Limits::default());
            s.ensure_organization("logorg", "Log Org").expect("org");
            set_test_catalogue(&s, "logorg");
            s.create_admin("logorg", "logadmin", "correct horse battery")
                .expect("admin");
            s.new_enrollment_code("logorg").expect("code")
        })
        .await
        .expect("setup");
        let (mut child, base, lines) = spawn_server(&db);
        let secrets = requests_with_secrets(&base, code).await;
        // An incoming id is kept only when short and plain.
        let c = client();
        let kept = c
            .get(format!("{base}/api/v1/info"))
            .header("x-request-id", "probe-42.a_b")
            .send()
            .await
            .expect("info");
        assert_eq!(kept.headers()["x-request-id"], "probe-42.a_b");
        let hostile = c
            .get(format!("{base}/api/v1/info"))
            .header("x-request-id", "HOSTILEID\", \"status\": 200")
            .send()
            .await
            .expect("info");
        let made = hostile.headers()["x-request-id"]
            .to_str()
            .expect("ascii")
            .to_string();
        assert!(
            made.len() == 32 && made.bytes().all(|b| b.is_ascii_hexdigit()),
            "{made}"
        );
        child.kill().expect("kill");
        let _ = child.wait();
        let text = lines.lock().expect("lines").join("\n");
        let parsed: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        let requests: Vec<Value> = parsed
            .iter()
            .filter(|l| l["fields"]["message"] == "request")
            .cloned()
            .collect();
        assert_eq!(
            requests.len(),
            8,
            "{backend:?}: one line per request: {text}"
        );
        let push = line_for(&requests, "/api/v1/push", 200);
        assert_eq!(push["span"]["method"], "POST");
        assert_eq!(push["span"]["org"], "logorg", "{push}");
        assert!(push["fields"]["latency_ms"].is_number());
        assert!(push["span"]["request_id"]
            .as_str()
            .is_some_and(|i| i.len() == 32));
        line_for(&requests, "/api/v1/enroll", 200);
        line_for(&requests, "/api/v1/records", 200);
        line_for(&requests, "/api/v1/staff/login", 401);
        line_for(&requests, "/api/v1/staff/login", 200);
        let revoke = line_for(&requests, "/api/v1/staff/devices/{id}/revoke", 404);
        assert_eq!(revoke["span"]["org"], "logorg");
        let info = line_for(&requests, "/api/v1/info", 200);
        assert_eq!(info["span"]["request_id"], "probe-42.a_b");
        assert!(
            requests
                .iter()
                .any(|l| l["span"]["request_id"] == made.as_str()),
            "the made id is the logged one"
        );
        let cookie_value = secrets.cookie.split('=').nth(1).expect("value");
        for (what, secret) in [
            ("enrollment code", secrets.code.as_str()),
            ("device token", &secrets.token),
            ("wrong password", secrets.wrong_password),
            ("password", secrets.password),
            ("session cookie", cookie_value),
            ("csrf token", &secrets.csrf),
            ("query string", secrets.query),
            ("id in the path", &secrets.device_id),
            ("record id", &rid(1)),
            ("hostile request id", "HOSTILEID"),
        ] {
            assert!(
                !text.contains(secret),
                "{backend:?}: the {what} is in the log: {text}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn healthz_answers_and_readyz_says_what_is_wrong() {
    for backend in BACKENDS {
        let r = start(backend).await;
        let get = |path: &'static str| {
            let url = format!("{}{path}", r.base);
            async move {
                let resp = client().get(url).send().await.expect("send");
                let status = resp.status().as_u16();
                (status, resp.json::<Value>().await.expect("json"))
            }
        };
        assert_eq!(get("/healthz").await, (200, json!({"status": "ok"})));
        let (status, ready) = get("/readyz").await;
        assert_eq!(
            (status, &ready["status"]),
            (200, &json!("ready")),
            "{ready}"
        );
        let expected = ready["schema"].as_u64().expect("schema");

        // A schema newer than this server's migrations.
        set_schema_version(&r.db, expected + 5).await;
        let (status, body) = get("/readyz").await;
        assert_eq!(
            (status, &body["code"]),
            (503, &json!("not_ready")),
            "{body}"
        );
        assert!(
            body["message"].as_str().expect("msg").contains("newer"),
            "{body}"
        );
        set_schema_version(&r.db, expected).await;
        assert_eq!(get("/readyz").await.0, 200, "{backend:?}: ready again");

        // The database gone from under the server.
        let db = r.db.clone();
        tokio::task::spawn_blocking(move || match &db.schema {
            Some(schema) => pg(&format!("DROP SCHEMA {schema} CASCADE")),
            None => std::fs::rename(
                db.dir.path().join("server.db"),
                db.dir.path().join("moved.db"),
            )
            .expect("move"),
        })
        .await
        .expect("break");
        let (status, body) = get("/readyz").await;
        assert_eq!(
            (status, &body["code"]),
            (503, &json!("not_ready")),
            "{body}"
        );
        assert!(
            body["message"]
                .as_str()
                .expect("msg")
                .contains("cannot be reached"),
            "{body}"
        );
        assert_eq!(get("/healthz").await.0, 200, "alive all the same");
    }
}

/// Runs `sql` on the tests' PostgreSQL.
fn pg(sql: &str) {
    let mut c = postgres::Client::connect(&pg_url(), postgres::NoTls).expect("pg");
    c.batch_execute(sql).expect(sql);
}

/// Sets the schema version the database records, behind the server's back.
async fn set_schema_version(db: &Arc<TestDb>, version: u64) {
    let db = db.clone();
    tokio::task::spawn_blocking(move || match &db.schema {
        Some(s) => pg(&format!(
            "DELETE FROM {s}.schema_version WHERE version > {version};
             INSERT INTO {s}.schema_version (version) SELECT {version}
               WHERE NOT EXISTS (SELECT 1 FROM {s}.schema_version WHERE version = {version})"
        )),
        None => rusqlite::Connection::open(db.dir.path().join("server.db"))
            .expect("open")
            .pragma_update(None, "user_version", version)
            .expect("user_version"),
    })
    .await
    .expect("set version");
}

/// A server whose `/metrics` wants `token`.
async fn start_with_metrics_token(backend: Backend, token: &str) -> Running {
    let db = Arc::new(TestDb::new(backend));
    let d = db.clone();
    let store = tokio::task::spawn_blocking(move || d.open())
        .await
        .expect("open");
    let service =
        OrgService::new(store, Limits::default()).with_metrics_token(Some(token.to_string()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let svc = service.clone();
    tokio::spawn(async move { http::serve(listener, svc, std::future::pending()).await });
    Running { base, service, db }
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_refusals_and_failed_logins_without_names() {
    for backend in BACKENDS {
        let r = start(backend).await;
        let token = enrolled(&r, "metricsorg").await;
        let mut bad = record(&rid(2));
        bad["kind"] = json!("no_such_kind");
        let answer: Value = client()
            .post(format!("{}/api/v1/push", r.base))
            .bearer_auth(&token)
            .json(&json!({"protocol": 2, "records": [record(&rid(1)), bad]}))
            .send()
            .await
            .expect("push")
            .json()
            .await
            .expect("json");
        let reason = answer["results"][1]["reason_code"]
            .as_str()
            .unwrap_or_else(|| panic!("a refusal with a code: {answer}"))
            .to_string();
        staff_session(&r, "metricsorg", "carolmetrics", "admin").await;
        let refused = login(&r, "carolmetrics", "not her password at all").await;
        assert_eq!(refused.err().map(|e| e.0), Some(401));

        let resp = client()
            .get(format!("{}/metrics", r.base))
            .send()
            .await
            .expect("metrics");
        assert_eq!(resp.status(), 200);
        assert!(resp.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain"));
        let text = resp.text().await.expect("text");
        let rejected = format!("shiftlog_records_rejected_total{{reason=\"{reason}\"}} 1");
        for want in [
            rejected.as_str(),
            "shiftlog_records_total{result=\"accepted\"} 1",
            "shiftlog_records_total{result=\"rejected\"} 1",
            "shiftlog_login_failures_total 1",
            "shiftlog_push_duration_seconds_count 1",
            "shiftlog_http_requests_total{method=\"POST\",route=\"/api/v1/push\",status=\"200\"} 1",
            "shiftlog_http_requests_total{method=\"POST\",route=\"/api/v1/staff/login\",status=\"401\"} 1",
        ] {
            assert!(text.contains(want), "{backend:?}: {want} missing:\n{text}");
        }
        for name in ["metricsorg", "carolmetrics", "W-", &token, &rid(1)] {
            assert!(!text.contains(name), "{backend:?}: {name} in the metrics");
        }

        // Through a proxy on this machine every caller would look local: refused.
        let proxied = client()
            .get(format!("{}/metrics", r.base))
            .header("x-forwarded-for", "203.0.113.9")
            .send()
            .await
            .expect("metrics");
        assert_eq!(proxied.status(), 403);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_with_a_token_need_it() {
    let r = start_with_metrics_token(Backend::Sqlite, "metrics-secret-1").await;
    let url = format!("{}/metrics", r.base);
    let plain = client().get(&url).send().await.expect("send");
    assert_eq!(
        plain.status(),
        403,
        "loopback is not enough once a token is set"
    );
    let wrong = client()
        .get(&url)
        .bearer_auth("metrics-secret-2")
        .send()
        .await
        .expect("send");
    assert_eq!(wrong.status(), 403);
    let right = client()
        .get(&url)
        .bearer_auth("metrics-secret-1")
        .send()
        .await
        .expect("send");
    assert_eq!(right.status(), 200);
    assert!(right
        .text()
        .await
        .expect("text")
        .contains("shiftlog_http_requests_total"));
}
