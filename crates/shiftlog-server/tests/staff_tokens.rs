//! Staff API tokens are named, scoped, expire, and can be listed and revoked; every audit line
//! made with one names it. Both backends, over real HTTP on loopback.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn get(r: &Running, token: &str, path: &str) -> (u16, Value) {
    let resp = client()
        .get(format!("{}{path}", r.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn post(r: &Running, token: &str, path: &str, body: Value) -> (u16, Value) {
    let resp = client()
        .post(format!("{}{path}", r.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}

/// An admin session makes a token over HTTP; returns the whole answer.
async fn make(r: &Running, admin: &Session, body: Value) -> (u16, Value) {
    let resp = admin
        .send(r, Method::POST, "/api/v1/staff/tokens")
        .json(&body)
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}

/// A summary token reads summaries and their exports, and nothing record-level: not the
/// record export, not enrollment codes, not devices, not the catalogue, not staff, not tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_summary_token_reads_summaries_only() {
    for b in BACKENDS {
        let r = start(b).await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let (status, made) = make(
            &r,
            &admin,
            json!({"name": "funder report", "scope": "summary"}),
        )
        .await;
        assert_eq!(status, 201, "{b:?}: {made}");
        let token = made["token"].as_str().expect("secret").to_string();
        assert_eq!(made["scope"], "summary", "{b:?}");

        let (s, body) = get(&r, &token, "/api/v1/staff/summary?measure=activities").await;
        assert_eq!(s, 200, "{b:?}: the summary: {body}");
        let (s, body) = get(
            &r,
            &token,
            "/api/v1/staff/summary/export?format=csv&measure=activities",
        )
        .await;
        assert_eq!(s, 200, "{b:?}: the summary export: {body}");

        let (s, _) = get(&r, &token, "/api/v1/staff/records/export?format=csv").await;
        assert_eq!(s, 403, "{b:?}: record-level export");
        let (s, _) = get(&r, &token, "/api/v1/export/activities.csv").await;
        assert_eq!(s, 403, "{b:?}: the older record export path");
        let (s, _) = post(&r, &token, "/api/v1/staff/enrollment-codes", json!({})).await;
        assert_eq!(s, 403, "{b:?}: enrollment codes");
        let (s, _) = get(&r, &token, "/api/v1/staff/devices").await;
        assert_eq!(s, 403, "{b:?}: devices");
        let resp = client()
            .put(format!("{}/api/v1/staff/catalogue", r.base))
            .bearer_auth(&token)
            .json(
                &json!({"activity_kinds": [], "supply_items": [], "areas": [], "roles": [],
                "retention_days": 90}),
            )
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 403, "{b:?}: catalogue change");
        let (s, _) = get(&r, &token, "/api/v1/staff/accounts").await;
        assert_eq!(s, 403, "{b:?}: staff accounts");
        let (s, _) = get(&r, &token, "/api/v1/staff/tokens").await;
        assert_eq!(s, 403, "{b:?}: tokens");
        let (s, _) = post(
            &r,
            &token,
            "/api/v1/staff/tokens",
            json!({"name": "escalate", "scope": "coordinator"}),
        )
        .await;
        assert_eq!(s, 403, "{b:?}: a summary token cannot make a stronger one");

        // A coordinator token keeps today's power, and no more.
        let (_, made) = make(&r, &admin, json!({"name": "sync", "scope": "coordinator"})).await;
        let coord = made["token"].as_str().expect("secret").to_string();
        let (s, _) = get(&r, &coord, "/api/v1/staff/records/export?format=csv").await;
        assert_eq!(s, 200, "{b:?}: coordinator export");
        let (s, _) = post(&r, &coord, "/api/v1/staff/enrollment-codes", json!({})).await;
        assert_eq!(s, 200, "{b:?}: coordinator code");
        let (s, _) = get(&r, &coord, "/api/v1/staff/tokens").await;
        assert_eq!(s, 403, "{b:?}: a coordinator token does not manage tokens");
    }
}

/// Tokens last 90 days unless told, at most 365; an expired one is refused with a message
/// that says what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire() {
    for b in BACKENDS {
        let r = start(b).await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let (s, made) = make(&r, &admin, json!({"name": "a", "scope": "summary"})).await;
        assert_eq!(s, 201, "{b:?}");
        let expires: chrono::DateTime<chrono::Utc> =
            serde_json::from_value(made["expires_at"].clone()).expect("expires_at");
        let days = (expires - chrono::Utc::now()).num_hours();
        assert!((89 * 24..=90 * 24).contains(&days), "{b:?}: {days} hours");
        for bad in [0, 366, 100_000] {
            let (s, body) = make(
                &r,
                &admin,
                json!({"name": "long", "scope": "summary", "days": bad}),
            )
            .await;
            assert_eq!(s, 400, "{b:?}: {bad} days: {body}");
        }
        let (s, made) = make(
            &r,
            &admin,
            json!({"name": "year", "scope": "summary", "days": 365}),
        )
        .await;
        assert_eq!(s, 201, "{b:?}: 365 days");
        let secret = made["token"].as_str().expect("secret").to_string();
        let (s, _) = get(&r, &secret, "/api/v1/staff/summary?measure=activities").await;
        assert_eq!(s, 200, "{b:?}");

        // Past its expiry, written straight into storage (the service never makes one).
        let id: uuid::Uuid = serde_json::from_value(made["id"].clone()).expect("id");
        let h = shiftlog_server::hash_secret(&secret);
        call(&r.service, move |svc| {
            let mut t = svc.store().staff_token(&h).expect("q").expect("token");
            svc.store()
                .delete_staff_token(&t.org_id, id)
                .expect("delete");
            t.expires_at = chrono::Utc::now() - chrono::Duration::seconds(1);
            svc.store().add_staff_token(&t, &h).expect("add");
        })
        .await;
        let (s, body) = get(&r, &secret, "/api/v1/staff/summary?measure=activities").await;
        assert_eq!(s, 401, "{b:?}: expired");
        assert_eq!(
            body["message"], "This token has expired; ask an admin for a new one.",
            "{b:?}: {body}"
        );
    }
}

/// Admins list tokens (never a secret or its hash) and revoke them; a revoked token is
/// refused at once, and another organization's token cannot be revoked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_listed_and_revoked() {
    for b in BACKENDS {
        let r = start(b).await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let other = staff_session(&r, "south", "bea", "admin").await;
        let (_, made) = make(&r, &admin, json!({"name": "funder", "scope": "summary"})).await;
        let secret = made["token"].as_str().expect("secret").to_string();
        let id = made["id"].as_str().expect("id").to_string();
        let (s, _) = get(&r, &secret, "/api/v1/staff/summary?measure=activities").await;
        assert_eq!(s, 200, "{b:?}");

        let list: Value = admin
            .get(&r, "/api/v1/staff/tokens")
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        let text = list.to_string();
        assert!(!text.contains(&secret), "{b:?}: no secret in {text}");
        assert!(
            !text.contains(&shiftlog_server::hash_secret(&secret)),
            "{b:?}: no hash in {text}"
        );
        let row = list
            .as_array()
            .expect("array")
            .iter()
            .find(|t| t["id"] == id.as_str())
            .expect("listed");
        assert_eq!(row["name"], "funder", "{b:?}");
        assert_eq!(row["scope"], "summary", "{b:?}");
        assert_eq!(row["created_by"], "ada", "{b:?}");
        assert!(row["expires_at"].is_string() && row["created_at"].is_string());
        assert!(
            row["last_used_at"].is_string(),
            "{b:?}: its use was written down"
        );
        let south: Value = other
            .get(&r, "/api/v1/staff/tokens")
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        assert_eq!(south, json!([]), "{b:?}: one organization's tokens only");

        // Another organization's admin cannot revoke it.
        let path = format!("/api/v1/staff/tokens/{id}/revoke");
        let resp = other
            .send(&r, Method::POST, &path)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 404, "{b:?}");
        let (s, _) = get(&r, &secret, "/api/v1/staff/summary?measure=activities").await;
        assert_eq!(s, 200, "{b:?}: still works");

        let resp = admin
            .send(&r, Method::POST, &path)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 200, "{b:?}");
        let (s, _) = get(&r, &secret, "/api/v1/staff/summary?measure=activities").await;
        assert_eq!(s, 401, "{b:?}: revoked");
        let resp = admin
            .send(&r, Method::POST, &path)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 404, "{b:?}: revoked already");
    }
}

