//! Shell completions and the manual page come from the parser's own command definition, and
//! need no PIN and touch no profile.

use std::process::Command;

fn run(dir: &std::path::Path, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_shiftlog"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("SHIFTLOG_PIN")
        .output()
        .expect("run shiftlog");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).expect("utf8")
}

#[test]
fn completions_and_man_page_list_the_real_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = dir.path().join("profile");
    let bash = run(&profile, &["completions", "bash"]);
    for word in ["enroll", "set-url", "change-pin", "checkin", "--data-dir"] {
        assert!(bash.contains(word), "bash completions lack {word}");
    }
    for shell in ["zsh", "fish"] {
        assert!(
            run(&profile, &["completions", shell]).contains("set-url"),
            "{shell}"
        );
    }
    let man = run(&profile, &["man"]);
    assert!(
        man.contains(".TH shiftlog 1"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("enroll") && man.contains("SHIFTLOG_PIN"));
    assert!(!profile.exists(), "no profile was made");
}
