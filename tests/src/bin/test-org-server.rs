//! An organization server as its own process, for tests that kill it with SIGKILL:
//! `test-org-server <data-dir> <addr>`. Prints `listening <addr>` once it accepts.

use std::sync::Arc;

use shiftlog_server::{http, Limits, OrgService, SqliteStorage};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(addr)) = (args.next(), args.next()) else {
        eprintln!("usage: test-org-server <data-dir> <addr>");
        std::process::exit(2);
    };
    let store = match SqliteStorage::open(std::path::Path::new(&dir)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot open {dir}: {e}");
            std::process::exit(1);
        }
    };
    let svc = OrgService::new(Arc::new(store), Limits::default());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    println!("listening {addr}");
    if let Err(e) = http::serve(listener, svc, std::future::pending()).await {
        eprintln!("serve: {e}");
        std::process::exit(1);
    }
}
