//! The printed table and the measuring helpers.

use std::time::{Duration, Instant};

pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) value: String,
    pub(crate) detail: String,
    pub(crate) goal: &'static str,
    pub(crate) met: String,
}

pub(crate) fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

pub(crate) fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Runs `cmd`, writing its standard output to `out`; returns its time and peak RSS in KiB.
pub(crate) fn run_measured(
    mut cmd: std::process::Command,
    out: &std::path::Path,
) -> (Duration, u64) {
    let file = std::fs::File::create(out).expect("out file");
    let start = Instant::now();
    let mut child = cmd.stdout(file).spawn().expect("spawn");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_path) {
            if let Some(kb) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            assert!(status.success(), "{cmd:?} failed");
            return (start.elapsed(), peak);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