/// Every audit line made with a token names it: `token:<name>#<first 8 of its id>`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_lines_name_the_token() {
    for b in BACKENDS {
        let r = start(b).await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let (_, made) = make(
            &r,
            &admin,
            json!({"name": "nightly", "scope": "coordinator"}),
        )
        .await;
        let secret = made["token"].as_str().expect("secret").to_string();
        let id = made["id"].as_str().expect("id").to_string();
        let (s, _) = get(&r, &secret, "/api/v1/staff/records/export?format=csv").await;
        assert_eq!(s, 200, "{b:?}");
        let (s, _) = post(&r, &secret, "/api/v1/staff/enrollment-codes", json!({})).await;
        assert_eq!(s, 200, "{b:?}");
        let log: Value = admin
            .get(&r, "/api/v1/staff/audit")
            .send()
            .await
            .expect("audit")
            .json()
            .await
            .expect("json");
        let actor = format!("token:nightly#{}", &id[..8]);
        let mine: Vec<&Value> = log
            .as_array()
            .expect("array")
            .iter()
            .filter(|e| e["actor"] == actor.as_str())
            .collect();
        let actions: Vec<&str> = mine.iter().filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.len() >= 2, "{b:?}: {actions:?} in {log}");
        assert!(
            log.as_array().expect("array").iter().all(|e| !e["actor"]
                .as_str()
                .unwrap_or("")
                .starts_with("token:")
                || e["actor"] == actor.as_str()),
            "{b:?}: {log}"
        );
        assert!(
            log.as_array()
                .expect("array")
                .iter()
                .any(|e| e["action"] == "token_create" && e["actor"] == "ada"),
            "{b:?}: the making is logged"
        );
    }
}

