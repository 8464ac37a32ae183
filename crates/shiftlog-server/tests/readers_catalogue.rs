//! Ingest remembers each organization's catalogue for a few seconds instead of reading it on
//! every push; a change must still count at once: on the instance that made it (it forgets),
//! and on another instance sharing the database (a record refused against a remembered
//! catalogue is checked again against a fresh one). Both backends; two instances on
//! PostgreSQL.

mod common;

use std::sync::Arc;

use common::*;
use serde_json::{json, Value};
use shiftlog_server::{CatalogueEdit, CatalogueEntry, Limits, Role, Staff};

fn edit(areas: &[&str]) -> CatalogueEdit {
    let entry = |id: &str, description: &str| CatalogueEntry {
        id: id.into(),
        label: id.into(),
        description: description.into(),
    };
    CatalogueEdit {
        activity_kinds: vec![],
        supply_items: vec![],
        areas: areas.iter().map(|a| entry(a, "")).collect(),
        roles: vec![entry("outreach", "Outreach and support")],
        retention_days: 90,
    }
}

async fn set_areas(r: &Running, areas: &'static [&'static str]) {
    call(&r.service, move |s| {
        let staff = Staff {
            org_id: "north".into(),
            actor: "test".into(),
            role: Role::Coordinator,
        };
        s.set_catalogue(&staff, &edit(areas)).expect("catalogue");
    })
    .await;
}

fn in_area(n: u32, area: &str) -> Value {
    let mut r = record(&rid(n));
    r["body"]["area"] = json!(area);
    r
}

async fn status(r: &Running, token: &str, rec: Value) -> String {
    let (code, body) = push(r, token, vec![rec]).await;
    assert_eq!(code, 200, "{body}");
    body["results"][0]["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalogue_change_counts_at_once_for_ingest() {
    for backend in BACKENDS {
        let r = start(backend).await;
        let token = enrolled(&r, "north").await;
        set_areas(&r, &["downtown"]).await;
        // Remembered now, with downtown only.
        assert_eq!(status(&r, &token, in_area(1, "downtown")).await, "accepted");
        assert_eq!(status(&r, &token, in_area(2, "harbour")).await, "rejected");
        set_areas(&r, &["downtown", "harbour"]).await;
        assert_eq!(
            status(&r, &token, in_area(3, "harbour")).await,
            "accepted",
            "{backend:?}: a new area refused after the change"
        );
        set_areas(&r, &["harbour"]).await;
        assert_eq!(
            status(&r, &token, in_area(4, "downtown")).await,
            "rejected",
            "{backend:?}: a removed area accepted after the change"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_instance_sees_a_new_area_at_once() {
    let db = Arc::new(TestDb::new(Backend::Postgres));
    let a = start_on(db.clone(), Limits::default()).await;
    let b = start_on(db, Limits::default()).await;
    let token = enrolled(&a, "north").await;
    set_areas(&a, &["downtown"]).await;
    assert_eq!(status(&a, &token, in_area(1, "downtown")).await, "accepted");
    // Instance b adds an area; a still remembers the old catalogue.
    set_areas(&b, &["downtown", "harbour"]).await;
    assert_eq!(
        status(&a, &token, in_area(2, "harbour")).await,
        "accepted",
        "a new area refused by an instance that remembered the old catalogue"
    );
}
