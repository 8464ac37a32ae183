//! Enrollment attempts are limited per client address: a burst of wrong codes from one
//! address gets 429 with Retry-After and plain words once past the limit, while a device on
//! another address still joins. Over real HTTP on loopback, from two source addresses
//! (127.0.0.2 and 127.0.0.3), on both backends.

mod common;

use std::net::IpAddr;

use common::*;
use serde_json::{json, Value};

/// `shiftlog_server`'s `ENROLL_ATTEMPTS_PER_ADDRESS`.
const LIMIT: usize = 30;

fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().expect("ip"))
        .build()
        .expect("client")
}

async fn try_code(base: &str, http: &reqwest::Client, code: &str) -> (u16, Option<String>, Value) {
    let resp = http
        .post(format!("{base}/api/v1/enroll"))
        .json(&json!({"code": code, "device_name": "phone"}))
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().expect("ascii").to_string());
    (status, retry, resp.json().await.expect("json"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_wrong_codes_from_one_address_is_stopped() {
    for b in BACKENDS {
        let r = start(b).await;
        let code = call(&r.service, |s| {
            s.ensure_organization("demo", "Demo").expect("org");
            s.new_enrollment_code("demo").expect("code")
        })
        .await;
        let guesser = client_from("127.0.0.2");
        // The burst goes out at once, as a guesser would send it.
        let mut burst = tokio::task::JoinSet::new();
        for i in 0..LIMIT + 10 {
            let (base, g) = (r.base.clone(), guesser.clone());
            burst.spawn(async move { try_code(&base, &g, &format!("AAAAA-{i:05}")).await });
        }
        let answers = burst.join_all().await;
        let wrong = answers.iter().filter(|a| a.0 == 400).count();
        let limited: Vec<_> = answers.iter().filter(|a| a.0 == 429).collect();
        assert_eq!(wrong, LIMIT, "{b:?}: exactly the limit is looked at");
        assert_eq!(limited.len(), 10, "{b:?}");
        for (_, retry, body) in &limited {
            let secs: u64 = retry
                .as_deref()
                .expect("Retry-After")
                .parse()
                .expect("secs");
            assert!((1..=600).contains(&secs), "{secs}");
            assert_eq!(body["code"], "rate_limited");
            assert!(
                body["message"].as_str().expect("msg").contains("Wait"),
                "{body}"
            );
        }
        // Even the right code is not looked at from that address now.
        let (s, _, _) = try_code(&r.base, &guesser, &code).await;
        assert_eq!(s, 429, "{b:?}");
        // Another address is unaffected: the right code joins.
        let (s, _, joined) = try_code(&r.base, &client_from("127.0.0.3"), &code).await;
        assert_eq!(s, 200, "{b:?}: {joined}");
        assert!(joined["token"].is_string());
    }
}
