//! Exports: record-level and summary, as CSV (RFC 4180, UTF-8, formula-safe cells; an
//! Excel-friendly variant adds a byte-order mark), XLSX (typed cells, `workbook`) and JSON.
//! Record exports stream row by row from storage into any `Write`, so memory stays flat
//! whatever the number of records.

use std::borrow::Cow;
use std::io::Write;

use serde::{Deserialize, Serialize};
use shiftlog_model::Lang;
use shiftlog_server_db::{ExportRow, RecordFilter, Role};

use crate::summary::{check_filter, SummaryRequest, SummaryTable};
use crate::{OrgService, ServiceError, Staff};

mod cells;
mod summary_file;
mod words;
mod workbook;

use cells::{csv_writer, io, save_xlsx, write_safe_row};
pub use cells::{describe_body, excel_safe, formula_safe};
pub use summary_file::write_summary;

/// File formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// First local day.
    #[serde(default)]
    #[param(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub from: Option<String>,
    /// Last local day.
    #[serde(default)]
    #[param(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub to: Option<String>,
    /// `activity`, `shift`, `debrief_request`, `training` or `payment`.
    #[serde(default)]
    pub record_type: Option<String>,
    /// Activity kind.
    #[serde(default)]
    #[param(pattern = r"^[A-Za-z0-9_-]{1,64}$")]
    pub kind: Option<String>,
    /// Area.
    #[serde(default)]
    #[param(pattern = r"^[A-Za-z0-9_-]{1,64}$")]
    pub area: Option<String>,
    /// CSV for Excel: a byte-order mark (every CSV has formula-safe cells).
    #[serde(default)]
    pub excel: bool,
    /// Language of the workbook's headings and choices (`en` or `fr`; English if absent).
    #[serde(default)]
    #[param(value_type = Option<String>, example = "fr")]
    pub lang: Option<Lang>,
}

/// An authorized, audit-logged record export, ready to write.
#[derive(Debug, Clone)]
pub struct RecordExport {
    org_id: String,
    filter: RecordFilter,
    format: Format,
    excel: bool,
    lang: Lang,
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

fn row_cells(row: &ExportRow) -> [Cow<'_, str>; 12] {
    [
        row.id.as_str().into(),
        row.kind.as_str().into(),
        row.occurred_at.as_str().into(),
        row.recorded_at.as_str().into(),
        row.received_at.as_str().into(),
        row.version.to_string().into(),
        row.device_id.as_str().into(),
        describe_body(&row.kind, &row.body),
        row.record_type.as_str().into(),
        row.pseudonym.as_str().into(),
        row.area.as_deref().unwrap_or_default().into(),
        row.role.as_deref().unwrap_or_default().into(),
    ]
}

impl RecordExport {
    /// Writes the export to `out`, streaming.
    pub fn write<W: Write>(&self, svc: &OrgService, out: W) -> Result<(), ServiceError> {
        match self.format {
            Format::Csv => {
                let mut w = csv_writer(out, self.excel)?;
                write_safe_row(&mut w, HEADER)?;
                svc.store
                    .export_records(&self.org_id, &self.filter, &mut |row| {
                        write_safe_row(&mut w, row_cells(&row))
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
                let layout = workbook::Layout::new(&svc.catalogue(&self.org_id)?, self.lang);
                let mut wb = rust_xlsxwriter::Workbook::new();
                let ws = wb.add_worksheet_with_constant_memory();
                ws.set_name(match self.lang {
                    Lang::En => "Records",
                    Lang::Fr => "Fiches",
                })
                .map_err(io)?;
                layout.write_header(ws)?;
                let mut r: u32 = 0;
                svc.store
                    .export_records(&self.org_id, &self.filter, &mut |row| {
                        r += 1;
                        if r > 1_048_575 {
                            return Err(io("more records than an Excel sheet holds; use CSV"));
                        }
                        layout.write_row(ws, r, &row)
                    })?;
                layout.finish(ws, r)?;
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
        self.metrics.export("records", format);
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
            lang: req.lang.unwrap_or_default(),
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
        self.metrics.export("summary", format);
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
            lang: Lang::En,
        }
        .write(self, out)
    }
}
