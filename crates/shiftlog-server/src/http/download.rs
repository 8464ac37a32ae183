//! Downloads: an export is first written at the storage's pace into a temporary file (a
//! spool), then streamed to the client at the client's pace, so a big one never sits in
//! memory and its read transaction lasts as long as reading the rows, not as long as the
//! slowest client. (On PostgreSQL an export's snapshot held open for a slow client kept every
//! row version the pushes' running totals wrote meanwhile: pushes grew 2–5 times slower,
//! docs/benchmarks.md "Readers never block writers".) A client that takes nothing for the
//! service's stall timeout is dropped, and the body ends in an error.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::extract::blocking;
use super::ApiError;
use crate::export::{ExportRequest, Format};
use crate::openapi::answers::{BadRequest, Forbidden, Unauthorized};
use crate::summary::SummaryRequest;
use crate::{OrgService, ServiceError, Staff};

/// A `Write` that hands 64 KiB chunks to an HTTP body, so a big export never sits in memory.
/// A chunk the client has not made room for within `stall` fails the write.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Bytes>,
    buf: Vec<u8>,
    stall: Duration,
    runtime: tokio::runtime::Handle,
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 64 * 1024 {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        // On a blocking thread (`download`), so waiting on the runtime here is allowed.
        self.runtime
            .block_on(self.tx.send_timeout(chunk, self.stall))
            .map_err(|e| match e {
                tokio::sync::mpsc::error::SendTimeoutError::Timeout(_) => std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "the client took nothing for {} s; download dropped",
                        self.stall.as_secs_f32()
                    ),
                ),
                tokio::sync::mpsc::error::SendTimeoutError::Closed(_) => {
                    std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away")
                }
            })
    }
}

/// The body of a download: the writer's chunks, then an error instead of a clean end if the
/// writer stopped before finishing, so a client never takes a cut file for a whole one
/// (the connection is closed without the last chunk).
struct Chunks {
    rx: tokio::sync::mpsc::Receiver<Bytes>,
    finished: Arc<AtomicBool>,
    ended: bool,
}

impl tokio_stream::Stream for Chunks {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(chunk)) => Poll::Ready(Some(Ok(chunk))),
            Poll::Ready(None) => {
                self.ended = true;
                if self.finished.load(Ordering::Acquire) {
                    Poll::Ready(None)
                } else {
                    Poll::Ready(Some(Err(std::io::Error::other(
                        "the export stopped before its end",
                    ))))
                }
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Lowers the calling thread's CPU priority (nice 10): an export is bulk work, and on a
/// small machine its spool would otherwise take the cores from the pushes of workers in the
/// field for as long as it is written (docs/benchmarks.md, "Readers never block writers").
fn background_priority() {
    // On Linux a thread's id names it alone to setpriority. Where it fails, the export
    // still runs, at the usual priority.
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 10) {
        tracing::debug!(error = %e, "export thread: priority not lowered");
    }
}

/// Where an export is written before it is sent.
type Spool = std::io::BufWriter<std::fs::File>;

/// Writes the export into a temporary file (gone when dropped), then copies it to the client.
fn spool_then_send(
    write: impl FnOnce(&mut Spool) -> Result<(), ServiceError>,
    out: &mut ChannelWriter,
) -> Result<(), ServiceError> {
    use std::io::{Seek, Write};
    let mut spool = std::io::BufWriter::with_capacity(256 * 1024, tempfile::tempfile()?);
    write(&mut spool)?;
    spool.flush()?;
    let mut file = spool.into_inner().map_err(|e| e.into_error())?;
    file.rewind()?;
    std::io::copy(&mut file, out)?;
    out.flush()?;
    Ok(())
}

