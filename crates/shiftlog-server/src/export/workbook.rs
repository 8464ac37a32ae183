//! The record-level workbook: one sheet, one row per record, real date-time, number and
//! yes/no cells, one readable column per field the organization's kinds have (from the record
//! model's kind definitions, with the organization's labels), one quantity column per supply
//! item, the heading row frozen and filtered. Text is always a string cell, never a formula.
//! The JSON export keeps the bodies as they came.

use std::collections::HashMap;

use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Worksheet};
use serde_json::Value;
use shiftlog_model::kinds::{FieldDef, FieldKind, KindDef};
use shiftlog_model::{Catalogue, Lang};
use shiftlog_server_db::{ExportRow, StorageError};
use shiftlog_wire::CatalogueResponse;

use super::cells::io;
use super::words::{heading, item_heading, replaced_heading, returned_heading};

/// What a column shows.
enum Col {
    Fixed(&'static str),
    /// A field of a kind, by id; `header` tells apart two custom fields with one id.
    Field {
        id: String,
        header: String,
    },
    Item(String),
    OtherItems,
    /// Brought back, by item.
    Returned(String),
    /// Naloxone kits handed out to replace one, by reason.
    Replaced(String, String),
}

/// A cell's value.
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Money(f64),
    Bool(bool),
    DateTime(ExcelDateTime),
    Date(ExcelDateTime),
}

/// The columns and labels of one organization's workbook.
pub(super) struct Layout {
    lang: Lang,
    cols: Vec<Col>,
    headers: Vec<String>,
    defs: HashMap<String, KindDef>,
    labels: HashMap<(&'static str, String), String>,
    formats: Formats,
}

struct Formats {
    bold: CellFormat,
    datetime: CellFormat,
    date: CellFormat,
    money: CellFormat,
}

const FIXED: [&str; 11] = [
    "id",
    "record_type",
    "kind",
    "occurred_at",
    "recorded_at",
    "received_at",
    "version",
    "device",
    "worker",
    "area",
    "role",
];

fn header_of(f: &FieldDef, lang: Lang) -> String {
    f.label
        .as_ref()
        .map(|l| l.get(lang).to_string())
        .or_else(|| heading(&f.id, lang).map(str::to_string))
        .unwrap_or_else(|| f.id.clone())
}

impl Layout {
    /// The layout for an organization's catalogue, with headings in `lang`.
    pub(super) fn new(wire: &CatalogueResponse, lang: Lang) -> Layout {
        let cat = shiftlog_model::catalogue::from_wire(wire, Catalogue::default_catalogue());
        let mut defs = shiftlog_model::kinds::kind_definitions(&cat);
        // A pay ledger line a worker shared: its columns, from the record model.
        defs.push(shiftlog_model::body::payment_definition());
        let mut labels = HashMap::new();
        for (section, entries) in [
            ("kind", &wire.activity_kinds),
            ("area", &wire.areas),
            ("role", &wire.roles),
            ("item", &wire.supply_items),
        ] {
            for e in entries {
                labels.insert((section, e.id.clone()), e.label.clone());
            }
        }
        let mut cols: Vec<Col> = FIXED.iter().map(|f| Col::Fixed(f)).collect();
        cols.push(Col::Fixed("ended_at"));
        let mut seen = std::collections::HashSet::new();
        for d in &defs {
            for f in &d.fields {
                if matches!(f.id.as_str(), "area" | "role") {
                    continue;
                }
                if let FieldKind::Replacements { reasons, .. } = &f.kind {
                    for o in reasons {
                        if seen.insert(("replaced".into(), o.id.clone())) {
                            cols.push(Col::Replaced(o.id.clone(), o.label.get(lang).into()));
                        }
                    }
                    continue;
                }
                if let FieldKind::Items { options, .. } = &f.kind {
                    if f.id == "returned" {
                        for o in options {
                            if seen.insert(("returned".into(), o.id.clone())) {
                                cols.push(Col::Returned(o.id.clone()));
                            }
                        }
                        continue;
                    }
                    for o in options {
                        if seen.insert(("item".to_string(), o.id.clone())) {
                            cols.push(Col::Item(o.id.clone()));
                        }
                    }
                    if seen.insert(("other".into(), String::new())) {
                        cols.push(Col::OtherItems);
                    }
                    continue;
                }
                let header = header_of(f, lang);
                if seen.insert((f.id.clone(), header.clone())) {
                    cols.push(Col::Field {
                        id: f.id.clone(),
                        header,
                    });
                }
            }
        }
        let mut layout = Layout {
            lang,
            cols,
            headers: Vec::new(),
            defs: defs.into_iter().map(|d| (d.id.clone(), d)).collect(),
            labels,
            formats: Formats {
                bold: CellFormat::new().set_bold(),
                datetime: CellFormat::new().set_num_format("yyyy-mm-dd hh:mm"),
                date: CellFormat::new().set_num_format("yyyy-mm-dd"),
                money: CellFormat::new().set_num_format("0.00"),
            },
        };
        layout.headers = layout
            .cols
            .iter()
            .map(|c| match c {
                Col::Fixed(id) => heading(id, lang).unwrap_or(id).to_string(),
                Col::Field { header, .. } => header.clone(),
                Col::Item(id) => item_heading(layout.label("item", id), lang),
                Col::OtherItems => heading("other_items", lang).unwrap_or("other").into(),
                Col::Returned(id) => returned_heading(layout.label("item", id), lang),
                Col::Replaced(_, words) => replaced_heading(words, lang),
            })
            .collect();
        layout
    }