/// Names must be given and readable; a scope must be one of the two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused() {
    for b in BACKENDS {
        let r = start(b).await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let viewer = staff_session(&r, "demo", "vic", "viewer").await;
        for body in [
            json!({"name": "", "scope": "summary"}),
            json!({"name": "a\u{7}b", "scope": "summary"}),
            json!({"name": "x".repeat(65), "scope": "summary"}),
            json!({"name": "x", "scope": "admin"}),
            json!({"name": "x"}),
        ] {
            let (s, resp) = make(&r, &admin, body.clone()).await;
            assert_eq!(s, 400, "{b:?}: {body} -> {resp}");
        }
        let (s, _) = make(&r, &viewer, json!({"name": "x", "scope": "summary"})).await;
        assert_eq!(s, 403, "{b:?}: viewers do not make tokens");
    }
}

/// What a token of schema 6 (SQLite) / 5 (PostgreSQL) becomes: named by its label, a
/// coordinator, expiring 90 days after the migration, and still working.
fn migrated_token_works(store: std::sync::Arc<dyn shiftlog_server::Storage>, what: &str) {
    let svc = shiftlog_server::OrgService::new(store, shiftlog_server::Limits::default());
    let who = svc
        .authenticate_staff("sls_old")
        .expect("the old token still works");
    assert_eq!(who.role, shiftlog_server::Role::Coordinator, "{what}");
    assert_eq!(who.org_id, "a", "{what}");
    let cli = shiftlog_server::Staff {
        org_id: "a".into(),
        actor: "cli".into(),
        role: shiftlog_server::Role::Admin,
    };
    let list = svc.staff_tokens(&cli).expect("list");
    assert_eq!(list.len(), 1, "{what}");
    let t = &list[0];
    assert_eq!(t.name, "nightly export", "{what}");
    assert_eq!(t.scope, shiftlog_server::TokenScope::Coordinator, "{what}");
    assert_eq!(
        who.actor,
        format!("token:nightly export#{}", &t.id.to_string()[..8])
    );
    let left = t.expires_at - chrono::Utc::now();
    assert!(
        left > chrono::Duration::days(89) && left <= chrono::Duration::days(90),
        "{what}: {left}"
    );
    assert_eq!(
        t.created_at.to_rfc3339(),
        "2026-11-01T00:00:00+00:00",
        "{what}"
    );
}

#[test]
fn old_tokens_are_migrated_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("server.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        for (i, m) in shiftlog_server_sqlite::MIGRATIONS[..6].iter().enumerate() {
            conn.execute_batch(m).expect("old schema");
            conn.pragma_update(None, "user_version", i + 1)
                .expect("version");
        }
        conn.execute_batch(&format!(
            "INSERT INTO organizations (id, name, created_at) VALUES ('a', 'A', '2026-11-01T00:00:00Z');
             INSERT INTO staff_tokens (token_hash, org_id, label, created_at)
               VALUES ('{}', 'a', 'nightly export', '2026-11-01T00:00:00+00:00');",
            shiftlog_server::hash_secret("sls_old")
        ))
        .expect("old rows");
    }
    let s = shiftlog_server::SqliteStorage::open_file(&path).expect("migrates");
    migrated_token_works(std::sync::Arc::new(s), "sqlite");
}

#[test]
fn old_tokens_are_migrated_on_postgres() {
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    {
        let mut c = postgres::Client::connect(&pg_url(), postgres::NoTls).expect("postgres");
        c.batch_execute(&format!(
            "CREATE SCHEMA {schema}; SET search_path TO {schema};
             CREATE TABLE schema_version (version INTEGER NOT NULL);"
        ))
        .expect("schema");
        for (i, m) in shiftlog_server_postgres::MIGRATIONS[..5].iter().enumerate() {
            c.batch_execute(m).expect("old schema");
            c.execute(
                "INSERT INTO schema_version (version) VALUES ($1)",
                &[&(i as i32 + 1)],
            )
            .expect("version");
        }
        c.batch_execute(&format!(
            "INSERT INTO organizations (id, name, created_at) VALUES ('a', 'A', '2026-11-01T00:00:00Z');
             INSERT INTO staff_tokens (token_hash, org_id, label, created_at)
               VALUES ('{}', 'a', 'nightly export', '2026-11-01T00:00:00+00:00');",
            shiftlog_server::hash_secret("sls_old")
        ))
        .expect("old rows");
    }
    let s = shiftlog_server::PostgresStorage::connect(&pg_url(), Some(&schema)).expect("migrates");
    migrated_token_works(std::sync::Arc::new(s), "postgres");
    let mut c = postgres::Client::connect(&pg_url(), postgres::NoTls).expect("postgres");
    c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .expect("drop");
}
