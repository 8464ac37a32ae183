//! Progress of a long export on a terminal: a line on standard error that counts rows and
//! bytes as they are written. Nothing at all when standard error is not a terminal (piped,
//! in a script, under systemd), so logs and files stay clean.

use std::io::{self, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A writer that counts what passes through it and shows it on a terminal.
pub struct Progress<W: Write> {
    inner: W,
    bar: Option<ProgressBar>,
    /// Count lines as rows (CSV, JSON lines); a workbook only counts bytes.
    lines: bool,
    rows: u64,
    bytes: u64,
}

impl<W: Write> Progress<W> {
    /// Wraps `inner`; shows progress only when standard error is a terminal.
    pub fn new(inner: W, what: &'static str, lines: bool) -> Progress<W> {
        let bar = io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(format!("{what}: starting"));
            bar
        });
        Progress {
            inner,
            bar,
            lines,
            rows: 0,
            bytes: 0,
        }
    }

    /// Clears the line and says what was written.
    pub fn finish(self, what: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
            eprintln!("{what}: {}", self.said());
        }
    }
}

impl<W: Write> Progress<W> {
    fn said(&self) -> String {
        let mib = self.bytes as f64 / (1 << 20) as f64;
        if self.lines {
            // The first line is the header.
            format!("{} rows, {mib:.1} MiB", self.rows.saturating_sub(1))
        } else {
            format!("{mib:.1} MiB")
        }
    }
}

impl<W: Write> Write for Progress<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(bar) = &self.bar {
            self.bytes += n as u64;
            let before = self.bytes - n as u64;
            if self.lines {
                self.rows += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
            }
            // About every 256 KiB: a redraw per write would cost more than the export.
            if self.bytes >> 18 != before >> 18 {
                bar.set_message(format!("exporting: {}", self.said()));
                bar.tick();
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