    fn label<'a>(&'a self, section: &'static str, id: &'a str) -> &'a str {
        self.labels
            .get(&(section, id.to_string()))
            .map(String::as_str)
            .unwrap_or(id)
    }

    /// Writes the heading row, frozen, and sets the column widths.
    pub(super) fn write_header(&self, ws: &mut Worksheet) -> Result<(), StorageError> {
        for (c, h) in self.headers.iter().enumerate() {
            let c = c as u16;
            ws.write_string_with_format(0, c, h, &self.formats.bold)
                .map_err(io)?;
            let width = (h.chars().count() as f64 + 2.0).clamp(10.0, 40.0);
            ws.set_column_width(c, width).map_err(io)?;
        }
        ws.set_freeze_panes(1, 0).map_err(io)?;
        Ok(())
    }

    /// Turns the filter on over the heading row and the `rows` written under it.
    pub(super) fn finish(&self, ws: &mut Worksheet, rows: u32) -> Result<(), StorageError> {
        let last = self.cols.len().saturating_sub(1) as u16;
        ws.autofilter(0, 0, rows.max(1), last).map_err(io)?;
        Ok(())
    }

    /// Writes one record as row `r`.
    pub(super) fn write_row(
        &self,
        ws: &mut Worksheet,
        r: u32,
        row: &ExportRow,
    ) -> Result<(), StorageError> {
        let body: Value = serde_json::from_str(&row.body).unwrap_or(Value::Null);
        let items = supply_lines(&body, "items");
        let returned = supply_lines(&body, "returned");
        let sum = |lines: &[(String, i64)], id: &str| {
            lines
                .iter()
                .filter(|(i, _)| i == id)
                .map(|(_, q)| *q as f64)
                .reduce(|a, b| a + b)
                .map_or(Cell::Empty, Cell::Number)
        };
        for (c, col) in self.cols.iter().enumerate() {
            let cell = match col {
                Col::Fixed(id) => self.fixed(id, row, &body),
                Col::Field { id, header } => self.field(row, &body, id, header),
                Col::Item(id) => sum(&items, id),
                Col::Returned(id) => sum(&returned, id),
                Col::Replaced(reason, _) => sum(&replaced_by_reason(&body), reason),
                Col::OtherItems => {
                    let other: Vec<String> = items
                        .iter()
                        .filter(|(i, _)| {
                            !self
                                .cols
                                .iter()
                                .any(|c| matches!(c, Col::Item(k) if k == i))
                        })
                        .map(|(i, q)| format!("{i} x{q}"))
                        .collect();
                    text(other.join("; "))
                }
            };
            self.put(ws, r, c as u16, cell)?;
        }
        Ok(())
    }

    fn put(&self, ws: &mut Worksheet, r: u32, c: u16, cell: Cell) -> Result<(), StorageError> {
        let f = &self.formats;
        match cell {
            Cell::Empty => return Ok(()),
            // A string cell: Excel and LibreOffice never run it, whatever it starts with.
            Cell::Text(s) => ws.write_string(r, c, s),
            Cell::Number(n) => ws.write_number(r, c, n),
            Cell::Money(n) => ws.write_number_with_format(r, c, n, &f.money),
            Cell::Bool(b) => ws.write_boolean(r, c, b),
            Cell::DateTime(d) => ws.write_datetime_with_format(r, c, &d, &f.datetime),
            Cell::Date(d) => ws.write_datetime_with_format(r, c, &d, &f.date),
        }
        .map_err(io)?;
        Ok(())
    }

    fn fixed(&self, id: &str, row: &ExportRow, body: &Value) -> Cell {
        match id {
            "id" => text(row.id.clone()),
            "record_type" => text(
                match (row.record_type.as_str(), self.lang) {
                    ("activity", Lang::En) => Some("Activity".to_string()),
                    ("activity", Lang::Fr) => Some("Activité".to_string()),
                    (t, lang) => {
                        shiftlog_model::kinds::builtin_label(t).map(|l| l.get(lang).into())
                    }
                }
                .unwrap_or_else(|| row.record_type.clone()),
            ),
            "kind" => text(self.label("kind", &row.kind).to_string()).or_else(|| {
                shiftlog_model::kinds::builtin_label(&row.kind)
                    .map(|l| Cell::Text(l.get(self.lang).into()))
            }),
            "occurred_at" => local_time(&row.occurred_at),
            "recorded_at" => local_time(&row.recorded_at),
            "received_at" => utc_time(&row.received_at),
            "version" => Cell::Number(row.version as f64),
            "device" => text(row.device_id.clone()),
            "worker" => text(row.pseudonym.clone()),
            "area" => row
                .area
                .as_deref()
                .map_or(Cell::Empty, |a| text(self.label("area", a).into())),
            "role" => row
                .role
                .as_deref()
                .map_or(Cell::Empty, |a| text(self.label("role", a).into())),
            "ended_at" => body
                .get("ended_at")
                .and_then(Value::as_str)
                .map_or(Cell::Empty, local_time),
            _ => Cell::Empty,
        }
    }

    fn field(&self, row: &ExportRow, body: &Value, id: &str, header: &str) -> Cell {
        let Some(def) = self.defs.get(&row.kind) else {
            return Cell::Empty;
        };
        let Some(f) = def.field(id) else {
            return Cell::Empty;
        };
        if header_of(f, self.lang) != header {
            return Cell::Empty;
        }
        let v = get_path(body, id);
        match (&f.kind, v) {
            (FieldKind::Boolean, None) => f
                .default
                .as_ref()
                .and_then(Value::as_bool)
                .map_or(Cell::Empty, Cell::Bool),
            (_, None | Some(Value::Null)) => Cell::Empty,
            (FieldKind::Integer { .. }, Some(v)) => match v.as_f64() {
                Some(n) if id == "out_of_pocket_cents" || id == "amount_cents" => {
                    Cell::Money(n / 100.0)
                }
                Some(n) => Cell::Number(n),
                None => text(v.to_string()),
            },
            (FieldKind::Boolean, Some(v)) => v.as_bool().map_or(Cell::Empty, Cell::Bool),
            (FieldKind::Choice { options }, Some(v)) => {
                let s = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                let label = options
                    .iter()
                    .find(|o| o.id == s)
                    .map(|o| o.label.get(self.lang).to_string());
                text(label.unwrap_or(s))
            }
            (FieldKind::Date, Some(v)) => v
                .as_str()
                .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .and_then(|d| excel_date(d.and_hms_opt(0, 0, 0)?))
                .map_or_else(|| text(v.to_string()), Cell::Date),
            (FieldKind::TextList { .. }, Some(Value::Array(a))) => text(
                a.iter()
                    .map(|e| {
                        e.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| e.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            (_, Some(Value::String(s))) => text(s.clone()),
            (_, Some(v)) => text(v.to_string()),
        }
    }
}

impl Cell {
    fn or_else(self, f: impl FnOnce() -> Option<Cell>) -> Cell {
        match self {
            Cell::Empty => f().unwrap_or(Cell::Empty),
            c => c,
        }
    }
}

fn text(s: String) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s)
    }
}

