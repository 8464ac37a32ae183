//! Reading the workspace: its packages (through `cargo metadata`), its files, and the
//! dependency rules applied to the packages.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Rule, MIGRATION_HOMES, SQL_HOMES, TEST_ONLY};

pub fn root() -> PathBuf {
    match std::env::var_os("SHIFTLOG_TIDY_ROOT") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("tests/ sits in the repository root")
            .to_path_buf(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DepKind {
    Normal,
    Build,
    Dev,
}

#[derive(Debug)]
pub struct Dep {
    pub name: String,
    pub kind: DepKind,
}

#[derive(Debug)]
pub struct Package {
    pub name: String,
    /// Folder relative to the root, `/`-separated.
    pub dir: String,
    pub deps: Vec<Dep>,
}

pub fn workspace_packages(root: &Path) -> Vec<Package> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
            "--manifest-path",
        ])
        .arg(root.join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let meta: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let members: BTreeSet<&str> = meta["workspace_members"]
        .as_array()
        .expect("workspace_members")
        .iter()
        .filter_map(|m| m.as_str())
        .collect();
    let root_dir = std::fs::canonicalize(root).expect("root exists");
    let mut packages = Vec::new();
    for p in meta["packages"].as_array().expect("packages") {
        if !p["id"].as_str().is_some_and(|id| members.contains(id)) {
            continue;
        }
        let manifest = PathBuf::from(p["manifest_path"].as_str().expect("manifest_path"));
        let dir = manifest.parent().expect("a manifest is in a folder");
        let dir = std::fs::canonicalize(dir).expect("package folder exists");
        let dir = dir
            .strip_prefix(&root_dir)
            .expect("members are under the root");
        let deps = p["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .map(|d| Dep {
                name: d["name"].as_str().expect("dependency name").to_string(),
                kind: match d["kind"].as_str() {
                    Some("dev") => DepKind::Dev,
                    Some("build") => DepKind::Build,
                    _ => DepKind::Normal,
                },
            })
            .collect();
        packages.push(Package {
            name: p["name"].as_str().expect("package name").to_string(),
            dir: slash(dir),
            deps,
        });
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    packages
}

pub fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    }
}

/// Every broken rule, one actionable line each.
pub fn dependency_violations(packages: &[Package], rules: &[Rule]) -> Vec<String> {
    let by_name: BTreeMap<&str, &Package> = packages.iter().map(|p| (p.name.as_str(), p)).collect();
    let is_member = |name: &str| by_name.contains_key(name);
    let mut problems = Vec::new();

    for p in packages {
        if !rules.iter().any(|r| r.package == p.name) {
            problems.push(format!(
                "{} has no rule: add one to RULES in tests/tests/tidy.rs and a line to \
                 ARCHITECTURE.md's codemap (what it owns, what it must never depend on)",
                p.name
            ));
        }
    }
    for p in packages {
        for dep in p.deps.iter().filter(|d| d.kind != DepKind::Dev) {
            if TEST_ONLY.contains(&dep.name.as_str()) {
                problems.push(format!(
                    "{} depends on {}, which is for tests only: move it to [dev-dependencies] \
                     in {}/Cargo.toml",
                    p.name, dep.name, p.dir
                ));
            }
        }
    }
    for rule in rules {
        let Some(package) = by_name.get(rule.package) else {
            problems.push(format!(
                "tests/tests/tidy.rs has a rule for {}, which is not in the workspace: remove or \
                 rename the rule",
                rule.package
            ));
            continue;
        };
        let manifest = format!("{}/Cargo.toml", package.dir);
        let direct = package.deps.iter().filter(|d| d.kind != DepKind::Dev);

        // Direct dependencies.
        for dep in direct {
            let section = if dep.kind == DepKind::Build {
                "[build-dependencies]"
            } else {
                "[dependencies]"
            };
            if let Some(allowed) = rule.only_workspace {
                if is_member(&dep.name) && !allowed.contains(&dep.name.as_str()) {
                    problems.push(format!(
                        "{} depends on {}: of the workspace it may use only {}; {}. Remove it \
                         from {manifest} {section}.",
                        rule.package,
                        dep.name,
                        if allowed.is_empty() {
                            "none".to_string()
                        } else {
                            allowed.join(", ")
                        },
                        rule.why
                    ));
                }
            }
            if rule.never_directly.iter().any(|n| matches(n, &dep.name)) {
                problems.push(format!(
                    "{} depends on {} directly: {}. Remove it from {manifest} {section}.",
                    rule.package, dep.name, rule.why
                ));
            }
        }

        // Everything reachable through normal and build dependencies of workspace crates,
        // with the first workspace crate it came through.
        let mut via: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut queue = VecDeque::from([(package.name.clone(), Vec::<String>::new())]);
        let mut seen = BTreeSet::from([package.name.clone()]);
        while let Some((name, path)) = queue.pop_front() {
            let Some(current) = by_name.get(name.as_str()) else {
                continue;
            };
            for dep in current.deps.iter().filter(|d| d.kind != DepKind::Dev) {
                via.entry(dep.name.clone()).or_insert_with(|| path.clone());
                if is_member(&dep.name) && seen.insert(dep.name.clone()) {
                    let mut next = path.clone();
                    next.push(dep.name.clone());
                    queue.push_back((dep.name.clone(), next));
                }
            }
        }
        for (dep, path) in &via {
            if !rule.never.iter().any(|n| matches(n, dep)) {
                continue;
            }
            let (how, fix) = if path.is_empty() {
                (String::new(), format!("Remove it from {manifest}."))
            } else {
                (
                    format!(" (through {})", path.join(" -> ")),
                    format!(
                        "Drop {dep} from {}, or {} from {manifest}.",
                        path[path.len() - 1],
                        path[0]
                    ),
                )
            };
            problems.push(format!(
                "{} depends on {dep}{how}: {}. {fix}",
                rule.package, rule.why
            ));
        }
    }
    problems
}

/// Relative `/`-separated paths of the files under `dir` (relative to `root`, "" for all)
/// with one of the extensions, skipping hidden folders, `target` and `node_modules`.
pub fn files_under(root: &Path, dir: &str, extensions: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                    stack.push(entry.path());
                }
            } else if kind.is_file() {
                let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
                if extensions.contains(&ext) {
                    let path = entry.path();
                    let rel = path.strip_prefix(root).expect("walked from the root");
                    out.push(slash(rel));
                }
            }
        }
    }
    out.sort();
    out
}

pub fn slash(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

pub fn read(root: &Path, file: &str) -> String {
    let bytes =
        std::fs::read(root.join(file)).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A test or bench: under a `tests` or `benches` folder, or a `tests.rs` module file.
pub fn is_test_path(file: &str) -> bool {
    let parts: Vec<&str> = file.split('/').collect();
    let (last, folders) = parts.split_last().expect("a path has a file name");
    folders.iter().any(|p| *p == "tests" || *p == "benches") || *last == "tests.rs"
}

pub fn sql_allowed(file: &str) -> bool {
    is_test_path(file) || SQL_HOMES.iter().any(|home| file.starts_with(home))
}

pub fn sql_file_allowed(file: &str) -> bool {
    is_test_path(file) || MIGRATION_HOMES.iter().any(|home| file.starts_with(home))
}
