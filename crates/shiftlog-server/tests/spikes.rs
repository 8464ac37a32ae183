//! Overdose spike notices over HTTP on both backends: records pushed by enrolled devices count
//! by when they happened, inside the trailing window, for their own organization's areas
//! only; a time past the drift allowance is not trusted; the notice carries no exact count,
//! worker or record; thresholds are checked and set by coordinators and admins.

mod common;

use chrono::{Duration, SecondsFormat, Utc};
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

/// An overdose response in `area`, `hours_ago` hours ago (negative: in the future).
fn overdose(n: u32, area: &str, hours_ago: i64) -> Value {
    let at = (Utc::now() - Duration::hours(hours_ago)).to_rfc3339_opts(SecondsFormat::Secs, true);
    json!({
        "id": rid(n), "version": 1, "record_type": "activity", "kind": "overdose_response",
        "occurred_at": at, "recorded_at": at,
        "body": {"area": area, "called_911": "yes", "outcome": "survived"}
    })
}

/// Pushes `records` and checks every one was accepted.
async fn push_all(r: &Running, token: &str, records: Vec<Value>) {
    let n = records.len();
    let (status, body) = push(r, token, records).await;
    assert_eq!(status, 200, "{body}");
    let results = body["results"].as_array().expect("results");
    assert_eq!(results.len(), n);
    assert!(results.iter().all(|x| x["status"] == "accepted"), "{body}");
}

async fn get(r: &Running, s: &Session, path: &str) -> (u16, Value) {
    let resp = s.get(r, path).send().await.expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}

async fn put_thresholds(r: &Running, s: &Session, thresholds: Value) -> (u16, Value) {
    let resp = s
        .send(r, Method::PUT, "/api/v1/staff/spike-thresholds")
        .json(&json!({ "thresholds": thresholds }))
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}

async fn notices(r: &Running, s: &Session) -> Vec<Value> {
    let (status, body) = get(r, s, "/api/v1/staff/spike-notices").await;
    assert_eq!(status, 200, "{body}");
    body.as_array().expect("list").clone()
}

fn areas(list: &[Value]) -> Vec<&str> {
    list.iter()
        .map(|n| n["area"].as_str().expect("area"))
        .collect()
}

/// 2 responses with a threshold of 3: no notice; a 3rd that happened 20 hours ago and
/// arrives late: a notice; one 30 hours ago and one 6 hours ahead (a clock set forward) do
/// not count; another organization's never do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_count_what_happened_in_the_window_of_the_organization() {
    for b in BACKENDS {
        let r = start(b).await;
        let device = enrolled(&r, "demo").await;
        let theirs = enrolled(&r, "other").await;
        let coord = staff_session(&r, "demo", "cora", "coordinator").await;
        let (status, body) = put_thresholds(
            &r,
            &coord,
            json!([{"area": null, "threshold": 3, "window_hours": 24},
                   {"area": "harbour", "threshold": null, "window_hours": 24}]),
        )
        .await;
        assert_eq!(status, 200, "{b:?} {body}");
        assert_eq!(body["thresholds"][0]["threshold"], 3, "{body}");

        push_all(
            &r,
            &device,
            vec![overdose(1, "downtown", 1), overdose(2, "downtown", 2)],
        )
        .await;
        // Outside the window, a clock set 6 hours ahead, and another organization's five.
        push_all(
            &r,
            &device,
            vec![overdose(3, "downtown", 30), overdose(4, "downtown", -6)],
        )
        .await;
        push_all(
            &r,
            &theirs,
            (10..15).map(|n| overdose(n, "downtown", 1)).collect(),
        )
        .await;
        // Harbour is off, whatever its count.
        push_all(
            &r,
            &device,
            (20..25).map(|n| overdose(n, "harbour", 1)).collect(),
        )
        .await;
        assert_eq!(
            areas(&notices(&r, &coord).await),
            Vec::<&str>::new(),
            "{b:?}"
        );

        // Happened 20 hours ago, synced only now: it counts where it happened.
        push_all(&r, &device, vec![overdose(5, "downtown", 20)]).await;
        let list = notices(&r, &coord).await;
        assert_eq!(areas(&list), ["downtown"], "{b:?} {list:?}");
        let n = &list[0];
        assert_eq!(n["threshold"], 3);
        assert_eq!(n["at_least"], 3);
        assert_eq!(n["window_hours"], 24);
        let mut keys: Vec<&str> = n
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "area",
                "area_label",
                "at_least",
                "checked_at",
                "since",
                "threshold",
                "window_hours"
            ],
            "no count, no worker, no record"
        );

        // A 4th inside the window: still "3 or more", never the exact 4.
        push_all(&r, &device, vec![overdose(6, "downtown", 3)]).await;
        let list = notices(&r, &coord).await;
        assert_eq!(list[0]["at_least"], 3, "{list:?}");
        // A 5th: "5 or more".
        push_all(
            &r,
            &device,
            vec![overdose(7, "v6a", 3), overdose(8, "downtown", 3)],
        )
        .await;
        let list = notices(&r, &coord).await;
        assert_eq!(areas(&list), ["downtown"], "{list:?}");
        assert_eq!(list[0]["at_least"], 5, "{list:?}");

        // A narrower window of its own for downtown: only the last 6 hours count (4 of them).
        let (status, _) = put_thresholds(
            &r,
            &coord,
            json!([{"area": "downtown", "threshold": 5, "window_hours": 6},
                   {"area": "v6a", "threshold": 2, "window_hours": 6}]),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(areas(&notices(&r, &coord).await), Vec::<&str>::new());
    }
}

