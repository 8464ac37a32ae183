//! The client process SIGKILLed while two pushes are on the wire (`IN_FLIGHT` in
//! crates/shiftlog-core/src/sync/mod.rs), at chosen points: batch 1 stored by the server and
//! answered or not, batch 2 stored, held before the server or answered first, the third batch
//! on its way; then a few random points. A gate proxy between the client and a real server
//! (SQLite, in this process) holds each push's request or answer until told, and reports what
//! the server has answered (it answers only after its commit). After each kill the device's
//! records are edited and deleted, new ones logged, and the client process runs again to
//! completion: the server holds every record exactly once, at the device's version and body
//! (edits and deletes made after the kill win); the device shows everything sent; nothing was
//! set aside, superseded or refused. Two kill points also edit a record while its push is on
//! the wire: the answer confirms only the version sent, the edit stays to be sent.
//!
//! The client is its own process (`tests/src/bin/test-sync-client.rs`), so a kill is a real
//! SIGKILL of a real process holding a real SQLCipher file.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use shiftlog_core::{RecordQuery, RecordSync, SyncReport};
use shiftlog_server::{http, Limits, OrgService, RecordFilter, SqliteStorage};
use shiftlog_system_tests::{supplies, test_device, Lcg};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Records per push (the server's `max_batch_records`, below the client's own cap).
const BATCH: usize = 20;
/// Batches logged before each kill: two on the wire, a third sent once the first is applied.
const BATCHES: usize = 3;
const ORG: &str = "rural";

// ---------------------------------------------------------------------------------------------
// The gate proxy.

/// What the gate lets through, and what it saw. Batches are numbered from 0 in the order the
/// client reads its outbox; a push is known by its first record.
#[derive(Default)]
struct Gate {
    /// Bumped at each phase: connections of an earlier phase are dropped, never forwarded.
    generation: u64,
    /// Everything passes (after `jitter_ms` at most, both ways).
    open: bool,
    jitter_ms: u64,
    rng: Lcg,
    batch_of: HashMap<String, usize>,
    req_released: HashSet<usize>,
    resp_released: HashSet<usize>,
    /// Requests of any kind that reached the proxy in this phase.
    requests: usize,
    /// Pushes that reached the proxy, by batch.
    arrived: HashSet<usize>,
    /// The status line the server answered each forwarded push with.
    answered: HashMap<usize, String>,
    /// Pushes in the order they reached the proxy: (batch or `usize::MAX`, records).
    seen: Vec<(usize, usize)>,
}

impl Gate {
    fn jitter(&mut self) -> Duration {
        if self.jitter_ms == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(self.rng.next(self.jitter_ms))
    }
}

struct GateProxy {
    addr: SocketAddr,
    gate: Arc<watch::Sender<Gate>>,
}

impl GateProxy {
    async fn start(upstream: SocketAddr) -> GateProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let gate = Arc::new(watch::Sender::new(Gate {
            open: true,
            ..Gate::default()
        }));
        let g = gate.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(connection(client, upstream, g.clone()));
            }
        });
        GateProxy { addr, gate }
    }

    fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// A new phase: earlier connections are dropped; everything is held unless `open`.
    fn phase(&self, open: bool, jitter_ms: u64, batch_of: HashMap<String, usize>, seed: u64) {
        self.gate.send_modify(|g| {
            *g = Gate {
                generation: g.generation + 1,
                open,
                jitter_ms,
                rng: Lcg(seed),
                batch_of,
                ..Gate::default()
            }
        });
    }

    async fn wait(&self, what: &str, child: &mut Child, pred: impl Fn(&Gate) -> bool) {
        let started = Instant::now();
        let mut rx = self.gate.subscribe();
        loop {
            if pred(&rx.borrow_and_update()) {
                return;
            }
            if let Some(status) = child.try_wait().expect("child") {
                panic!("the client ended ({status}) before {what}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}"
            );
            let _ = tokio::time::timeout(Duration::from_millis(50), rx.changed()).await;
        }
    }
}

