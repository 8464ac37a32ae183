//! Viewers see protected summaries, never devices: a device's name ("Sam's phone") beside
//! its worker pseudonym would tie a person to their records. A viewer tries every way to the
//! list; coordinators and admins still get it. On both backends.

mod common;

use common::*;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_cannot_list_devices() {
    for b in BACKENDS {
        let r = start(b).await;
        let _phone = enrolled(&r, "demo").await;
        let viewer = staff_session(&r, "demo", "vic", "viewer").await;
        for path in [
            "/api/v1/staff/devices",
            "/api/v1/staff/devices?org=demo",
            "/api/v1/staff/devices/",
            "/api/v1/staff//devices",
        ] {
            let resp = viewer.get(&r, path).send().await.expect("send");
            let status = resp.status().as_u16();
            let text = resp.text().await.expect("body");
            assert!(
                status == 403 || status == 404,
                "{b:?} {path}: {status} {text}"
            );
            assert!(!text.contains("W-"), "{b:?} {path}: no pseudonym in {text}");
            assert!(!text.contains("\"test\""), "{b:?} {path}: no device name");
            if path == "/api/v1/staff/devices" {
                assert_eq!(status, 403, "{b:?}");
                let v: Value = serde_json::from_str(&text).expect("json");
                assert_eq!(v["code"], "forbidden", "{b:?}");
            }
        }
        // The service says the same to a viewer whatever front door it came through.
        let denied = call(&r.service, |s| {
            s.devices(&shiftlog_server::Staff {
                org_id: "demo".into(),
                actor: "vic".into(),
                role: shiftlog_server::Role::Viewer,
            })
        })
        .await;
        assert!(denied.is_err(), "{b:?}");
        // A viewer still reads the protected summary.
        let resp = viewer
            .get(
                &r,
                "/api/v1/staff/summary?measure=activities&period=month&by=kind",
            )
            .send()
            .await
            .expect("summary");
        assert_eq!(resp.status().as_u16(), 200, "{b:?}");
        // Coordinators (and staff tokens, which act as coordinators) still see the devices.
        let coord = staff_session(&r, "demo", "cora", "coordinator").await;
        let resp = coord
            .get(&r, "/api/v1/staff/devices")
            .send()
            .await
            .expect("d");
        assert_eq!(resp.status().as_u16(), 200, "{b:?}");
        let list: Value = resp.json().await.expect("json");
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{b:?}");
    }
}

/// The OpenAPI document says what a viewer gets.
#[test]
fn the_openapi_document_says_403_for_viewers() {
    let doc: Value = serde_json::from_str(shiftlog_server::openapi::document()).expect("json");
    let get = &doc["paths"]["/api/v1/staff/devices"]["get"];
    let refused = &get["responses"]["403"];
    assert!(
        refused["description"]
            .as_str()
            .is_some_and(|d| d.contains("viewer")),
        "{get}"
    );
    assert_eq!(
        refused["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
    let enroll = &doc["paths"]["/api/v1/enroll"]["post"];
    assert!(enroll["responses"]["429"]["headers"]["Retry-After"].is_object());
}
