//! Deliberate violations: each check must see them, so a check that has gone blind fails.

use crate::lexer::{lex, test_only_lines, Tok};
use crate::scan::{crate_mentions, io_uses, sql_in_source};
use crate::workspace::{
    dependency_violations, files_under, is_test_path, read, root, sql_allowed, sql_file_allowed,
    Dep, DepKind, Package,
};
use crate::{RULES, SQL_HOMES};

fn fake_packages() -> Vec<Package> {
    let dep = |name: &str| Dep {
        name: name.into(),
        kind: DepKind::Normal,
    };
    let package = |name: &str, dir: &str, deps: Vec<Dep>| Package {
        name: name.into(),
        dir: dir.into(),
        deps,
    };
    vec![
        package("shiftlog-wire", "crates/shiftlog-wire", vec![dep("serde")]),
        package(
            "shiftlog-model",
            "crates/shiftlog-model",
            vec![dep("shiftlog-wire")],
        ),
        package(
            "shiftlog-statement",
            "crates/shiftlog-statement",
            vec![dep("shiftlog-model"), dep("ed25519-dalek")],
        ),
        package(
            "shiftlog-core",
            "crates/shiftlog-core",
            vec![dep("shiftlog-model"), dep("rusqlite")],
        ),
        package(
            "shiftlog-server-db",
            "crates/shiftlog-server-db",
            vec![dep("shiftlog-model")],
        ),
        package(
            "shiftlog-server",
            "crates/shiftlog-server",
            vec![dep("shiftlog-server-db"), dep("axum")],
        ),
        package(
            "shiftlog-server-sqlite",
            "crates/shiftlog-server-sqlite",
            vec![dep("shiftlog-server-db"), dep("rusqlite")],
        ),
        package(
            "shiftlog-server-postgres",
            "crates/shiftlog-server-postgres",
            vec![dep("shiftlog-server-db"), dep("postgres")],
        ),
        package(
            "shiftlog-cli",
            "crates/shiftlog-cli",
            vec![dep("shiftlog-core"), dep("clap")],
        ),
        package(
            "shiftlog-app",
            "src-tauri",
            vec![dep("shiftlog-core"), dep("tauri")],
        ),
        package(
            "shiftlog-system-tests",
            "tests",
            vec![
                dep("shiftlog-core"),
                dep("shiftlog-server"),
                dep("rusqlite"),
            ],
        ),
    ]
}

fn with_dep(mut packages: Vec<Package>, package: &str, dep: &str, kind: DepKind) -> Vec<Package> {
    for p in &mut packages {
        if p.name == package {
            p.deps.push(Dep {
                name: dep.into(),
                kind,
            });
        }
    }
    packages
}

#[test]
fn checker_accepts_a_clean_graph_and_the_real_one_has_a_rule_per_crate() {
    assert_eq!(
        dependency_violations(&fake_packages(), RULES),
        Vec::<String>::new()
    );
    // A new crate without a rule is itself a violation.
    let mut packages = fake_packages();
    packages.push(Package {
        name: "shiftlog-new".into(),
        dir: "crates/shiftlog-new".into(),
        deps: vec![],
    });
    let problems = dependency_violations(&packages, RULES);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("shiftlog-new has no rule"),
        "{problems:?}"
    );
}

#[test]
fn checker_sees_a_forbidden_direct_dependency() {
    let problems = dependency_violations(
        &with_dep(fake_packages(), "shiftlog-cli", "axum", DepKind::Normal),
        RULES,
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("shiftlog-cli depends on axum"),
        "{problems:?}"
    );
    assert!(
        problems[0].contains("crates/shiftlog-cli/Cargo.toml"),
        "{problems:?}"
    );

    let problems = dependency_violations(
        &with_dep(fake_packages(), "shiftlog-cli", "rusqlite", DepKind::Build),
        RULES,
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("shiftlog-cli depends on rusqlite directly"),
        "{problems:?}"
    );

    let problems = dependency_violations(
        &with_dep(fake_packages(), "shiftlog-model", "tokio", DepKind::Normal),
        RULES,
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("shiftlog-model depends on tokio")),
        "{problems:?}"
    );
}

#[test]
fn checker_sees_a_forbidden_dependency_through_another_crate() {
    let packages = with_dep(
        fake_packages(),
        "shiftlog-server-db",
        "shiftlog-core",
        DepKind::Normal,
    );
    let problems = dependency_violations(&packages, RULES);
    assert!(
        problems
            .iter()
            .any(|p| p
                .contains("shiftlog-server depends on shiftlog-core (through shiftlog-server-db)")),
        "{problems:?}"
    );
    // The CLI may reach SQLite through the core, but not axum through the server.
    let packages = with_dep(
        fake_packages(),
        "shiftlog-cli",
        "shiftlog-server",
        DepKind::Normal,
    );
    let problems = dependency_violations(&packages, RULES);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("shiftlog-cli depends on axum (through shiftlog-server)"),
        "{problems:?}"
    );
}

#[test]
fn checker_sees_a_workspace_crate_outside_the_allowed_list() {
    let packages = with_dep(
        fake_packages(),
        "shiftlog-wire",
        "shiftlog-model",
        DepKind::Normal,
    );
    let problems = dependency_violations(&packages, RULES);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("shiftlog-wire depends on shiftlog-model")),
        "{problems:?}"
    );
    let packages = with_dep(
        fake_packages(),
        "shiftlog-model",
        "shiftlog-server-db",
        DepKind::Normal,
    );
    let problems = dependency_violations(&packages, RULES);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("shiftlog-model depends on shiftlog-server-db")),
        "{problems:?}"
    );
}

