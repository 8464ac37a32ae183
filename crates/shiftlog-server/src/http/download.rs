//! Downloads: exports streamed to the client as they are written, so a big one never sits in
//! memory.

use axum::body::{Body, Bytes};
use axum::extract::{Query, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::extract::blocking;
use super::ApiError;
use crate::export::{ExportRequest, Format};
use crate::summary::SummaryRequest;
use crate::{OrgService, ServiceError, Staff};

/// A `Write` that hands 64 KiB chunks to an HTTP body, so a big export never sits in memory.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
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
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

/// Streams what `write` produces as the response body of a download named `filename`.
fn download(
    format: Format,
    filename: String,
    write: impl FnOnce(&mut ChannelWriter) -> Result<(), ServiceError> + Send + 'static,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tokio::task::spawn_blocking(move || {
        let mut w = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(64 * 1024),
        };
        let result = write(&mut w).and_then(|()| {
            std::io::Write::flush(&mut w).map_err(|e| ServiceError::Storage(e.into()))
        });
        if let Err(e) = result {
            eprintln!("export failed: {e}");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
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

pub(super) async fn export_csv(
    State(svc): State<OrgService>,
    who: Staff,
) -> Result<Response, ApiError> {
    let svc2 = svc.clone();
    let plan =
        blocking(move || svc2.export_records(&who, &ExportRequest::default(), Format::Csv)).await?;
    Ok(download(Format::Csv, "activities.csv".into(), move |w| {
        plan.write(&svc, w)
    }))
}

#[derive(Deserialize)]
pub(super) struct SummaryFormat {
    format: Format,
    #[serde(default)]
    excel: bool,
}

pub(super) async fn summary_export(
    State(svc): State<OrgService>,
    who: Staff,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (f, req): (SummaryFormat, SummaryRequest) =
        split_query(raw.as_deref(), &["format", "excel"])?;
    let format = f.format;
    let name = format!("summary-{:?}.{}", req.measure, format.ext()).to_lowercase();
    let table = blocking(move || svc.export_summary(&who, &req, format)).await?;
    Ok(download(format, name, move |w| {
        Ok(crate::export::write_summary(&table, format, f.excel, w)?)
    }))
}

#[derive(Deserialize)]
pub(super) struct RecordsFormat {
    format: Format,
}

pub(super) async fn records_export(
    State(svc): State<OrgService>,
    who: Staff,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (RecordsFormat { format }, req): (_, ExportRequest) =
        split_query(raw.as_deref(), &["format"])?;
    let svc2 = svc.clone();
    let plan = blocking(move || svc2.export_records(&who, &req, format)).await?;
    Ok(download(
        format,
        format!("records.{}", format.ext()),
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
