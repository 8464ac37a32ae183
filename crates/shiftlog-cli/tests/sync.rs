//! `shiftlog sync` says what happened, in words and exit codes (docs/cli.md): all sent and
//! fetched; sent, but fetching afterwards failed; the server out of reach; records refused.
//! The faults come from a proxy between the CLI and a real server that cuts the connection
//! of one kind of request, or of every request.

use std::net::SocketAddr;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use shiftlog_server::{CatalogueEdit, CatalogueEntry, Role, Staff};
use shiftlog_system_tests::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy cuts.
#[derive(Clone, Copy, PartialEq)]
enum Cut {
    /// Nothing.
    None,
    /// The connection carrying a request that starts with these bytes, e.g. `GET /api/v1/records`.
    Request(&'static str),
    /// Every connection, at once (the server is out of reach).
    All,
}

/// A TCP proxy that closes a connection, without answering, as soon as the client sends a
/// request the test names.
struct CuttingProxy {
    addr: SocketAddr,
    cut: Arc<Mutex<Cut>>,
}

impl CuttingProxy {
    async fn start(upstream: SocketAddr) -> CuttingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let cut = Arc::new(Mutex::new(Cut::None));
        let c = cut.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if *c.lock().expect("lock") == Cut::All {
                    continue; // dropped: the client sees the connection closed
                }
                let c = c.clone();
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        pipe(client, server, c).await;
                    }
                });
            }
        });
        CuttingProxy { addr, cut }
    }

    fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    fn set(&self, cut: Cut) {
        *self.cut.lock().expect("lock") = cut;
    }
}

async fn pipe(client: TcpStream, server: TcpStream, cut: Arc<Mutex<Cut>>) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let now = *cut.lock().expect("lock");
            let hit = match now {
                Cut::None => false,
                Cut::All => true,
                Cut::Request(start) => buf[..n].windows(start.len()).any(|w| w == start.as_bytes()),
            };
            if hit || sw.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    let down = async move {
        let _ = tokio::io::copy(&mut sr, &mut cw).await;
    };
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
}

fn shiftlog(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shiftlog"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SHIFTLOG_PIN", "246813")
        .env_remove("SHIFTLOG_LANG")
        .output()
        .expect("run shiftlog")
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn areas(ids: &[&str]) -> CatalogueEdit {
    CatalogueEdit {
        activity_kinds: vec![],
        supply_items: vec![],
        areas: ids
            .iter()
            .map(|id| CatalogueEntry {
                id: (*id).into(),
                label: (*id).into(),
                description: String::new(),
            })
            .collect(),
        roles: vec![],
        retention_days: 30,
    }
}

#[test]
fn sync_tells_sent_from_fetched_from_offline_from_refused() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let d = ddir.path();
    let server = rt.block_on(TestServer::start(
        sdir.path(),
        "127.0.0.1:0".parse().expect("addr"),
    ));
    let code = server.org_with_code("north", "North Peers");
    let admin = Staff {
        org_id: "north".into(),
        actor: "test".into(),
        role: Role::Admin,
    };
    server
        .service
        .set_catalogue(&admin, &areas(&["north_end", "riverside"]))
        .expect("catalogue");
    let proxy = rt.block_on(CuttingProxy::start(server.addr));

    let o = shiftlog(d, &["enroll", &proxy.url(), &code]);
    assert!(o.status.success(), "{}", said(&o));

    // All sent and fetched.
    for _ in 0..2 {
        let o = shiftlog(d, &["log", "supplies", "naloxone_kit=1"]);
        assert!(o.status.success(), "{}", said(&o));
    }
    let o = shiftlog(d, &["sync"]);
    assert_eq!(o.status.code(), Some(0), "{}", said(&o));
    assert!(
        said(&o).contains("Sent 2 new, 0 already there."),
        "{}",
        said(&o)
    );
    assert!(said(&o).contains("Up to date."), "{}", said(&o));

    // Sent, then the pull of the worker's other records is cut: every record was confirmed,
    // so this is neither "offline" nor a loss.
    proxy.set(Cut::Request("GET /api/v1/records"));
    shiftlog(d, &["log", "supplies", "naloxone_kit=3"]);
    let o = shiftlog(d, &["sync"]);
    let text = said(&o);
    assert_eq!(o.status.code(), Some(7), "{text}");
    assert!(text.contains("Sent 1 new, 0 already there."), "{text}");
    assert!(
        text.contains(
            "records from your other devices could not be fetched (the connection was lost)"
        ),
        "{text}"
    );
    assert!(
        text.contains("What was sent is safe on the server."),
        "{text}"
    );
    assert!(!text.contains("Offline"), "{text}");
    assert_eq!(server.exported_ids("north").len(), 3, "on the server");
    let status: serde_json::Value =
        serde_json::from_slice(&shiftlog(d, &["--json", "status"]).stdout).expect("json");
    assert_eq!(status["waiting"], 0, "{status}");
    // The same in JSON, for scripts.
    shiftlog(d, &["log", "supplies", "naloxone_kit=4"]);
    let o = shiftlog(d, &["--json", "sync"]);
    assert_eq!(o.status.code(), Some(7), "{}", said(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(r["outcome"], "sent_not_pulled", "{r}");
    assert_eq!(r["pull_error"], "offline", "{r}");
    assert_eq!(r["accepted"], 1, "{r}");

    // The catalogue update cut instead: told apart from the pull in words, same code.
    proxy.set(Cut::Request("GET /api/v1/catalogue"));
    let o = shiftlog(d, &["sync"]);
    let text = said(&o);
    assert_eq!(o.status.code(), Some(7), "{text}");
    assert!(text.contains("Nothing was waiting to be sent."), "{text}");
    assert!(
        text.contains("organization's lists (kinds, items, areas) could not be updated"),
        "{text}"
    );
    assert!(!text.contains("other devices"), "{text}");

    // The server out of reach: offline, nothing lost, and how much waits.
    proxy.set(Cut::All);
    shiftlog(d, &["log", "supplies", "naloxone_kit=5"]);
    let o = shiftlog(d, &["sync"]);
    let text = said(&o);
    assert_eq!(o.status.code(), Some(4), "{text}");
    assert!(text.contains("Offline"), "{text}");
    assert!(
        text.contains("Nothing is lost: 1 record(s) wait on this device"),
        "{text}"
    );
    assert_eq!(server.exported_ids("north").len(), 4);

    // Back online; the organization took "riverside" off its list after this device pulled
    // it: that record is refused and needs the worker, the rest goes through.
    proxy.set(Cut::None);
    server
        .service
        .set_catalogue(&admin, &areas(&["north_end"]))
        .expect("catalogue");
    let o = shiftlog(
        d,
        &["log", "outreach", "--people", "2", "--area", "riverside"],
    );
    assert!(o.status.success(), "{}", said(&o));
    let o = shiftlog(d, &["sync"]);
    let text = said(&o);
    assert_eq!(o.status.code(), Some(8), "{text}");
    assert!(text.contains("Sent 1 new, 0 already there."), "{text}");
    assert!(text.contains("1 need attention"), "{text}");
    assert!(text.contains("shiftlog list --needs-attention"), "{text}");
    let o = shiftlog(d, &["--lang", "fr", "sync"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "nothing new was refused: {}",
        said(&o)
    );
    assert!(said(&o).contains("À jour."), "{}", said(&o));
    assert_eq!(server.exported_ids("north").len(), 5);
}
