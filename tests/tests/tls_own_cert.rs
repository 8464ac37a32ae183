//! A device joins an organization whose server serves TLS itself (shiftlog_server::tls, the
//! code behind `serve --tls-cert/--tls-key`) with its own self-signed certificate, which the
//! worker gave on the join screen: it enrolls and syncs, the certificate is kept for that
//! organization (across a restart of the app), shown as the fingerprint the server prints,
//! and trusted for that server only — another server with the very same certificate on
//! another address is not trusted.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use shiftlog_core::{Core, CoreError, Unlock};
use shiftlog_server::tls::Tls;
use shiftlog_server::{Limits, OrgService, SqliteStorage};
use shiftlog_system_tests::{supplies, test_device, test_options};

struct Served {
    addr: SocketAddr,
    service: OrgService,
    _stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Served {
    fn url(&self) -> String {
        format!("https://localhost:{}/", self.addr.port())
    }
}

async fn serve_tls(data: &Path, cert: &Path, key: &Path) -> Served {
    serve_tls_at(data, cert, key, "127.0.0.1:0".parse().expect("addr")).await
}

/// Serves on `at`, waiting (up to 5 s) for the port while a stopped server lets it go.
async fn serve_tls_at(data: &Path, cert: &Path, key: &Path, at: SocketAddr) -> Served {
    let service = OrgService::new(
        Arc::new(SqliteStorage::open(data).expect("store")),
        Limits::default(),
    );
    let tls = Tls::load(cert, key).expect("certificate");
    let mut tries = 0;
    let listener = loop {
        match tokio::net::TcpListener::bind(at).await {
            Ok(l) => break l,
            Err(_) if tries < 50 => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => panic!("bind {at}: {e}"),
        }
    };
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let svc = service.clone();
    let task = tokio::spawn(async move {
        shiftlog_server::tls::serve(listener, &tls, svc, async {
            let _ = rx.await;
        })
        .await
        .expect("serve");
    });
    Served {
        addr,
        service,
        _stop: tx,
        task,
    }
}

fn code(s: &Served, org: &str) -> String {
    s.service.ensure_organization(org, org).expect("org");
    s.service.new_enrollment_code(org).expect("code")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizations_own_certificate_is_trusted_for_its_server_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let made = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
    let (cert, key) = (dir.path().join("org.crt"), dir.path().join("org.key"));
    std::fs::write(&cert, made.cert.pem()).expect("write");
    std::fs::write(&key, made.key_pair.serialize_pem()).expect("write");
    let pem = made.cert.pem();
    let (d1, d2) = (dir.path().join("s1"), dir.path().join("s2"));
    let one = serve_tls(&d1, &cert, &key).await;
    // The same certificate on another address: a different server.
    let other = serve_tls(&d2, &cert, &key).await;

    let device_dir = tempfile::tempdir().expect("tempdir");
    let device = test_device(device_dir.path());

    // Without the certificate, joining fails and nothing is kept.
    let err = device
        .enroll_trusting(&one.url(), &code(&one, "one"), "laptop", None)
        .await
        .expect_err("untrusted");
    assert_eq!(err.code(), "untrusted_certificate", "{err:?}");
    assert!(err
        .message(shiftlog_core::Lang::En)
        .contains("give it when joining"));
    // Not a certificate: refused before anything is sent, in plain words.
    let err = device
        .enroll_trusting(&one.url(), "ABCDE-23456", "laptop", Some("hello"))
        .await
        .expect_err("not pem");
    assert_eq!(err.code(), "bad_certificate");
    assert!(err.message(shiftlog_core::Lang::Fr).contains("certificat"));

    // With it: joins, sends, and shows the fingerprint the server prints.
    let org = device
        .enroll_trusting(&one.url(), &code(&one, "one"), "laptop", Some(&pem))
        .await
        .expect("joined with the organization's certificate");
    let expected = shiftlog_server::tls::fingerprint(made.cert.der());
    assert_eq!(
        shiftlog_core::certificate_fingerprint(&pem).expect("fingerprint"),
        expected
    );
    assert_eq!(
        device.organization_certificate(&org.id).expect("kept"),
        Some(expected)
    );
    device
        .log_activity(supplies("naloxone_kit", 2))
        .expect("log");
    assert_eq!(device.sync_now().await.expect("sync over TLS").accepted, 1);

    // Trusted for that server only: the other one, same certificate, is refused.
    let err = device
        .enroll(&other.url(), &code(&other, "other"), "laptop")
        .await
        .expect_err("another server is not trusted");
    assert!(matches!(err, CoreError::UntrustedCertificate(_)), "{err:?}");

    // Kept across a restart of the app: the reopened profile still sends to it.
    drop(device);
    let device = Core::open(
        device_dir.path(),
        Unlock::Pin("246813".into()),
        &test_options(),
    )
    .expect("reopen");
    device
        .log_activity(supplies("naloxone_kit", 1))
        .expect("log");
    assert_eq!(device.sync_now().await.expect("sync again").accepted, 1);
    let mut csv = Vec::new();
    one.service.export_csv("one", &mut csv).expect("export");
    assert_eq!(
        String::from_utf8(csv).expect("utf8").lines().count(),
        3,
        "header and two records"
    );

    // Leaving the organization forgets its certificate.
    device.leave_organization(&org.id, false).expect("leave");
    assert_eq!(
        device.organization_certificate(&org.id).expect("read"),
        None
    );
}

/// The organization's server changes its certificate (renewed, or someone in between) after
/// the device joined trusting the old one. The background sync and the header must say the
/// certificate is not trusted, not "offline": waiting for a connection would never fix it.
/// The record waits, safe. A server that is gone altogether still reads as offline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_certificate_is_said_as_such_not_as_offline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str| {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
        let (cert, key) = (
            dir.path().join(format!("{name}.crt")),
            dir.path().join(format!("{name}.key")),
        );
        std::fs::write(&cert, made.cert.pem()).expect("write");
        std::fs::write(&key, made.key_pair.serialize_pem()).expect("write");
        (made.cert.pem(), cert, key)
    };
    let (old_pem, old_cert, old_key) = write("old");
    let (_, new_cert, new_key) = write("new");
    let first = serve_tls(&dir.path().join("s1"), &old_cert, &old_key).await;
    let device_dir = tempfile::tempdir().expect("tempdir");
    let device = test_device(device_dir.path());
    device
        .enroll_trusting(&first.url(), &code(&first, "one"), "laptop", Some(&old_pem))
        .await
        .expect("joined trusting the old certificate");

    // Stopped at once (a graceful stop would wait for the device's kept-alive connection),
    // so the port is free for the renewed server.
    let at = first.addr;
    first.task.abort();
    let _ = first.task.await;
    let second = serve_tls_at(&dir.path().join("s2"), &new_cert, &new_key, at).await;
    device
        .log_activity(supplies("naloxone_kit", 1))
        .expect("log");
    let err = device
        .sync_now()
        .await
        .expect_err("new certificate not trusted");
    assert_eq!(err.code(), "untrusted_certificate", "{err:?}");
    let status = device.sync_status().expect("status");
    assert_eq!(
        status.activity,
        shiftlog_core::SyncActivity::Error {
            code: "untrusted_certificate".into()
        }
    );
    assert_eq!(status.waiting, 1, "the record waits on the device");

    second.task.abort();
    let _ = second.task.await;
    let err = device.sync_now().await.expect_err("no server");
    assert_eq!(err.code(), "offline", "{err:?}");
    assert_eq!(
        device.sync_status().expect("status").activity,
        shiftlog_core::SyncActivity::Offline
    );
}
