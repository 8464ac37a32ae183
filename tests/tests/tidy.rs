//! Tidy: the architecture's rules as tests that fail the build (rust-analyzer's `tidy.rs`).
//!
//! Each check reads the repository as it is on disk (manifests through `cargo metadata
//! --no-deps`, sources as text) and prints every offender with what to do about it:
//!
//! 1. crate dependency directions (the codemap in ARCHITECTURE.md), and no I/O in the model;
//! 2. SQL only in the storage crates, the core's own store, migrations, tests and benches;
//! 3. no `rusqlite` in the CLI or the Tauri shell, no `reqwest` in the Tauri shell;
//! 4. no source file outside tests, benches and generated data over 500 lines;
//! 5. a README.md in every crate folder.
//!
//! The rules and the checks are here; `tidy/workspace.rs` reads the packages and files,
//! `tidy/lexer.rs` tells code from comments and literals, `tidy/scan.rs` finds what is looked
//! for. The `checker_*` tests (`tidy/checker.rs`) feed each check a deliberate violation, so a
//! check that has stopped seeing anything fails too. `SHIFTLOG_TIDY_ROOT=<dir>` points the checks at another copy of
//! the tree (to try a violation without touching the shared one).

#[path = "tidy/checker.rs"]
mod checker;
#[path = "tidy/lexer.rs"]
mod lexer;
#[path = "tidy/scan.rs"]
mod scan;
#[path = "tidy/workspace.rs"]
mod workspace;

use lexer::test_only_lines;
use scan::{crate_mentions, io_uses, sql_in_source};
use workspace::{
    dependency_violations, files_under, is_test_path, read, root, sql_allowed, sql_file_allowed,
    workspace_packages,
};

// ---------------------------------------------------------------------------------------------
// The rules

/// What one workspace package may and may not depend on. Dev-dependencies are not checked:
/// a test may pull in anything it needs to drive the crate.
pub struct Rule {
    pub package: &'static str,
    /// The only workspace crates it may depend on (`None`: any not listed in `never`).
    pub only_workspace: Option<&'static [&'static str]>,
    /// Never, neither directly nor through another workspace crate. `name*` matches a prefix.
    pub never: &'static [&'static str],
    /// Never directly: reached only through the workspace crate that owns it (the CLI gets
    /// SQLite through the core).
    pub never_directly: &'static [&'static str],
    /// Why, for the message.
    pub why: &'static str,
}

/// Crates that do I/O; the wire types and the record model use none of them.
const IO_CRATES: &[&str] = &[
    "rusqlite", "postgres", "r2d2*", "reqwest", "tokio*", "axum*", "hyper*",
];

