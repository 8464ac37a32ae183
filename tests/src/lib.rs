//! Helpers for system tests: a real organization server on a loopback port with a real
//! SQLite data directory, which a test can stop and start again.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use shiftlog_server::{http, Limits, OrgService, SqliteStorage};

pub mod proxy;
pub mod tls;

/// A running organization server.
pub struct TestServer {
    /// Its address.
    pub addr: SocketAddr,
    /// Its data directory.
    pub data_dir: PathBuf,
    /// Its API, for setting up organizations and codes directly.
    pub service: OrgService,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server on `addr` (port 0 for any) over the data in `data_dir`.
    pub async fn start(data_dir: &Path, addr: SocketAddr) -> TestServer {
        let store = SqliteStorage::open(data_dir).expect("open server store");
        TestServer::start_on(Arc::new(store), data_dir, addr).await
    }

    /// Starts a server over `store` (SQLite or PostgreSQL).
    pub async fn start_on(
        store: Arc<dyn shiftlog_server::Storage>,
        data_dir: &Path,
        addr: SocketAddr,
    ) -> TestServer {
        let service = OrgService::new(store, Limits::default());
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let svc = service.clone();
        let task = tokio::spawn(async move {
            http::serve(listener, svc, async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
        });
        TestServer {
            addr,
            data_dir: data_dir.to_path_buf(),
            service,
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// Base URL, e.g. `http://127.0.0.1:43121/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Creates an organization and returns a fresh enrollment code for it.
    pub fn org_with_code(&self, id: &str, name: &str) -> String {
        self.service
            .ensure_organization(id, name)
            .expect("create org");
        self.service.new_enrollment_code(id).expect("code")
    }

    /// Stops the server and waits until it no longer listens.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.expect("server task");
        }
    }
}

/// Test devices: cheap Argon2 costs and short HTTP timeouts.
pub fn test_options() -> shiftlog_core::OpenOptions {
    shiftlog_core::OpenOptions {
        kdf: shiftlog_core::KdfParams {
            m_kib: 256,
            t: 1,
            p: 1,
        },
        request_timeout: std::time::Duration::from_secs(5),
        ..shiftlog_core::OpenOptions::default()
    }
}

/// A device profile in `dir`, PIN 246813.
pub fn test_device(dir: &Path) -> Arc<shiftlog_core::Core> {
    shiftlog_core::Core::open(
        dir,
        shiftlog_core::Unlock::Pin("246813".into()),
        &test_options(),
    )
    .expect("open device")
}

/// A supplies hand-out of one item.
pub fn supplies(item: &str, quantity: i64) -> shiftlog_core::NewActivity {
    shiftlog_core::NewActivity {
        org_id: None,
        occurred_at: None,
        kind: "supplies_distributed".into(),
        body: serde_json::json!({"items": [{"item": item, "quantity": quantity}]}),
    }
}

/// A server with one organization and a device enrolled to it.
pub struct Enrolled {
    /// The server.
    pub server: TestServer,
    /// The device.
    pub core: Arc<shiftlog_core::Core>,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

/// Starts a server with organization `org` and enrolls a new device to it.
pub async fn enrolled_device(org: &str, name: &str) -> Enrolled {
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(sdir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let code = server.org_with_code(org, name);
    let core = test_device(ddir.path());
    core.enroll(&server.url(), &code, "phone")
        .await
        .expect("enroll");
    Enrolled {
        server,
        core,
        _dirs: (sdir, ddir),
    }
}

impl TestServer {
    /// The record ids in the organization's CSV export, in export order.
    pub fn exported_ids(&self, org: &str) -> Vec<String> {
        let mut buf = Vec::new();
        self.service.export_csv(org, &mut buf).expect("export");
        String::from_utf8(buf)
            .expect("utf8")
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next().map(str::to_string))
            .collect()
    }
}

/// Where the tests' PostgreSQL is (trust auth on these machines and in CI).
pub fn pg_url() -> String {
    std::env::var("SHIFTLOG_TEST_PG")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string())
}

/// A PostgreSQL schema of its own for one test, dropped when it goes.
pub struct PgSchema {
    /// Its name.
    pub name: String,
}

impl PgSchema {
    /// A fresh schema name.
    pub fn new() -> PgSchema {
        PgSchema {
            name: format!("t_{}", uuid::Uuid::new_v4().simple()),
        }
    }

    /// A server store in this schema (call from a blocking context or a plain thread).
    pub fn open(&self) -> Arc<dyn shiftlog_server::Storage> {
        Arc::new(
            shiftlog_server::PostgresStorage::connect(&pg_url(), Some(&self.name))
                .expect("PostgreSQL at 127.0.0.1:5432 (see scripts/setup.sh)"),
        )
    }
}

impl Default for PgSchema {
    fn default() -> Self {
        PgSchema::new()
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let schema = self.name.clone();
        // The blocking client may not run on an async worker thread: use a plain thread.
        let _ = std::thread::spawn(move || {
            if let Ok(mut c) = postgres::Client::connect(&pg_url(), postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        })
        .join();
    }
}

/// A small deterministic generator, so a failing run can be replayed from its seed.
#[derive(Default)]
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number in `0..n` (`0` when `n` is 0).
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}
