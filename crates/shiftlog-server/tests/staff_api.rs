//! The staff side over real HTTP, on SQLite and on PostgreSQL: sign-in, CSRF, roles,
//! enrollment with pseudonyms, revocation, the catalogue, summaries with known numbers,
//! exports, and the audit log.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn body(resp: reqwest::Response) -> (u16, Value) {
    let s = resp.status().as_u16();
    (s, resp.json().await.expect("json"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_cookie_csrf_and_login_rate_limit() {
    for b in BACKENDS {
        let r = start(b).await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let (s, me) = body(admin.get(&r, "/api/v1/staff/me").send().await.expect("me")).await;
        assert_eq!((s, me["role"].as_str()), (200, Some("admin")), "{b:?}");
        assert_eq!(
            me["csrf_token"],
            json!(admin.csrf),
            "the page can ask again after a reload"
        );

        // A change without the CSRF header is refused and changes nothing.
        let no_csrf = client()
            .post(format!("{}/api/v1/staff/enrollment-codes", r.base))
            .header("cookie", &admin.cookie)
            .json(&json!({}))
            .send()
            .await
            .expect("send");
        let (s, e) = body(no_csrf).await;
        assert_eq!((s, e["code"].as_str()), (403, Some("csrf_token_missing")));
        let wrong = client()
            .post(format!("{}/api/v1/staff/enrollment-codes", r.base))
            .header("cookie", &admin.cookie)
            .header("x-csrf-token", "0".repeat(64))
            .json(&json!({}))
            .send()
            .await
            .expect("send");
        assert_eq!(wrong.status().as_u16(), 403);
        let (_, audit) = body(
            admin
                .get(&r, "/api/v1/staff/audit")
                .send()
                .await
                .expect("a"),
        )
        .await;
        assert!(
            !audit.to_string().contains("enrollment_code"),
            "refused requests leave no trace of a change: {audit}"
        );

        // With it, a code and its QR code.
        let (s, code) = body(
            admin
                .send(&r, Method::POST, "/api/v1/staff/enrollment-codes")
                .json(&json!({}))
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(s, 200, "{code}");
        assert_eq!(code["code"].as_str().expect("code").len(), 11);
        assert!(code["qr_svg"].as_str().expect("svg").contains("<svg"));

        // Wrong passwords: 401, then 429 with Retry-After once the limit is reached.
        let _ = staff_session(&r, "demo", "bob", "viewer").await;
        let mut statuses = Vec::new();
        for _ in 0..6 {
            statuses.push(
                login(&r, "bob", "not the password")
                    .await
                    .err()
                    .expect("fails")
                    .0,
            );
        }
        assert_eq!(statuses, [401, 401, 401, 401, 401, 429], "{b:?}");
        let (s, e) = login(&r, "bob", "correct horse battery")
            .await
            .err()
            .expect("limited");
        assert_eq!((s, e["code"].as_str()), (429, Some("rate_limited")));

        // Sign out ends the session.
        let out = admin
            .send(&r, Method::POST, "/api/v1/staff/logout")
            .send()
            .await
            .expect("logout");
        assert_eq!(out.status().as_u16(), 200);
        let after = admin.get(&r, "/api/v1/staff/me").send().await.expect("me");
        assert_eq!(after.status().as_u16(), 401);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_gets_a_pseudonym_a_second_device_and_revocation() {
    for b in BACKENDS {
        let r = start(b).await;
        let coord = staff_session(&r, "demo", "cora", "coordinator").await;
        let code = |p: Value| {
            coord
                .send(&r, Method::POST, "/api/v1/staff/enrollment-codes")
                .json(&p)
                .send()
        };
        let (_, c1) = body(code(json!({})).await.expect("code")).await;
        let phone = enroll_with(&r, c1["code"].as_str().expect("code")).await;
        let (_, devices) = body(
            coord
                .get(&r, "/api/v1/staff/devices")
                .send()
                .await
                .expect("d"),
        )
        .await;
        let pseudonym = devices[0]["pseudonym"]
            .as_str()
            .expect("pseudonym")
            .to_string();
        assert!(
            pseudonym.starts_with("W-") && pseudonym.len() == 6,
            "{pseudonym}"
        );

        let (s, c2) = body(code(json!({"pseudonym": pseudonym})).await.expect("code")).await;
        assert_eq!(s, 200, "{c2}");
        let laptop = enroll_with(&r, c2["code"].as_str().expect("code")).await;
        let (_, devices) = body(
            coord
                .get(&r, "/api/v1/staff/devices")
                .send()
                .await
                .expect("d"),
        )
        .await;
        let list = devices.as_array().expect("list");
        assert_eq!(list.len(), 2);
        assert!(
            list.iter().all(|d| d["pseudonym"] == json!(pseudonym)),
            "{devices}"
        );

        let (s, e) = body(code(json!({"pseudonym": "W-NONE"})).await.expect("code")).await;
        assert_eq!((s, e["code"].as_str()), (404, Some("not_found")));

        // Revoke the phone: it is told in plain words; the laptop still syncs.
        let laptop_id = call(&r.service, move |s| {
            s.authenticate_device(&laptop).expect("laptop").device_id
        })
        .await;
        let phone_id = list
            .iter()
            .map(|d| d["id"].as_str().expect("id").to_string())
            .find(|id| *id != laptop_id.to_string())
            .expect("phone");
        let (s, _) = body(
            coord
                .send(
                    &r,
                    Method::POST,
                    &format!("/api/v1/staff/devices/{phone_id}/revoke"),
                )
                .send()
                .await
                .expect("revoke"),
        )
        .await;
        assert_eq!(s, 200);
        let (s, e) = push(&r, &phone, vec![record(&rid(1))]).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (401, Some("device_revoked")),
            "{b:?}"
        );

        let (_, audit) = body(
            coord
                .get(&r, "/api/v1/staff/audit")
                .send()
                .await
                .expect("a"),
        )
        .await;
        let actions: Vec<&str> = audit
            .as_array()
            .expect("audit")
            .iter()
            .map(|a| a["action"].as_str().expect("action"))
            .collect();
        assert_eq!(
            actions,
            [
                "revoke_device",
                "device_enrolled",
                "enrollment_code",
                "device_enrolled",
                "enrollment_code",
                "role_change",
                "staff_created"
            ],
            "{audit}"
        );
        assert!(audit[0]["actor"] == json!("cora"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinators_edit_the_catalogue_and_devices_pull_it() {
    for b in BACKENDS {
        let r = start(b).await;
        let device = enrolled(&r, "demo").await;
        let coord = staff_session(&r, "demo", "cora", "coordinator").await;
        let viewer = staff_session(&r, "demo", "vic", "viewer").await;
        let catalogue = json!({
            "activity_kinds": [{"id": "outreach_contact", "label": "Outreach"}],
            "supply_items": [{"id": "naloxone_kit", "label": "Naloxone kit"}, {"id": "syringes", "label": "Syringes"}],
            "areas": [{"id": "v6a", "label": "Downtown Eastside"}],
            "roles": [{"id": "peer_outreach", "label": "Outreach worker",
                       "description": "Walks the area, hands out supplies, responds to overdoses."}],
            "retention_days": 90
        });
        let put = |who: &Session, c: &Value| {
            who.send(&r, Method::PUT, "/api/v1/staff/catalogue")
                .json(c)
                .send()
        };
        let (s, e) = body(put(&viewer, &catalogue).await.expect("put")).await;
        assert_eq!((s, e["code"].as_str()), (403, Some("forbidden")));
        let mut vague = catalogue.clone();
        vague["roles"][0]["description"] = json!("");
        let (s, e) = body(put(&coord, &vague).await.expect("put")).await;
        assert_eq!(s, 400);
        assert!(e["message"].as_str().expect("m").contains("expected to do"));
        let (s, _) = body(put(&coord, &catalogue).await.expect("put")).await;
        assert_eq!(s, 200);

        let (s, pulled) = body(
            client()
                .get(format!("{}/api/v1/catalogue", r.base))
                .bearer_auth(&device)
                .send()
                .await
                .expect("pull"),
        )
        .await;
        assert_eq!(s, 200);
        let pulled: shiftlog_wire::CatalogueResponse =
            serde_json::from_value(pulled).expect("wire type");
        assert_eq!(pulled.retention_days, 90, "{b:?}");
        assert_eq!(pulled.supply_items.len(), 2);
        assert_eq!(
            pulled.roles[0].description,
            "Walks the area, hands out supplies, responds to overdoses."
        );
        assert_eq!(pulled.organization.id, "demo");
    }
}

/// November: 12 outreach contacts in v6a (3 people each), 3 overdose responses in v6b
/// (2 naloxone doses each, one off shift), 7 supply handouts of 2 naloxone kits, two paid
/// 8-hour shifts and one unpaid 3-hour shift, 2 debriefs asked for. October: 6 outreach.
fn november() -> Vec<Value> {
    let mut out = Vec::new();
    let mut n = 0;
    let mut rec = |record_type: &str, kind: &str, day: &str, body: Value| {
        n += 1;
        json!({
            "id": rid(n), "version": 1, "record_type": record_type, "kind": kind,
            "occurred_at": format!("{day}T10:00:00-08:00"), "recorded_at": format!("{day}T10:00:05-08:00"),
            "body": body
        })
    };
    for _ in 0..12 {
        out.push(rec(
            "activity",
            "outreach_contact",
            "2026-11-03",
            json!({"area": "v6a", "people_reached": 3, "role": "peer_outreach"}),
        ));
    }
    for i in 0..3 {
        out.push(rec("activity", "overdose_response", "2026-11-10", json!({"area": "v6b", "on_shift": i != 0, "naloxone": {"doses": 2, "route": "intranasal"}, "called_911": "yes", "outcome": "survived"})));
    }
    for _ in 0..7 {
        out.push(rec(
            "activity",
            "supplies_distributed",
            "2026-11-12",
            json!({"area": "v6a", "items": [{"item": "naloxone_kit", "quantity": 2}]}),
        ));
    }
    for (pay, hours) in [("paid", 8), ("paid", 8), ("unpaid", 3)] {
        out.push(rec(
            "shift",
            "shift",
            "2026-11-04",
            json!({
            "started_at": "2026-11-04T09:00:00-08:00",
            "ended_at": format!("2026-11-04T{:02}:00:00-08:00", 9 + hours),
            "pay_type": pay, "role": "peer_outreach"}),
        ));
    }
    for _ in 0..2 {
        out.push(rec(
            "debrief_request",
            "debrief_request",
            "2026-11-10",
            json!({}),
        ));
    }
    for _ in 0..6 {
        out.push(rec(
            "activity",
            "outreach_contact",
            "2026-10-20",
            json!({"area": "v6a"}),
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summaries_show_known_numbers_with_small_cells_suppressed() {
    for b in BACKENDS {
        let r = start(b).await;
        let device = enrolled(&r, "demo").await;
        let (s, resp) = push(&r, &device, november()).await;
        assert_eq!(s, 200);
        for res in resp["results"].as_array().expect("results") {
            assert_ne!(res["status"], "rejected", "{b:?}: {res}");
        }
        let viewer = staff_session(&r, "demo", "vic", "viewer").await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let get =
            |who: &Session, q: &str| who.get(&r, &format!("/api/v1/staff/summary?{q}")).send();

        let (s, t) = body(get(&viewer, "measure=activities&by=kind").await.expect("s")).await;
        assert_eq!(s, 200, "{t}");
        assert_eq!(
            t["columns"],
            json!([
                "outreach_contact",
                "overdose_response",
                "supplies_distributed",
                "total"
            ])
        );
        assert_eq!(t["suppressed"], json!(true));
        assert_eq!(
            t["rows"][0],
            json!({"label": "2026-10", "cells": [6, 0, 0, 6]})
        );
        // Protected (docs/privacy.md): groups of 5 or more count exactly; the 3 overdose
        // responses are two small groups (2 on shift, 1 off), each counted as 1 or 4, so
        // they count as 2 ("<5") or 5; every total adds up what it covers.
        let od = t["rows"][1]["cells"][3].as_i64().expect("total") - 19;
        assert!(od == 2 || od == 5, "{b:?}: {t}");
        let od_cell = if od == 2 { json!("<5") } else { json!(5) };
        assert_eq!(
            t["rows"][1],
            json!({"label": "2026-11", "cells": [12, od_cell, 7, 19 + od]}),
            "{b:?}"
        );
        assert_eq!(t["rows"][2]["cells"], json!([18, od_cell, 7, 25 + od]));
        assert_eq!(t["protection"], json!("small_groups_count_as_1_or_4"));

        let (s, e) = body(
            get(&viewer, "measure=activities&by=kind&unsuppressed=true")
                .await
                .expect("s"),
        )
        .await;
        assert_eq!((s, e["code"].as_str()), (403, Some("forbidden")));
        let (s, t) = body(
            get(&admin, "measure=activities&by=kind&unsuppressed=true")
                .await
                .expect("s"),
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(t["rows"][1]["cells"], json!([12, 3, 7, 22]));
        let (_, audit) = body(
            admin
                .get(&r, "/api/v1/staff/audit?limit=1")
                .send()
                .await
                .expect("a"),
        )
        .await;
        assert_eq!(audit[0]["action"], json!("unsuppressed_summary"));
        assert_eq!(audit[0]["actor"], json!("ada"));

        // People reached by the overdose groups count at the average over the groups of 5
        // or more (36 people / 25 records: there is no large overdose group).
        let v6b = if od == 2 { json!("x") } else { json!(7) };
        let cases: &[(&str, Value)] = &[
            (
                "measure=naloxone_doses&from=2026-11-01&to=2026-11-30",
                json!([["2026-11", ["x", "x"]], ["total", ["x", "x"]]]),
            ),
            (
                "measure=people_reached&by=area&from=2026-11-01",
                json!([
                    ["2026-11", [36, v6b, 36 + if od == 2 { 3 } else { 7 }]],
                    ["total", [36, v6b, 36 + if od == 2 { 3 } else { 7 }]]
                ]),
            ),
            (
                "measure=supplies&by=item",
                json!([["2026-11", [14, 14]], ["total", [14, 14]]]),
            ),
            (
                "measure=hours&by=pay_type",
                json!([["2026-11", ["x", "x", "x"]], ["total", ["x", "x", "x"]]]),
            ),
            (
                "measure=debriefs",
                json!([["2026-11", ["<5", "<5"]], ["total", ["<5", "<5"]]]),
            ),
            (
                "measure=naloxone_doses&by=on_shift",
                json!([["2026-11", ["x", "x", "x"]], ["total", ["x", "x", "x"]]]),
            ),
            (
                "measure=activities&by=area&period=week&from=2026-11-01",
                json!([
                    ["2026-11-02", [12, 0, 12]],
                    ["2026-11-09", [7, od_cell, 7 + od]],
                    ["total", [19, od_cell, 19 + od]]
                ]),
            ),
        ];
        for (q, want) in cases {
            let (s, t) = body(get(&viewer, q).await.expect("s")).await;
            assert_eq!(s, 200, "{q}: {t}");
            let got: Vec<Value> = t["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .map(|r| json!([r["label"], r["cells"]]))
                .collect();
            assert_eq!(json!(got), *want, "{b:?} {q}");
        }
        let (s, _) = body(get(&viewer, "measure=debriefs&by=worker").await.expect("s")).await;
        assert_eq!(s, 400, "debriefs are never shown by worker");
        let (s, e) = body(get(&viewer, "measure=hours&by=worker").await.expect("s")).await;
        assert_eq!(s, 400, "protected summaries are never by worker: {e}");
        let (s, _) = body(
            get(&admin, "measure=hours&by=worker&unsuppressed=true")
                .await
                .expect("s"),
        )
        .await;
        assert_eq!(
            s, 200,
            "the admin's unprotected view still splits by worker"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_in_every_format_are_audit_logged() {
    for b in BACKENDS {
        let r = start(b).await;
        let device = enrolled(&r, "demo").await;
        push(&r, &device, november()).await;
        let coord = staff_session(&r, "demo", "cora", "coordinator").await;
        let viewer = staff_session(&r, "demo", "vic", "viewer").await;
        let get = |who: &Session, q: &str| who.get(&r, q).send();

        let resp = get(
            &coord,
            "/api/v1/staff/records/export?format=csv&excel=true&kind=supplies_distributed",
        )
        .await
        .expect("csv");
        assert_eq!(resp.status().as_u16(), 200);
        assert!(resp.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .contains("records.csv"));
        let bytes = resp.bytes().await.expect("bytes");
        assert!(
            bytes.starts_with("\u{feff}id,kind,".as_bytes()),
            "Excel CSV starts with a BOM"
        );
        let text = String::from_utf8(bytes.to_vec()).expect("utf8");
        assert_eq!(text.lines().count(), 1 + 7, "{b:?}");
        assert!(text.contains("naloxone_kit x2"));

        let resp = get(
            &coord,
            "/api/v1/staff/records/export?format=json&record_type=shift",
        )
        .await
        .expect("json");
        let rows: Vec<Value> = resp.json().await.expect("JSON array");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["body"]["pay_type"], json!("paid"));

        let resp = get(&coord, "/api/v1/staff/records/export?format=xlsx")
            .await
            .expect("xlsx");
        assert!(resp.headers()["content-type"]
            .to_str()
            .expect("ct")
            .contains("spreadsheetml"));
        let bytes = resp.bytes().await.expect("bytes");
        assert!(bytes.starts_with(b"PK\x03\x04"), "an XLSX is a zip");
        assert!(bytes.len() > 2000);

        let resp = get(
            &viewer,
            "/api/v1/staff/summary/export?format=csv&measure=activities&by=kind",
        )
        .await
        .expect("sum");
        assert_eq!(resp.status().as_u16(), 200);
        let text = resp.text().await.expect("text");
        assert!(
            text.starts_with(
                "period,outreach_contact,overdose_response,supplies_distributed,total\r\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("2026-11,12,<5,7,21\r\n") || text.contains("2026-11,12,5,7,24\r\n"),
            "{text}"
        );
        assert!(text.contains("Small numbers are protected."), "{text}");
        let resp = get(
            &viewer,
            "/api/v1/staff/summary/export?format=xlsx&measure=hours&by=pay_type",
        )
        .await
        .expect("x");
        assert!(resp.bytes().await.expect("b").starts_with(b"PK"));

        // Viewers see suppressed summaries only: no record-level export.
        let (s, e) = body(
            get(&viewer, "/api/v1/staff/records/export?format=csv")
                .await
                .expect("v"),
        )
        .await;
        assert_eq!((s, e["code"].as_str()), (403, Some("forbidden")));

        let (_, audit) = body(
            coord
                .get(&r, "/api/v1/staff/audit")
                .send()
                .await
                .expect("a"),
        )
        .await;
        let exports: Vec<&Value> = audit
            .as_array()
            .expect("audit")
            .iter()
            .filter(|a| a["action"] == json!("export"))
            .collect();
        assert_eq!(exports.len(), 5, "{b:?}: {audit}");
        let first = exports.last().expect("oldest");
        assert_eq!(first["actor"], json!("cora"));
        assert_eq!(
            first["detail"]["filters"]["kind"],
            json!("supplies_distributed")
        );
        assert_eq!(first["detail"]["format"], json!("csv"));
    }
}

/// Summaries read running totals kept by triggers: edits move a record between cells and
/// tombstones take it out, on both backends, and the totals agree with the records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_and_deletions_keep_the_running_totals_right() {
    for b in BACKENDS {
        let r = start(b).await;
        let device = enrolled(&r, "demo").await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let rec = |n: u32, v: u32, kind: &str, body: Value, deleted: bool| {
            json!({"id": rid(n), "version": v, "record_type": "activity", "kind": kind,
                   "occurred_at": "2026-11-03T10:00:00-08:00", "recorded_at": "2026-11-03T10:00:00-08:00",
                   "deleted": deleted, "body": body})
        };
        let mut first = Vec::new();
        for n in 0..6 {
            first.push(rec(
                n,
                1,
                "outreach_contact",
                json!({"area": "v6a", "people_reached": 2}),
                false,
            ));
        }
        first.push(rec(
            10,
            1,
            "supplies_distributed",
            json!({"area": "v6a", "items": [{"item": "pipes", "quantity": 5}]}),
            false,
        ));
        push(&r, &device, first).await;
        // Record 0 becomes a meal in v6b; the supplies handout is deleted; both sent twice.
        let edits = vec![
            rec(
                0,
                2,
                "meal_service",
                json!({"area": "v6b", "people_reached": 7}),
                false,
            ),
            rec(10, 2, "supplies_distributed", json!({}), true),
        ];
        push(&r, &device, edits.clone()).await;
        let (_, again) = push(&r, &device, edits).await;
        assert_eq!(again["results"][0]["status"], "already_had");

        let get = |q: &str| {
            admin
                .get(&r, &format!("/api/v1/staff/summary?unsuppressed=true&{q}"))
                .send()
        };
        let cells =
            |t: &Value| t["rows"].as_array().expect("rows").last().expect("total")["cells"].clone();
        let (_, t) = body(get("measure=activities&by=kind").await.expect("s")).await;
        assert_eq!(
            t["columns"],
            json!(["meal_service", "outreach_contact", "total"]),
            "{b:?}"
        );
        assert_eq!(cells(&t), json!([1, 5, 6]));
        let (_, t) = body(get("measure=people_reached&by=area").await.expect("s")).await;
        assert_eq!(cells(&t), json!([10, 7, 17]), "{b:?}: v6a 5×2, v6b 7");
        let (_, t) = body(get("measure=supplies&by=item").await.expect("s")).await;
        assert_eq!(
            t["rows"],
            json!([{"label": "total", "cells": [0]}]),
            "{b:?}: the deleted handout is gone"
        );
        let (_, by_worker) = body(get("measure=activities&by=worker").await.expect("s")).await;
        assert_eq!(
            cells(&by_worker).as_array().expect("c").last(),
            Some(&json!(6)),
            "totals agree with records"
        );
    }
}