const RULES: &[Rule] = &[
    Rule {
        package: "shiftlog-wire",
        only_workspace: Some(&[]),
        never: IO_CRATES,
        never_directly: &[],
        why: "the wire types are the floor both the device and the server stand on; they use \
              no other workspace crate and do no I/O",
    },
    Rule {
        package: "shiftlog-model",
        only_workspace: Some(&["shiftlog-wire"]),
        never: IO_CRATES,
        never_directly: &[],
        why: "the record model has no I/O, so the device, the server, the CLI and the tests \
              can all share it; it builds only on the wire types",
    },
    Rule {
        package: "shiftlog-statement",
        only_workspace: Some(&["shiftlog-wire", "shiftlog-model"]),
        never: IO_CRATES,
        never_directly: &[],
        why: "a signed work statement is checked the same way on the device, the server and \
              any verifier's machine; it builds only on the record model and does no I/O",
    },
    Rule {
        package: "shiftlog-core",
        only_workspace: None,
        never: &[
            "tauri*",
            "clap*",
            "axum*",
            "shiftlog-server*",
            "shiftlog-cli",
            "shiftlog-app",
        ],
        never_directly: &[],
        why: "the core is the device's one API under every shell; it knows no shell and no \
              server internals (only the wire types)",
    },
    Rule {
        package: "shiftlog-server",
        only_workspace: None,
        never: &["shiftlog-core", "shiftlog-cli", "shiftlog-app", "tauri*"],
        never_directly: &["rusqlite", "postgres", "r2d2*"],
        why: "the server shares only the wire types and the record model with the device, and \
              its SQL and drivers live in the storage backends",
    },
    Rule {
        package: "shiftlog-server-db",
        only_workspace: None,
        never: &["axum*", "rusqlite", "postgres", "r2d2*", "shiftlog-core"],
        never_directly: &[],
        why: "the storage trait and its shared SQL know no HTTP, no driver and not the device",
    },
    Rule {
        package: "shiftlog-server-sqlite",
        only_workspace: None,
        never: &[
            "axum*",
            "postgres",
            "r2d2*",
            "shiftlog-server-postgres",
            "shiftlog-core",
        ],
        never_directly: &[],
        why: "a backend is data access for one driver: no HTTP, not the other backend, not the device",
    },
    Rule {
        package: "shiftlog-server-postgres",
        only_workspace: None,
        never: &[
            "axum*",
            "rusqlite",
            "shiftlog-server-sqlite",
            "shiftlog-core",
        ],
        never_directly: &[],
        why: "a backend is data access for one driver: no HTTP, not the other backend, not the device",
    },
    Rule {
        package: "shiftlog-cli",
        only_workspace: None,
        never: &["axum*", "tauri*"],
        never_directly: &["rusqlite", "reqwest"],
        why: "the CLI is a thin shell: it parses arguments, calls Core and prints; storage and \
              sync go through the core",
    },
    Rule {
        package: "shiftlog-app",
        only_workspace: None,
        never: &["axum*", "clap*"],
        never_directly: &["rusqlite", "reqwest"],
        why: "the Tauri shell registers one-line commands over Core; storage and sync go \
              through the core",
    },
    Rule {
        package: "shiftlog-system-tests",
        only_workspace: None,
        never: &[],
        never_directly: &[],
        why: "system tests may use any crate",
    },
];

/// Crates only tests may use (as a dev-dependency).
pub const TEST_ONLY: &[&str] = &["shiftlog-system-tests"];

/// Where SQL may be written (paths relative to the root, `/`-separated). Tests and benches
/// anywhere are allowed too (see [`is_test_path`]).
pub const SQL_HOMES: &[&str] = &[
    "crates/shiftlog-server-db/",
    "crates/shiftlog-server-sqlite/",
    "crates/shiftlog-server-postgres/",
    // The device store is the core's own data access.
    "crates/shiftlog-core/src/",
];

/// Where `.sql` files may live.
pub const MIGRATION_HOMES: &[&str] = &[
    "crates/shiftlog-core/migrations/",
    "crates/shiftlog-server-sqlite/migrations/",
    "crates/shiftlog-server-postgres/migrations/",
];

/// Crate sources that must not name a crate, with the reason.
const FORBIDDEN_IN_SOURCES: &[(&str, &str, &str)] = &[
    (
        "crates/shiftlog-cli/src/",
        "rusqlite",
        "the CLI reads and writes through Core",
    ),
    (
        "crates/shiftlog-cli/build.rs",
        "rusqlite",
        "the CLI reads and writes through Core",
    ),
    (
        "src-tauri/src/",
        "rusqlite",
        "the Tauri shell reads and writes through Core",
    ),
    (
        "src-tauri/build.rs",
        "rusqlite",
        "the Tauri shell reads and writes through Core",
    ),
    (
        "src-tauri/src/",
        "reqwest",
        "the Tauri shell syncs through Core",
    ),
    (
        "src-tauri/build.rs",
        "reqwest",
        "the Tauri shell syncs through Core",
    ),
];

/// The longest a source file may be (a room one can read in one sitting).
const MAX_LINES: usize = 500;

/// File kinds that count as source for the length rule.
const SOURCE_EXTENSIONS: &[&str] = &["rs", "js", "mjs", "css", "html", "sh"];

/// Generated files, not written by hand (the length rule skips them).
const GENERATED: &[&str] = &["src-tauri/gen/"];

// ---------------------------------------------------------------------------------------------
// The checks on the real tree

#[test]
fn tidy_crate_dependencies() {
    let packages = workspace_packages(&root());
    let problems = dependency_violations(&packages, RULES);
    assert!(
        problems.is_empty(),
        "\n\nThe crate dependency rules of ARCHITECTURE.md are broken:\n\n{}\n\n\
         Remove the dependency (or move the code to the crate that owns it). If the \
         architecture really changed, change the rule in tests/tests/tidy.rs and \
         ARCHITECTURE.md's codemap in the same commit.\n",
        problems.join("\n")
    );
}

