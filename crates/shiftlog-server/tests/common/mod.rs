//! Test harness: the server over real HTTP on loopback, on a real SQLite file in a temp dir
//! or a real PostgreSQL schema of its own (dropped afterwards), so every test runs on both.
#![allow(dead_code)]

pub mod bin;

use std::sync::Arc;

use serde_json::{json, Value};
use shiftlog_server::{http, Limits, OrgService, PostgresStorage, SqliteStorage, Storage};

/// Where the tests' PostgreSQL is (trust auth on these machines and in CI).
pub fn pg_url() -> String {
    std::env::var("SHIFTLOG_TEST_PG")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string())
}

/// A storage backend under test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// A fresh database; its PostgreSQL schema is dropped when it goes.
pub struct TestDb {
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    pub schema: Option<String>,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        TestDb {
            backend,
            dir: tempfile::tempdir().expect("tempdir"),
            schema: (backend == Backend::Postgres)
                .then(|| format!("t_{}", uuid::Uuid::new_v4().simple())),
        }
    }

    /// Opens a store on this database (call from a blocking context).
    pub fn open(&self) -> Arc<dyn Storage> {
        match self.backend {
            Backend::Sqlite => Arc::new(SqliteStorage::open(self.dir.path()).expect("sqlite")),
            Backend::Postgres => Arc::new(
                PostgresStorage::connect(&pg_url(), self.schema.as_deref())
                    .expect("PostgreSQL at 127.0.0.1:5432 (see scripts/setup.sh)"),
            ),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(schema) = self.schema.take() {
            // The sync client may not run on an async worker thread: use a plain thread.
            let _ = std::thread::spawn(move || {
                if let Ok(mut c) = postgres::Client::connect(&pg_url(), postgres::NoTls) {
                    let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
                }
            })
            .join();
        }
    }
}

/// A running server.
pub struct Running {
    pub base: String,
    pub service: OrgService,
    pub db: Arc<TestDb>,
}

/// Runs `f` on the service off the async workers (the PostgreSQL client blocks).
pub async fn call<T: Send + 'static>(
    svc: &OrgService,
    f: impl FnOnce(&OrgService) -> T + Send + 'static,
) -> T {
    let svc = svc.clone();
    tokio::task::spawn_blocking(move || f(&svc))
        .await
        .expect("blocking call")
}

pub async fn start(backend: Backend) -> Running {
    start_on(Arc::new(TestDb::new(backend)), Limits::default()).await
}

