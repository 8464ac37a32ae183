//! Readers never block writers: record exports whose clients read nothing hold their read
//! connection, never the one pushes and logins need (SQLite: WAL readers beside the one
//! writer; PostgreSQL: a reader pool of its own beside the writers' pool). Real HTTP on
//! loopback, both backends. And a download whose client takes nothing is dropped after the
//! service's stall timeout, giving its read connection back.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use shiftlog_server::{http, Limits, OrgService, PostgresStorage, SqliteStorage, Storage};

use common::*;

/// More stalled exports than PostgreSQL's whole writer pool (8) and SQLite's reader budget.
const STALLED: usize = 10;
/// Enough records that an export's JSON (about 350 bytes a record) overflows the socket
/// buffers and the download's channel, so its thread really waits on the client.
const RECORDS: u32 = 40_000;

/// Seeds `RECORDS` records for `org` through the API; returns the device token.
pub async fn seeded(r: &Running, org: &str) -> String {
    let token = enrolled(r, org).await;
    for batch in 0..RECORDS / 1000 {
        let records = (0..1000).map(|i| record(&rid(batch * 1000 + i))).collect();
        let (status, body) = push(r, &token, records).await;
        assert_eq!(status, 200, "{body}");
    }
    token
}

/// A staff token for `org`.
pub async fn staff_token(r: &Running, org: &str) -> String {
    let o = org.to_string();
    call(&r.service, move |s| s.new_staff_token(&o, "readers test"))
        .await
        .expect("staff token")
}

