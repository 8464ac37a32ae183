//! A device syncing once, as its own process, for tests that kill it with SIGKILL:
//! `test-sync-client <device-dir> [report.json]`. Writes the sync report as JSON to
//! `report.json` when given; a failed sync exits 1 and says why.

fn main() {
    let mut args = std::env::args_os().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: test-sync-client <device-dir> [report.json]");
        std::process::exit(2);
    };
    let report_path = args.next();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("no runtime: {e}");
            std::process::exit(1);
        }
    };
    let core = shiftlog_system_tests::test_device(std::path::Path::new(&dir));
    match rt.block_on(core.sync_now()) {
        Ok(report) => {
            if let Some(path) = report_path {
                let written = serde_json::to_vec(&report)
                    .map_err(|e| e.to_string())
                    .and_then(|json| std::fs::write(&path, json).map_err(|e| e.to_string()));
                if let Err(e) = written {
                    eprintln!("cannot write the report: {e}");
                    std::process::exit(1);
                }
            }
        }
        Err(e) => {
            eprintln!("sync failed: {} ({e})", e.code());
            std::process::exit(1);
        }
    }
}