/// Viewers see notices (the same protected words) but not thresholds; coordinators and
/// admins read and set them; devices and strangers get nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_sees_notices_and_sets_thresholds() {
    for b in BACKENDS {
        let r = start(b).await;
        let device = enrolled(&r, "demo").await;
        let admin = staff_session(&r, "demo", "ada", "admin").await;
        let coord = staff_session(&r, "demo", "cora", "coordinator").await;
        let viewer = staff_session(&r, "demo", "vic", "viewer").await;
        let rule = json!([{"threshold": 2, "window_hours": 12}]);
        assert_eq!(put_thresholds(&r, &admin, rule.clone()).await.0, 200);
        assert_eq!(put_thresholds(&r, &coord, rule.clone()).await.0, 200);
        let (status, body) = put_thresholds(&r, &viewer, json!([])).await;
        assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
        let (status, _) = get(&r, &viewer, "/api/v1/staff/spike-thresholds").await;
        assert_eq!(status, 403, "{b:?}");
        let (status, settings) = get(&r, &coord, "/api/v1/staff/spike-thresholds").await;
        assert_eq!(status, 200);
        assert_eq!(
            settings["thresholds"],
            json!([{"area": null, "threshold": 2, "window_hours": 12}])
        );
        assert_eq!(settings["areas"].as_array().expect("areas").len(), 4);

        push_all(
            &r,
            &device,
            vec![overdose(1, "v6b", 1), overdose(2, "v6b", 2)],
        )
        .await;
        let seen = notices(&r, &viewer).await;
        assert_eq!(areas(&seen), ["v6b"]);
        let theirs = notices(&r, &coord).await;
        assert_eq!(seen[0]["at_least"], theirs[0]["at_least"]);

        let anon = client()
            .get(format!("{}/api/v1/staff/spike-notices", r.base))
            .send()
            .await
            .expect("send");
        assert_eq!(anon.status().as_u16(), 401);
        let dev = client()
            .get(format!("{}/api/v1/staff/spike-notices", r.base))
            .bearer_auth(&device)
            .send()
            .await
            .expect("send");
        assert_eq!(dev.status().as_u16(), 401);
        // A change without the page's CSRF token is refused.
        let no_csrf = client()
            .put(format!("{}/api/v1/staff/spike-thresholds", r.base))
            .header("cookie", &coord.cookie)
            .json(&json!({"thresholds": []}))
            .send()
            .await
            .expect("send");
        assert_eq!(no_csrf.status().as_u16(), 403);
    }
}

/// Bad thresholds are 400 `bad_spike_threshold` with words that say what to change, and
/// leave the thresholds as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_thresholds_are_refused_with_a_clear_code() {
    for b in BACKENDS {
        let r = start(b).await;
        enrolled(&r, "demo").await;
        let coord = staff_session(&r, "demo", "cora", "coordinator").await;
        let good = json!([{"area": "downtown", "threshold": 4, "window_hours": 48}]);
        assert_eq!(put_thresholds(&r, &coord, good.clone()).await.0, 200);
        let cases = [
            (json!([{"threshold": 1, "window_hours": 24}]), "2 to 50"),
            (json!([{"threshold": 51, "window_hours": 24}]), "2 to 50"),
            (json!([{"threshold": -3, "window_hours": 24}]), "2 to 50"),
            (
                json!([{"threshold": 3, "window_hours": 7}]),
                "6, 12, 24 or 48",
            ),
            (
                json!([{"area": "uptown", "threshold": 3, "window_hours": 24}]),
                "areas",
            ),
            (
                json!([{"area": "v6a", "threshold": 3, "window_hours": 24},
                       {"area": "v6a", "threshold": null, "window_hours": 24}]),
                "twice",
            ),
            (
                json!([{"threshold": 3, "window_hours": 24}, {"threshold": 4, "window_hours": 24}]),
                "twice",
            ),
        ];
        for (body, words) in cases {
            let (status, answer) = put_thresholds(&r, &coord, body.clone()).await;
            assert_eq!(status, 400, "{b:?} {body} {answer}");
            assert_eq!(answer["code"], "bad_spike_threshold", "{body} {answer}");
            let message = answer["message"].as_str().expect("message");
            assert!(message.contains(words), "{body}: {message}");
        }
        let (_, settings) = get(&r, &coord, "/api/v1/staff/spike-thresholds").await;
        assert_eq!(settings["thresholds"], good, "unchanged");
    }
}
