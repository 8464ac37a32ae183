//! A summary table as a file: CSV (every cell and heading formula-safe), XLSX (string cells
//! for text, number cells for numbers, heading row frozen) or JSON.

use std::io::Write;

use shiftlog_server_db::StorageError;

use super::cells::{csv_writer, io, save_xlsx, write_safe_row};
use super::Format;
use crate::summary::SummaryTable;

/// Writes a summary table in `format`: the same cells as the API, and under a protected one
/// the plain-words note on "<5" and "x" (JSON carries it as `note`). Column headings come
/// from values devices sent (kind, area, item ids, pseudonyms), so they are made
/// formula-safe like every other cell.
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
            write_safe_row(&mut w, &header)?;
            for r in &t.rows {
                write_safe_row(
                    &mut w,
                    std::iter::once(r.label.clone()).chain(r.cells.iter().map(text)),
                )?;
            }
            if let Some(note) = t.note {
                write_safe_row(&mut w, [note])?;
            }
            w.flush()?;
        }
        Format::Json => serde_json::to_writer_pretty(out, t).map_err(io)?,
        Format::Xlsx => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (c, h) in header.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, h, &bold)
                    .map_err(io)?;
            }
            ws.set_freeze_panes(1, 1).map_err(io)?;
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