#[test]
fn tidy_model_does_no_io() {
    let root = root();
    let mut problems = Vec::new();
    let pure = ["crates/shiftlog-model/src", "crates/shiftlog-statement/src"];
    for file in pure.iter().flat_map(|dir| files_under(&root, dir, &["rs"])) {
        let text = read(&root, &file);
        for (line, what) in io_uses(&text) {
            problems.push(format!(
                "{file}:{line}: uses {what}; the record model has no I/O. Take the data as \
                 an argument and do the I/O in the core or the server."
            ));
        }
    }
    assert!(problems.is_empty(), "\n\n{}\n", problems.join("\n"));
}

#[test]
fn tidy_no_sql_outside_storage() {
    let root = root();
    let mut problems = Vec::new();
    for file in files_under(&root, "", &["rs", "sql"]) {
        if file.ends_with(".sql") {
            if !sql_file_allowed(&file) {
                problems.push(format!(
                    "{file}: SQL file outside the migrations folders; a migration goes in \
                     {} (or a fixture under a tests/ folder)",
                    MIGRATION_HOMES.join(", ")
                ));
            }
            continue;
        }
        if sql_allowed(&file) {
            continue;
        }
        for (line, statement) in sql_in_source(&read(&root, &file)) {
            problems.push(format!("{file}:{line}: SQL `{statement}`"));
        }
    }
    assert!(
        problems.is_empty(),
        "\n\nSQL outside the storage crates:\n\n{}\n\nSQL lives in shiftlog-server-db (shared \
         statements, `sql`), a backend (shiftlog-server-sqlite, shiftlog-server-postgres), the \
         core's store (crates/shiftlog-core/src) or a migration. Add a method to the storage \
         trait or the core and call it instead.\n",
        problems.join("\n")
    );
}

#[test]
fn tidy_no_database_or_http_client_in_shells() {
    let root = root();
    let mut problems = Vec::new();
    for file in files_under(&root, "", &["rs"]) {
        for (prefix, krate, why) in FORBIDDEN_IN_SOURCES {
            if !file.starts_with(prefix) {
                continue;
            }
            for line in crate_mentions(&read(&root, &file), krate) {
                problems.push(format!(
                    "{file}:{line}: uses `{krate}`; {why}. Call a Core method (add one if \
                     needed) instead."
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n\n{}\n", problems.join("\n"));
}

#[test]
fn tidy_files_are_small() {
    let root = root();
    let mut problems = Vec::new();
    for file in files_under(&root, "", SOURCE_EXTENSIONS) {
        if is_test_path(&file) || GENERATED.iter().any(|g| file.starts_with(g)) {
            continue;
        }
        let text = read(&root, &file);
        let lines = text.lines().count();
        if lines > MAX_LINES {
            let tests = if file.ends_with(".rs") {
                test_only_lines(&text)
            } else {
                0
            };
            let note = if tests > 0 {
                format!(" ({tests} of them in #[cfg(test)])")
            } else {
                String::new()
            };
            problems.push((lines, format!("{file}: {lines} lines{note}")));
        }
    }
    problems.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let list: Vec<String> = problems.into_iter().map(|(_, p)| p).collect();
    assert!(
        list.is_empty(),
        "\n\nSource files over {MAX_LINES} lines:\n\n{}\n\nSplit each into a folder of modules, \
         one concern per file (unit tests can move to a `tests.rs` beside them).\n",
        list.join("\n")
    );
}

#[test]
fn tidy_every_crate_has_a_readme() {
    let root = root();
    let mut problems = Vec::new();
    for package in workspace_packages(&root) {
        let readme = root.join(&package.dir).join("README.md");
        let ok = std::fs::read_to_string(&readme)
            .map(|t| !t.trim().is_empty())
            .unwrap_or(false);
        if !ok {
            problems.push(format!(
                "{}/README.md is missing or empty: say in 5-15 lines what {} owns, what it \
                 must never depend on, and where to start reading.",
                package.dir, package.name
            ));
        }
    }
    assert!(problems.is_empty(), "\n\n{}\n", problems.join("\n"));
}
