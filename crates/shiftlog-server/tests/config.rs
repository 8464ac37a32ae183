//! Settings from a TOML file, beneath flags and environment variables, one order for every
//! setting: flag > SHIFTLOG_* variable > file > default. `config check` says which won, hides
//! secrets, and a typo in the file is an error that names the key and the line.

mod common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::bin::{free_port, BIN};

fn server(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    for v in [
        "SHIFTLOG_SERVER_DATA",
        "SHIFTLOG_DATABASE_URL",
        "SHIFTLOG_DATABASE_SCHEMA",
        "SHIFTLOG_CONFIG",
        "SHIFTLOG_LOG",
        "SHIFTLOG_LOG_FORMAT",
    ] {
        c.env_remove(v);
    }
    c.args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run")
}

fn line<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(&format!("{name} = ")))
        .unwrap_or_else(|| panic!("no {name} in {out}"))
}

#[test]
fn flag_beats_variable_beats_file_beats_default() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("server.toml");
    std::fs::write(
        &file,
        "data_dir = \"/from/file\"\nlog = \"warn\"\ndatabase_url = \"postgres://app:s3cret@db.internal:5432/shiftlog\"\n\n[serve]\nlisten = \"127.0.0.1:9\"\n",
    )
    .expect("write");
    let f = file.display().to_string();
    let check = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["--config", &f];
        all.extend_from_slice(args);
        all.extend_from_slice(&["config", "check"]);
        let o = server(&all, env);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).expect("utf8")
    };
    let out = check(&[], &[]);
    assert!(
        line(&out, "data_dir").contains("/from/file    # file"),
        "{out}"
    );
    assert!(line(&out, "log").contains("warn") && line(&out, "log").contains("# file"));
    assert!(line(&out, "log_format").contains("# default"), "{out}");
    assert!(!out.contains("s3cret"), "the password was shown: {out}");
    assert!(
        line(&out, "database_url").contains("app:****@db.internal"),
        "{out}"
    );

    let out = check(&[], &[("SHIFTLOG_SERVER_DATA", "/from/env")]);
    assert!(
        line(&out, "data_dir").contains("/from/env    # environment (SHIFTLOG_SERVER_DATA)"),
        "{out}"
    );
    let out = check(
        &["--data-dir", "/from/flag"],
        &[("SHIFTLOG_SERVER_DATA", "/from/env")],
    );
    assert!(
        line(&out, "data_dir").contains("/from/flag    # command line"),
        "{out}"
    );

    // Without a file, the defaults, and the file may come from SHIFTLOG_CONFIG.
    let o = server(&["config", "check"], &[]);
    let out = String::from_utf8(o.stdout).expect("utf8");
    assert!(line(&out, "data_dir").contains("# default"), "{out}");
    let o = server(&["config", "check"], &[("SHIFTLOG_CONFIG", &f)]);
    let out = String::from_utf8(o.stdout).expect("utf8");
    assert!(line(&out, "data_dir").contains("/from/file"), "{out}");
}

#[test]
fn a_typo_or_a_bad_value_in_the_file_stops_with_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (text, words) in [
        (
            "data_dir = \"/x\"\ndatabse_url = \"postgres://a@b/c\"\n",
            "databse_url",
        ),
        ("log_format = \"yaml\"\n", "log_format"),
        (
            "[serve]\ntrusted_proxy = [\"10.0.0.0/99\"]\n",
            "trusted_proxy",
        ),
        ("data_dir = [\n", "not valid"),
    ] {
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, text).expect("write");
        let o = server(
            &[
                "--config",
                &file.display().to_string(),
                "serve",
                "--listen",
                "127.0.0.1:0",
            ],
            &[],
        );
        assert!(!o.status.success(), "{text:?} was accepted");
        let said = String::from_utf8_lossy(&o.stderr);
        assert!(
            said.contains(words) && said.contains("bad.toml"),
            "{text:?}: {said}"
        );
    }
    let o = server(
        &["--config", "/nonexistent/server.toml", "config", "check"],
        &[],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read the configuration file"));
}

#[test]
fn serve_takes_its_address_and_data_directory_from_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let data = dir.path().join("data");
    let file = dir.path().join("server.toml");
    std::fs::write(
        &file,
        format!(
            "data_dir = \"{}\"\n[serve]\nlisten = \"127.0.0.1:{port}\"\n",
            data.display()
        ),
    )
    .expect("write");
    let mut child = Command::new(BIN)
        .env_remove("SHIFTLOG_SERVER_DATA")
        .args(["--config", &file.display().to_string(), "serve"])
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(30);
    let up = loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(up, "not listening on the file's address");
    assert!(
        data.join("server.db").exists(),
        "not in the file's data_dir"
    );
}
