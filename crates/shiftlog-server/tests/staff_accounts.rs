//! Staff accounts can be disabled, re-enabled and removed, and passwords changed, over real
//! HTTP on both backends: disabling or removing ends a live session at once; a disabled
//! account gets the same 401 as a wrong password; the last active admin cannot be disabled,
//! removed or demoted (409); a password change ends the other sessions and the old password
//! stops working; a wrong current password is 403 and counted by the login limit.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const PW: &str = "correct horse battery";

async fn account_id(r: &Running, admin: &Session, username: &str) -> String {
    let list: Value = admin
        .get(r, "/api/v1/staff/accounts")
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    list.as_array()
        .expect("array")
        .iter()
        .find(|a| a["username"] == username)
        .unwrap_or_else(|| panic!("{username} in {list}"))["id"]
        .as_str()
        .expect("id")
        .to_string()
}

async fn status(req: reqwest::RequestBuilder) -> (u16, Value) {
    let resp = req.send().await.expect("send");
    let code = resp.status().as_u16();
    (code, resp.json().await.unwrap_or(Value::Null))
}

async fn audit_actions(r: &Running, admin: &Session) -> Vec<(String, Value)> {
    let log: Value = admin
        .get(r, "/api/v1/staff/audit")
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    log.as_array()
        .expect("array")
        .iter()
        .map(|e| (e["action"].as_str().unwrap_or("").to_string(), e.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_ends_a_live_session_and_a_disabled_account_cannot_sign_in() {
    for b in BACKENDS {
        let r = start(b).await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let bob = staff_session(&r, "demo", "bob", "coordinator").await;
        let bob_id = account_id(&r, &admin, "bob").await;
        let (code, _) = status(bob.get(&r, "/api/v1/staff/me")).await;
        assert_eq!(code, 200, "{b:?}: bob is signed in");

        // Without the CSRF header, nothing happens.
        let (code, _) = status(
            client()
                .post(format!("{}/api/v1/staff/accounts/{bob_id}/disable", r.base))
                .header("cookie", &admin.cookie),
        )
        .await;
        assert_eq!(code, 403, "{b:?}: no CSRF token");
        let (code, _) = status(bob.get(&r, "/api/v1/staff/me")).await;
        assert_eq!(code, 200, "{b:?}: still signed in");

        // A coordinator cannot disable anyone.
        let ada_id = account_id(&r, &admin, "ada").await;
        let (code, _) = status(bob.send(
            &r,
            Method::POST,
            &format!("/api/v1/staff/accounts/{ada_id}/disable"),
        ))
        .await;
        assert_eq!(code, 403, "{b:?}: coordinators may not");

        let (code, body) = status(admin.send(
            &r,
            Method::POST,
            &format!("/api/v1/staff/accounts/{bob_id}/disable"),
        ))
        .await;
        assert_eq!(code, 200, "{b:?}: {body}");
        let (code, _) = status(bob.get(&r, "/api/v1/staff/me")).await;
        assert_eq!(code, 401, "{b:?}: bob's live session ended at once");

        // Disabled with the right password answers exactly as a wrong password does.
        let right = login(&r, "bob", PW).await.err().expect("refused");
        let wrong = login(&r, "bob", "not the password at all")
            .await
            .err()
            .expect("refused");
        assert_eq!(right.0, 401, "{b:?}");
        assert_eq!(
            right, wrong,
            "{b:?}: nothing tells a disabled account apart"
        );

        let list: Value = admin
            .get(&r, "/api/v1/staff/accounts")
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        let entry = list
            .as_array()
            .expect("array")
            .iter()
            .find(|a| a["username"] == "bob")
            .expect("bob listed");
        assert_eq!(entry["disabled"], true, "{b:?}: {list}");

        let (code, _) = status(admin.send(
            &r,
            Method::POST,
            &format!("/api/v1/staff/accounts/{bob_id}/enable"),
        ))
        .await;
        assert_eq!(code, 200, "{b:?}");
        login(&r, "bob", PW).await.expect("re-enabled bob signs in");

        let actions = audit_actions(&r, &admin).await;
        for a in ["staff_disabled", "staff_enabled"] {
            let (_, e) = actions
                .iter()
                .find(|(x, _)| x == a)
                .unwrap_or_else(|| panic!("{b:?}: {a} audit-logged"));
            assert_eq!(e["detail"]["username"], "bob", "{b:?}: {e}");
            assert_eq!(e["actor"], "ada", "{b:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_ends_the_session_and_keeps_the_audit_log() {
    for b in BACKENDS {
        let r = start(b).await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let cy = staff_session(&r, "demo", "cy", "admin").await;
        let cy_id = account_id(&r, &admin, "cy").await;
        // cy leaves an audit line of their own.
        let (code, _) = status(cy.get(&r, "/api/v1/staff/audit")).await;
        assert_eq!(code, 200);
        let (code, _) = status(
            cy.send(&r, Method::POST, "/api/v1/staff/enrollment-codes")
                .json(&json!({})),
        )
        .await;
        assert_eq!(code, 200, "{b:?}: cy makes a code");

        let (code, body) = status(admin.send(
            &r,
            Method::DELETE,
            &format!("/api/v1/staff/accounts/{cy_id}"),
        ))
        .await;
        assert_eq!(code, 200, "{b:?}: {body}");
        let (code, _) = status(cy.get(&r, "/api/v1/staff/me")).await;
        assert_eq!(code, 401, "{b:?}: cy's session ended");
        assert_eq!(login(&r, "cy", PW).await.err().map(|e| e.0), Some(401));
        let (code, _) = status(admin.send(
            &r,
            Method::DELETE,
            &format!("/api/v1/staff/accounts/{cy_id}"),
        ))
        .await;
        assert_eq!(code, 404, "{b:?}: gone");

        let actions = audit_actions(&r, &admin).await;
        assert!(
            actions.iter().any(|(_, e)| e["actor"] == "cy"),
            "{b:?}: cy's own lines are still readable"
        );
        let (_, e) = actions
            .iter()
            .find(|(a, _)| a == "staff_removed")
            .expect("staff_removed logged");
        assert_eq!(e["detail"]["username"], "cy", "{b:?}");

        // Another organization's admin cannot touch ada.
        let other = staff_session(&r, "other", "zed", "admin").await;
        let ada_id = account_id(&r, &admin, "ada").await;
        let (code, _) = status(other.send(
            &r,
            Method::DELETE,
            &format!("/api/v1/staff/accounts/{ada_id}"),
        ))
        .await;
        assert_eq!(code, 404, "{b:?}: not their organization's");
        let (code, _) = status(admin.get(&r, "/api/v1/staff/me")).await;
        assert_eq!(code, 200, "{b:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_active_admin_cannot_be_disabled_removed_or_demoted() {
    for b in BACKENDS {
        let r = start(b).await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let ada_id = account_id(&r, &admin, "ada").await;
        let tries = [
            (
                Method::POST,
                format!("/api/v1/staff/accounts/{ada_id}/disable"),
                None,
            ),
            (
                Method::DELETE,
                format!("/api/v1/staff/accounts/{ada_id}"),
                None,
            ),
            (
                Method::PUT,
                format!("/api/v1/staff/accounts/{ada_id}/role"),
                Some(json!({"role": "viewer"})),
            ),
        ];
        for (m, path, body) in &tries {
            let mut req = admin.send(&r, m.clone(), path);
            if let Some(body) = body {
                req = req.json(body);
            }
            let (code, body) = status(req).await;
            assert_eq!(code, 409, "{b:?} {m} {path}: {body}");
            assert!(
                body.to_string().contains("last active admin"),
                "{b:?}: says why: {body}"
            );
        }
        let (code, _) = status(admin.get(&r, "/api/v1/staff/me")).await;
        assert_eq!(code, 200, "{b:?}: ada is still an admin, signed in");

        // A second admin, disabled, does not count: ada is still the last active one.
        let eve = staff_session(&r, "demo", "eve", "admin").await;
        let eve_id = account_id(&r, &admin, "eve").await;
        let (code, _) = status(admin.send(
            &r,
            Method::POST,
            &format!("/api/v1/staff/accounts/{eve_id}/disable"),
        ))
        .await;
        assert_eq!(code, 200, "{b:?}: two active admins, one may go");
        let (code, _) = status(eve.get(&r, "/api/v1/staff/me")).await;
        assert_eq!(code, 401);
        let (code, _) = status(admin.send(
            &r,
            Method::POST,
            &format!("/api/v1/staff/accounts/{ada_id}/disable"),
        ))
        .await;
        assert_eq!(code, 409, "{b:?}: the disabled admin does not count");
        // With eve back, ada may step down.
        let (code, _) = status(admin.send(
            &r,
            Method::POST,
            &format!("/api/v1/staff/accounts/{eve_id}/enable"),
        ))
        .await;
        assert_eq!(code, 200);
        let (code, body) = status(
            admin
                .send(
                    &r,
                    Method::PUT,
                    &format!("/api/v1/staff/accounts/{ada_id}/role"),
                )
                .json(&json!({"role": "coordinator"})),
        )
        .await;
        assert_eq!(code, 200, "{b:?}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_ends_other_sessions_and_the_old_password_stops_working() {
    for b in BACKENDS {
        let r = start(b).await;
        let here = staff_session(&r, "demo", "ada", "admin").await;
        let elsewhere = login(&r, "ada", PW).await.expect("second session");
        let new = "a much longer new passphrase";

        let (code, body) = status(
            here.send(&r, Method::POST, "/api/v1/staff/me/password")
                .json(&json!({"current_password": "wrong password!", "new_password": new})),
        )
        .await;
        assert_eq!(code, 403, "{b:?}: wrong current password: {body}");
        let (code, _) = status(
            here.send(&r, Method::POST, "/api/v1/staff/me/password")
                .json(&json!({"current_password": PW, "new_password": "short"})),
        )
        .await;
        assert_eq!(code, 400, "{b:?}: same rules as creation");
        login(&r, "ada", PW).await.expect("nothing changed yet");

        let (code, body) = status(
            here.send(&r, Method::POST, "/api/v1/staff/me/password")
                .json(&json!({"current_password": PW, "new_password": new})),
        )
        .await;
        assert_eq!(code, 200, "{b:?}: {body}");
        let (code, _) = status(here.get(&r, "/api/v1/staff/me")).await;
        assert_eq!(code, 200, "{b:?}: this session stays");
        let (code, _) = status(elsewhere.get(&r, "/api/v1/staff/me")).await;
        assert_eq!(code, 401, "{b:?}: the other session ended");
        assert_eq!(login(&r, "ada", PW).await.err().map(|e| e.0), Some(401));
        login(&r, "ada", new).await.expect("the new password works");

        // An admin resets bob's password: every session of bob ends.
        let bob = staff_session(&r, "demo", "bob", "viewer").await;
        let bob_id = account_id(&r, &here, "bob").await;
        let (code, _) = status(
            bob.send(
                &r,
                Method::PUT,
                &format!("/api/v1/staff/accounts/{bob_id}/password"),
            )
            .json(&json!({"password": "bob took over"})),
        )
        .await;
        assert_eq!(code, 403, "{b:?}: a viewer cannot reset");
        let (code, body) = status(
            here.send(
                &r,
                Method::PUT,
                &format!("/api/v1/staff/accounts/{bob_id}/password"),
            )
            .json(&json!({"password": "a reset by the admin"})),
        )
        .await;
        assert_eq!(code, 200, "{b:?}: {body}");
        let (code, _) = status(bob.get(&r, "/api/v1/staff/me")).await;
        assert_eq!(code, 401, "{b:?}: bob's session ended");
        assert!(login(&r, "bob", PW).await.is_err());
        login(&r, "bob", "a reset by the admin")
            .await
            .expect("bob's new password");

        let actions = audit_actions(&r, &here).await;
        for a in ["password_changed", "password_reset"] {
            let (_, e) = actions
                .iter()
                .find(|(x, _)| x == a)
                .unwrap_or_else(|| panic!("{b:?}: {a} logged"));
            let text = e.to_string();
            assert!(
                !text.contains(new) && !text.contains("a reset by the admin"),
                "{b:?}: no password in the log: {text}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_current_passwords_count_against_the_login_limit() {
    let r = start(Backend::Sqlite).await;
    let s = staff_session(&r, "demo", "ada", "admin").await;
    let mut codes = Vec::new();
    for _ in 0..12 {
        let (code, _) = status(s.send(&r, Method::POST, "/api/v1/staff/me/password").json(
            &json!({"current_password": "guess guess guess", "new_password": "whatever it is now"}),
        ))
        .await;
        codes.push(code);
    }
    assert_eq!(codes[0], 403);
    assert!(codes.contains(&429), "guessing is limited: {codes:?}");
    // The limit is the sign-in's: the right password is refused for now too.
    assert_eq!(login(&r, "ada", PW).await.err().map(|e| e.0), Some(429));
}
