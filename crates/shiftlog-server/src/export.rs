//! Exports: record-level and summary, as CSV (RFC 4180, UTF-8; an Excel-friendly variant with
//! a byte-order mark and formula-safe cells), XLSX and JSON. Record exports stream row by row
//! from storage into any `Write`, so memory stays flat whatever the number of records.

use std::io::Write;

use serde::{Deserialize, Serialize};
use shiftlog_server_db::{ExportRow, RecordFilter, Role, StorageError};

use crate::summary::{check_filter, SummaryRequest, SummaryTable};
use crate::{OrgService, ServiceError, Staff};

/// File formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// RFC 4180 CSV, UTF-8.
    Csv,
    /// Excel workbook.
    Xlsx,
    /// JSON.
    Json,
}

impl Format {
    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Json => "json",
        }
    }

    /// MIME type.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Json => "application/json",
        }
    }

    /// From a file extension.
    pub fn from_ext(ext: &str) -> Option<Format> {
        match ext {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// A record-level export request (query string).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// First local day.
    #[serde(default)]
    pub from: Option<String>,
    /// Last local day.
    #[serde(default)]
    pub to: Option<String>,
    /// `activity`, `shift`, `debrief_request` or `training`.
    #[serde(default)]
    pub record_type: Option<String>,
    /// Activity kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// Area.
    #[serde(default)]
    pub area: Option<String>,
    /// CSV for Excel: byte-order mark, and cells that start like a formula are quoted.
    #[serde(default)]
    pub excel: bool,
}

/// An authorized, audit-logged record export, ready to write.
#[derive(Debug, Clone)]
pub struct RecordExport {
    org_id: String,
    filter: RecordFilter,
    format: Format,
    excel: bool,
}

const HEADER: [&str; 12] = [
    "id",
    "kind",
    "occurred_at",
    "recorded_at",
    "received_at",
    "version",
    "device",
    "details",
    "record_type",
    "worker",
    "area",
    "role",
];

fn io(e: impl std::fmt::Display) -> StorageError {
    StorageError::Io(std::io::Error::other(e.to_string()))
}

/// A cell Excel would run as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading `'`.
pub fn excel_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

fn csv_writer<W: Write>(mut out: W, excel: bool) -> Result<csv::Writer<W>, StorageError> {
    if excel {
        out.write_all("\u{feff}".as_bytes())?;
    }
    Ok(csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(out))
}

fn row_cells(row: &ExportRow) -> [String; 12] {
    [
        row.id.clone(),
        row.kind.clone(),
        row.occurred_at.clone(),
        row.recorded_at.clone(),
        row.received_at.clone(),
        row.version.to_string(),
        row.device_id.clone(),
        describe_body(&row.kind, &row.body),
        row.record_type.clone(),
        row.pseudonym.clone(),
        row.area.clone().unwrap_or_default(),
        row.role.clone().unwrap_or_default(),
    ]
}

impl RecordExport {
    /// Writes the export to `out`, streaming.
    pub fn write<W: Write>(&self, svc: &OrgService, out: W) -> Result<(), ServiceError> {
        match self.format {
            Format::Csv => {
                let mut w = csv_writer(out, self.excel)?;
                w.write_record(HEADER).map_err(io)?;
                let excel = self.excel;
                svc.store
                    .export_records(&self.org_id, &self.filter, &mut |row| {
                        let cells = row_cells(&row);
                        if excel {
                            w.write_record(cells.iter().map(|c| excel_safe(c).into_owned()))
                        } else {
                            w.write_record(&cells)
                        }
                        .map_err(io)
                    })?;
                w.flush()?;
            }
            Format::Json => {
                let mut out = std::io::BufWriter::new(out);
                out.write_all(b"[")?;
                let mut first = true;
                svc.store
                    .export_records(&self.org_id, &self.filter, &mut |row| {
                        let body: serde_json::Value =
                            serde_json::from_str(&row.body).unwrap_or(serde_json::Value::Null);
                        let v = serde_json::json!({
                            "id": row.id, "record_type": row.record_type, "kind": row.kind,
                            "occurred_at": row.occurred_at, "recorded_at": row.recorded_at,
                            "received_at": row.received_at, "version": row.version,
                            "device": row.device_id, "worker": row.pseudonym,
                            "area": row.area, "role": row.role, "body": body,
                        });
                        if !first {
                            out.write_all(b",\n")?;
                        }
                        first = false;
                        serde_json::to_writer(&mut out, &v).map_err(io)
                    })?;
                out.write_all(b"]\n")?;
                out.flush()?;
            }
            Format::Xlsx => {
                let mut wb = rust_xlsxwriter::Workbook::new();
                let ws = wb.add_worksheet_with_constant_memory();
                for (c, h) in HEADER.iter().enumerate() {
                    ws.write_string(0, c as u16, *h).map_err(io)?;
                }
                let mut r: u32 = 0;
                svc.store
                    .export_records(&self.org_id, &self.filter, &mut |row| {
                        r += 1;
                        if r > 1_048_575 {
                            return Err(io("more records than an Excel sheet holds; use CSV"));
                        }
                        for (c, cell) in row_cells(&row).iter().enumerate() {
                            if c == 5 {
                                ws.write_number(r, c as u16, row.version as f64)
                            } else {
                                ws.write_string(r, c as u16, cell)
                            }
                            .map_err(io)?;
                        }
                        Ok(())
                    })?;
                save_xlsx(&mut wb, out)?;
            }
        }
        Ok(())
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }
}

/// Saves a workbook through a temporary file (the zip needs to seek), then copies it out.
fn save_xlsx<W: Write>(wb: &mut rust_xlsxwriter::Workbook, mut out: W) -> Result<(), StorageError> {
    let mut file = tempfile::tempfile()?;
    wb.save_to_writer(&mut file).map_err(io)?;
    use std::io::Seek;
    file.rewind()?;
    std::io::copy(&mut file, &mut out)?;
    out.flush()?;
    Ok(())
}

/// Writes a summary table in `format`: the same cells as the API, and under a protected one
/// the plain-words note on "<5" and "x" (JSON carries it as `note`).
pub fn write_summary<W: Write>(
    t: &SummaryTable,
    format: Format,
    excel: bool,
    out: W,
) -> Result<(), StorageError> {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let header: Vec<String> = std::iter::once("period".to_string())
        .chain(t.columns.iter().map(|c| {
            if c.is_empty() {
                "(not set)".into()
            } else {
                c.clone()
            }
        }))
        .collect();
    match format {
        Format::Csv => {
            let mut w = csv_writer(out, excel)?;
            w.write_record(&header).map_err(io)?;
            for r in &t.rows {
                w.write_record(std::iter::once(r.label.clone()).chain(r.cells.iter().map(text)))
                    .map_err(io)?;
            }
            if let Some(note) = t.note {
                w.write_record([note]).map_err(io)?;
            }
            w.flush()?;
        }
        Format::Json => serde_json::to_writer_pretty(out, t).map_err(io)?,
        Format::Xlsx => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            for (c, h) in header.iter().enumerate() {
                ws.write_string(0, c as u16, h).map_err(io)?;
            }
            for (i, r) in t.rows.iter().enumerate() {
                let row = i as u32 + 1;
                ws.write_string(row, 0, &r.label).map_err(io)?;
                for (j, v) in r.cells.iter().enumerate() {
                    let col = j as u16 + 1;
                    match v.as_f64() {
                        Some(n) => ws.write_number(row, col, n),
                        None => ws.write_string(row, col, text(v)),
                    }
                    .map_err(io)?;
                }
            }
            if let Some(note) = t.note {
                ws.write_string(t.rows.len() as u32 + 2, 0, note)
                    .map_err(io)?;
            }
            save_xlsx(&mut wb, out)?;
        }
    }
    Ok(())
}

