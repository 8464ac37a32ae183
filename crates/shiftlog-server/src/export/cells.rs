//! What every export file shares: cells a spreadsheet will never run as a formula, the CSV
//! writer, saving a workbook, and the one-cell summary of a record's details.

use std::borrow::Cow;
use std::io::Write;

use shiftlog_server_db::StorageError;

pub(crate) fn io(e: impl std::fmt::Display) -> StorageError {
    StorageError::Io(std::io::Error::other(e.to_string()))
}

/// A text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`,
/// a tab or a carriage return) gets a leading `'`, which Excel and LibreOffice read as "this
/// is text". Every CSV the server writes goes through this, both variants: a CSV opened by a
/// double-click is a spreadsheet. XLSX files store text as string cells instead, which are
/// never formulas (docs/security.md, "Server: exports opened in a spreadsheet").
pub fn formula_safe(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The old name of [`formula_safe`].
pub fn excel_safe(s: &str) -> Cow<'_, str> {
    formula_safe(s)
}

/// A CSV writer (RFC 4180, CRLF); `excel` starts the file with a byte-order mark so Excel
/// reads it as UTF-8.
pub(crate) fn csv_writer<W: Write>(
    mut out: W,
    excel: bool,
) -> Result<csv::Writer<W>, StorageError> {
    if excel {
        out.write_all("\u{feff}".as_bytes())?;
    }
    Ok(csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(out))
}

/// Writes one CSV row, every cell made formula-safe.
pub(crate) fn write_safe_row<W: Write, S: AsRef<str>>(
    w: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> Result<(), StorageError> {
    // Field by field, borrowing: an export writes a million rows through here (P7).
    for c in cells {
        w.write_field(formula_safe(c.as_ref()).as_bytes())
            .map_err(io)?;
    }
    w.write_record(None::<&[u8]>).map_err(io)
}

/// Saves a workbook through a temporary file (the zip needs to seek), then copies it out.
pub(crate) fn save_xlsx<W: Write>(
    wb: &mut rust_xlsxwriter::Workbook,
    mut out: W,
) -> Result<(), StorageError> {
    let mut file = tempfile::tempfile()?;
    wb.save_to_writer(&mut file).map_err(io)?;
    use std::io::Seek;
    file.rewind()?;
    std::io::copy(&mut file, &mut out)?;
    out.flush()?;
    Ok(())
}

/// A readable one-cell summary of a record's details, e.g. `naloxone_kit x2; syringes x10`,
/// then the kits that replace one (`replaces one: naloxone_kit_nasal x1 used`) and what was
/// brought back (`returned: syringes x40`).
pub fn describe_body<'a>(kind: &str, body: &'a str) -> Cow<'a, str> {
    if kind == "supplies_distributed" {
        let v: serde_json::Value = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
        if v.get("items").and_then(|i| i.as_array()).is_some() {
            let lines = |field: &str| -> Vec<String> {
                v.get(field)
                    .and_then(|i| i.as_array())
                    .map(|ls| {
                        ls.iter()
                            .map(|l| {
                                let mut s = format!(
                                    "{} x{}",
                                    l.get("item").and_then(|i| i.as_str()).unwrap_or("?"),
                                    l.get("quantity").and_then(|q| q.as_i64()).unwrap_or(0)
                                );
                                if let Some(r) = l.get("reason").and_then(|r| r.as_str()) {
                                    s = format!("{s} {r}");
                                }
                                s
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let mut out = lines("items");
            out.extend(
                lines("replaced")
                    .into_iter()
                    .map(|l| format!("replaces one: {l}")),
            );
            out.extend(
                lines("returned")
                    .into_iter()
                    .map(|l| format!("returned: {l}")),
            );
            return out.join("; ").into();
        }
    }
    body.into()
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
        assert_eq!(
            describe_body(
                "supplies_distributed",
                r#"{"items":[{"item":"naloxone_kit_nasal","quantity":2}],"replaced":[{"item":"naloxone_kit_nasal","quantity":1,"reason":"used"}],"returned":[{"item":"syringes","quantity":40}]}"#
            ),
            "naloxone_kit_nasal x2; replaces one: naloxone_kit_nasal x1 used; returned: syringes x40"
        );
    }

    #[test]
    fn safe_rows_are_whole_csv_records() -> Result<(), Box<dyn std::error::Error>> {
        let mut w = csv_writer(Vec::new(), false)?;
        write_safe_row(&mut w, ["id", "details"])?;
        write_safe_row(&mut w, ["=1+1", "a, \"b\"\nc"])?;
        write_safe_row(&mut w, ["", ""])?;
        let out = String::from_utf8(w.into_inner().map_err(|e| e.to_string())?)?;
        assert_eq!(out, "id,details\r\n'=1+1,\"a, \"\"b\"\"\nc\"\r\n,\r\n");
        Ok(())
    }

    #[test]
    fn formula_safe_quotes_formulas_only() {
        for (s, want) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("-1+1", "'-1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("naloxone_kit x2", "naloxone_kit x2"),
            ("{\"note\":\"=1\"}", "{\"note\":\"=1\"}"),
            ("", ""),
        ] {
            assert_eq!(formula_safe(s), want);
        }
    }
}
