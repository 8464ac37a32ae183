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
        let service = OrgService::new(Arc::new(store), Limits::default());
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
