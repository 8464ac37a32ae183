//! `shiftlog-server backup` and `restore`: thin over the SQLite backend's backup room. A
//! PostgreSQL deployment uses pg_dump and pg_restore (docs/backups.md says how).

use std::path::Path;

use shiftlog_server_sqlite::backup::{self, BackupInfo};

const POSTGRES: &str = "this server runs on PostgreSQL: back it up with pg_dump and bring it back with pg_restore (docs/backups.md)";

fn describe(info: &BackupInfo) -> String {
    format!(
        "{} records, {} organizations, schema {}, {} bytes",
        info.records, info.organizations, info.schema, info.bytes
    )
}

/// `backup --to FILE`.
pub fn backup(
    data_dir: &Path,
    on_postgres: bool,
    to: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    if on_postgres {
        return Err(POSTGRES.into());
    }
    let info = backup::backup(data_dir, to)?;
    println!("backed up to {}: {}", to.display(), describe(&info));
    Ok(())
}

/// `restore --from FILE`.
pub fn restore(
    data_dir: &Path,
    on_postgres: bool,
    from: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    if on_postgres {
        return Err(POSTGRES.into());
    }
    let (info, aside) = backup::restore(from, data_dir)?;
    println!(
        "restored {} into {}: {}",
        from.display(),
        data_dir.display(),
        describe(&info)
    );
    if let Some(aside) = aside {
        println!("the database that was there is kept as {}", aside.display());
    }
    Ok(())
}
