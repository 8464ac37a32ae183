//! The server's settings from a TOML file, beneath flags and environment variables.
//!
//! One order of precedence, for every setting: a command-line flag, then its environment
//! variable (`SHIFTLOG_…`), then the file given by `--config` / `SHIFTLOG_CONFIG`, then the
//! built-in default. clap already orders flag > environment > default; a value clap took from
//! its default is replaced by the file's. `shiftlog-server config check` prints each setting
//! with where it came from (secrets masked). Unknown keys in the file are an error, so a typo
//! never silently falls back to a default.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::ArgMatches;
use clap::ValueEnum;
use serde::Deserialize;

use crate::{Cli, Command};

/// The file's shape: the global settings, and `[serve]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    database_schema: Option<String>,
    log_format: Option<String>,
    log: Option<String>,
    #[serde(default)]
    serve: ServeFile,
}

/// `[serve]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeFile {
    listen: Option<String>,
    trusted_proxy: Option<Vec<String>>,
    metrics_token: Option<String>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    public_url: Option<String>,
}

/// Reads and parses the file; the error names the file and the line.
pub fn read(path: &Path) -> Result<FileConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the configuration file {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        format!(
            "the configuration file {} is not valid: {e}(settings: data_dir, database_url, database_schema, log_format, log, and under [serve]: listen, trusted_proxy, metrics_token, tls_cert, tls_key, public_url)",
            path.display()
        )
    })
}

/// Where one setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// An environment variable.
    Env(&'static str),
    /// The configuration file.
    File,
    /// The built-in default (or unset).
    Default,
}

impl Source {
    fn of(m: &ArgMatches, id: &str, env: &'static str) -> Source {
        match m.value_source(id) {
            Some(ValueSource::CommandLine) => Source::Flag,
            Some(ValueSource::EnvVariable) => Source::Env(env),
            _ => Source::Default,
        }
    }

    /// Words for `config check`.
    pub fn words(&self, file: Option<&Path>) -> String {
        match self {
            Source::Flag => "command line".into(),
            Source::Env(v) => format!("environment ({v})"),
            Source::File => format!(
                "file ({})",
                file.map(|f| f.display().to_string()).unwrap_or_default()
            ),
            Source::Default => "default".into(),
        }
    }
}

