//! Messages and alerts from the organization, end to end with the real server: a coordinator
//! posts over the staff API; a device that was offline at the time gets it at its next sync;
//! the dashboard's count of deliveries becomes 1; a withdrawn or expired message leaves the
//! device; a removed device gets none and keeps its records.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use shiftlog_core::{RecordQuery, Urgency};
use shiftlog_server::staff::Staff;
use shiftlog_server::Role;
use shiftlog_system_tests::proxy::{FaultProxy, Faults};
use shiftlog_system_tests::{supplies, test_device, TestServer};

struct Coordinator {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Coordinator {
    fn of(server: &TestServer, org: &str) -> Coordinator {
        Coordinator {
            base: server.url(),
            token: server
                .service
                .new_staff_token(org, "messages test")
                .expect("staff token"),
            http: reqwest::Client::new(),
        }
    }

    /// Posts a message; returns its id.
    async fn post(&self, text: &str, urgency: &str, expires_in: Duration) -> String {
        let body = json!({
            "text": text, "urgency": urgency,
            "expires_at": (Utc::now() + expires_in).to_rfc3339(),
        });
        let r = self
            .http
            .post(format!("{}api/v1/staff/messages", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("post");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert!(status.is_success(), "{status}: {v}");
        v["id"].as_str().expect("id").to_string()
    }

    /// The staff list of messages, as the dashboard reads it.
    async fn list(&self) -> Vec<Value> {
        let r = self
            .http
            .get(format!("{}api/v1/staff/messages", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("list");
        assert!(r.status().is_success(), "{}", r.status());
        let v: Value = r.json().await.expect("json");
        v["messages"].as_array().expect("messages").clone()
    }

    async fn delivered(&self, id: &str) -> u64 {
        let list = self.list().await;
        let m = list.iter().find(|m| m["id"] == id).expect("listed");
        m["delivered"].as_u64().expect("delivered count")
    }

    async fn withdraw(&self, id: &str) {
        let r = self
            .http
            .post(format!("{}api/v1/staff/messages/{id}/withdraw", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("withdraw");
        assert!(r.status().is_success(), "{}", r.status());
    }
}

fn admin(org: &str) -> Staff {
    Staff {
        org_id: org.into(),
        actor: "test".into(),
        role: Role::Admin,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_posted_while_offline_arrives_at_the_next_sync_and_is_counted() {
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(sdir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let code = server.org_with_code("demo", "Demo Society");
    let proxy = FaultProxy::start(server.addr, Faults::default(), 7).await;
    let core = test_device(ddir.path());
    core.enroll(&proxy.url(), &code, "phone")
        .await
        .expect("enroll");
    core.sync_now().await.expect("first sync");
    let staff = Coordinator::of(&server, "demo");

    // No signal: every connection is cut.
    proxy.set(Faults {
        reset_request: 1.0,
        ..Faults::default()
    });
    let id = staff
        .post("Strong batch downtown", "alert", Duration::days(1))
        .await;
    core.sync_now().await.expect_err("offline");
    assert!(core.messages(Utc::now()).expect("m").is_empty());
    assert_eq!(staff.delivered(&id).await, 0);

    // The signal is back.
    proxy.set(Faults::default());
    let report = core.sync_now().await.expect("sync");
    assert_eq!(report.messages_new, 1, "{report:?}");
    assert_eq!(report.messages_error, None);
    let got = core.messages(Utc::now()).expect("m");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, id);
    assert_eq!(got[0].text, "Strong batch downtown");
    assert_eq!(got[0].urgency, Urgency::Alert);
    assert_eq!(got[0].org_name, "Demo Society");
    assert_eq!(staff.delivered(&id).await, 1);
    // Syncing again counts the same device once.
    core.sync_now().await.expect("sync");
    assert_eq!(staff.delivered(&id).await, 1);

    // Withdrawn by the coordinator: gone from the device at the next sync.
    staff.withdraw(&id).await;
    core.sync_now().await.expect("sync");
    assert!(core.messages(Utc::now()).expect("m").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_message_leaves_the_device() {
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(sdir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let code = server.org_with_code("demo", "Demo Society");
    let core = test_device(ddir.path());
    core.enroll(&server.url(), &code, "phone")
        .await
        .expect("enroll");
    let staff = Coordinator::of(&server, "demo");
    staff
        .post("Site closed this afternoon", "notice", Duration::seconds(3))
        .await;
    let keeps = staff
        .post("Training on Thursday", "notice", Duration::days(2))
        .await;
    core.sync_now().await.expect("sync");
    assert_eq!(core.messages(Utc::now()).expect("m").len(), 2);
    tokio::time::sleep(StdDuration::from_millis(3500)).await;
    // Offline or not, an expired message is no longer shown...
    let shown = core.messages(Utc::now()).expect("m");
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].id, keeps);
    // ...and after the next sync it is not on the device at all.
    core.sync_now().await.expect("sync");
    let raw = shiftlog_core::test_support::raw_connection(
        ddir.path(),
        &shiftlog_core::Unlock::Pin("246813".into()),
        shiftlog_system_tests::test_options().kdf,
    )
    .expect("raw");
    let held: u32 = raw
        .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
        .expect("count");
    assert_eq!(held, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_device_gets_no_messages_and_keeps_its_records() {
    let sdir = tempfile::tempdir().expect("tempdir");
    let ddir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(sdir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let code = server.org_with_code("demo", "Demo Society");
    let core = test_device(ddir.path());
    core.enroll(&server.url(), &code, "phone")
        .await
        .expect("enroll");
    core.log_activity(supplies("naloxone_kit", 1)).expect("log");
    core.sync_now().await.expect("sync");
    let devices = server.service.devices(&admin("demo")).expect("devices");
    server
        .service
        .revoke_device(&admin("demo"), devices[0].id)
        .expect("revoke");
    let staff = Coordinator::of(&server, "demo");
    let id = staff
        .post("Strong batch downtown", "alert", Duration::days(1))
        .await;
    core.log_activity(supplies("naloxone_kit", 2))
        .expect("logs offline");
    core.sync_now().await.expect_err("removed");
    assert!(core.messages(Utc::now()).expect("m").is_empty());
    assert_eq!(staff.delivered(&id).await, 0);
    assert_eq!(
        core.list_records(&RecordQuery::default())
            .expect("records")
            .len(),
        2
    );
    // Its token no longer reads the organization's messages either.
    let raw = shiftlog_core::test_support::raw_connection(
        ddir.path(),
        &shiftlog_core::Unlock::Pin("246813".into()),
        shiftlog_system_tests::test_options().kdf,
    )
    .expect("raw");
    let token: String = raw
        .query_row("SELECT device_token FROM organizations", [], |r| r.get(0))
        .expect("token");
    let r = reqwest::Client::new()
        .get(format!("{}api/v1/messages", server.url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    assert!(r.status().is_client_error(), "{}", r.status());
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["code"], "device_revoked", "{body}");
}
