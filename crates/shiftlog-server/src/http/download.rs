//! Downloads: exports streamed to the client as they are written.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::extract::{blocking, staff};
use super::ApiError;
use crate::export::{ExportRequest, Format};
use crate::summary::SummaryRequest;
use crate::{OrgService, ServiceError};

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
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let who = staff(&svc, &headers, &method).await?;
    let svc2 = svc.clone();
    let plan =
        blocking(move || svc2.export_records(&who, &ExportRequest::default(), Format::Csv)).await?;
    Ok(download(Format::Csv, "activities.csv".into(), move |w| {
        plan.write(&svc, w)
    }))
}
#[derive(Deserialize)]
struct FormatParam {
    format: Format,
    #[serde(default)]
    excel: bool,
}

pub(super) async fn summary_export(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
    raw: axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    // The format rides along the summary's own parameters; split them before strict parsing.
    let raw = raw.0.unwrap_or_default();
    let (fmt, rest): (Vec<_>, Vec<_>) = url_pairs(&raw)
        .into_iter()
        .partition(|(k, _)| k == "format" || k == "excel");
    let f: FormatParam = serde_urlencoded_pairs(&fmt)?;
    let req: SummaryRequest = serde_urlencoded_pairs(&rest)?;
    let who = staff(&svc, &headers, &method).await?;
    let format = f.format;
    let name = format!("summary-{:?}.{}", req.measure, format.ext()).to_lowercase();
    let table = blocking(move || svc.export_summary(&who, &req, format)).await?;
    Ok(download(format, name, move |w| {
        Ok(crate::export::write_summary(&table, format, f.excel, w)?)
    }))
}

fn url_pairs(raw: &str) -> Vec<(String, String)> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{raw}").parse().unwrap_or_default(),
    )
    .map(|Query(v)| v)
    .unwrap_or_default()
}

fn serde_urlencoded_pairs<T: serde::de::DeserializeOwned>(
    pairs: &[(String, String)],
) -> Result<T, ApiError> {
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

pub(super) async fn records_export(
    State(svc): State<OrgService>,
    method: Method,
    headers: HeaderMap,
    raw: axum::extract::RawQuery,
) -> Result<Response, ApiError> {
    let raw = raw.0.unwrap_or_default();
    let (fmt, rest): (Vec<_>, Vec<_>) = url_pairs(&raw)
        .into_iter()
        .partition(|(k, _)| k == "format");
    #[derive(Deserialize)]
    struct F {
        format: Format,
    }
    let F { format } = serde_urlencoded_pairs(&fmt)?;
    let req: ExportRequest = serde_urlencoded_pairs(&rest)?;
    let who = staff(&svc, &headers, &method).await?;
    let svc2 = svc.clone();
    let plan = blocking(move || svc2.export_records(&who, &req, format)).await?;
    Ok(download(
        format,
        format!("records.{}", format.ext()),
        move |w| plan.write(&svc, w),
    ))
}
