//! Signed work statements over real HTTP on both backends (issue 14, part 3): a statement
//! holds the worker's own counts and nothing about people served; another worker or
//! organization cannot get it or pass it off; a tampered field, an unknown key and a revoked
//! key are each refused with their reason; a rotation keeps old statements verifiable; the
//! public verify page shows what was signed; the public routes are limited per address.

mod common;

use common::*;
use serde_json::{json, Value};
use shiftlog_statement::{KeySet, SignedStatement};

fn rec(n: u32, record_type: &str, kind: &str, day: &str, body: Value) -> Value {
    json!({
        "id": rid(n), "version": 1, "record_type": record_type, "kind": kind,
        "occurred_at": format!("{day}T10:00:00-08:00"),
        "recorded_at": format!("{day}T10:00:05-08:00"),
        "body": body
    })
}

fn shift(n: u32, day: &str, hours: u32, pay: &str, role: &str) -> Value {
    json!({
        "id": rid(n), "version": 1, "record_type": "shift", "kind": "shift",
        "occurred_at": format!("{day}T08:00:00-08:00"),
        "recorded_at": format!("{day}T{:02}:00:05-08:00", 8 + hours),
        "body": {"started_at": format!("{day}T08:00:00-08:00"),
                 "ended_at": format!("{day}T{:02}:00:00-08:00", 8 + hours),
                 "pay_type": pay, "role": role}
    })
}

/// A worker's month: what a statement counts, and what it must leave out.
fn month_of_work(base: u32) -> Vec<Value> {
    vec![
        shift(base, "2026-11-03", 8, "paid", "outreach"),
        shift(base + 1, "2026-11-04", 2, "volunteer", "navigator"),
        rec(
            base + 2,
            "activity",
            "overdose_response",
            "2026-11-03",
            json!({"area": "v6b", "on_shift": false, "role": "outreach",
                   "naloxone": {"doses": 2, "route": "intranasal"},
                   "called_911": "yes", "outcome": "survived"}),
        ),
        rec(
            base + 3,
            "activity",
            "outreach_contact",
            "2026-11-03",
            json!({"people_reached": 7, "minutes": 20, "area": "downtown"}),
        ),
        rec(
            base + 4,
            "activity",
            "outreach_contact",
            "2026-11-05",
            json!({"people_reached": 3, "minutes": 25, "area": "harbour"}),
        ),
        rec(
            base + 5,
            "activity",
            "supplies_distributed",
            "2026-11-05",
            json!({"items": [{"item": "naloxone_kit", "quantity": 9}]}),
        ),
        rec(
            base + 6,
            "training",
            "training",
            "2026-11-06",
            json!({"topic": "Naloxone", "status": "received", "minutes": 60}),
        ),
        rec(
            base + 7,
            "training",
            "training",
            "2026-11-07",
            json!({"topic": " naloxone ", "status": "received", "minutes": 30}),
        ),
        rec(
            base + 8,
            "training",
            "training",
            "2026-11-07",
            json!({"topic": "Grief circles", "status": "wanted"}),
        ),
        rec(
            base + 9,
            "debrief_request",
            "debrief_request",
            "2026-11-03",
            json!({}),
        ),
        // Outside the period.
        rec(
            base + 10,
            "activity",
            "meal_service",
            "2026-12-01",
            json!({"people_reached": 40, "minutes": 90}),
        ),
    ]
}