/// Starts a server instance over `db` (several may share one PostgreSQL schema).
pub async fn start_on(db: Arc<TestDb>, limits: Limits) -> Running {
    let db2 = db.clone();
    let store = tokio::task::spawn_blocking(move || db2.open())
        .await
        .expect("open");
    let service = OrgService::new(store, limits);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let svc = service.clone();
    tokio::spawn(async move { http::serve(listener, svc, std::future::pending()).await });
    Running { base, service, db }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// Creates `org` if needed and enrolls a device; returns its token.
pub async fn enrolled(r: &Running, org: &str) -> String {
    let o = org.to_string();
    let code = call(&r.service, move |s| {
        if s.ensure_organization(&o, &o).expect("org") {
            set_test_catalogue(s, &o);
        }
        s.new_enrollment_code(&o).expect("code")
    })
    .await;
    enroll_with(r, &code).await
}

/// The areas and roles the tests' records use (the server refuses any other, as devices do).
pub fn set_test_catalogue(s: &OrgService, org: &str) {
    let entry = |id: &str, description: &str| shiftlog_server::CatalogueEntry {
        id: id.into(),
        label: id.into(),
        description: description.into(),
    };
    let staff = shiftlog_server::Staff {
        org_id: org.into(),
        actor: "test".into(),
        role: shiftlog_server::Role::Coordinator,
    };
    s.set_catalogue(
        &staff,
        &shiftlog_server::CatalogueEdit {
            activity_kinds: vec![],
            supply_items: vec![],
            areas: ["downtown", "v6a", "v6b", "harbour"]
                .iter()
                .map(|a| entry(a, ""))
                .collect(),
            roles: ["outreach", "peer_outreach", "navigator"]
                .iter()
                .map(|r| entry(r, "Outreach and support"))
                .collect(),
            retention_days: 90,
        },
    )
    .expect("test catalogue");
}

pub async fn enroll_with(r: &Running, code: &str) -> String {
    let resp: Value = client()
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

pub fn record(id: &str) -> Value {
    json!({
        "id": id, "version": 1, "record_type": "activity", "kind": "supplies_distributed",
        "occurred_at": "2026-11-20T10:42:00-08:00", "recorded_at": "2026-11-20T10:42:05-08:00",
        "body": {"items": [{"item": "naloxone_kit", "quantity": 2}]}
    })
}

/// A record id that differs by `n`.
pub fn rid(n: u32) -> String {
    format!("01936d5e-8f7a-7cc0-8a5e-{n:012x}")
}

pub async fn push(r: &Running, token: &str, records: Vec<Value>) -> (u16, Value) {
    let resp = client()
        .post(format!("{}/api/v1/push", r.base))
        .bearer_auth(token)
        .json(&json!({"protocol": 1, "records": records}))
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}

pub async fn export(r: &Running, org: &str) -> String {
    let o = org.to_string();
    call(&r.service, move |s| {
        let mut buf = Vec::new();
        s.export_csv(&o, &mut buf).expect("export");
        String::from_utf8(buf).expect("utf8")
    })
    .await
}

/// A signed-in dashboard session.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// Creates `username` with `role` in `org` (through the store: roles other than admin are
/// normally made by an admin) and signs in.
pub async fn staff_session(r: &Running, org: &str, username: &str, role: &str) -> Session {
    let (o, u, role) = (org.to_string(), username.to_string(), role.to_string());
    call(&r.service, move |s| {
        s.ensure_organization(&o, &o).expect("org");
        s.create_admin(&o, &u, "correct horse battery")
            .expect("admin");
        if role != "admin" {
            // Straight to storage (the service keeps an organization's last admin), with the
            // audit line the service would write.
            let id = s
                .store()
                .staff_by_username(&u)
                .expect("q")
                .into_iter()
                .find(|a| a.org_id == o)
                .expect("staff")
                .id;
            let role = shiftlog_server::Role::parse(&role).expect("role");
            s.store().set_staff_role(&o, id, role).expect("role");
            s.store()
                .audit(
                    &o,
                    &shiftlog_server::AuditEntry {
                        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        actor: "test".into(),
                        action: "role_change".into(),
                        detail: json!({"staff": id, "role": role.as_str()}),
                    },
                )
                .expect("audit");
        }
    })
    .await;
    login(r, username, "correct horse battery")
        .await
        .expect("login")
}

pub async fn login(r: &Running, username: &str, password: &str) -> Result<Session, (u16, Value)> {
    let resp = client()
        .post(format!("{}/api/v1/staff/login", r.base))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    let set_cookie = resp
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().expect("ascii").to_string());
    let body: Value = resp.json().await.expect("json");
    match set_cookie {
        Some(c) if status == 200 => {
            assert!(
                c.contains("HttpOnly") && c.contains("Secure") && c.contains("SameSite=Strict"),
                "{c}"
            );
            Ok(Session {
                cookie: c.split(';').next().expect("pair").to_string(),
                csrf: body["csrf_token"].as_str().expect("csrf").to_string(),
            })
        }
        _ => Err((status, body)),
    }
}

impl Session {
    pub fn get(&self, r: &Running, path: &str) -> reqwest::RequestBuilder {
        client()
            .get(format!("{}{path}", r.base))
            .header("cookie", &self.cookie)
    }

    /// A state-changing request with the CSRF header.
    pub fn send(
        &self,
        r: &Running,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        client()
            .request(method, format!("{}{path}", r.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
    }
}