/// Opens a record export whose client never reads: the request is sent, the answer left in
/// the socket, whose receive buffer is kept small so the server's side fills quickly.
pub async fn stalled_export(r: &Running, staff: &str) -> TcpStream {
    let addr = r.base.trim_start_matches("http://");
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .set_recv_buffer_size(4096)
        .expect("small receive buffer");
    let s = socket
        .connect(addr.parse().expect("address"))
        .await
        .expect("connect");
    let mut s = s.into_std().expect("std stream");
    s.set_nonblocking(false).expect("blocking");
    write!(
        s,
        "GET /api/v1/staff/records/export?format=json HTTP/1.1\r\nHost: {addr}\r\n\
         Authorization: Bearer {staff}\r\n\r\n"
    )
    .expect("request");
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_push_completes_while_exports_stall() {
    for backend in BACKENDS {
        let r = start(backend).await;
        let token = seeded(&r, "north").await;
        let staff = staff_token(&r, "north").await;
        let mut stalled = Vec::new();
        for _ in 0..STALLED {
            stalled.push(stalled_export(&r, &staff).await);
        }
        // Let every export start streaming and fill its buffers.
        tokio::time::sleep(Duration::from_millis(1500)).await;

        let started = Instant::now();
        let pushed = tokio::time::timeout(
            Duration::from_secs(5),
            push(&r, &token, vec![record(&rid(RECORDS + 1))]),
        )
        .await;
        let took = started.elapsed();
        let (status, body) = pushed.unwrap_or_else(|_| {
            panic!("{backend:?}: a push waited over 5 s behind {STALLED} stalled exports")
        });
        assert_eq!(status, 200, "{backend:?}: {body}");
        assert_eq!(
            body["results"][0]["status"], "accepted",
            "{backend:?}: {body}"
        );
        assert!(
            took < Duration::from_secs(5),
            "{backend:?}: push took {took:?}"
        );

        // A new device enrolls (a write on the writer) and a summary reads, both promptly.
        let started = Instant::now();
        let other = tokio::time::timeout(Duration::from_secs(5), enrolled(&r, "north"))
            .await
            .unwrap_or_else(|_| panic!("{backend:?}: enrollment waited behind the exports"));
        assert!(!other.is_empty());
        assert!(started.elapsed() < Duration::from_secs(5));
        drop(stalled);
    }
}

/// A server whose storage has one read connection and whose downloads stall out after `stall`.
async fn one_reader(backend: Backend, stall: Duration) -> Running {
    let db = Arc::new(TestDb::new(backend));
    let db2 = db.clone();
    let store: Arc<dyn Storage> = tokio::task::spawn_blocking(move || -> Arc<dyn Storage> {
        match db2.backend {
            Backend::Sqlite => {
                Arc::new(SqliteStorage::open_with_readers(db2.dir.path(), 1).expect("sqlite"))
            }
            Backend::Postgres => Arc::new(
                PostgresStorage::connect_with_readers(&pg_url(), db2.schema.as_deref(), 1)
                    .expect("PostgreSQL at 127.0.0.1:5432"),
            ),
        }
    })
    .await
    .expect("open");
    let service = OrgService::new(store, Limits::default()).with_download_stall_timeout(stall);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let svc = service.clone();
    tokio::spawn(async move { http::serve(listener, svc, std::future::pending()).await });
    Running { base, service, db }
}

/// A whole record export, read at once; panics after `within`.
async fn whole_export(r: &Running, staff: &str, within: Duration, what: &str) -> String {
    tokio::time::timeout(within, async {
        client()
            .get(format!(
                "{}/api/v1/staff/records/export?format=json",
                r.base
            ))
            .bearer_auth(staff)
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("a whole export")
    })
    .await
    .unwrap_or_else(|_| panic!("{what}"))
}

/// An export's read transaction lasts as long as reading its rows, not as long as its client
/// takes: with one read connection and a stall timeout of five minutes, a client that reads nothing
/// does not keep the reader, so a second export completes at once. (Before the spool, the
/// stalled export held the reader, and on PostgreSQL its snapshot, until the timeout: every
/// push meanwhile left row versions of the running totals that no one could clean up.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_that_reads_nothing_holds_no_reader() {
    for backend in BACKENDS {
        let r = one_reader(backend, Duration::from_secs(300)).await;
        seeded(&r, "north").await;
        let staff = staff_token(&r, "north").await;
        let stalled = stalled_export(&r, &staff).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let whole = whole_export(
            &r,
            &staff,
            // Writing 40,000 records in a debug build beside the other tests, not the stall.
            Duration::from_secs(60),
            &format!("{backend:?}: a client that reads nothing kept the only reader"),
        )
        .await;
        assert!(whole.ends_with("]\n"), "{backend:?}: export cut");
        assert_eq!(
            whole.matches("\"kind\":").count(),
            RECORDS as usize,
            "{backend:?}"
        );
        drop(stalled);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stalled_download_is_dropped_and_its_reader_released() {
    for backend in BACKENDS {
        let r = one_reader(backend, Duration::from_secs(1)).await;
        seeded(&r, "north").await;
        let staff = staff_token(&r, "north").await;
        let stalled = stalled_export(&r, &staff).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = Instant::now();
        let whole = tokio::time::timeout(Duration::from_secs(20), async {
            client()
                .get(format!(
                    "{}/api/v1/staff/records/export?format=json",
                    r.base
                ))
                .bearer_auth(&staff)
                .send()
                .await
                .expect("send")
                .text()
                .await
                .expect("a whole export")
        })
        .await
        .unwrap_or_else(|_| panic!("{backend:?}: the stalled download kept the only reader"));
        let took = started.elapsed();
        assert!(whole.ends_with("]\n"), "{backend:?}: export cut");
        assert_eq!(
            whole.matches("\"kind\":").count(),
            RECORDS as usize,
            "{backend:?}"
        );
        assert!(took < Duration::from_secs(20), "{backend:?}: took {took:?}");

        // The stalled client, reading at last, gets what was buffered and then the
        // connection closed without the chunked body's last chunk: a cut file is never
        // taken for a whole one.
        let got = tokio::task::spawn_blocking(move || {
            let mut s = stalled;
            s.set_read_timeout(Some(Duration::from_secs(20)))
                .expect("timeout");
            let mut got = Vec::new();
            // An error (reset) ends it as well as a clean close.
            let _ = s.read_to_end(&mut got);
            got
        })
        .await
        .expect("read");
        assert!(!got.is_empty(), "{backend:?}: nothing sent");
        assert!(
            !got.ends_with(b"\r\n0\r\n\r\n"),
            "{backend:?}: a dropped download ended like a whole one"
        );
        assert!(
            got.len() < whole.len(),
            "{backend:?}: the stalled download was not cut ({} bytes)",
            got.len()
        );
    }
}
