//! Asking: the data set pushed from three devices, every summary a viewer may ask for, and
//! every summary export.

use std::sync::Arc;

use serde_json::Value;

use super::data::*;
use super::model::*;
use crate::common::*;

/// A data set on a server, with the pseudonym of each of its workers.
pub struct World {
    pub recs: Vec<Rec>,
    pub truth: Truth,
    pub pseudonyms: Vec<String>,
}

/// Pushes `recs` (worker i from device i) to org `attack` and signs a viewer in.
pub async fn load(r: &Running, recs: Vec<Rec>) -> (World, Session) {
    let mut pseudonyms = Vec::new();
    let first = enrolled(r, "attack").await;
    call(&r.service, |s| {
        for (section, ids) in [
            ("roles", &ROLES[..]),
            ("areas", &AREAS[..2]),
            ("items", &ITEMS[..]),
        ] {
            let entries: Vec<shiftlog_server::CatalogueEntry> = ids
                .iter()
                .map(|id| shiftlog_server::CatalogueEntry {
                    id: id.to_string(),
                    label: id.to_string(),
                    description: String::new(),
                })
                .collect();
            s.store()
                .replace_catalogue_section("attack", section, &entries)
                .expect("catalogue");
        }
    })
    .await;
    for w in 0..WORKERS {
        let token = if w == 0 {
            first.clone()
        } else {
            enrolled(r, "attack").await
        };
        let t = token.clone();
        let id = call(&r.service, move |s| {
            s.authenticate_device(&t).expect("device").device_id
        })
        .await;
        let mine: Vec<Value> = recs
            .iter()
            .enumerate()
            .filter(|(_, x)| x.worker == w)
            .map(|(n, x)| x.envelope(n as u32))
            .collect();
        for chunk in mine.chunks(200) {
            let (s, body) = push(r, &token, chunk.to_vec()).await;
            assert_eq!(s, 200, "{body}");
            for res in body["results"].as_array().expect("results") {
                assert_eq!(res["status"], "accepted", "{res}");
            }
        }
        let p = call(&r.service, move |s| {
            s.store()
                .list_devices("attack")
                .expect("devices")
                .into_iter()
                .find(|d| d.id == id)
                .expect("device")
                .pseudonym
        })
        .await;
        pseudonyms.push(p);
    }
    let viewer = staff_session(r, "attack", "vera", "viewer").await;
    let truth = Truth::of(&recs);
    (
        World {
            recs,
            truth,
            pseudonyms,
        },
        viewer,
    )
}

/// Everything a viewer may ask: every measure, "by", period and filter (kind, area, and both
/// by day and by month); and for monthly tables every one-day range and every range from the
/// first day.
pub fn requests() -> Vec<Req> {
    let mut out = Vec::new();
    let kinds: Vec<Option<&'static str>> = std::iter::once(None).chain(KINDS.map(Some)).collect();
    let areas = [None, Some("a1"), Some("a2")];
    for m in MEASURES {
        for &by in m.bys() {
            for period in ["day", "week", "month"] {
                for &kind in &kinds {
                    for area in areas {
                        // Weeks are unions of days: their kind-and-area pairs add nothing.
                        if period == "week" && kind.is_some() && area.is_some() {
                            continue;
                        }
                        out.push(Req {
                            measure: m,
                            period,
                            by,
                            from: None,
                            to: None,
                            kind,
                            area,
                        });
                    }
                }
            }
            for d in 0..DAYS as usize {
                for (from, to) in [(d, d), (0, d)] {
                    out.push(Req {
                        measure: m,
                        period: "month",
                        by,
                        from: Some(from),
                        to: Some(to),
                        kind: None,
                        area: None,
                    });
                }
            }
        }
    }
    out
}

/// Asks every request (eight at a time); `None` where the server refused it.
pub async fn collect(r: &Running, viewer: &Session, reqs: &[Req]) -> Vec<Option<Value>> {
    let sem = Arc::new(tokio::sync::Semaphore::new(8));
    let mut handles = Vec::new();
    for q in reqs {
        let req = viewer.get(r, &format!("/api/v1/staff/summary?{}", q.query()));
        let sem = sem.clone();
        handles.push(tokio::spawn(async move {
            let _permit = sem.acquire().await.expect("permit");
            let resp = req.send().await.expect("send");
            let ok = resp.status().is_success();
            let v: Value = resp.json().await.expect("json");
            ok.then_some(v)
        }));
    }
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("join"));
    }
    out
}

/// Fetches every summary export (CSV, CSV for Excel, XLSX, JSON) of the monthly tables and
/// returns how many differ from the API's table (they must be the same numbers).
pub async fn exports_differ(r: &Running, viewer: &Session, reqs: &[Req]) -> usize {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut differ = 0;
    for q in reqs
        .iter()
        .filter(|q| q.period == "month" && q.kind.is_none() && q.area.is_none() && q.from.is_none())
    {
        let api = viewer
            .get(r, &format!("/api/v1/staff/summary?{}", q.query()))
            .send()
            .await
            .expect("api");
        if !api.status().is_success() {
            continue;
        }
        let api: Value = api.json().await.expect("json");
        let get = |extra: &str| {
            viewer
                .get(
                    r,
                    &format!("/api/v1/staff/summary/export?{}&{extra}", q.query()),
                )
                .send()
        };
        let json: Value = get("format=json")
            .await
            .expect("json")
            .json()
            .await
            .expect("j");
        differ += (json["rows"] != api["rows"] || json["columns"] != api["columns"]) as usize;
        let want: Vec<String> = api["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|row| {
                std::iter::once(row["label"].as_str().expect("l").to_string())
                    .chain(row["cells"].as_array().expect("c").iter().map(text))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect();
        for extra in ["format=csv", "format=csv&excel=true"] {
            let body = get(extra).await.expect("csv").text().await.expect("t");
            let lines: Vec<&str> = body.trim_start_matches('\u{feff}').split("\r\n").collect();
            differ += (lines.len() < want.len() + 1 || lines[1..=want.len()] != want[..]) as usize;
        }
        let xlsx = get("format=xlsx")
            .await
            .expect("xlsx")
            .bytes()
            .await
            .expect("b");
        differ += (!xlsx.starts_with(b"PK")) as usize;
    }
    differ
}