/// Writes what `write` produces into a spool, then streams it as the response body of a
/// download named `filename`; a client that takes nothing for `stall` is dropped.
fn download(
    format: Format,
    filename: String,
    stall: Duration,
    write: impl FnOnce(&mut Spool) -> Result<(), ServiceError> + Send + 'static,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let finished = Arc::new(AtomicBool::new(false));
    let done = finished.clone();
    let runtime = tokio::runtime::Handle::current();
    // A thread of its own, not one of the runtime's blocking pool: its lowered priority must
    // not outlive the export and slow down the pushes a pool thread would run next.
    let spawned = std::thread::Builder::new()
        .name("export".into())
        .spawn(move || {
            background_priority();
            let mut w = ChannelWriter {
                tx,
                buf: Vec::with_capacity(64 * 1024),
                stall,
                runtime,
            };
            match spool_then_send(write, &mut w) {
                Ok(()) => done.store(true, Ordering::Release),
                // Dropping the writer closes the channel; the body then ends in an error.
                Err(e) => {
                    tracing::error!(error = %crate::observe::logs::chain(&e), "export failed")
                }
            }
        });
    if let Err(e) = spawned {
        // The channel's sender went with the closure: the body ends in an error.
        tracing::error!(error = %e, "could not start the export's thread");
    }
    let body = Body::from_stream(Chunks {
        rx,
        finished,
        ended: false,
    });
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// Record-level CSV of the organization's activities (coordinators; audit-logged).
#[utoipa::path(
    get,
    path = shiftlog_wire::paths::EXPORT_CSV,
    tag = "staff",
    operation_id = "exportActivitiesCsv",
    security(("staffToken" = []), ("session" = [])),
    responses((status = 200, description = "The CSV, streamed", body = String, content_type = "text/csv"), Unauthorized, Forbidden)
)]
pub(super) async fn export_csv(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Response, ApiError> {
    let svc2 = svc.clone();
    let plan =
        blocking(move || svc2.export_records(&who, &ExportRequest::default(), Format::Csv)).await?;
    let stall = svc.download_stall;
    Ok(download(
        Format::Csv,
        "activities.csv".into(),
        stall,
        move |w| plan.write(&svc, w),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct SummaryFormat {
    /// The file's format.
    #[param(inline)]
    format: Format,
    /// CSV for Excel: a byte-order mark.
    #[serde(default)]
    excel: bool,
}

/// A summary table as a file (audit-logged); the same parameters as the summary.
#[utoipa::path(
    get,
    path = "/api/v1/staff/summary/export",
    tag = "staff",
    operation_id = "summaryExport",
    security(("staffToken" = []), ("session" = [])),
    params(SummaryFormat, SummaryRequest),
    responses(
        (status = 200, description = "The file, streamed", content(
            ("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("application/json")
        )),
        BadRequest, Unauthorized, Forbidden
    )
)]

pub(super) async fn summary_export(
    State(svc): State<OrgService>,
    who: Staff,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (f, req): (SummaryFormat, SummaryRequest) =
        split_query(raw.as_deref(), &["format", "excel"])?;
    let format = f.format;
    let name = format!("summary-{:?}.{}", req.measure, format.ext()).to_lowercase();
    let stall = svc.download_stall;
    let table = blocking(move || svc.export_summary(&who, &req, format)).await?;
    Ok(download(format, name, stall, move |w| {
        Ok(crate::export::write_summary(&table, format, f.excel, w)?)
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct RecordsFormat {
    /// The file's format.
    #[param(inline)]
    format: Format,
}

/// A record-level export, streamed (coordinators; audit-logged).
#[utoipa::path(
    get,
    path = "/api/v1/staff/records/export",
    tag = "staff",
    operation_id = "recordsExport",
    security(("staffToken" = []), ("session" = [])),
    params(RecordsFormat, ExportRequest),
    responses(
        (status = 200, description = "The file, streamed", content(
            ("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("application/json")
        )),
        BadRequest, Unauthorized, Forbidden
    )
)]

pub(super) async fn records_export(
    State(svc): State<OrgService>,
    who: Staff,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (RecordsFormat { format }, req): (_, ExportRequest) =
        split_query(raw.as_deref(), &["format"])?;
    let svc2 = svc.clone();
    let plan = blocking(move || svc2.export_records(&who, &req, format)).await?;
    let stall = svc.download_stall;
    Ok(download(
        format,
        format!("records.{}", format.ext()),
        stall,
        move |w| plan.write(&svc, w),
    ))
}

/// The format rides along the request's own (strictly parsed) parameters: the parameters
/// named in `keys` are read as `F`, the others as `T`.
fn split_query<F: DeserializeOwned, T: DeserializeOwned>(
    raw: Option<&str>,
    keys: &[&str],
) -> Result<(F, T), ApiError> {
    let uri = format!("/?{}", raw.unwrap_or_default())
        .parse()
        .map_err(|_| ApiError::bad_request("Query string: not valid"))?;
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&uri)
        .map_err(|e| ApiError::bad_request(format!("Query string: {}", e.body_text())))?;
    let (fmt, rest): (Vec<_>, Vec<_>) = pairs
        .into_iter()
        .partition(|(k, _)| keys.contains(&k.as_str()));
    Ok((from_pairs(&fmt)?, from_pairs(&rest)?))
}

fn from_pairs<T: DeserializeOwned>(pairs: &[(String, String)]) -> Result<T, ApiError> {
    let encoded: String = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let uri = format!("/?{encoded}")
        .parse()
        .map_err(|_| ApiError::bad_request("Query string: not valid"))?;
    Query::<T>::try_from_uri(&uri)
        .map(|Query(t)| t)
        .map_err(|e| ApiError::bad_request(format!("Query string: {}", e.body_text())))
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// This thread's nice value, from /proc (field 19 of its stat line).
    fn nice() -> Option<i32> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        // The command name (field 2) may hold spaces; the fields after its ')' are plain.
        let rest = stat.get(stat.rfind(')')? + 2..)?;
        rest.split(' ').nth(16)?.parse().ok()
    }

    #[test]
    fn only_the_export_thread_is_lowered() {
        let before = nice().expect("this thread's nice value");
        let inside = std::thread::spawn(|| {
            super::background_priority();
            nice()
        })
        .join()
        .expect("the thread ends");
        assert_eq!(
            inside,
            Some((before + 10).min(19)),
            "the export's thread runs at a lower priority"
        );
        assert_eq!(
            nice(),
            Some(before),
            "the thread that started it keeps its own"
        );
    }
}