fn get_path<'a>(body: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(body, |v, p| v.get(p))
}

/// (reason, quantity) of the naloxone kits that replace one.
fn replaced_by_reason(body: &Value) -> Vec<(String, i64)> {
    body.get("replaced")
        .and_then(Value::as_array)
        .map(|lines| {
            lines
                .iter()
                .filter_map(|l| {
                    Some((
                        l.get("reason")?.as_str()?.to_string(),
                        l.get("quantity")?.as_i64()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn supply_lines(body: &Value, field: &str) -> Vec<(String, i64)> {
    body.get(field)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|l| {
                    Some((
                        l.get("item")?.as_str()?.to_string(),
                        l.get("quantity")?.as_i64()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn excel_date(t: chrono::NaiveDateTime) -> Option<ExcelDateTime> {
    use chrono::{Datelike, Timelike};
    let secs = t.second() as f64 + t.nanosecond() as f64 / 1e9;
    ExcelDateTime::from_ymd(
        u16::try_from(t.year()).ok()?,
        t.month() as u8,
        t.day() as u8,
    )
    .ok()?
    .and_hms(t.hour() as u16, t.minute() as u8, secs.min(59.999))
    .ok()
}

/// The wall-clock time where the worker was (the offset the device wrote), as a date-time
/// cell; a value that does not parse stays as text.
fn local_time(s: &str) -> Cell {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .and_then(|t| excel_date(t.naive_local()))
        .map_or_else(|| text(s.to_string()), Cell::DateTime)
}

/// A server time, in UTC.
fn utc_time(s: &str) -> Cell {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .and_then(|t| excel_date(t.naive_utc()))
        .map_or_else(|| text(s.to_string()), Cell::DateTime)
}
