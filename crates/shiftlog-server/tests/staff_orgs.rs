//! Login names are unique per organization only: organization B can create the name
//! organization A has (so "name taken" tells nothing about A), a name stays unique inside one
//! organization, and a sign-in tells the two apart by its `organization` field, or, without
//! it, only when exactly one account of that name takes the password. Both backends, over HTTP.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn sign_in(r: &Running, body: Value) -> (u16, Value) {
    let resp = client()
        .post(format!("{}/api/v1/staff/login", r.base))
        .json(&body)
        .send()
        .await
        .expect("send");
    (resp.status().as_u16(), resp.json().await.expect("json"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_taken_in_one_organization_is_free_in_another() {
    for b in BACKENDS {
        let r = start(b).await;
        let _a = staff_session(&r, "org-a", "ada", "admin").await;
        let admin_b = staff_session(&r, "org-b", "bea", "admin").await;
        let add = |name: &str, password: &str| {
            admin_b
                .send(&r, Method::POST, "/api/v1/staff/accounts")
                .json(&json!({"username": name, "password": password, "role": "viewer"}))
        };
        // B creates the name A has: nothing says A has it.
        let resp = add("ada", "b's own long password")
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 201, "{b:?}");
        // Inside B the name is now taken.
        let resp = add("ada", "another long password")
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 409, "{b:?}");

        // Different passwords: each signs in to their own organization without naming it.
        let (s, me) = sign_in(
            &r,
            json!({"username": "ada", "password": "correct horse battery"}),
        )
        .await;
        assert_eq!(
            (s, me["organization"].as_str()),
            (200, Some("org-a")),
            "{b:?}: {me}"
        );
        let (s, me) = sign_in(
            &r,
            json!({"username": "ada", "password": "b's own long password"}),
        )
        .await;
        assert_eq!(
            (s, me["organization"].as_str()),
            (200, Some("org-b")),
            "{b:?}: {me}"
        );
        // Naming the organization tries only its account.
        let (s, _) = sign_in(
            &r,
            json!({"username": "ada", "password": "correct horse battery", "organization": "org-b"}),
        )
        .await;
        assert_eq!(s, 401, "{b:?}");

        // The same password in both: without the organization nobody is let in (which one
        // would it be?); with it, the right one.
        let _ = staff_session(&r, "org-a", "cy", "viewer").await;
        let resp = add("cy", "correct horse battery")
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 201);
        let (s, _) = sign_in(
            &r,
            json!({"username": "cy", "password": "correct horse battery"}),
        )
        .await;
        assert_eq!(s, 401, "{b:?}");
        let (s, me) = sign_in(
            &r,
            json!({"username": "cy", "password": "correct horse battery", "organization": "org-b"}),
        )
        .await;
        assert_eq!(
            (s, me["organization"].as_str()),
            (200, Some("org-b")),
            "{b:?}"
        );
    }
}
