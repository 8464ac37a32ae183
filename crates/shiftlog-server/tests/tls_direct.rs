//! The real binary serving TLS itself (`--tls-cert`, `--tls-key`, or SHIFTLOG_TLS_* / the
//! `[serve]` keys): https with a certificate made for this run, a new certificate picked up on
//! SIGHUP on the same listener, a failed reload that keeps the old one and says why, and bad
//! files refused at start with what to do.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::bin::{free_port, BIN};

struct Pair {
    pem: String,
    der: Vec<u8>,
    cert: PathBuf,
    key: PathBuf,
}

/// A fresh self-signed certificate for localhost, written as `<name>.crt` and `<name>.key`.
fn pair(dir: &Path, name: &str) -> Pair {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
    let cert = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&cert, c.cert.pem()).expect("write");
    std::fs::write(&key, c.key_pair.serialize_pem()).expect("write");
    Pair {
        pem: c.cert.pem(),
        der: c.cert.der().to_vec(),
        cert,
        key,
    }
}

struct Running {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn hangup(&self) {
        let ok = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(ok.success());
    }
}

fn start(data: &Path, cert: &Path, key: &Path) -> Running {
    let port = free_port();
    let log = data.join("server.log");
    let child = Command::new(BIN)
        .args(["--data-dir", &data.display().to_string()])
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--tls-cert", &cert.display().to_string()])
        .args(["--tls-key", &key.display().to_string()])
        .env_remove("SHIFTLOG_CONFIG")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("spawn");
    Running { child, port, log }
}

/// The SHA-256 fingerprint of the certificate the server presents to a new connection.
async fn served_fingerprint(port: u16, trusted: &[&str]) -> Result<String, String> {
    let mut b = reqwest::Client::builder()
        .tls_info(true)
        .timeout(Duration::from_secs(5));
    for pem in trusted {
        b = b.add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).expect("pem"));
    }
    let r = b
        .build()
        .expect("client")
        .get(format!("https://localhost:{port}/api/v1/info"))
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    assert!(r.status().is_success(), "{}", r.status());
    let info = r
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .expect("tls info");
    Ok(shiftlog_server::tls::fingerprint(
        info.peer_certificate().expect("certificate"),
    ))
}

async fn until(what: &str, mut ok: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ok().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_https_and_takes_a_new_certificate_on_sighup_without_closing_the_listener() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = pair(dir.path(), "a");
    let live_cert = dir.path().join("live.crt");
    let live_key = dir.path().join("live.key");
    std::fs::copy(&a.cert, &live_cert).expect("copy");
    std::fs::copy(&a.key, &live_key).expect("copy");
    let server = start(dir.path(), &live_cert, &live_key);
    let fa = shiftlog_server::tls::fingerprint(&a.der);
    let port = server.port;
    until("https", async || {
        served_fingerprint(port, &[&a.pem]).await.ok() == Some(fa.clone())
    })
    .await;
    assert!(server.log().contains(&fa), "the fingerprint is logged");

    // Plain http on the TLS port gets no answer; an untrusting client refuses the certificate.
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/api/v1/info"))
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(plain.is_err(), "{plain:?}");
    assert!(served_fingerprint(port, &[]).await.is_err());

    // A new certificate in the same files, then SIGHUP: new connections get it.
    let b = pair(dir.path(), "b");
    let fb = shiftlog_server::tls::fingerprint(&b.der);
    std::fs::copy(&b.cert, &live_cert).expect("copy");
    std::fs::copy(&b.key, &live_key).expect("copy");
    server.hangup();
    until("the new certificate", async || {
        served_fingerprint(port, &[&a.pem, &b.pem]).await.ok() == Some(fb.clone())
    })
    .await;
    assert!(server.log().contains("TLS certificate reloaded"));

    // A broken certificate file and SIGHUP: the old certificate stays, the log says why.
    std::fs::write(&live_cert, "not a certificate").expect("write");
    server.hangup();
    until("the refusal in the log", async || {
        server.log().contains("TLS certificate not reloaded")
    })
    .await;
    assert!(
        server.log().contains("holds no certificate"),
        "{}",
        server.log()
    );
    assert_eq!(
        served_fingerprint(port, &[&b.pem])
            .await
            .expect("still served"),
        fb
    );
}

