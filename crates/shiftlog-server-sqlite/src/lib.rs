//! The SQLite backend, the server's default: one file, `server.db`, in the data directory.

use std::path::Path;
use std::sync::Mutex;

use chrono::Utc;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use shiftlog_server_db::{
    sql, AggregateQuery, AggregateRow, AuditEntry, CatalogueEntry, DeviceAuth, DeviceInfo,
    ExportRow, IngestRecord, NewCode, NewDevice, RecordFilter, Redeemed, Role, Session,
    StaffAccount, Storage, StorageError,
};
use shiftlog_wire::{RecordResult, RecordStatus};
use uuid::Uuid;

/// Numbered migrations for the SQLite backend; entry n upgrades user_version n to n + 1.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_workers_staff_summaries.sql"),
    include_str!("../migrations/0003_totals.sql"),
    include_str!("../migrations/0004_changes.sql"),
];

/// Pragmas, in one place: WAL so exports never block ingest; synchronous=FULL so a record
/// the server confirmed survives a crash or power loss; foreign keys on.
const PRAGMAS: &str = "PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
PRAGMA foreign_keys=ON;
PRAGMA busy_timeout=5000;";

/// SQLite storage. One writer connection; exports and summaries share it (SQLite serializes
/// writers anyway, and WAL keeps readers cheap). Pushes that arrive while the connection is
/// busy are committed together (group commit): one fsync for all of them, each answered only
/// after the commit (see `commit_group`).
pub struct SqliteStorage {
    conn: Mutex<Connection>,
    queue: Mutex<Vec<Pending>>,
}

/// A push waiting for the writer.
struct Pending {
    device: DeviceAuth,
    records: Vec<IngestRecord>,
    reply: std::sync::mpsc::SyncSender<Result<Vec<RecordResult>, String>>,
}

fn db(e: rusqlite::Error) -> StorageError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        if f.code == rusqlite::ErrorCode::ConstraintViolation
            && msg.as_deref().unwrap_or("").contains("UNIQUE")
        {
            return StorageError::Conflict(msg.clone().unwrap_or_default());
        }
    }
    StorageError::Backend(e.to_string())
}

/// An enrollment code as read back: org, expiry, used at, org name, worker.
type CodeRow = (String, String, Option<String>, String, Option<String>);

fn ph(n: usize) -> String {
    format!("?{n}")
}

fn uuid(s: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(s).map_err(|e| StorageError::Corrupt(format!("{s}: {e}")))
}

impl SqliteStorage {
    /// Opens or creates `server.db` in `data_dir`, migrating it.
    pub fn open(data_dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(data_dir)?;
        Self::open_file(&data_dir.join("server.db"))
    }