/// One request read whole from the client.
struct Request {
    raw: Vec<u8>,
    /// The batch of a push (`usize::MAX` for a push the gate does not know); `None` otherwise.
    batch: Option<usize>,
    records: usize,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads one HTTP/1.1 request (the client sends bodies with a length, never chunked).
async fn read_request(
    r: &mut tokio::net::tcp::OwnedReadHalf,
    buf: &mut Vec<u8>,
    gate: &watch::Sender<Gate>,
) -> Option<Request> {
    let mut chunk = vec![0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = r.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("").to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    assert!(
        !headers.contains_key("transfer-encoding"),
        "a chunked request: {head}"
    );
    let len: usize = headers
        .get("content-length")
        .map(|v| v.parse().expect("content-length"))
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = r.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let raw: Vec<u8> = buf.drain(..head_end + len).collect();
    let is_push = request_line.starts_with(&format!("POST {} ", shiftlog_wire::paths::PUSH));
    let (batch, records) = if is_push {
        let ids = pushed_ids(&raw[head_end..], &headers);
        let batch = ids
            .first()
            .and_then(|id| gate.borrow().batch_of.get(id).copied())
            .unwrap_or(usize::MAX);
        (Some(batch), ids.len())
    } else {
        (None, 0)
    };
    Some(Request {
        raw,
        batch,
        records,
    })
}

/// The record ids of a push body (gzip, then packed or JSON).
fn pushed_ids(body: &[u8], headers: &HashMap<String, String>) -> Vec<String> {
    let mut bytes = body.to_vec();
    if headers.get("content-encoding").map(String::as_str) == Some("gzip") {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(body)
            .read_to_end(&mut out)
            .expect("gunzip a push");
        bytes = out;
    }
    let packed = headers
        .get("content-type")
        .is_some_and(|c| c.starts_with(shiftlog_wire::packed::CONTENT_TYPE));
    let req = if packed {
        shiftlog_wire::packed::decode(&bytes).expect("a packed push")
    } else {
        serde_json::from_slice::<shiftlog_wire::PushRequest>(&bytes).expect("a JSON push")
    };
    req.records.iter().map(|r| r.id.to_string()).collect()
}

async fn connection(client: TcpStream, upstream: SocketAddr, gate: Arc<watch::Sender<Gate>>) {
    let generation = gate.borrow().generation;
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    // The request now on the server: (its number on this connection, its batch if a push).
    // HTTP/1.1 without pipelining: every byte the server sends belongs to the last request.
    let current: Arc<Mutex<(u64, Option<usize>)>> = Arc::default();
    let (g_up, cur_up) = (gate.clone(), current.clone());
    let up = async move {
        let mut buf = Vec::new();
        let mut n = 0u64;
        loop {
            let Some(req) = read_request(&mut cr, &mut buf, &g_up).await else {
                return;
            };
            let mut delay = Duration::ZERO;
            g_up.send_modify(|g| {
                g.requests += 1;
                if let Some(b) = req.batch {
                    g.arrived.insert(b);
                    g.seen.push((b, req.records));
                    delay = g.jitter();
                }
            });
            if let Some(b) = req.batch {
                let mut rx = g_up.subscribe();
                let _ = rx
                    .wait_for(|g| {
                        g.generation != generation || g.open || g.req_released.contains(&b)
                    })
                    .await;
                if rx.borrow().generation != generation {
                    return;
                }
                tokio::time::sleep(delay).await;
            }
            n += 1;
            *cur_up.lock().expect("lock") = (n, req.batch);
            if sw.write_all(&req.raw).await.is_err() {
                return;
            }
        }
    };
    let down = async move {
        let mut buf = vec![0u8; 16 * 1024];
        let mut answered = 0u64;
        loop {
            let n = match sr.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let (seq, batch) = *current.lock().expect("lock");
            if let (Some(b), true) = (batch, seq != answered) {
                // The first bytes of a push's answer: the server has committed it.
                answered = seq;
                let status = String::from_utf8_lossy(&buf[..n])
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                let mut delay = Duration::ZERO;
                gate.send_modify(|g| {
                    g.answered.insert(b, status);
                    delay = g.jitter();
                });
                let mut rx = gate.subscribe();
                let _ = rx
                    .wait_for(|g| {
                        g.generation != generation || g.open || g.resp_released.contains(&b)
                    })
                    .await;
                if rx.borrow().generation != generation {
                    return;
                }
                tokio::time::sleep(delay).await;
            }
            if cw.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Kill points.

#[derive(Debug, Clone, Copy)]
enum Step {
    /// Let this batch's request reach the server.
    Req(usize),
    /// Let this batch's answer reach the client.
    Resp(usize),
    /// Wait until this batch's push reached the proxy.
    Arrived(usize),
    /// Wait until the server answered this batch (200: it is stored).
    Stored(usize),
    /// Wait until the proxy has seen this many requests (the client is past its start).
    Requests(usize),
    /// Everything passes, each push and answer held up to this many ms at random.
    Jitter(u64),
    /// Edit the first record of this batch on the device (another process: the app beside
    /// the CLI) while the client runs: that newer version must stay to be sent.
    Edit(usize),
    /// Sleep this many ms.
    Pause(u64),
    /// Sleep up to this many ms at random.
    PauseUpTo(u64),
}

/// A kill point. Its name counts batches from 1; its steps and sets from 0.
struct KillPoint {
    name: &'static str,
    steps: Vec<Step>,
    /// The batches the server must hold at the kill (exactly), when known.
    server_has: Option<Vec<usize>>,
    /// The batches the device must show sent at the kill (exactly), when known.
    marked: Option<Vec<usize>>,
}

fn kill_points() -> Vec<KillPoint> {
    use Step::*;
    let k = |name, steps: Vec<Step>, server_has: Option<Vec<usize>>, marked| KillPoint {
        name,
        steps,
        server_has,
        marked,
    };
    let mut v = vec![
        k(
            "both stored, neither answered",
            vec![Req(0), Req(1), Stored(0), Stored(1)],
            Some(vec![0, 1]),
            Some(vec![]),
        ),
        k(
            "1 answered and marked, 2 stored unanswered, 3 on the wire",
            vec![Req(0), Req(1), Stored(0), Stored(1), Resp(0), Arrived(2)],
            Some(vec![0, 1]),
            Some(vec![0]),
        ),
        k(
            "2 answered first, 1 stored unanswered",
            vec![Req(0), Req(1), Stored(0), Stored(1), Resp(1), Pause(150)],
            Some(vec![0, 1]),
            None,
        ),
        k(
            "1 stored unanswered, 2 on the wire before the server",
            vec![Req(0), Stored(0), Arrived(1), Pause(50)],
            Some(vec![0]),
            Some(vec![]),
        ),
        k(
            "2 stored unanswered, 1 on the wire before the server",
            vec![Req(1), Stored(1), Arrived(0), Pause(50)],
            Some(vec![1]),
            Some(vec![]),
        ),
        k(
            "1 answered and marked, 2 before the server, 3 on the wire",
            vec![Req(0), Stored(0), Resp(0), Arrived(1), Arrived(2)],
            Some(vec![0]),
            Some(vec![0]),
        ),
        k(
            "1 answered and marked, 2 and 3 stored unanswered",
            vec![
                Req(0),
                Req(1),
                Stored(0),
                Resp(0),
                Arrived(2),
                Req(2),
                Stored(1),
                Stored(2),
            ],
            Some(vec![0, 1, 2]),
            Some(vec![0]),
        ),
    ];
    // A record edited while its push is on the wire: the answer confirms only the version sent.
    v.push(k(
        "1 edited on the wire, answered, marked; 2 stored unanswered",
        vec![
            Req(0),
            Req(1),
            Stored(0),
            Stored(1),
            Edit(0),
            Resp(0),
            Arrived(2),
        ],
        Some(vec![0, 1]),
        Some(vec![0]),
    ));
    v.push(k(
        "2 edited before the server; 1 and 2 answered, 3 on the wire",
        vec![
            Arrived(1),
            Edit(1),
            Req(0),
            Req(1),
            Stored(0),
            Stored(1),
            Resp(1),
            Resp(0),
            Arrived(2),
        ],
        Some(vec![0, 1]),
        None,
    ));
    // The kill lands while batch 1's answer is being read and marked, 2 stored unanswered.
    for _ in 0..3 {
        v.push(k(
            "1 answered a moment ago, 2 stored unanswered",
            vec![Req(0), Req(1), Stored(0), Stored(1), Resp(0), PauseUpTo(12)],
            Some(vec![0, 1]),
            None,
        ));
    }
    // Anywhere, on a link that holds each push and answer up to 40 ms.
    for _ in 0..4 {
        v.push(k(
            "random",
            vec![Jitter(60), Requests(1), PauseUpTo(200)],
            None,
            None,
        ));
    }
    v
}

// ---------------------------------------------------------------------------------------------
// The test.

fn spawn_client(device: &Path, report: Option<&Path>) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_test-sync-client"));
    cmd.arg(device).stdout(Stdio::null());
    if let Some(r) = report {
        cmd.arg(r).stderr(Stdio::piped());
    } else {
        cmd.stderr(Stdio::null());
    }
    cmd.spawn().expect("spawn the client")
}

/// The server's records: id → (version, body).
fn on_server(svc: &OrgService) -> (usize, BTreeMap<String, (i64, Value)>) {
    let mut rows = 0;
    let mut out = BTreeMap::new();
    svc.store()
        .export_records(ORG, &RecordFilter::default(), &mut |r| {
            rows += 1;
            let body: Value = serde_json::from_str(&r.body).expect("body json");
            out.insert(r.id, (r.version, body));
            Ok(())
        })
        .expect("export");
    (rows, out)
}

/// The quantity of a one-line supplies body.
fn quantity(body: &Value) -> i64 {
    body["items"][0]["quantity"].as_i64().expect("quantity")
}

/// A real server (SQLite, `BATCH` records a push), the gate in front of it, and a device
/// enrolled to it that syncs through the gate.
struct Setup {
    svc: OrgService,
    proxy: GateProxy,
    device: PathBuf,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

async fn setup() -> Setup {
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let device: PathBuf = ddir.path().to_path_buf();
    let svc = OrgService::new(
        Arc::new(SqliteStorage::open(sdir.path()).expect("store")),
        Limits {
            max_batch_records: BATCH,
            device_requests_per_minute: 100_000,
            ..Limits::default()
        },
    );
    svc.ensure_organization(ORG, "Rural").expect("org");
    let code = svc.new_enrollment_code(ORG).expect("code");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server_addr = listener.local_addr().expect("addr");
    let s = svc.clone();
    tokio::spawn(async move { http::serve(listener, s, std::future::pending()).await });
    let proxy = GateProxy::start(server_addr).await;
    let core = test_device(&device);
    core.enroll(&format!("http://{server_addr}/"), &code, "phone")
        .await
        .expect("enroll");
    core.set_server_url(ORG, &proxy.url()).expect("repoint");
    Setup {
        svc,
        proxy,
        device,
        _dirs: (sdir, ddir),
    }
}

/// Logs `n` records; returns them in batches, in the order the client reads its outbox, and
/// the batch of each id.
fn log_batches(
    device: &Path,
    n: usize,
    trial: usize,
) -> (Vec<Vec<String>>, HashMap<String, usize>) {
    let core = test_device(device);
    let mut order: Vec<(i64, String)> = (0..n)
        .map(|q| {
            let r = core
                .log_activity(supplies("syringes", 1 + ((q + trial) % 40) as i64))
                .expect("log");
            (r.occurred_at.timestamp_millis(), r.id.to_string())
        })
        .collect();
    order.sort();
    let batches: Vec<Vec<String>> = order
        .chunks(BATCH)
        .map(|c| c.iter().map(|(_, id)| id.clone()).collect())
        .collect();
    let mut batch_of = HashMap::new();
    for (b, ids) in batches.iter().enumerate() {
        for id in ids {
            batch_of.insert(id.clone(), b);
        }
    }
    (batches, batch_of)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_killed_with_two_pushes_in_flight_loses_duplicates_and_hides_nothing() {
    let started = Instant::now();
    let Setup {
        svc,
        proxy,
        device,
        _dirs,
    } = setup().await;
    let ddir = &_dirs.1;

    let mut rng = Lcg(2026);
    let mut edited: HashMap<String, i64> = HashMap::new();
    let mut deleted: HashSet<String> = HashSet::new();
    let mut server_ahead = 0;
    let points = kill_points();
    for (trial, point) in points.iter().enumerate() {
        // This trial's records, in the order the client reads its outbox.
        let (batches, batch_of) = log_batches(&device, BATCH * BATCHES, trial);
        let jitter = point.steps.iter().find_map(|s| match s {
            Step::Jitter(ms) => Some(*ms),
            _ => None,
        });
        proxy.phase(
            jitter.is_some(),
            jitter.unwrap_or(0),
            batch_of,
            rng.next(u64::MAX) | 1,
        );

        let mut child = spawn_client(&device, None);
        let mut edited_on_the_wire = Vec::new();
        for step in &point.steps {
            let what = format!("trial {trial} ({}): {step:?}", point.name);
            match *step {
                Step::Req(b) => proxy.gate.send_modify(|g| {
                    g.req_released.insert(b);
                }),
                Step::Resp(b) => proxy.gate.send_modify(|g| {
                    g.resp_released.insert(b);
                }),
                Step::Arrived(b) => {
                    proxy
                        .wait(&what, &mut child, |g| g.arrived.contains(&b))
                        .await
                }
                Step::Stored(b) => {
                    proxy
                        .wait(&what, &mut child, |g| g.answered.contains_key(&b))
                        .await;
                    let status = proxy.gate.borrow().answered[&b].clone();
                    assert!(status.contains(" 200 "), "{what}: answered {status:?}");
                }
                Step::Requests(n) => proxy.wait(&what, &mut child, |g| g.requests >= n).await,
                Step::Jitter(_) => {}
                Step::Edit(b) => {
                    let core = test_device(&device);
                    let id = &batches[b][0];
                    let q = 300 + (trial * 10 + b) as i64;
                    core.edit_record(
                        id.parse().expect("uuid"),
                        None,
                        json!({"items": [{"item": "syringes", "quantity": q}]}),
                    )
                    .expect("edit while the client runs");
                    edited.insert(id.clone(), q);
                    edited_on_the_wire.push(id.clone());
                }
                Step::Pause(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
                Step::PauseUpTo(ms) => {
                    tokio::time::sleep(Duration::from_millis(rng.next(ms))).await
                }
            }
        }
        let running = child.try_wait().expect("child").is_none();
        if point.server_has.is_some() {
            assert!(running, "trial {trial} ({}): the client ended", point.name);
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        // Nothing held at the proxy goes on after the kill.
        let seen = proxy.gate.borrow().seen.clone();
        proxy.phase(false, 0, HashMap::new(), 1);

        // At the kill: everything the device shows sent is on the server, and the server
        // holds exactly the batches the kill point says.
        let core = test_device(&device);
        let (_, server) = on_server(&svc);
        let records = core.list_records(&RecordQuery::default()).expect("list");
        let sent: HashSet<String> = records
            .iter()
            .filter(|r| matches!(r.sync, RecordSync::Sent { .. }))
            .map(|r| r.id.to_string())
            .collect();
        let lost: Vec<&String> = sent.iter().filter(|id| !server.contains_key(*id)).collect();
        assert!(
            lost.is_empty(),
            "trial {trial} ({}): shown sent, not on the server: {lost:?}",
            point.name
        );
        for id in &edited_on_the_wire {
            assert!(
                !sent.contains(id),
                "trial {trial} ({}): {id} edited while its push was on the wire, shown sent",
                point.name
            );
        }
        let trial_ids: HashSet<&String> = batches.iter().flatten().collect();
        let stored_batches = |set: &dyn Fn(&String) -> bool| -> Vec<usize> {
            (0..BATCHES)
                .filter(|b| batches[*b].iter().any(set))
                .collect()
        };
        let server_batches = stored_batches(&|id| server.contains_key(id));
        let marked_batches = stored_batches(&|id| sent.contains(id));
        for b in &server_batches {
            let all = batches[*b].iter().all(|id| server.contains_key(id));
            assert!(all, "trial {trial}: batch {b} stored in part");
        }
        if let Some(want) = &point.server_has {
            assert_eq!(
                &server_batches, want,
                "trial {trial} ({}): batches on the server",
                point.name
            );
        }
        if let Some(want) = &point.marked {
            assert_eq!(
                &marked_batches, want,
                "trial {trial} ({}): batches shown sent",
                point.name
            );
        }
        let n_server = trial_ids
            .iter()
            .filter(|id| server.contains_key(**id))
            .count();
        let n_sent = trial_ids.iter().filter(|id| sent.contains(**id)).count();
        if n_server > n_sent {
            server_ahead += 1;
        }
        eprintln!(
            "trial {trial:2} {:58} killed {}: server holds batches {server_batches:?}, \
             device shows {marked_batches:?} sent; pushes (batch, records) {seen:?}",
            point.name,
            if running { "mid-sync" } else { "after the end" },
        );

        // Between the kill and the resume: the first record of each batch is edited (stored
        // and unanswered, stored and marked, or never stored), one twice; new ones logged.
        for (b, ids) in batches.iter().enumerate() {
            let id: uuid::Uuid = ids[0].parse().expect("uuid");
            let q = 500 + (trial * 10 + b) as i64;
            core.edit_record(
                id,
                None,
                json!({"items": [{"item": "syringes", "quantity": q}]}),
            )
            .expect("edit");
            if b == 1 {
                core.edit_record(
                    id,
                    None,
                    json!({"items": [{"item": "syringes", "quantity": q + 1}]}),
                )
                .expect("edit again");
                edited.insert(ids[0].clone(), q + 1);
            } else {
                edited.insert(ids[0].clone(), q);
            }
        }
        // The second record of batches 1 and 2 deleted: the tombstone must win on the server.
        for ids in &batches[..2] {
            core.delete_record(ids[1].parse().expect("uuid"))
                .expect("delete");
            deleted.insert(ids[1].clone());
        }
        for q in 0..3 {
            core.log_activity(supplies("pipes", 1 + q)).expect("log");
        }
        drop(core);

        // The restarted client syncs to completion.
        proxy.phase(true, 0, HashMap::new(), 1);
        let report_path = ddir.path().join(format!("report-{trial}.json"));
        let child = spawn_client(&device, Some(&report_path));
        let out = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .expect("join")
            .expect("resume");
        assert!(
            out.status.success(),
            "trial {trial}: the resumed sync failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: SyncReport =
            serde_json::from_slice(&std::fs::read(&report_path).expect("report")).expect("json");
        assert_eq!(
            (report.rejected, report.superseded, report.conflicts),
            (0, 0, 0),
            "trial {trial} ({}): nothing refused or set aside: {report:?}",
            point.name
        );

        // Every record exactly once on the server, at the device's version and body.
        let core = test_device(&device);
        let (rows, server) = on_server(&svc);
        let records = core.list_records(&RecordQuery::default()).expect("list");
        let local: BTreeMap<String, (i64, Value)> = records
            .iter()
            .map(|r| (r.id.to_string(), (i64::from(r.version), r.body.clone())))
            .collect();
        assert_eq!(rows, server.len(), "trial {trial}: a record twice");
        assert_eq!(rows, local.len(), "trial {trial}: server and device counts");
        let differ: Vec<_> = local
            .iter()
            .filter(|(id, v)| server.get(*id) != Some(v))
            .map(|(id, v)| (id, v, server.get(id)))
            .take(3)
            .collect();
        assert!(
            differ.is_empty(),
            "trial {trial} ({}): (device, server) differ: {differ:?}",
            point.name
        );
        for (id, q) in &edited {
            let (version, body) = &server[id];
            assert!(
                *version >= 2,
                "trial {trial}: {id} edited, server has v{version}"
            );
            assert_eq!(quantity(body), *q, "trial {trial}: {id}: the newer edit");
        }
        let kept: Vec<&String> = deleted
            .iter()
            .filter(|id| server.contains_key(*id))
            .collect();
        assert!(
            kept.is_empty(),
            "trial {trial}: deleted, still live on the server: {kept:?}"
        );
        let unsent: Vec<_> = records
            .iter()
            .filter(|r| !matches!(r.sync, RecordSync::Sent { .. }))
            .map(|r| (r.id, r.sync.clone()))
            .collect();
        assert!(
            unsent.is_empty(),
            "trial {trial}: not shown sent: {unsent:?}"
        );
        let status = core.sync_status().expect("status");
        assert_eq!((status.waiting, status.needs_attention), (0, 0));
        assert!(core.set_aside_versions().expect("set aside").is_empty());
    }
    let n = points.len();
    eprintln!(
        "{n} kills; the server held more of the trial's records than the device showed sent \
         after {server_ahead}; {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        server_ahead >= 6,
        "kills with the server ahead of the device: {server_ahead}"
    );
}

/// Revoked by staff between two pushes on the wire: the first is stored and answered, the
/// second refused. The client marks exactly the first batch sent, keeps every record, stops
/// syncing the organization and says why; nothing of the refused push is on the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_between_two_pushes_in_flight_the_first_is_marked_the_second_kept() {
    let Setup {
        svc,
        proxy,
        device,
        _dirs,
    } = setup().await;
    let (batches, batch_of) = log_batches(&device, BATCH * 2, 0);
    proxy.phase(false, 0, batch_of, 1);
    let mut child = spawn_client(&device, None);
    proxy.gate.send_modify(|g| {
        g.req_released.insert(0);
    });
    proxy
        .wait("batch 1 stored", &mut child, |g| {
            g.answered.contains_key(&0)
        })
        .await;
    proxy
        .wait("batch 2 on the wire", &mut child, |g| {
            g.arrived.contains(&1)
        })
        .await;
    let devices = svc.store().list_devices(ORG).expect("devices");
    assert_eq!(devices.len(), 1);
    svc.store()
        .revoke_device(ORG, devices[0].id)
        .expect("revoke");
    proxy.gate.send_modify(|g| {
        g.req_released.insert(1);
        g.resp_released.insert(1);
    });
    proxy
        .wait("batch 2 answered", &mut child, |g| {
            g.answered.contains_key(&1)
        })
        .await;
    let refused = proxy.gate.borrow().answered[&1].clone();
    assert!(refused.contains(" 401 "), "batch 2 answered {refused:?}");
    proxy.gate.send_modify(|g| {
        g.resp_released.insert(0);
    });
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("client");
    assert!(!out.status.success(), "the client reports the revocation");

    let (_, server) = on_server(&svc);
    let on: BTreeSet<&String> = server.keys().collect();
    let first: BTreeSet<&String> = batches[0].iter().collect();
    assert_eq!(on, first, "the server holds batch 1 only");
    let core = test_device(&device);
    let records = core.list_records(&RecordQuery::default()).expect("list");
    assert_eq!(records.len(), BATCH * 2, "every record kept on the device");
    let sent: BTreeSet<String> = records
        .iter()
        .filter(|r| matches!(r.sync, RecordSync::Sent { .. }))
        .map(|r| r.id.to_string())
        .collect();
    let first: BTreeSet<String> = batches[0].iter().cloned().collect();
    assert_eq!(sent, first, "exactly batch 1 shown sent");
    let status = core.sync_status().expect("status");
    assert_eq!(status.removed_from, vec!["Rural".to_string()], "{status:?}");
    // The refused batch shows as not sent, record by record (the header's count leaves out an
    // organization that removed the device: nothing will go there).
    let waiting = records
        .iter()
        .filter(|r| matches!(r.sync, RecordSync::Waiting))
        .count();
    assert_eq!(waiting, BATCH, "the refused batch is kept, not sent");
    // Nothing more goes to that organization, and nothing more is stored.
    proxy.phase(true, 0, HashMap::new(), 1);
    let err = core.sync_now().await.expect_err("no organization to sync");
    assert_eq!(err.code(), "not_enrolled", "{err}");
    assert_eq!(on_server(&svc).0, BATCH);
}
