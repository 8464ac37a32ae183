//! A fault-injecting TCP proxy for sync tests: it sits between a real client and a real
//! server and, chunk by chunk, resets connections, truncates responses, stalls, delays, and
//! throttles bandwidth. Faults are drawn from a seeded generator, so a failing run can be
//! replayed with the same seed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to traffic. Probabilities are per chunk read.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Close both sides abruptly (RST) while the client is still sending.
    pub reset_request: f64,
    /// Forward only part of a server chunk, then close (a truncated response).
    pub truncate_response: f64,
    /// Swallow the server's answer and close after a pause (the client never hears back).
    pub drop_response: f64,
    /// Pause before forwarding each chunk.
    pub delay: Duration,
    /// Bytes per second in each direction; `None` for no limit.
    pub throttle_bytes_per_sec: Option<u64>,
}

/// Counters of what passed through.
#[derive(Debug, Default)]
pub struct Stats {
    /// Bytes from client to server.
    pub up_bytes: AtomicU64,
    /// Bytes from server to client.
    pub down_bytes: AtomicU64,
    /// Connections accepted.
    pub connections: AtomicU64,
    /// Faults injected.
    pub faults: AtomicU64,
}

/// A running proxy.
pub struct FaultProxy {
    /// Where clients connect.
    pub addr: SocketAddr,
    /// What it does; change it at any time.
    pub faults: Arc<Mutex<Faults>>,
    /// What passed through.
    pub stats: Arc<Stats>,
    /// When set, every open connection is cut at once and new ones are refused.
    pub cut: Arc<AtomicBool>,
    rng: Arc<Mutex<u64>>,
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream`.
    pub async fn start(upstream: SocketAddr, faults: Faults, seed: u64) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("addr");
        let proxy = FaultProxy {
            addr,
            faults: Arc::new(Mutex::new(faults)),
            stats: Arc::new(Stats::default()),
            cut: Arc::new(AtomicBool::new(false)),
            rng: Arc::new(Mutex::new(seed.max(1))),
        };
        let (faults, stats, cut, rng) = (
            proxy.faults.clone(),
            proxy.stats.clone(),
            proxy.cut.clone(),
            proxy.rng.clone(),
        );
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if cut.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                stats.connections.fetch_add(1, Ordering::Relaxed);
                let (faults, stats, cut, rng) =
                    (faults.clone(), stats.clone(), cut.clone(), rng.clone());
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        pipe(client, server, faults, stats, cut, rng).await;
                    }
                });
            }
        });
        proxy
    }

    /// Base URL of the proxy, e.g. `http://127.0.0.1:40001/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Replaces the faults.
    pub fn set(&self, f: Faults) {
        *self.faults.lock().unwrap_or_else(|p| p.into_inner()) = f;
    }
}

fn roll(rng: &Mutex<u64>) -> f64 {
    let mut s = rng.lock().unwrap_or_else(|p| p.into_inner());
    // xorshift64*
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    let v = s.wrapping_mul(0x2545F4914F6CDD1D);
    (v >> 11) as f64 / (1u64 << 53) as f64
}

async fn pipe(
    client: TcpStream,
    server: TcpStream,
    faults: Arc<Mutex<Faults>>,
    stats: Arc<Stats>,
    cut: Arc<AtomicBool>,
    rng: Arc<Mutex<u64>>,
) {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let (f1, s1, c1, r1) = (faults.clone(), stats.clone(), cut.clone(), rng.clone());
    let up = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let f = f1.lock().unwrap_or_else(|p| p.into_inner()).clone();
            if c1.load(Ordering::SeqCst) || roll(&r1) < f.reset_request {
                s1.faults.fetch_add(1, Ordering::Relaxed);
                return;
            }
            pace(&f, n).await;
            if sw.write_all(&buf[..n]).await.is_err() {
                return;
            }
            s1.up_bytes.fetch_add(n as u64, Ordering::Relaxed);
        }
    };
    let down = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match sr.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let f = faults.lock().unwrap_or_else(|p| p.into_inner()).clone();
            if cut.load(Ordering::SeqCst) {
                return;
            }
            let r = roll(&rng);
            if r < f.drop_response {
                stats.faults.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(200)).await;
                return;
            }
            if r < f.drop_response + f.truncate_response {
                stats.faults.fetch_add(1, Ordering::Relaxed);
                let keep = n / 2;
                let _ = cw.write_all(&buf[..keep]).await;
                return;
            }
            pace(&f, n).await;
            if cw.write_all(&buf[..n]).await.is_err() {
                return;
            }
            stats.down_bytes.fetch_add(n as u64, Ordering::Relaxed);
        }
    };
    // When either direction ends, both sockets are dropped: the peer sees the connection close.
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
}

async fn pace(f: &Faults, n: usize) {
    if !f.delay.is_zero() {
        tokio::time::sleep(f.delay).await;
    }
    if let Some(bps) = f.throttle_bytes_per_sec {
        tokio::time::sleep(Duration::from_secs_f64(n as f64 / bps as f64)).await;
    }
}
