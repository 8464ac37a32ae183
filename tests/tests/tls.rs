//! Sync over TLS to a server with a self-signed certificate that the client is configured to
//! trust; refused when it is not trusted, and plain HTTP refused off loopback.

use std::time::Duration;

use serde_json::json;
use shiftlog_core::{Core, CoreError, KdfParams, NewActivity, OpenOptions, Unlock};
use shiftlog_system_tests::tls::TlsFront;
use shiftlog_system_tests::TestServer;

fn opts(roots: Vec<Vec<u8>>) -> OpenOptions {
    OpenOptions {
        kdf: KdfParams {
            m_kib: 256,
            t: 1,
            p: 1,
        },
        request_timeout: Duration::from_secs(5),
        extra_roots_pem: roots,
        ..OpenOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_over_tls_with_a_trusted_self_signed_certificate() {
    let sdir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start(sdir.path(), "127.0.0.1:0".parse().expect("addr")).await;
    let front = TlsFront::start(server.addr).await;

    // Not trusted: enrollment fails, said as the certificate (not as offline), and stores nothing.
    let untrusting_dir = tempfile::tempdir().expect("tempdir");
    let untrusting = Core::open(
        untrusting_dir.path(),
        Unlock::Pin("246813".into()),
        &opts(vec![]),
    )
    .expect("open");
    let code = server.org_with_code("tls", "TLS Org");
    let err = untrusting
        .enroll(&front.url(), &code, "phone")
        .await
        .expect_err("untrusted cert");
    assert!(matches!(err, CoreError::UntrustedCertificate(_)), "{err:?}");
    assert!(untrusting.organizations().expect("orgs").is_empty());

    // Trusted: enroll and sync over https.
    let dir = tempfile::tempdir().expect("tempdir");
    let core = Core::open(
        dir.path(),
        Unlock::Pin("246813".into()),
        &opts(vec![front.cert_pem.clone().into_bytes()]),
    )
    .expect("open");
    let code = server.org_with_code("tls", "TLS Org");
    core.enroll(&front.url(), &code, "phone")
        .await
        .expect("enroll over TLS");
    let rec = core
        .log_activity(NewActivity {
            org_id: None,
            occurred_at: None,
            kind: "supplies_distributed".into(),
            body: json!({"items": [{"item": "naloxone_kit", "quantity": 3}]}),
        })
        .expect("log");
    let report = core.sync_now().await.expect("sync over TLS");
    assert_eq!(report.accepted, 1);
    let mut buf = Vec::new();
    server.service.export_csv("tls", &mut buf).expect("export");
    assert!(String::from_utf8(buf)
        .expect("utf8")
        .contains(&rec.id.to_string()));

    // Plain http to anything but this machine is refused before a byte is sent.
    let err = core
        .enroll("http://192.0.2.10:8787/", "ABCDE-23456", "phone")
        .await
        .expect_err("plain http off loopback");
    assert!(matches!(err, CoreError::BadServerUrl(_)), "{err:?}");
}
