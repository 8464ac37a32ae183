//! The real `shiftlog-server` binary: its admin commands and a serving process, on SQLite or
//! PostgreSQL.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const BIN: &str = env!("CARGO_BIN_EXE_shiftlog-server");

/// Database arguments: a SQLite data directory, or a PostgreSQL URL and schema.
#[derive(Clone)]
pub enum Db {
    Sqlite(std::path::PathBuf),
    Postgres { url: String, schema: String },
}

impl Db {
    pub fn args(&self) -> Vec<String> {
        match self {
            Db::Sqlite(dir) => vec!["--data-dir".into(), dir.display().to_string()],
            Db::Postgres { url, schema } => vec![
                "--database-url".into(),
                url.clone(),
                "--database-schema".into(),
                schema.clone(),
            ],
        }
    }
}

pub fn cli(db: &Db, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(db.args())
        .args(args)
        .env_remove("SHIFTLOG_DATABASE_URL")
        .output()
        .expect("run shiftlog-server")
}

pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf8")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn serve(db: &Db) -> Server {
    serve_with(db, &[]).await
}

/// `serve` with more of its options (e.g. `--trusted-proxy`).
pub async fn serve_with(db: &Db, serve_args: &[&str]) -> Server {
    let port = free_port();
    let child = Command::new(BIN)
        .args(db.args())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(serve_args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn server");
    // Owned by a Server at once: killed and waited for on every way out, panics included.
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = reqwest::get(format!("{}/api/v1/info", server.base)).await {
            if r.status().is_success() {
                return server;
            }
        }
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn enroll(base: &str, code: &str) -> String {
    let v: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/enroll"))
        .json(&json!({"code": code, "device_name": "phone"}))
        .send()
        .await
        .expect("enroll")
        .json()
        .await
        .expect("json");
    v["token"].as_str().expect("token").to_string()
}