    /// Opens or creates the database file at `path`, migrating it.
    pub fn open_file(path: &Path) -> Result<Self, StorageError> {
        let conn = Connection::open(path).map_err(db)?;
        conn.execute_batch(PRAGMAS).map_err(db)?;
        let have: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db)?;
        if have as usize > MIGRATIONS.len() {
            return Err(StorageError::TooNew {
                found: have,
                supported: MIGRATIONS.len() as u32,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(have as usize) {
            let tx = conn.unchecked_transaction().map_err(db)?;
            tx.execute_batch(sql).map_err(db)?;
            tx.pragma_update(None, "user_version", (i + 1) as u32)
                .map_err(db)?;
            tx.commit().map_err(db)?;
        }
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
            queue: Mutex::new(Vec::new()),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn staff_row(
    r: &rusqlite::Row<'_>,
    at: usize,
) -> rusqlite::Result<(String, String, String, String, String)> {
    Ok((
        r.get(at)?,
        r.get(at + 1)?,
        r.get(at + 2)?,
        r.get(at + 3)?,
        r.get(at + 4)?,
    ))
}

fn staff_account(
    (id, org_id, username, password_hash, role): (String, String, String, String, String),
) -> Result<StaffAccount, StorageError> {
    Ok(StaffAccount {
        id: uuid(&id)?,
        org_id,
        username,
        password_hash,
        role: Role::parse(&role).ok_or_else(|| StorageError::Corrupt(format!("role {role}")))?,
    })
}

/// Stores several pushes in one transaction and answers each after the commit. If any push
/// fails, the whole group is rolled back and each push is stored again on its own, so one bad
/// push cannot affect another. (Not a savepoint per push: SQLite's savepoint bookkeeping cost
/// more than the inserts themselves.)
fn commit_group(conn: &mut Connection, batch: Vec<Pending>) {
    let now = Utc::now().to_rfc3339();
    let together = (|| -> Result<Vec<Vec<RecordResult>>, StorageError> {
        let tx = conn.transaction().map_err(db)?;
        let mut out = Vec::with_capacity(batch.len());
        for p in &batch {
            out.push(ingest_one(&tx, &p.device, &p.records, &now)?);
        }
        tx.commit().map_err(db)?;
        Ok(out)
    })();
    match together {
        Ok(results) => {
            for (p, r) in batch.into_iter().zip(results) {
                let _ = p.reply.send(Ok(r));
            }
        }
        Err(_) if batch.len() > 1 => {
            for p in batch {
                commit_group(conn, vec![p]);
            }
        }
        Err(e) => {
            for p in batch {
                let _ = p.reply.send(Err(e.to_string()));
            }
        }
    }
}

/// One push, inside the caller's transaction.
fn ingest_one(
    conn: &Connection,
    device: &DeviceAuth,
    records: &[IngestRecord],
    now: &str,
) -> Result<Vec<RecordResult>, StorageError> {
    let device_id = device.device_id.to_string();
    let worker_id = device.worker_id.to_string();
    let mut results = Vec::with_capacity(records.len());
    {
        let mut insert = conn.prepare_cached(&sql::insert_record(ph)).map_err(db)?;
        let mut update = conn.prepare_cached(&sql::update_record(ph)).map_err(db)?;
        let mut existing = conn
            .prepare_cached("SELECT org_id, version, worker_id, hlc FROM records WHERE id = ?1")
            .map_err(db)?;
        let mut change = conn
            .prepare_cached(
                "INSERT INTO record_changes (record_id, org_id, worker_id) VALUES (?1, ?2, ?3)",
            )
            .map_err(db)?;
        let mut unchange = conn
            .prepare_cached("DELETE FROM record_changes WHERE record_id = ?1")
            .map_err(db)?;
        let mut clear_items = conn
            .prepare_cached("DELETE FROM record_items WHERE record_id = ?1")
            .map_err(db)?;
        let mut add_item = conn
                .prepare_cached(
                    "INSERT INTO record_items (record_id, org_id, item, quantity) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(db)?;
        for IngestRecord {
            envelope: rec,
            facts: f,
        } in records
        {
            let id = rec.id.to_string();
            let unknown = (!rec.unknown.is_empty())
                .then(|| serde_json::Value::Object(rec.unknown.clone()).to_string());
            let values = params![
                id,
                device.org_id,
                device_id,
                rec.version,
                rec.kind,
                rec.occurred_at.to_rfc3339(),
                rec.occurred_at.timestamp_millis(),
                rec.recorded_at.to_rfc3339(),
                now,
                rec.deleted,
                rec.body.to_string(),
                unknown,
                rec.record_type,
                worker_id,
                f.day,
                f.week,
                f.month,
                f.area,
                f.role,
                f.on_shift,
                f.minutes,
                f.people_reached,
                f.naloxone_doses,
                f.nav_task,
                f.nav_outcome,
                f.pay_type,
                f.shift_minutes,
                rec.hlc,
            ];
            // Insert first: a new record (the common case) costs one statement.
            let status = if insert.execute(values).map_err(db)? == 1 {
                RecordStatus::Accepted
            } else {
                let (org, have, worker, have_hlc): (String, i64, Option<String>, Option<String>) =
                    existing
                        .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                        .map_err(db)?;
                // Only the worker who made a record may change it, from any of their devices.
                if org != device.org_id || worker.as_deref().is_some_and(|w| w != worker_id) {
                    results.push(RecordResult::rejected(
                        rec.id,
                        rec.version,
                        "id_taken",
                        "This record id is already used. Edit the record and send it again."
                            .into(),
                    ));
                    continue;
                }
                if !shiftlog_server_db::supersedes(
                    rec.hlc.as_deref(),
                    i64::from(rec.version),
                    have_hlc.as_deref(),
                    have,
                ) {
                    RecordStatus::AlreadyHad
                } else {
                    // Old items first, while the record still has its old day and area.
                    clear_items.execute([&id]).map_err(db)?;
                    update.execute(values).map_err(db)?;
                    RecordStatus::Accepted
                }
            };
            if status == RecordStatus::Accepted {
                // A new number in the change log (delete and insert: AUTOINCREMENT only ever
                // hands out higher numbers).
                unchange.execute([&id]).map_err(db)?;
                change
                    .execute(params![id, device.org_id, worker_id])
                    .map_err(db)?;
                for (item, q) in &f.items {
                    add_item
                        .execute(params![id, device.org_id, item, q])
                        .map_err(db)?;
                }
            }
            results.push(RecordResult::plain(rec.id, rec.version, status));
        }
    }
    Ok(results)
}

impl Storage for SqliteStorage {
    fn ensure_organization(&self, id: &str, name: &str) -> Result<bool, StorageError> {
        let n = self
            .conn()
            .execute(
                "INSERT INTO organizations (id, name, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(id) DO NOTHING",
                params![id, name, Utc::now().to_rfc3339()],
            )
            .map_err(db)?;
        Ok(n == 1)
    }

    fn organization_name(&self, id: &str) -> Result<Option<String>, StorageError> {
        self.conn()
            .query_row("SELECT name FROM organizations WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(db)
    }

    fn add_enrollment_code(&self, code: &NewCode) -> Result<(), StorageError> {
        self.conn()
            .execute(
                "INSERT INTO enrollment_codes (code_hash, org_id, created_at, expires_at, worker_id, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    code.code_hash,
                    code.org_id,
                    Utc::now().to_rfc3339(),
                    code.expires_at.to_rfc3339(),
                    code.worker_id.map(|w| w.to_string()),
                    code.created_by,
                ],
            )
            .map_err(db)?;
        Ok(())
    }

    fn worker_by_pseudonym(
        &self,
        org_id: &str,
        pseudonym: &str,
    ) -> Result<Option<Uuid>, StorageError> {
        let id: Option<String> = self
            .conn()
            .query_row(
                "SELECT id FROM workers WHERE org_id = ?1 AND pseudonym = ?2",
                [org_id, pseudonym],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        id.as_deref().map(uuid).transpose()
    }

    fn redeem_code(&self, code_hash: &str, device: &NewDevice) -> Result<Redeemed, StorageError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        let now = Utc::now();
        let row: Option<CodeRow> = tx
            .query_row(
                "SELECT c.org_id, c.expires_at, c.used_at, o.name, c.worker_id
                 FROM enrollment_codes c JOIN organizations o ON o.id = c.org_id
                 WHERE c.code_hash = ?1",
                [code_hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()
            .map_err(db)?;
        let Some((org_id, expires_at, used_at, org_name, worker_id)) = row else {
            return Ok(Redeemed::Invalid);
        };
        let expired = chrono::DateTime::parse_from_rfc3339(&expires_at)
            .map(|t| t < now)
            .unwrap_or(true);
        if used_at.is_some() || expired {
            return Ok(Redeemed::Invalid);
        }
        let (worker_id, pseudonym) = match worker_id {
            Some(w) => {
                let p: String = tx
                    .query_row("SELECT pseudonym FROM workers WHERE id = ?1", [&w], |r| {
                        r.get(0)
                    })
                    .map_err(db)?;
                (w, p)
            }
            None => {
                let (id, p) = &device.new_worker;
                let n = tx
                    .execute(
                        "INSERT INTO workers (id, org_id, pseudonym, created_at) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT(org_id, pseudonym) DO NOTHING",
                        params![id.to_string(), org_id, p, now.to_rfc3339()],
                    )
                    .map_err(db)?;
                if n == 0 {
                    return Ok(Redeemed::PseudonymTaken);
                }
                (id.to_string(), p.clone())
            }
        };
        tx.execute(
            "UPDATE enrollment_codes SET used_at = ?2 WHERE code_hash = ?1",
            params![code_hash, now.to_rfc3339()],
        )
        .map_err(db)?;
        tx.execute(
            "INSERT INTO devices (id, org_id, token_hash, name, enrolled_at, worker_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                device.device_id.to_string(),
                org_id,
                device.token_hash,
                device.name,
                now.to_rfc3339(),
                worker_id
            ],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(Redeemed::Enrolled {
            org_id,
            org_name,
            pseudonym,
        })
    }

    fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceAuth>, StorageError> {
        let row: Option<(String, String, Option<String>, String, String)> = self
            .conn()
            .query_row(
                "SELECT d.id, d.org_id, d.revoked_at, w.id, w.pseudonym
                 FROM devices d JOIN workers w ON w.id = d.worker_id WHERE d.token_hash = ?1",
                [token_hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()
            .map_err(db)?;
        row.map(|(id, org_id, revoked, worker, pseudonym)| {
            Ok(DeviceAuth {
                device_id: uuid(&id)?,
                org_id,
                worker_id: uuid(&worker)?,
                pseudonym,
                revoked: revoked.is_some(),
            })
        })
        .transpose()
    }

    fn list_devices(&self, org_id: &str) -> Result<Vec<DeviceInfo>, StorageError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT d.id, w.pseudonym, d.name, d.enrolled_at, d.revoked_at
                 FROM devices d JOIN workers w ON w.id = d.worker_id
                 WHERE d.org_id = ?1 ORDER BY d.enrolled_at DESC, d.id",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([org_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, pseudonym, name, enrolled_at, revoked_at) = row.map_err(db)?;
            out.push(DeviceInfo {
                id: uuid(&id)?,
                pseudonym,
                name,
                enrolled_at,
                revoked_at,
            });
        }
        Ok(out)
    }

    fn revoke_device(&self, org_id: &str, device_id: Uuid) -> Result<(), StorageError> {
        let n = self
            .conn()
            .execute(
                "UPDATE devices SET revoked_at = ?3 WHERE id = ?1 AND org_id = ?2 AND revoked_at IS NULL",
                params![device_id.to_string(), org_id, Utc::now().to_rfc3339()],
            )
            .map_err(db)?;
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
        self.conn()
            .execute(
                "INSERT INTO staff_tokens (token_hash, org_id, label, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, org_id, label, Utc::now().to_rfc3339()],
            )
            .map_err(db)?;
        Ok(())
    }

    fn staff_token(&self, token_hash: &str) -> Result<Option<(String, String)>, StorageError> {
        self.conn()
            .query_row(
                "SELECT org_id, label FROM staff_tokens WHERE token_hash = ?1",
                [token_hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db)
    }

    fn ingest(
        &self,
        device: &DeviceAuth,
        records: &[IngestRecord],
    ) -> Result<Vec<RecordResult>, StorageError> {
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Pending {
                device: device.clone(),
                records: records.to_vec(),
                reply,
            });
        {
            let mut conn = self.conn();
            // Whoever holds the writer commits everything queued so far, ours included
            // unless an earlier holder already did.
            let batch = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
            if !batch.is_empty() {
                commit_group(&mut conn, batch);
            }
        }
        match answer.recv() {
            Ok(Ok(results)) => Ok(results),
            Ok(Err(e)) => Err(StorageError::Backend(e)),
            Err(_) => Err(StorageError::Backend("the writer stopped".into())),
        }
    }

    fn pull_records(
        &self,
        org_id: &str,
        worker_id: Uuid,
        exclude_device: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<shiftlog_wire::PullResponse, StorageError> {
        let conn = self.conn();
        let sql = shiftlog_server_db::PULL_SQL
            .replace("{1}", "?1")
            .replace("{2}", "?2")
            .replace("{3}", "?3")
            .replace("{4}", "?4")
            .replace("{5}", "?5");
        let mut stmt = conn.prepare_cached(&sql).map_err(db)?;
        let mut rows = stmt
            .query(params![
                org_id,
                worker_id.to_string(),
                exclude_device.to_string(),
                after as i64,
                i64::from(limit) + 1
            ])
            .map_err(db)?;
        let mut records = Vec::new();
        let mut next = after;
        let mut more = false;
        while let Some(r) = rows.next().map_err(db)? {
            if records.len() == limit as usize {
                more = true;
                break;
            }
            let seq: i64 = r.get(0).map_err(db)?;
            let body: String = r.get(9).map_err(db)?;
            let unknown: Option<String> = r.get(10).map_err(db)?;
            let id: String = r.get(1).map_err(db)?;
            let occurred_at: String = r.get(5).map_err(db)?;
            let recorded_at: String = r.get(6).map_err(db)?;
            records.push(shiftlog_server_db::pulled_envelope(
                &id,
                r.get(2).map_err(db)?,
                r.get(3).map_err(db)?,
                r.get(4).map_err(db)?,
                &occurred_at,
                &recorded_at,
                r.get(7).map_err(db)?,
                r.get(8).map_err(db)?,
                &body,
                unknown.as_deref(),
            )?);
            next = seq as u64;
        }
        Ok(shiftlog_wire::PullResponse {
            records,
            next,
            more,
        })
    }

    fn export_records(
        &self,
        org_id: &str,
        filter: &RecordFilter,
        each: &mut dyn FnMut(ExportRow) -> Result<(), StorageError>,
    ) -> Result<(), StorageError> {
        let (sql, params) = sql::export(filter, org_id, ph);
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql).map_err(db)?;
        let mut rows = stmt.query(params_from_iter(params.iter())).map_err(db)?;
        while let Some(r) = rows.next().map_err(db)? {
            let row = (|| {
                Ok::<_, rusqlite::Error>(ExportRow {
                    id: r.get(0)?,
                    record_type: r.get(1)?,
                    kind: r.get(2)?,
                    occurred_at: r.get(3)?,
                    recorded_at: r.get(4)?,
                    received_at: r.get(5)?,
                    version: r.get(6)?,
                    device_id: r.get(7)?,
                    pseudonym: r.get(8)?,
                    area: r.get(9)?,
                    role: r.get(10)?,
                    body: r.get(11)?,
                })
            })()
            .map_err(db)?;
            each(row)?;
        }
        Ok(())
    }

    fn count_records(&self, org_id: &str) -> Result<u64, StorageError> {
        self.conn()
            .query_row(
                "SELECT COUNT(*) FROM records WHERE org_id = ?1 AND NOT deleted",
                [org_id],
                |r| r.get(0),
            )
            .map_err(db)
    }

    fn aggregate(
        &self,
        org_id: &str,
        query: &AggregateQuery,
    ) -> Result<Vec<AggregateRow>, StorageError> {
        let (sql, params) = sql::aggregate(query, org_id, ph);
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql).map_err(db)?;
        let rows = stmt
            .query_map(params_from_iter(params.iter()), |r| {
                Ok(AggregateRow {
                    period: r.get(0)?,
                    key: r.get(1)?,
                    records: r.get(2)?,
                    people_reached: r.get(3)?,
                    naloxone_doses: r.get(4)?,
                    minutes: r.get(5)?,
                    shift_minutes: r.get(6)?,
                    quantity: r.get(7)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db)
    }

    fn create_staff(&self, a: &StaffAccount) -> Result<(), StorageError> {
        self.conn()
            .execute(
                "INSERT INTO staff (id, org_id, username, password_hash, role, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    a.id.to_string(),
                    a.org_id,
                    a.username,
                    a.password_hash,
                    a.role.as_str(),
                    Utc::now().to_rfc3339()
                ],
            )
            .map_err(db)?;
        Ok(())
    }

    fn staff_by_username(&self, username: &str) -> Result<Option<StaffAccount>, StorageError> {
        self.conn()
            .query_row(
                "SELECT id, org_id, username, password_hash, role FROM staff WHERE username = ?1",
                [username],
                |r| staff_row(r, 0),
            )
            .optional()
            .map_err(db)?
            .map(staff_account)
            .transpose()
    }

    fn list_staff(&self, org_id: &str) -> Result<Vec<StaffAccount>, StorageError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, org_id, username, password_hash, role FROM staff
                 WHERE org_id = ?1 ORDER BY username",
            )
            .map_err(db)?;
        let rows = stmt.query_map([org_id], |r| staff_row(r, 0)).map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(staff_account(row.map_err(db)?)?);
        }
        Ok(out)
    }

    fn set_staff_role(&self, org_id: &str, staff_id: Uuid, role: Role) -> Result<(), StorageError> {
        let n = self
            .conn()
            .execute(
                "UPDATE staff SET role = ?3 WHERE id = ?1 AND org_id = ?2",
                params![staff_id.to_string(), org_id, role.as_str()],
            )
            .map_err(db)?;
        if n == 0 {
            return Err(StorageError::NotFound(format!("staff member {staff_id}")));
        }
        Ok(())
    }

    fn create_session(&self, s: &Session) -> Result<(), StorageError> {
        self.conn()
            .execute(
                "INSERT INTO sessions (token_hash, csrf_hash, staff_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    s.token_hash,
                    s.csrf_hash,
                    s.staff_id.to_string(),
                    Utc::now().to_rfc3339(),
                    s.expires_at.to_rfc3339()
                ],
            )
            .map_err(db)?;
        Ok(())
    }

    fn session(&self, token_hash: &str) -> Result<Option<(Session, StaffAccount)>, StorageError> {
        let row = self
            .conn()
            .query_row(
                "SELECT s.csrf_hash, s.expires_at, st.id, st.org_id, st.username, st.password_hash, st.role
                 FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = ?1",
                [token_hash],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, staff_row(r, 2)?)),
            )
            .optional()
            .map_err(db)?;
        let Some((csrf_hash, expires_at, staff)) = row else {
            return Ok(None);
        };
        let account = staff_account(staff)?;
        let expires_at = chrono::DateTime::parse_from_rfc3339(&expires_at)
            .map_err(|e| StorageError::Corrupt(e.to_string()))?
            .with_timezone(&Utc);
        Ok(Some((
            Session {
                token_hash: token_hash.to_string(),
                csrf_hash,
                staff_id: account.id,
                expires_at,
            },
            account,
        )))
    }

    fn delete_session(&self, token_hash: &str) -> Result<(), StorageError> {
        self.conn()
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
            .map_err(db)?;
        Ok(())
    }

    fn audit(&self, org_id: &str, e: &AuditEntry) -> Result<(), StorageError> {
        self.conn()
            .execute(
                "INSERT INTO audit_log (org_id, at, actor, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![org_id, e.at, e.actor, e.action, e.detail.to_string()],
            )
            .map_err(db)?;
        Ok(())
    }

    fn audit_log(&self, org_id: &str, limit: u32) -> Result<Vec<AuditEntry>, StorageError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT at, actor, action, detail FROM audit_log WHERE org_id = ?1
                 ORDER BY seq DESC LIMIT ?2",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(params![org_id, limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (at, actor, action, detail) = row.map_err(db)?;
            out.push(AuditEntry {
                at,
                actor,
                action,
                detail: serde_json::from_str(&detail)
                    .map_err(|e| StorageError::Corrupt(e.to_string()))?,
            });
        }
        Ok(out)
    }