/// Each setting's name and where its value came from.
pub type Sources = Vec<(&'static str, Source)>;

/// Fills every setting that clap left at its default from the file, and says where each
/// came from, with the (name, value) of each one taken from the file.
pub fn merge(
    top: &ArgMatches,
    serve: Option<&ArgMatches>,
    file: &FileConfig,
) -> (Sources, Vec<(&'static str, String)>) {
    let mut out = Vec::new();
    let mut taken = Vec::new();
    let mut one =
        |m: &ArgMatches, name: &'static str, env: &'static str, from_file: Option<FileValue>| {
            let mut source = Source::of(m, name, env);
            if source == Source::Default {
                if let Some(v) = from_file {
                    taken.push((name, v.text()));
                    source = Source::File;
                }
            }
            out.push((name, source));
        };
    let text = |v: &Option<String>| v.clone().map(FileValue::Text);
    one(
        top,
        "data_dir",
        "SHIFTLOG_SERVER_DATA",
        file.data_dir.clone().map(FileValue::Path),
    );
    one(
        top,
        "database_url",
        "SHIFTLOG_DATABASE_URL",
        text(&file.database_url),
    );
    one(
        top,
        "database_schema",
        "SHIFTLOG_DATABASE_SCHEMA",
        text(&file.database_schema),
    );
    one(
        top,
        "log_format",
        "SHIFTLOG_LOG_FORMAT",
        text(&file.log_format),
    );
    one(top, "log", "SHIFTLOG_LOG", text(&file.log));
    if let Some(s) = serve {
        one(s, "listen", "", text(&file.serve.listen));
        one(
            s,
            "trusted_proxy",
            "SHIFTLOG_TRUSTED_PROXY",
            file.serve.trusted_proxy.clone().map(FileValue::List),
        );
        one(
            s,
            "metrics_token",
            "SHIFTLOG_METRICS_TOKEN",
            text(&file.serve.metrics_token),
        );
        for (name, env, v) in serve_files(file) {
            one(s, name, env, v);
        }
    }
    (out, taken)
}

/// A value read from the file.
pub enum FileValue {
    /// A string.
    Text(String),
    /// A path.
    Path(PathBuf),
    /// A list of strings.
    List(Vec<String>),
}

impl FileValue {
    /// As one string (a list joined by commas).
    pub fn text(self) -> String {
        match self {
            FileValue::Text(s) => s,
            FileValue::Path(p) => p.display().to_string(),
            FileValue::List(l) => l.join(","),
        }
    }
}

/// A database URL with its password hidden.
pub fn mask_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:****{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Takes from the configuration file every setting that no flag or variable gave.
pub fn apply(cli: &mut Cli, m: &clap::ArgMatches) -> Result<Vec<(&'static str, Source)>, String> {
    let file = match &cli.config {
        Some(p) => read(p)?,
        None => FileConfig::default(),
    };
    let (sources, taken) = merge(m, m.subcommand_matches("serve"), &file);
    let path = cli
        .config
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let bad = |name: &str, e: String| format!("{name} in the configuration file {path}: {e}");
    for (name, v) in taken {
        match (name, &mut cli.command) {
            ("data_dir", _) => cli.data_dir = PathBuf::from(v),
            ("database_url", _) => cli.database_url = Some(v),
            ("database_schema", _) => cli.database_schema = Some(v),
            ("log_format", _) => {
                cli.log_format = shiftlog_server::observe::LogFormat::from_str(&v, true)
                    .map_err(|e| bad(name, e))?
            }
            ("log", _) => cli.log = v,
            ("listen", Command::Serve { listen, .. }) => *listen = v,
            ("trusted_proxy", Command::Serve { trusted_proxy, .. }) => {
                *trusted_proxy = v
                    .split(',')
                    .map(|c| {
                        c.trim()
                            .parse::<shiftlog_server::limits::Cidr>()
                            .map_err(|e| bad(name, e.to_string()))
                    })
                    .collect::<Result<_, _>>()?
            }
            ("metrics_token", Command::Serve { metrics_token, .. }) => *metrics_token = Some(v),
            ("tls_cert", Command::Serve { tls_cert, .. }) => *tls_cert = Some(PathBuf::from(v)),
            ("tls_key", Command::Serve { tls_key, .. }) => *tls_key = Some(PathBuf::from(v)),
            ("public_url", Command::Serve { public_url, .. }) => *public_url = Some(v),
            _ => {}
        }
    }
    Ok(sources)
}

/// `config check`.
pub fn check(cli: &Cli, sources: &[(&'static str, Source)]) -> ExitCode {
    let source = |name: &str| {
        sources
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.words(cli.config.as_deref()))
            .unwrap_or_default()
    };
    println!(
        "configuration file: {}",
        cli.config
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(none)".into())
    );
    let rows = [
        ("data_dir", cli.data_dir.display().to_string()),
        (
            "database_url",
            cli.database_url
                .as_deref()
                .map(mask_url)
                .unwrap_or_else(|| "(not set: SQLite in data_dir)".into()),
        ),
        (
            "database_schema",
            cli.database_schema
                .clone()
                .unwrap_or_else(|| "(not set)".into()),
        ),
        ("log_format", format!("{:?}", cli.log_format).to_lowercase()),
        ("log", cli.log.clone()),
    ];
    for (name, value) in rows {
        println!("{name} = {value}    # {}", source(name));
    }
    if !check_serve(cli) {
        return ExitCode::FAILURE;
    }
    let ok = cli.database_url.is_some() || cli.database_schema.is_none();
    if !ok {
        eprintln!("shiftlog-server: database_schema is set but database_url is not: it is only used with PostgreSQL");
        return ExitCode::FAILURE;
    }
    println!("ok");
    ExitCode::SUCCESS
}

/// `[serve]` settings given as files or URLs (TLS and the public URL), with their variables.
fn serve_files(file: &FileConfig) -> [(&'static str, &'static str, Option<FileValue>); 3] {
    [
        (
            "tls_cert",
            "SHIFTLOG_TLS_CERT",
            file.serve.tls_cert.clone().map(FileValue::Path),
        ),
        (
            "tls_key",
            "SHIFTLOG_TLS_KEY",
            file.serve.tls_key.clone().map(FileValue::Path),
        ),
        (
            "public_url",
            "SHIFTLOG_PUBLIC_URL",
            file.serve.public_url.clone().map(FileValue::Text),
        ),
    ]
}

/// `config check` for the TLS files and the public URL that `serve` would use (variable,
/// else file): prints them and checks that the files load. False when they do not.
fn check_serve(cli: &Cli) -> bool {
    let file = cli
        .config
        .as_deref()
        .and_then(|p| read(p).ok())
        .unwrap_or_default();
    let mut values = Vec::new();
    for (name, env, from_file) in serve_files(&file) {
        let (value, source) = match (std::env::var(env).ok().filter(|v| !v.is_empty()), from_file) {
            (Some(v), _) => (Some(v), Source::Env(env)),
            (None, Some(v)) => (Some(v.text()), Source::File),
            (None, None) => (None, Source::Default),
        };
        println!(
            "serve.{name} = {}    # {}",
            value.as_deref().unwrap_or("(not set)"),
            source.words(cli.config.as_deref())
        );
        values.push(value);
    }
    let path = |i: usize| values[i].as_deref().map(Path::new);
    let tls = shiftlog_server::tls::Tls::from_settings(path(0), path(1));
    let url = values[2]
        .as_deref()
        .map(shiftlog_server::public_url)
        .transpose();
    match (tls, url) {
        (Err(e), _) => eprintln!("shiftlog-server: {e}"),
        (_, Err(e)) => eprintln!("shiftlog-server: {e}"),
        (Ok(tls), Ok(_)) => {
            if let Some(tls) = tls {
                println!(
                    "serve.tls certificate SHA-256 fingerprint: {}",
                    tls.fingerprint()
                );
            }
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            mask_url("postgres://app:s3cret@db:5432/shiftlog"),
            "postgres://app:****@db:5432/shiftlog"
        );
        assert_eq!(mask_url("postgres://root@db/x"), "postgres://root@db/x");
        assert_eq!(mask_url("not a url"), "not a url");
    }

    #[test]
    fn unknown_keys_are_refused_with_the_file_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("server.toml");
        std::fs::write(
            &p,
            "data_dir = \"/x\"\ndatabse_url = \"postgres://a@b/c\"\n",
        )
        .expect("write");
        let e = read(&p).expect_err("typo");
        assert!(
            e.contains("server.toml") && e.contains("databse_url"),
            "{e}"
        );
        assert!(e.contains("line 2"), "{e}");
    }
}