#[test]
fn checker_ignores_dev_dependencies() {
    let packages = with_dep(
        fake_packages(),
        "shiftlog-server",
        "shiftlog-core",
        DepKind::Dev,
    );
    let packages = with_dep(
        packages,
        "shiftlog-cli",
        "shiftlog-system-tests",
        DepKind::Dev,
    );
    assert_eq!(
        dependency_violations(&packages, RULES),
        Vec::<String>::new()
    );
    let packages = with_dep(
        fake_packages(),
        "shiftlog-cli",
        "shiftlog-system-tests",
        DepKind::Normal,
    );
    let problems = dependency_violations(&packages, RULES);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("which is for tests only")),
        "{problems:?}"
    );
}

#[test]
fn checker_sees_sql_in_literals() {
    let src = r####"
// SELECT a FROM b in a comment is fine
/* so is INSERT INTO x /* nested */ DELETE FROM y */
const A: &str = "SELECT id, body FROM records WHERE org_id = ?1";
fn f() {
    let c = '"'; let _l: &'static str = "no sql here";
    conn.execute(r#"INSERT INTO "records" (id) VALUES (?1)"#, [])?;
    let s = "UPDATE records \
             SET body = ?2";
    let t = concat!("SELECT id, kind ", "FROM records");
    let p = "PRAGMA user_version";
    let q = b"DELETE FROM devices";
    let u = "CREATE UNIQUE INDEX IF NOT EXISTS i ON t (a)";
    let v = "Select a kind from the list, then update the set and delete from your notes";
    let w = ["DELETE", "UPDATE", "SELECT"];
}
#[cfg(test)]
mod tests {
    const T: &str = "DELETE FROM records";
}
"####;
    let found = sql_in_source(src);
    let lines: Vec<usize> = found.iter().map(|f| f.0).collect();
    assert_eq!(lines, vec![4, 7, 8, 10, 11, 12, 13], "{found:?}");
    assert!(found[2].1.starts_with("UPDATE records"), "{found:?}");
    assert!(sql_allowed("crates/shiftlog-server-db/src/sql/records.rs"));
    assert!(sql_allowed("crates/shiftlog-core/src/store.rs"));
    assert!(sql_allowed("crates/shiftlog-server/tests/attacks.rs"));
    assert!(sql_allowed("crates/shiftlog-server/benches/server/raw.rs"));
    assert!(!sql_allowed("crates/shiftlog-server/src/ingest.rs"));
    assert!(!sql_allowed("crates/shiftlog-core/benches_helper.rs"));
    assert!(!sql_allowed("src-tauri/src/lib.rs"));
    assert!(sql_file_allowed(
        "crates/shiftlog-server-sqlite/migrations/0001_init.sql"
    ));
    assert!(sql_file_allowed(
        "crates/shiftlog-core/tests/schemas/v1.sql"
    ));
    assert!(!sql_file_allowed("crates/shiftlog-server/schema.sql"));
}

#[test]
fn checker_reads_every_real_file_and_sees_the_real_sql() {
    // A lexer that misread a literal or a comment would lose track of the braces.
    let root = root();
    let mut unbalanced = Vec::new();
    for file in files_under(&root, "", &["rs"]) {
        let (mut open, mut close) = (0, 0);
        for (_, tok) in lex(&read(&root, &file)) {
            match tok {
                Tok::Punct('{') => open += 1,
                Tok::Punct('}') => close += 1,
                _ => {}
            }
        }
        if open != close {
            unbalanced.push(format!("{file}: {open} {{ but {close} }}"));
        }
    }
    assert!(
        unbalanced.is_empty(),
        "the tidy lexer misread: {unbalanced:?}"
    );
    // The storage crates hold SQL; if the detector saw none there, it would be blind.
    let seen: usize = SQL_HOMES
        .iter()
        .map(|home| {
            files_under(&root, home, &["rs"])
                .iter()
                .map(|f| sql_in_source(&read(&root, f)).len())
                .sum::<usize>()
        })
        .sum();
    assert!(
        seen >= 50,
        "only {seen} SQL statements seen in the storage crates"
    );
}

#[test]
fn checker_sees_a_crate_named_in_code_only() {
    let src =
        "//! Never rusqlite here.\nuse rusqlite::Connection;\nconst S: &str = \"rusqlite\";\n\
               fn f() -> ::rusqlite::Result<()> { Ok(()) }\nlet rusqlite_ish = 1;\n";
    assert_eq!(crate_mentions(src, "rusqlite"), vec![2, 4]);
    assert!(crate_mentions("use shiftlog_core::Core;", "rusqlite").is_empty());
}

#[test]
fn checker_sees_io_in_the_model() {
    let src = "use std::fs;\nuse std::{collections::BTreeMap, net::TcpStream};\n\
               fn f() { ::std::fs::read(\"x\"); tokio::spawn(async {}); }\nuse std::io::Write;\n\
               #[cfg(test)]\nmod tests { use std::fs::read_to_string; }\n";
    let found: Vec<(usize, String)> = io_uses(src);
    let lines: Vec<usize> = found.iter().map(|f| f.0).collect();
    assert_eq!(lines, vec![1, 2, 3, 3], "{found:?}");
}

#[test]
fn checker_counts_long_files_and_their_tests() {
    let mut src = String::from("fn a() {}\n#[cfg(test)]\nmod tests {\n");
    for _ in 0..10 {
        src.push_str("    #[test] fn t() { let _ = '{'; let _ = \"}\"; }\n");
    }
    src.push_str("}\n");
    assert_eq!(test_only_lines(&src), 13);
    assert!(is_test_path("tests/src/lib.rs"));
    assert!(is_test_path("crates/shiftlog-core/src/records/tests.rs"));
    assert!(is_test_path("ui/tests/logic.test.mjs"));
    assert!(!is_test_path("crates/shiftlog-core/src/sync.rs"));
}