    fn catalogue_section(
        &self,
        org_id: &str,
        section: &str,
    ) -> Result<Vec<CatalogueEntry>, StorageError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, label, description FROM catalogue WHERE org_id = ?1 AND section = ?2
                 ORDER BY position",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([org_id, section], |r| {
                Ok(CatalogueEntry {
                    id: r.get(0)?,
                    label: r.get(1)?,
                    description: r.get(2)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db)
    }

    fn replace_catalogue_section(
        &self,
        org_id: &str,
        section: &str,
        entries: &[CatalogueEntry],
    ) -> Result<(), StorageError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(db)?;
        tx.execute(
            "DELETE FROM catalogue WHERE org_id = ?1 AND section = ?2",
            [org_id, section],
        )
        .map_err(db)?;
        for (i, e) in entries.iter().enumerate() {
            tx.execute(
                "INSERT INTO catalogue (org_id, section, id, label, description, position)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![org_id, section, e.id, e.label, e.description, i as i64],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)?;
        Ok(())
    }

    fn retention_days(&self, org_id: &str) -> Result<u32, StorageError> {
        self.conn()
            .query_row(
                "SELECT retention_days FROM organizations WHERE id = ?1",
                [org_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?
            .ok_or_else(|| StorageError::NotFound(format!("organization {org_id}")))
    }

    fn set_retention_days(&self, org_id: &str, days: u32) -> Result<(), StorageError> {
        let n = self
            .conn()
            .execute(
                "UPDATE organizations SET retention_days = ?2 WHERE id = ?1",
                params![org_id, days],
            )
            .map_err(db)?;
        if n == 0 {
            return Err(StorageError::NotFound(format!("organization {org_id}")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database made by schema 1 (the walking skeleton) opens, migrates, and keeps its data:
    /// the device becomes a worker with a pseudonym, the activity gets its facts and items.
    #[test]
    fn schema_1_database_migrates_with_its_data() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("server.db");
        {
            let conn = Connection::open(&path).expect("open");
            conn.execute_batch(MIGRATIONS[0]).expect("schema 1");
            conn.execute_batch(
                "PRAGMA user_version = 1;
                 INSERT INTO organizations VALUES ('demo', 'Demo', '2026-11-01T00:00:00Z');
                 INSERT INTO devices VALUES ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c11', 'demo', 'h', 'phone', '2026-11-01T00:00:00Z', NULL);
                 INSERT INTO activities VALUES ('01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c99', 'demo',
                   '01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c11', 1, 'supplies_distributed',
                   '2026-11-20T23:42:00-08:00', 0, '2026-11-20T23:42:05-08:00', '2026-11-21T08:00:00Z', 0,
                   '{\"area\":\"downtown\",\"items\":[{\"item\":\"naloxone_kit\",\"quantity\":2}]}', NULL);",
            )
            .expect("old rows");
        }
        let s = SqliteStorage::open_file(&path).expect("migrate");
        let dev = s.device_by_token("h").expect("query").expect("device");
        assert_eq!(dev.pseudonym, "W-0F9B2C11");
        let rows = s
            .aggregate(
                "demo",
                &AggregateQuery {
                    filter: RecordFilter::default(),
                    period: shiftlog_server_db::Period::Week,
                    dimension: shiftlog_server_db::Dimension::Item,
                },
            )
            .expect("aggregate");
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].period, "2026-11-16",
            "Monday of the local day's week"
        );
        assert_eq!(
            (rows[0].key.as_str(), rows[0].quantity),
            ("naloxone_kit", 2)
        );
    }
}