async fn request(r: &Running, token: &str, body: Value) -> (u16, Value) {
    let resp = client()
        .post(format!("{}/api/v1/statements", r.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn november(r: &Running, token: &str) -> Value {
    let (s, doc) = request(r, token, json!({"from": "2026-11-01", "to": "2026-11-30"})).await;
    assert_eq!(s, 200, "{doc}");
    doc
}

async fn verify_api(r: &Running, doc: &Value) -> Value {
    let resp = client()
        .post(format!("{}/api/v1/statements/verify", r.base))
        .json(doc)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 200);
    resp.json().await.expect("json")
}

async fn verdict(r: &Running, doc: &Value) -> String {
    verify_api(r, doc).await["results"][0]["code"]
        .as_str()
        .expect("code")
        .to_string()
}

async fn keys(r: &Running, org: &str) -> KeySet {
    client()
        .get(format!("{}/api/v1/statement-keys/{org}", r.base))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("keys")
}

async fn pushed(r: &Running, token: &str, records: Vec<Value>) {
    let n = records.len();
    let (s, res) = push(r, token, records).await;
    assert_eq!(s, 200);
    for i in 0..n {
        assert_eq!(res["results"][i]["status"], "accepted", "{res}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_holds_the_workers_counts_and_nothing_about_people_served() {
    for b in BACKENDS {
        let r = start(b).await;
        let ana = enrolled(&r, "demo").await;
        let ben = enrolled(&r, "demo").await;
        pushed(&r, &ana, month_of_work(1)).await;
        pushed(
            &r,
            &ben,
            vec![shift(100, "2026-11-10", 4, "paid", "outreach")],
        )
        .await;

        let doc = november(&r, &ana).await;
        let s = &doc["statement"];
        assert_eq!(s["organization"]["id"], "demo", "{b:?}");
        assert_eq!(
            s["hours"],
            json!([
                {"pay_type": "paid", "label": {"en": "Paid", "fr": "Payé"}, "shifts": 1, "minutes": 480},
                {"pay_type": "volunteer", "label": {"en": "Volunteer", "fr": "Bénévole"}, "shifts": 1, "minutes": 120}
            ]),
            "{b:?}"
        );
        let kinds: Vec<(String, u64, u64, u64)> = s["activities"]
            .as_array()
            .expect("activities")
            .iter()
            .map(|a| {
                (
                    a["kind"].as_str().unwrap_or("").to_string(),
                    a["count"].as_u64().unwrap_or(99),
                    a["off_shift"].as_u64().unwrap_or(99),
                    a["minutes"].as_u64().unwrap_or(99),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("outreach_contact".into(), 2, 0, 45),
                ("overdose_response".into(), 1, 1, 0),
                ("supplies_distributed".into(), 1, 0, 0),
            ],
            "{b:?}"
        );
        assert_eq!(
            s["training"],
            json!([{"topic": "Naloxone", "count": 2, "minutes": 90}]),
            "{b:?}"
        );
        let roles: Vec<(&str, &str, u64, u64)> = s["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .map(|x| {
                (
                    x["id"].as_str().unwrap_or(""),
                    x["description"]["en"].as_str().unwrap_or(""),
                    x["shifts"].as_u64().unwrap_or(99),
                    x["minutes"].as_u64().unwrap_or(99),
                )
            })
            .collect();
        assert_eq!(
            roles,
            [
                ("navigator", "Outreach and support", 1, 120),
                ("outreach", "Outreach and support", 1, 480)
            ],
            "{b:?}"
        );
        // Nothing about the people served, the worker's check-ins or wanted training.
        let text = doc.to_string();
        for absent in [
            "people_reached",
            "naloxone_kit",
            "doses",
            "survived",
            "called_911",
            "downtown",
            "harbour",
            "v6b",
            "private words",
            "Grief",
            "meal_service",
            "\"9\"",
        ] {
            assert!(!text.contains(absent), "{b:?}: {absent} in {text}");
        }
        // It verifies offline with the keys the server publishes, and on the server.
        let signed: SignedStatement = serde_json::from_value(doc.clone()).expect("document");
        let published = keys(&r, "demo").await;
        let v = shiftlog_statement::verify(&signed, &published).expect("verifies");
        assert_eq!(v.statement.worker.id, signed.statement.worker.id);
        assert_eq!(verdict(&r, &doc).await, "verified", "{b:?}");

        // Ben's statement is Ben's: his pseudonym, his one shift.
        let bens = november(&r, &ben).await;
        assert_ne!(bens["statement"]["worker"], doc["statement"]["worker"]);
        assert_eq!(bens["statement"]["hours"][0]["minutes"], 240);
        assert_eq!(bens["statement"]["activities"], json!([]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_else_gets_a_statement_and_another_organizations_key_does_not_pass() {
    for b in BACKENDS {
        let r = start(b).await;
        let ana = enrolled(&r, "demo").await;
        let other = enrolled(&r, "other").await;
        pushed(&r, &ana, month_of_work(1)).await;
        let staff = call(&r.service, |s| {
            s.new_staff_token("demo", "t").expect("token")
        })
        .await;
        let body = json!({"from": "2026-11-01", "to": "2026-11-30"});
        for token in ["", "nonsense", staff.as_str()] {
            let (s, e) = request(&r, token, body.clone()).await;
            assert_eq!(
                (s, e["code"].as_str()),
                (401, Some("unauthorized")),
                "{b:?}"
            );
        }
        // The other organization's worker gets their own (empty) statement, signed by their
        // organization's key, which does not speak for "demo".
        let theirs = november(&r, &other).await;
        assert_eq!(theirs["statement"]["organization"]["id"], "other");
        assert_eq!(theirs["statement"]["hours"], json!([]));
        let doc: SignedStatement =
            serde_json::from_value(november(&r, &ana).await).expect("document");
        let other_keys = keys(&r, "other").await;
        assert!(matches!(
            shiftlog_statement::verify(&doc, &other_keys),
            Err(shiftlog_statement::VerifyError::UnknownKey { .. })
        ));
        let mut both = other_keys.clone();
        both.keys[0].key_id = doc.key_id.clone();
        both.keys[0].organization_id = "demo".into();
        assert!(shiftlog_statement::verify(&doc, &both).is_err(), "{b:?}");
        // Bad periods are refused with a reason, never a 5xx.
        for (body, code) in [
            (
                json!({"from": "2026-11-30", "to": "2026-11-01"}),
                "statement_period",
            ),
            (
                json!({"from": "2024-01-01", "to": "2026-11-01"}),
                "statement_period",
            ),
            (
                json!({"from": "2026-11-01", "to": "2099-01-01"}),
                "statement_period",
            ),
            (
                json!({"from": "1999-12-01", "to": "1999-12-31"}),
                "statement_period",
            ),
            (json!({"from": "2026-11-01"}), "bad_request"),
            (
                json!({"from": "2026-13-01", "to": "2026-11-01"}),
                "bad_request",
            ),
            (
                json!({"from": "2026-11-01", "to": "2026-11-30", "worker": "x"}),
                "bad_request",
            ),
        ] {
            let (s, e) = request(&r, &ana, body.clone()).await;
            assert_eq!(
                (s, e["code"].as_str()),
                (400, Some(code)),
                "{b:?} {body}: {e}"
            );
        }
    }
}

/// Changes one field of the signed statement's JSON.
fn tampered(doc: &Value, path: &[&str], value: Value) -> Value {
    let mut d = doc.clone();
    let mut at = &mut d["statement"];
    for p in path {
        at = match p.parse::<usize>() {
            Ok(i) => &mut at[i],
            Err(_) => &mut at[*p],
        };
    }
    assert_ne!(*at, value, "{path:?} already holds {value}");
    *at = value;
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_unknown_and_revoked_are_refused_with_their_reasons() {
    for b in BACKENDS {
        let r = start(b).await;
        let ana = enrolled(&r, "demo").await;
        pushed(&r, &ana, month_of_work(1)).await;
        let doc = november(&r, &ana).await;
        let fields: Vec<(Vec<&str>, Value)> = vec![
            (vec!["organization", "id"], json!("other")),
            (vec!["organization", "name"], json!("Someone else")),
            (
                vec!["worker", "id"],
                json!("00000000-0000-0000-0000-000000000000"),
            ),
            (vec!["worker", "pseudonym"], json!("W-FAKE")),
            (vec!["period", "from"], json!("2026-01-01")),
            (vec!["period", "to"], json!("2026-11-29")),
            (vec!["issued_at"], json!("2025-01-01T00:00:00Z")),
            (vec!["hours", "0", "minutes"], json!(4800)),
            (vec!["hours", "0", "shifts"], json!(10)),
            (vec!["hours", "0", "pay_type"], json!("honorarium")),
            (vec!["hours", "1", "label", "en"], json!("Paid")),
            (vec!["activities", "0", "count"], json!(20)),
            (vec!["activities", "1", "off_shift"], json!(0)),
            (vec!["activities", "0", "minutes"], json!(450)),
            (vec!["activities", "0", "kind"], json!("meal_service")),
            (vec!["training", "0", "topic"], json!("First aid")),
            (vec!["training", "0", "count"], json!(5)),
            (
                vec!["roles", "0", "description", "en"],
                json!("Runs the site"),
            ),
            (vec!["roles", "1", "title", "fr"], json!("Directrice")),
            (vec!["roles", "1", "minutes"], json!(4800)),
            (vec!["hours"], json!([])),
        ];
        for (path, value) in fields {
            let bad = tampered(&doc, &path, value);
            assert_eq!(verdict(&r, &bad).await, "altered", "{b:?} {path:?}");
        }
        let mut bad = doc.clone();
        bad["statement"]["worker"]["legal_name"] = json!("Jo");
        assert_eq!(verdict(&r, &bad).await, "malformed", "{b:?}");
        let report = verify_api(&r, &json!({"not": "a statement"})).await;
        assert_eq!(report["results"][0]["code"], "malformed");

        // Signed by a key anyone could make: unknown, though not altered.
        let signed: SignedStatement = serde_json::from_value(doc.clone()).expect("document");
        let forged = shiftlog_statement::sign(
            signed.statement.clone(),
            &shiftlog_statement::StatementKey::from_secret(&[7; 32]),
        );
        let forged = serde_json::to_value(&forged).expect("json");
        assert_eq!(verdict(&r, &forged).await, "unknown_key", "{b:?}");

        // Revoked: refused with the date, in French too; the next statement gets a new key.
        let key_id = signed.key_id.clone();
        let k = key_id.clone();
        call(&r.service, move |s| {
            s.cli_revoke_statement_key("demo", &k).expect("revoke")
        })
        .await;
        let report = verify_api(&r, &doc).await;
        assert_eq!(report["results"][0]["code"], "revoked_key", "{b:?}");
        let fr: Value = client()
            .post(format!("{}/api/v1/statements/verify?lang=fr", r.base))
            .json(&doc)
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert!(
            fr["results"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("CLÉ RÉVOQUÉE"),
            "{fr}"
        );
        let published = keys(&r, "demo").await;
        assert!(published.get(&key_id).and_then(|k| k.revoked_at).is_some());
        let again = november(&r, &ana).await;
        assert_ne!(again["key_id"], json!(key_id));
        assert_eq!(verdict(&r, &again).await, "verified", "{b:?}");
        // Revoking a key of another organization, or none, is not found.
        let other = enrolled(&r, "other").await;
        let theirs = november(&r, &other).await;
        let their_key = theirs["key_id"].as_str().expect("key").to_string();
        let err = call(&r.service, move |s| {
            s.cli_revoke_statement_key("demo", &their_key)
        })
        .await;
        assert!(
            matches!(err, Err(shiftlog_server::ServiceError::NotFound(_))),
            "{b:?}"
        );
        assert_eq!(verdict(&r, &theirs).await, "verified", "{b:?}");

        // Signing and key changes are in the audit log, without counts.
        let admin = shiftlog_server::Staff {
            org_id: "demo".into(),
            actor: "t".into(),
            role: shiftlog_server::Role::Admin,
        };
        let log = call(&r.service, move |s| {
            s.audit_log(&admin, 100).expect("audit")
        })
        .await;
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        for a in [
            "statement_key_created",
            "statement_signed",
            "statement_key_revoked",
        ] {
            assert!(actions.contains(&a), "{b:?}: {a} not in {actions:?}");
        }
        let signed_line = log
            .iter()
            .find(|e| e.action == "statement_signed")
            .expect("line");
        assert!(signed_line.detail.get("hours").is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_keeps_old_statements_verifiable() {
    for b in BACKENDS {
        let r = start(b).await;
        let ana = enrolled(&r, "demo").await;
        pushed(&r, &ana, month_of_work(1)).await;
        let first = november(&r, &ana).await;
        let new_key = call(&r.service, |s| {
            s.cli_rotate_statement_key("demo").expect("rotate")
        })
        .await;
        let second = november(&r, &ana).await;
        assert_eq!(second["key_id"], json!(new_key), "{b:?}");
        assert_ne!(first["key_id"], second["key_id"]);
        assert_eq!(verdict(&r, &first).await, "verified", "{b:?}");
        assert_eq!(verdict(&r, &second).await, "verified", "{b:?}");
        let listing = call(&r.service, |s| s.cli_statement_keys("demo").expect("list")).await;
        assert_eq!(listing.len(), 2);
        assert!(listing[0].current && !listing[1].current, "{listing:?}");
        assert!(listing[1].retired_at.is_some());
        // Offline too, with the published list.
        let published = keys(&r, "demo").await;
        for d in [&first, &second] {
            let signed: SignedStatement = serde_json::from_value(d.clone()).expect("document");
            assert!(
                shiftlog_statement::verify(&signed, &published).is_ok(),
                "{b:?}"
            );
        }
        // Unknown organizations have no key list.
        let resp = client()
            .get(format!("{}/api/v1/statement-keys/nowhere", r.base))
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 404);
    }
}

async fn page(r: &Running, query: &str) -> (u16, String) {
    let resp = client()
        .get(format!("{}/verify{query}", r.base))
        .send()
        .await
        .expect("send");
    let s = resp.status().as_u16();
    (s, resp.text().await.expect("text"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verify_page_shows_what_was_signed_and_whether_it_holds() {
    for b in BACKENDS {
        let r = start(b).await;
        let ana = enrolled(&r, "demo").await;
        pushed(&r, &ana, month_of_work(1)).await;
        let doc = november(&r, &ana).await;
        let signed: SignedStatement = serde_json::from_value(doc.clone()).expect("document");
        let code = signed.short_code().expect("code");
        let pseudonym = signed.statement.worker.pseudonym.clone();

        let (s, html) = page(&r, "").await;
        assert_eq!(s, 200);
        assert!(html.contains("name=\"document\""));
        let (s, html) = page(&r, &format!("?code={code}")).await;
        assert_eq!(s, 200, "{b:?}");
        assert!(html.contains("data-result=\"verified\""), "{b:?}: {html}");
        assert!(html.contains(&pseudonym) && html.contains("Outreach and support"));
        assert!(html.contains("2026-11-01 – 2026-11-30"));
        let typed = code.replace('-', "").to_lowercase();
        let (s, html) = page(&r, &format!("?code={typed}&lang=fr")).await;
        assert_eq!(s, 200);
        assert!(
            html.contains("VÉRIFIÉE") && html.contains("lang=\"fr\""),
            "{html}"
        );
        let (s, html) = page(&r, "?code=00000-00000").await;
        assert_eq!(s, 404);
        assert!(html.contains("data-result=\"not_found\""));
        let (s, _) = page(&r, "?code=%3Cscript%3E").await;
        assert_eq!(s, 404);
        let (s, _) = page(&r, "?unknown=1").await;
        assert_eq!(s, 400);

        // A pasted file: altered is said first, with what the document claims beside it.
        let bad = tampered(&doc, &["hours", "0", "minutes"], json!(9600));
        let resp = client()
            .post(format!("{}/verify", r.base))
            .form(&[("document", bad.to_string())])
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 200);
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .to_string();
        assert!(csp.contains("default-src 'none'"));
        let html = resp.text().await.expect("text");
        assert!(html.contains("data-result=\"altered\"") && html.contains("NOT verified"));
        assert!(
            html.contains("160:00"),
            "the claimed hours are shown, marked"
        );
        let resp = client()
            .post(format!("{}/verify", r.base))
            .form(&[("nothing", "x")])
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 400);
        // Text from a document is escaped.
        let mut sneaky = doc.clone();
        sneaky["statement"]["organization"]["name"] = json!("<script>alert(1)</script>");
        let html = client()
            .post(format!("{}/verify", r.base))
            .form(&[("document", sneaky.to_string())])
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("text");
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_statement_routes_are_limited_per_address() {
    let r = start(Backend::Sqlite).await;
    let _ = enrolled(&r, "demo").await;
    let limit = shiftlog_server::statements::PUBLIC_REQUESTS_PER_MINUTE;
    for _ in 0..limit {
        assert_eq!(page(&r, "").await.0, 200);
    }
    let (s, _) = page(&r, "").await;
    assert_eq!(s, 429);
    let resp = client()
        .get(format!("{}/api/v1/statement-keys/demo", r.base))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 429);
    assert!(resp.headers().contains_key("retry-after"));
}

/// `shiftlog-server statement-key list|rotate|revoke` with the real binary.
#[test]
fn the_admin_lists_rotates_and_revokes_statement_keys_on_the_command_line() {
    use common::bin::{cli, ok, Db};
    for b in BACKENDS {
        let test_db = TestDb::new(b);
        let db = match &test_db.schema {
            Some(schema) => Db::Postgres {
                url: pg_url(),
                schema: schema.clone(),
            },
            None => Db::Sqlite(test_db.dir.path().to_path_buf()),
        };
        ok(cli(&db, &["add-org", "peers", "Peers"]));
        let out = ok(cli(&db, &["statement-key", "list", "--org", "peers"]));
        assert!(out.contains("no statement key yet"), "{b:?}: {out}");
        let first = ok(cli(&db, &["statement-key", "rotate", "--org", "peers"]));
        let first = first.split_whitespace().next().expect("key id").to_string();
        assert_eq!(first.len(), 16, "{first}");
        let second = ok(cli(&db, &["statement-key", "rotate", "--org", "peers"]));
        let second = second
            .split_whitespace()
            .next()
            .expect("key id")
            .to_string();
        let out = ok(cli(&db, &["statement-key", "list", "--org", "peers"]));
        let lines: Vec<&str> = out.lines().skip(1).collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(
            lines[0].starts_with(&second) && lines[0].ends_with("yes"),
            "{out}"
        );
        assert!(
            lines[1].starts_with(&first) && lines[1].ends_with("no"),
            "{out}"
        );
        ok(cli(
            &db,
            &["statement-key", "revoke", "--org", "peers", &first],
        ));
        let out = ok(cli(&db, &["statement-key", "list", "--org", "peers"]));
        let revoked: Vec<&str> = out.lines().nth(2).expect("line").split('\t').collect();
        assert_ne!(revoked[3], "-", "{out}");
        let bad = cli(
            &db,
            &[
                "statement-key",
                "revoke",
                "--org",
                "peers",
                "0000000000000000",
            ],
        );
        assert!(!bad.status.success());
        let bad = cli(&db, &["statement-key", "list", "--org", "nowhere"]);
        assert!(!bad.status.success());
    }
}

/// Two server instances over one PostgreSQL schema asked for first statements at once: key
/// changes of an organization take turns, so one key is left in use and every statement
/// signed on either instance verifies. The race is narrow: this checks the outcome, and did
/// not fail in 4 runs with the lock taken out, so the lock rests on its reasoning.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_making_a_first_key_at_once_leave_one_in_use() {
    let db = std::sync::Arc::new(TestDb::new(Backend::Postgres));
    let one = start_on(db.clone(), shiftlog_server::Limits::default()).await;
    let two = start_on(db.clone(), shiftlog_server::Limits::default()).await;
    let mut asks = Vec::new();
    for i in 0..6 {
        let token = enrolled(&one, "demo").await;
        let base = if i % 2 == 0 {
            one.base.clone()
        } else {
            two.base.clone()
        };
        asks.push(tokio::spawn(async move {
            let resp = client()
                .post(format!("{base}/api/v1/statements"))
                .bearer_auth(token)
                .json(&json!({"from": "2026-11-01", "to": "2026-11-30"}))
                .send()
                .await
                .expect("send");
            assert_eq!(resp.status().as_u16(), 200);
            resp.json::<Value>().await.expect("json")
        }));
    }
    let mut docs = Vec::new();
    for a in asks {
        docs.push(a.await.expect("task"));
    }
    let listing = call(&one.service, |s| {
        s.cli_statement_keys("demo").expect("list")
    })
    .await;
    assert_eq!(
        listing.iter().filter(|k| k.current).count(),
        1,
        "{listing:?}"
    );
    for d in &docs {
        assert_eq!(verdict(&two, d).await, "verified", "{listing:?}");
    }
}