impl OrgService {
    /// Authorizes and audit-logs a record-level export (coordinators and admins); the
    /// returned plan writes it.
    pub fn export_records(
        &self,
        staff: &Staff,
        req: &ExportRequest,
        format: Format,
    ) -> Result<RecordExport, ServiceError> {
        staff.require(Role::Coordinator)?;
        check_filter(&req.from, &req.to, &req.kind, &req.area)?;
        if let Some(t) = &req.record_type {
            if shiftlog_model::RecordType::parse(t).is_none() {
                let all: Vec<&str> = shiftlog_model::RecordType::ALL
                    .iter()
                    .map(|r| r.as_str())
                    .collect();
                return Err(ServiceError::BadRequest(format!(
                    "record_type: one of {}",
                    all.join(", ")
                )));
            }
        }
        self.audit(
            &staff.org_id,
            &staff.actor,
            "export",
            serde_json::json!({"what": "records", "format": format, "filters": req}),
        )?;
        Ok(RecordExport {
            org_id: staff.org_id.clone(),
            filter: RecordFilter {
                from: req.from.clone(),
                to: req.to.clone(),
                record_type: req.record_type.clone(),
                kind: req.kind.clone(),
                area: req.area.clone(),
            },
            format,
            excel: req.excel,
        })
    }

    /// A summary export: the summary (with its own checks), audit-logged as an export.
    pub fn export_summary(
        &self,
        staff: &Staff,
        req: &SummaryRequest,
        format: Format,
    ) -> Result<SummaryTable, ServiceError> {
        let t = self.summary(staff, req)?;
        self.audit(
            &staff.org_id,
            &staff.actor,
            "export",
            serde_json::json!({"what": "summary", "format": format, "filters": req}),
        )?;
        Ok(t)
    }

    /// Writes the whole record-level CSV export of `org_id` (RFC 4180, UTF-8) to `out`.
    /// For tests and tools that already hold the organization; staff go through
    /// [`OrgService::export_records`], which checks the role and writes the audit log.
    pub fn export_csv<W: Write>(&self, org_id: &str, out: W) -> Result<(), ServiceError> {
        RecordExport {
            org_id: org_id.to_string(),
            filter: RecordFilter::default(),
            format: Format::Csv,
            excel: false,
        }
        .write(self, out)
    }
}

/// A readable one-cell summary of a record's details, e.g. `naloxone_kit x2; syringes x10`.
pub fn describe_body(kind: &str, body: &str) -> String {
    if kind == "supplies_distributed" {
        let v: serde_json::Value = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
        if let Some(items) = v.get("items").and_then(|i| i.as_array()) {
            return items
                .iter()
                .map(|l| {
                    format!(
                        "{} x{}",
                        l.get("item").and_then(|i| i.as_str()).unwrap_or("?"),
                        l.get("quantity").and_then(|q| q.as_i64()).unwrap_or(0)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
        }
    }
    body.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_supplies() {
        assert_eq!(
            describe_body(
                "supplies_distributed",
                r#"{"items":[{"item":"naloxone_kit","quantity":2},{"item":"pipes","quantity":5}]}"#
            ),
            "naloxone_kit x2; pipes x5"
        );
    }

    #[test]
    fn excel_safe_quotes_formulas_only() {
        for (s, want) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("naloxone_kit x2", "naloxone_kit x2"),
            ("", ""),
        ] {
            assert_eq!(excel_safe(s), want);
        }
    }
}
