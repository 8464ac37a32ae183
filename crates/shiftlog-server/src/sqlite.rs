//! The SQLite backend, the server's default: one file in the data directory.

use std::path::Path;
use std::sync::Mutex;

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};
use shiftlog_wire::{RecordEnvelope, RecordResult, RecordStatus};
use uuid::Uuid;

use crate::storage::{DeviceAuth, ExportRow, Redeemed, Storage, StorageError};

/// Numbered migrations for the SQLite backend; entry n upgrades user_version n to n + 1.
pub const MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/0001_init.sql")];

/// Pragmas, in one place: WAL so exports never block ingest; synchronous=FULL so a record
/// the server confirmed survives a crash or power loss; foreign keys on.
const PRAGMAS: &str = "PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
PRAGMA foreign_keys=ON;
PRAGMA busy_timeout=5000;";

/// SQLite storage.
pub struct SqliteStorage {
    conn: Mutex<Connection>,
}

impl SqliteStorage {
    /// Opens or creates `server.db` in `data_dir`, migrating it.
    pub fn open(data_dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(data_dir)?;
        let conn = Connection::open(data_dir.join("server.db"))?;
        conn.execute_batch(PRAGMAS)?;
        let have: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if have as usize > MIGRATIONS.len() {
            return Err(StorageError::TooNew {
                found: have,
                supported: MIGRATIONS.len() as u32,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(have as usize) {
            let tx = conn.unchecked_transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as u32)?;
            tx.commit()?;
        }
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Storage for SqliteStorage {
    fn ensure_organization(&self, id: &str, name: &str) -> Result<bool, StorageError> {
        let n = self.conn().execute(
            "INSERT INTO organizations (id, name, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(id) DO NOTHING",
            params![id, name, Utc::now().to_rfc3339()],
        )?;
        Ok(n == 1)
    }

    fn add_enrollment_code(
        &self,
        org_id: &str,
        code_hash: &str,
        expires_at: chrono::DateTime<Utc>,
    ) -> Result<(), StorageError> {
        self.conn().execute(
            "INSERT INTO enrollment_codes (code_hash, org_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                code_hash,
                org_id,
                Utc::now().to_rfc3339(),
                expires_at.to_rfc3339()
            ],
        )?;
        Ok(())
    }

    fn redeem_code(
        &self,
        code_hash: &str,
        device_id: Uuid,
        device_name: &str,
        token_hash: &str,
    ) -> Result<Redeemed, StorageError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = Utc::now();
        let row: Option<(String, String, Option<String>, String)> = tx
            .query_row(
                "SELECT c.org_id, c.expires_at, c.used_at, o.name FROM enrollment_codes c
                 JOIN organizations o ON o.id = c.org_id WHERE c.code_hash = ?1",
                [code_hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((org_id, expires_at, used_at, org_name)) = row else {
            return Ok(Redeemed::Invalid);
        };
        let expired = chrono::DateTime::parse_from_rfc3339(&expires_at)
            .map(|t| t < now)
            .unwrap_or(true);
        if used_at.is_some() || expired {
            return Ok(Redeemed::Invalid);
        }
        tx.execute(
            "UPDATE enrollment_codes SET used_at = ?2 WHERE code_hash = ?1",
            params![code_hash, now.to_rfc3339()],
        )?;
        tx.execute(
            "INSERT INTO devices (id, org_id, token_hash, name, enrolled_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                device_id.to_string(),
                org_id,
                token_hash,
                device_name,
                now.to_rfc3339()
            ],
        )?;
        tx.commit()?;
        Ok(Redeemed::Enrolled { org_id, org_name })
    }

    fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceAuth>, StorageError> {
        let row: Option<(String, String, Option<String>)> = self
            .conn()
            .query_row(
                "SELECT id, org_id, revoked_at FROM devices WHERE token_hash = ?1",
                [token_hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(id, org_id, revoked)| {
            Ok(DeviceAuth {
                device_id: Uuid::parse_str(&id)
                    .map_err(|e| StorageError::Corrupt(e.to_string()))?,
                org_id,
                revoked: revoked.is_some(),
            })
        })
        .transpose()
    }

    fn revoke_device(&self, device_id: Uuid) -> Result<(), StorageError> {
        let n = self.conn().execute(
            "UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![device_id.to_string(), Utc::now().to_rfc3339()],
        )?;
        if n == 0 {
            return Err(StorageError::NotFound(format!("device {device_id}")));
        }
        Ok(())
    }

    fn add_staff_token(
        &self,
        org_id: &str,
        token_hash: &str,
        label: &str,
    ) -> Result<(), StorageError> {
        self.conn().execute(
            "INSERT INTO staff_tokens (token_hash, org_id, label, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, org_id, label, Utc::now().to_rfc3339()],
        )?;
        Ok(())
    }

    fn staff_org(&self, token_hash: &str) -> Result<Option<String>, StorageError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT org_id FROM staff_tokens WHERE token_hash = ?1",
                [token_hash],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn ingest(
        &self,
        device: &DeviceAuth,
        records: &[RecordEnvelope],
    ) -> Result<Vec<RecordResult>, StorageError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = Utc::now().to_rfc3339();
        let mut results = Vec::with_capacity(records.len());
        {
            let mut existing =
                tx.prepare_cached("SELECT org_id, version FROM activities WHERE id = ?1")?;
            let mut upsert = tx.prepare_cached(
                "INSERT INTO activities (id, org_id, device_id, version, kind, occurred_at,
                     occurred_utc_ms, recorded_at, received_at, deleted, body, unknown)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT(id) DO UPDATE SET version = excluded.version, kind = excluded.kind,
                     occurred_at = excluded.occurred_at, occurred_utc_ms = excluded.occurred_utc_ms,
                     recorded_at = excluded.recorded_at, received_at = excluded.received_at,
                     deleted = excluded.deleted, body = excluded.body, unknown = excluded.unknown,
                     device_id = excluded.device_id",
            )?;
            for rec in records {
                let id = rec.id.to_string();
                let have: Option<(String, u32)> = existing
                    .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let status = match have {
                    Some((org, _)) if org != device.org_id => {
                        results.push(RecordResult {
                            id: rec.id,
                            version: rec.version,
                            status: RecordStatus::Rejected,
                            reason: Some("This record id is already used. Edit the record and send it again.".into()),
                        });
                        continue;
                    }
                    Some((_, v)) if v >= rec.version => RecordStatus::AlreadyHad,
                    _ => RecordStatus::Accepted,
                };
                if status == RecordStatus::Accepted {
                    let unknown = (!rec.unknown.is_empty())
                        .then(|| serde_json::Value::Object(rec.unknown.clone()).to_string());
                    upsert.execute(params![
                        id,
                        device.org_id,
                        device.device_id.to_string(),
                        rec.version,
                        rec.kind,
                        rec.occurred_at.to_rfc3339(),
                        rec.occurred_at.timestamp_millis(),
                        rec.recorded_at.to_rfc3339(),
                        now,
                        rec.deleted,
                        rec.body.to_string(),
                        unknown,
                    ])?;
                }
                results.push(RecordResult {
                    id: rec.id,
                    version: rec.version,
                    status,
                    reason: None,
                });
            }
        }
        tx.commit()?;
        Ok(results)
    }

    fn export_activities(
        &self,
        org_id: &str,
        each: &mut dyn FnMut(ExportRow) -> Result<(), StorageError>,
    ) -> Result<(), StorageError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, kind, occurred_at, recorded_at, received_at, version, device_id, body
             FROM activities WHERE org_id = ?1 AND deleted = 0
             ORDER BY occurred_utc_ms, id",
        )?;
        let mut rows = stmt.query([org_id])?;
        while let Some(r) = rows.next()? {
            each(ExportRow {
                id: r.get(0)?,
                kind: r.get(1)?,
                occurred_at: r.get(2)?,
                recorded_at: r.get(3)?,
                received_at: r.get(4)?,
                version: r.get(5)?,
                device_id: r.get(6)?,
                body: r.get(7)?,
            })?;
        }
        Ok(())
    }

    fn count_activities(&self, org_id: &str) -> Result<u64, StorageError> {
        Ok(self.conn().query_row(
            "SELECT COUNT(*) FROM activities WHERE org_id = ?1",
            [org_id],
            |r| r.get(0),
        )?)
    }
}