fn refused(args: &[&str], env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .args(["--data-dir", &dir.path().display().to_string()])
        .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
        .args(args)
        .env_remove("SHIFTLOG_CONFIG")
        .envs(env.iter().copied())
        .output()
        .expect("run");
    assert!(!out.status.success(), "started with {args:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_files_are_refused_at_start_with_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = pair(dir.path(), "a");
    let b = pair(dir.path(), "b");
    let (ac, ak, bk) = (
        a.cert.display().to_string(),
        a.key.display().to_string(),
        b.key.display().to_string(),
    );
    let e = refused(
        &["--tls-cert", "/nonexistent/server.crt", "--tls-key", &ak],
        &[],
    );
    assert!(
        e.contains("/nonexistent/server.crt") && e.contains("--tls-cert"),
        "{e}"
    );
    let e = refused(&["--tls-cert", &ac, "--tls-key", &bk], &[]);
    assert!(e.contains("does not belong to the certificate"), "{e}");
    let e = refused(&["--tls-cert", &ak, "--tls-key", &ak], &[]);
    assert!(e.contains("holds no certificate"), "{e}");
    let e = refused(&[], &[("SHIFTLOG_TLS_CERT", &ac)]);
    assert!(e.contains("needs both a certificate and a key"), "{e}");
    let e = refused(&["--public-url", "shiftlog.example.org"], &[]);
    assert!(e.contains("must start with https://"), "{e}");
}

#[test]
fn config_check_shows_the_tls_files_and_public_url_and_checks_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = pair(dir.path(), "a");
    let file = dir.path().join("server.toml");
    std::fs::write(
        &file,
        format!(
            "[serve]\ntls_cert = {:?}\ntls_key = {:?}\npublic_url = \"https://shiftlog.example.org\"\n",
            a.cert.display().to_string(),
            a.key.display().to_string()
        ),
    )
    .expect("write");
    let check = |env: &[(&str, &str)]| {
        Command::new(BIN)
            .args(["--config", &file.display().to_string(), "config", "check"])
            .env_remove("SHIFTLOG_TLS_CERT")
            .env_remove("SHIFTLOG_TLS_KEY")
            .env_remove("SHIFTLOG_PUBLIC_URL")
            .envs(env.iter().copied())
            .output()
            .expect("run")
    };
    let out = check(&[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!("serve.tls_cert = {}    # file", a.cert.display())),
        "{text}"
    );
    assert!(text.contains("serve.public_url = https://shiftlog.example.org    # file"));
    assert!(
        text.contains(&shiftlog_server::tls::fingerprint(&a.der)),
        "{text}"
    );

    // The variable wins over the file, and a key that is not the certificate's fails the check.
    let b = pair(dir.path(), "b");
    let out = check(&[("SHIFTLOG_TLS_KEY", &b.key.display().to_string())]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("# environment (SHIFTLOG_TLS_KEY)"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not belong"));
}

/// Served over TLS with `--trusted-proxy 127.0.0.1`: the forwarded client address is believed
/// only from 127.0.0.1. A client on 127.0.0.2 that writes a new X-Forwarded-For on every
/// wrong password is still one client (locked out after 5); clients behind the trusted proxy
/// are told apart by it. Also shows the TLS listener gives the handlers the socket's address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_forwarded_addresses_are_believed_only_from_the_trusted_proxy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = pair(dir.path(), "a");
    let data = dir.path().display().to_string();
    assert!(common::bin::ok(
        Command::new(BIN)
            .args(["--data-dir", &data, "add-org", "demo", "Demo"])
            .output()
            .expect("add-org")
    )
    .contains("created"));
    let mut admin = Command::new(BIN)
        .args(["--data-dir", &data, "create-admin", "--org", "demo"])
        .args(["--username", "ada"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(
        admin.stdin.as_mut().expect("stdin"),
        b"correct horse battery\n",
    )
    .expect("password");
    assert!(admin.wait().expect("wait").success());

    let port = free_port();
    let log = dir.path().join("server.log");
    let child = Command::new(BIN)
        .args(["--data-dir", &data, "serve"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--tls-cert", &a.cert.display().to_string()])
        .args(["--tls-key", &a.key.display().to_string()])
        .args(["--trusted-proxy", "127.0.0.1"])
        .env_remove("SHIFTLOG_CONFIG")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("spawn");
    let _server = Running { child, port, log };
    let from = |ip: &str| {
        reqwest::Client::builder()
            .local_address(ip.parse::<std::net::IpAddr>().expect("ip"))
            .add_root_certificate(reqwest::Certificate::from_pem(a.pem.as_bytes()).expect("pem"))
            .build()
            .expect("client")
    };
    // Wrong passwords go to names that do not exist, so only the address is counted (a
    // name has a limit of its own).
    let login = async |http: &reqwest::Client, password: &str, xff: &str| {
        let username = if password == "wrong" {
            format!("nobody-{xff}")
        } else {
            "ada".to_string()
        };
        http.post(format!("https://localhost:{port}/api/v1/staff/login"))
            .header("x-forwarded-for", xff)
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .map_err(|e| e.to_string())
    };
    let untrusted = from("127.0.0.2");
    until("https", async || {
        login(&untrusted, "wrong", "203.0.113.1").await.is_ok()
    })
    .await;
    // One wrong password is spent above; four more with a new forwarded address each.
    for i in 2..=5 {
        assert_eq!(
            login(&untrusted, "wrong", &format!("203.0.113.{i}")).await,
            Ok(401)
        );
    }
    assert_eq!(
        login(&untrusted, "correct horse battery", "198.51.100.99").await,
        Ok(429),
        "a forwarded address from an untrusted peer is not believed"
    );
    // Behind the trusted proxy: the forwarded client is counted, not the proxy.
    let proxy = from("127.0.0.1");
    for _ in 0..5 {
        assert_eq!(login(&proxy, "wrong", "203.0.113.50").await, Ok(401));
    }
    assert_eq!(login(&proxy, "wrong", "203.0.113.50").await, Ok(429));
    assert_eq!(
        login(&proxy, "correct horse battery", "198.51.100.7").await,
        Ok(200),
        "another client behind the trusted proxy is not held back"
    );

    // With no --public-url, the joining link's guessed address says https, as served.
    let signed_in = proxy
        .post(format!("https://localhost:{port}/api/v1/staff/login"))
        .header("x-forwarded-for", "198.51.100.8")
        .json(&serde_json::json!({"username": "ada", "password": "correct horse battery"}))
        .send()
        .await
        .expect("login");
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("cookie")
        .to_string();
    let me: serde_json::Value = signed_in.json().await.expect("json");
    let invite: serde_json::Value = proxy
        .post(format!(
            "https://localhost:{port}/api/v1/staff/enrollment-codes"
        ))
        .header("cookie", cookie)
        .header("x-csrf-token", me["csrf_token"].as_str().expect("csrf"))
        .header("x-forwarded-for", "198.51.100.8")
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("invite")
        .json()
        .await
        .expect("json");
    assert_eq!(
        invite["server"],
        format!("https://localhost:{port}/"),
        "{invite}"
    );
    assert_eq!(invite["server_guessed"], true);
}
