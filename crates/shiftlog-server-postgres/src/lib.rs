//! The PostgreSQL backend: for organizations that run more than one server instance, or
//! already run PostgreSQL. Blocking `postgres` clients (tokio-postgres underneath) in an r2d2
//! pool; the server calls it from `spawn_blocking`.
//!
//! Several server instances may share one database: migrations run under an advisory lock, and
//! ingest is `INSERT … ON CONFLICT DO NOTHING` then `SELECT … FOR UPDATE`, so two instances
//! receiving the same record store it once.

use chrono::Utc;
use postgres::types::ToSql;
use postgres::NoTls;
use r2d2_postgres::PostgresConnectionManager;
use shiftlog_server_db::{
    sql, AggregateQuery, AggregateRow, AuditEntry, CatalogueEntry, DeviceAuth, DeviceInfo,
    ExportRow, IngestRecord, NewCode, NewDevice, RecordFilter, Redeemed, Role, Session,
    StaffAccount, Storage, StorageError,
};
use shiftlog_wire::{RecordResult, RecordStatus};
use uuid::Uuid;

/// Numbered migrations for the PostgreSQL backend; entry n upgrades version n to n + 1.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_totals.sql"),
    include_str!("../migrations/0003_changes.sql"),
];

/// Any number that identifies shiftlog's migration lock among the database's advisory locks.
const MIGRATION_LOCK: i64 = 0x5348_4946_544c_4f47;

type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;
type Conn = r2d2::PooledConnection<PostgresConnectionManager<NoTls>>;

/// PostgreSQL storage. Call it from blocking threads (`spawn_blocking`), never from an async
/// task: the blocking client runs its own small runtime for each call.
pub struct PostgresStorage {
    pool: Option<Pool>,
}

impl Drop for PostgresStorage {
    /// Closing the pool's clients blocks; do it on a plain thread so a server may be dropped
    /// from async code.
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

fn db(e: postgres::Error) -> StorageError {
    if let Some(code) = e.code() {
        if *code == postgres::error::SqlState::UNIQUE_VIOLATION {
            return StorageError::Conflict(e.to_string());
        }
    }
    StorageError::Backend(e.to_string())
}

fn pool_err(e: r2d2::Error) -> StorageError {
    StorageError::Backend(format!("connection pool: {e}"))
}

fn ph(n: usize) -> String {
    format!("${n}")
}

fn uuid(s: &str) -> Result<Uuid, StorageError> {
    Uuid::parse_str(s).map_err(|e| StorageError::Corrupt(format!("{s}: {e}")))
}

fn staff_account(r: &postgres::Row, at: usize) -> Result<StaffAccount, StorageError> {
    let role: String = r.get(at + 4);
    Ok(StaffAccount {
        id: uuid(r.get(at))?,
        org_id: r.get(at + 1),
        username: r.get(at + 2),
        password_hash: r.get(at + 3),
        role: Role::parse(&role).ok_or_else(|| StorageError::Corrupt(format!("role {role}")))?,
    })
}

impl PostgresStorage {
    /// Connects to `url` (e.g. `postgres://root@127.0.0.1:5432/shiftlog`) and migrates. With
    /// `schema`, every connection uses that schema (created if missing), so several
    /// deployments or tests can share one database.
    pub fn connect(url: &str, schema: Option<&str>) -> Result<Self, StorageError> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| StorageError::Backend(format!("database URL: {e}")))?;
        if let Some(s) = schema {
            if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(StorageError::Backend(
                    "schema name: use letters, digits and underscores".into(),
                ));
            }
            let mut c = config.connect(NoTls).map_err(db)?;
            c.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {s}"))
                .map_err(db)?;
            config.options(&format!("-c search_path={s}"));
        }
        let pool = r2d2::Pool::builder()
            .max_size(8)
            .build(PostgresConnectionManager::new(config, NoTls))
            .map_err(pool_err)?;
        let storage = PostgresStorage { pool: Some(pool) };
        storage.migrate()?;
        Ok(storage)
    }

    fn migrate(&self) -> Result<(), StorageError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction().map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(db)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            .map_err(db)?;
        let have: Option<i32> = tx
            .query_opt("SELECT max(version) FROM schema_version", &[])
            .map_err(db)?
            .and_then(|r| r.get(0));
        let have = have.unwrap_or(0) as usize;
        if have > MIGRATIONS.len() {
            return Err(StorageError::TooNew {
                found: have as u32,
                supported: MIGRATIONS.len() as u32,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(have) {
            tx.batch_execute(sql).map_err(db)?;
            tx.execute(
                "INSERT INTO schema_version (version) VALUES ($1)",
                &[&((i + 1) as i32)],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)
    }

    fn conn(&self) -> Result<Conn, StorageError> {
        self.pool
            .as_ref()
            .ok_or_else(|| StorageError::Backend("closed".into()))?
            .get()
            .map_err(pool_err)
    }
}

/// Rows per multi-row INSERT: 27 parameters each stays far below PostgreSQL's 65,535.
const INSERT_CHUNK: usize = 1000;

/// One record's column values, owned, in `sql::RECORD_COLUMNS` order.
struct RecordRow<'a> {
    id: String,
    org_id: &'a str,
    device_id: String,
    version: i64,
    kind: &'a str,
    occurred_at: String,
    occurred_ms: i64,
    recorded_at: String,
    received_at: &'a str,
    deleted: bool,
    body: String,
    unknown: Option<String>,
    record_type: &'a str,
    worker_id: String,
    hlc: Option<&'a str>,
    f: &'a shiftlog_server_db::Facts,
}

impl<'a> RecordRow<'a> {
    fn new(device: &'a DeviceAuth, r: &'a IngestRecord, now: &'a str) -> Self {
        let rec = &r.envelope;
        RecordRow {
            id: rec.id.to_string(),
            org_id: &device.org_id,
            device_id: device.device_id.to_string(),
            version: rec.version as i64,
            kind: &rec.kind,
            occurred_at: rec.occurred_at.to_rfc3339(),
            occurred_ms: rec.occurred_at.timestamp_millis(),
            recorded_at: rec.recorded_at.to_rfc3339(),
            received_at: now,
            deleted: rec.deleted,
            body: rec.body.to_string(),
            unknown: (!rec.unknown.is_empty())
                .then(|| serde_json::Value::Object(rec.unknown.clone()).to_string()),
            record_type: &rec.record_type,
            worker_id: device.worker_id.to_string(),
            hlc: rec.hlc.as_deref(),
            f: &r.facts,
        }
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 28] {
        let f = self.f;
        [
            &self.id,
            &self.org_id,
            &self.device_id,
            &self.version,
            &self.kind,
            &self.occurred_at,
            &self.occurred_ms,
            &self.recorded_at,
            &self.received_at,
            &self.deleted,
            &self.body,
            &self.unknown,
            &self.record_type,
            &self.worker_id,
            &f.day,
            &f.week,
            &f.month,
            &f.area,
            &f.role,
            &f.on_shift,
            &f.minutes,
            &f.people_reached,
            &f.naloxone_doses,
            &f.nav_task,
            &f.nav_outcome,
            &f.pay_type,
            &f.shift_minutes,
            &self.hlc,
        ]
    }
}

/// The key of the `totals` row a record counts in (see migration 0002), then its id.
fn totals_key(r: &IngestRecord) -> impl Ord + '_ {
    let f = &r.facts;
    (
        f.day.as_str(),
        r.envelope.record_type.as_str(),
        r.envelope.kind.as_str(),
        f.area.as_deref().unwrap_or(""),
        f.role.as_deref().unwrap_or(""),
        f.on_shift,
        f.nav_task.as_deref().unwrap_or(""),
        f.nav_outcome.as_deref().unwrap_or(""),
        f.pay_type.as_deref().unwrap_or(""),
        r.envelope.id,
    )
}

fn refs(params: &[String]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl Storage for PostgresStorage {
    fn ensure_organization(&self, id: &str, name: &str) -> Result<bool, StorageError> {
        let n = self
            .conn()?
            .execute(
                "INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO NOTHING",
                &[&id, &name, &Utc::now().to_rfc3339()],
            )
            .map_err(db)?;
        Ok(n == 1)
    }

    fn organization_name(&self, id: &str) -> Result<Option<String>, StorageError> {
        Ok(self
            .conn()?
            .query_opt("SELECT name FROM organizations WHERE id = $1", &[&id])
            .map_err(db)?
            .map(|r| r.get(0)))
    }

    fn add_enrollment_code(&self, code: &NewCode) -> Result<(), StorageError> {
        self.conn()?
            .execute(
                "INSERT INTO enrollment_codes (code_hash, org_id, created_at, expires_at, worker_id, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &code.code_hash,
                    &code.org_id,
                    &Utc::now().to_rfc3339(),
                    &code.expires_at.to_rfc3339(),
                    &code.worker_id.map(|w| w.to_string()),
                    &code.created_by,
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
        self.conn()?
            .query_opt(
                "SELECT id FROM workers WHERE org_id = $1 AND pseudonym = $2",
                &[&org_id, &pseudonym],
            )
            .map_err(db)?
            .map(|r| uuid(r.get(0)))
            .transpose()
    }

    fn redeem_code(&self, code_hash: &str, device: &NewDevice) -> Result<Redeemed, StorageError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction().map_err(db)?;
        let now = Utc::now();
        let row = tx
            .query_opt(
                "SELECT c.org_id, c.expires_at, c.used_at, o.name, c.worker_id
                 FROM enrollment_codes c JOIN organizations o ON o.id = c.org_id
                 WHERE c.code_hash = $1 FOR UPDATE OF c",
                &[&code_hash],
            )
            .map_err(db)?;
        let Some(row) = row else {
            return Ok(Redeemed::Invalid);
        };
        let (org_id, expires_at, used_at, org_name, worker_id): (
            String,
            String,
            Option<String>,
            String,
            Option<String>,
        ) = (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
        let expired = chrono::DateTime::parse_from_rfc3339(&expires_at)
            .map(|t| t < now)
            .unwrap_or(true);
        if used_at.is_some() || expired {
            return Ok(Redeemed::Invalid);
        }
        let (worker_id, pseudonym) = match worker_id {
            Some(w) => {
                let p: String = tx
                    .query_one("SELECT pseudonym FROM workers WHERE id = $1", &[&w])
                    .map_err(db)?
                    .get(0);
                (w, p)
            }
            None => {
                let (id, p) = &device.new_worker;
                let n = tx
                    .execute(
                        "INSERT INTO workers (id, org_id, pseudonym, created_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (org_id, pseudonym) DO NOTHING",
                        &[&id.to_string(), &org_id, p, &now.to_rfc3339()],
                    )
                    .map_err(db)?;
                if n == 0 {
                    return Ok(Redeemed::PseudonymTaken);
                }
                (id.to_string(), p.clone())
            }
        };
        tx.execute(
            "UPDATE enrollment_codes SET used_at = $2 WHERE code_hash = $1",
            &[&code_hash, &now.to_rfc3339()],
        )
        .map_err(db)?;
        tx.execute(
            "INSERT INTO devices (id, org_id, token_hash, name, enrolled_at, worker_id)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &device.device_id.to_string(),
                &org_id,
                &device.token_hash,
                &device.name,
                &now.to_rfc3339(),
                &worker_id,
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
        let row = self
            .conn()?
            .query_opt(
                "SELECT d.id, d.org_id, d.revoked_at, w.id, w.pseudonym
                 FROM devices d JOIN workers w ON w.id = d.worker_id WHERE d.token_hash = $1",
                &[&token_hash],
            )
            .map_err(db)?;
        row.map(|r| {
            Ok(DeviceAuth {
                device_id: uuid(r.get(0))?,
                org_id: r.get(1),
                revoked: r.get::<_, Option<String>>(2).is_some(),
                worker_id: uuid(r.get(3))?,
                pseudonym: r.get(4),
            })
        })
        .transpose()
    }

    fn list_devices(&self, org_id: &str) -> Result<Vec<DeviceInfo>, StorageError> {
        self.conn()?
            .query(
                "SELECT d.id, w.pseudonym, d.name, d.enrolled_at, d.revoked_at
                 FROM devices d JOIN workers w ON w.id = d.worker_id
                 WHERE d.org_id = $1 ORDER BY d.enrolled_at DESC, d.id",
                &[&org_id],
            )
            .map_err(db)?
            .iter()
            .map(|r| {
                Ok(DeviceInfo {
                    id: uuid(r.get(0))?,
                    pseudonym: r.get(1),
                    name: r.get(2),
                    enrolled_at: r.get(3),
                    revoked_at: r.get(4),
                })
            })
            .collect()
    }

    fn revoke_device(&self, org_id: &str, device_id: Uuid) -> Result<(), StorageError> {
        let n = self
            .conn()?
            .execute(
                "UPDATE devices SET revoked_at = $3 WHERE id = $1 AND org_id = $2 AND revoked_at IS NULL",
                &[&device_id.to_string(), &org_id, &Utc::now().to_rfc3339()],
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
        self.conn()?
            .execute(
                "INSERT INTO staff_tokens (token_hash, org_id, label, created_at) VALUES ($1, $2, $3, $4)",
                &[&token_hash, &org_id, &label, &Utc::now().to_rfc3339()],
            )
            .map_err(db)?;
        Ok(())
    }

    fn staff_token(&self, token_hash: &str) -> Result<Option<(String, String)>, StorageError> {
        Ok(self
            .conn()?
            .query_opt(
                "SELECT org_id, label FROM staff_tokens WHERE token_hash = $1",
                &[&token_hash],
            )
            .map_err(db)?
            .map(|r| (r.get(0), r.get(1))))
    }

    fn ingest(
        &self,
        device: &DeviceAuth,
        records: &[IngestRecord],
    ) -> Result<Vec<RecordResult>, StorageError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction().map_err(db)?;
        let now = Utc::now().to_rfc3339();
        // Lock order: records in the order of their totals key, then all supplies lines in
        // the order of theirs, so concurrent pushes (even through two server instances) take
        // the triggers' row locks in one order and cannot deadlock.
        let mut order: Vec<usize> = (0..records.len()).collect();
        order.sort_by(|&a, &b| totals_key(&records[a]).cmp(&totals_key(&records[b])));
        let rows: Vec<RecordRow> = order
            .iter()
            .map(|&i| RecordRow::new(device, &records[i], &now))
            .collect();

        // New records, the common case: one statement per chunk.
        let mut inserted = std::collections::HashSet::new();
        for chunk in rows.chunks(INSERT_CHUNK) {
            let params: Vec<&(dyn ToSql + Sync)> = chunk.iter().flat_map(|r| r.params()).collect();
            let stmt = tx
                .prepare(&sql::insert_records(chunk.len(), ph))
                .map_err(db)?;
            for row in tx.query(&stmt, &params).map_err(db)? {
                inserted.insert(row.get::<_, String>(0));
            }
        }

        // The rest exist already: the same record again, a newer version, or another
        // organization's id.
        let update = tx.prepare(&sql::update_record(ph)).map_err(db)?;
        let existing = tx
            .prepare("SELECT org_id, version, worker_id, hlc FROM records WHERE id = $1 FOR UPDATE")
            .map_err(db)?;
        let clear_items = tx
            .prepare("DELETE FROM record_items WHERE record_id = $1")
            .map_err(db)?;
        let mut results: Vec<Option<RecordResult>> = vec![None; records.len()];
        let mut changed: Vec<String> = Vec::new();
        let mut items: Vec<(&str, &str, &str, &str, i64)> = Vec::new();
        for (&i, row) in order.iter().zip(&rows) {
            let IngestRecord {
                envelope: rec,
                facts: f,
            } = &records[i];
            let status = if inserted.remove(&row.id) {
                RecordStatus::Accepted
            } else {
                let found = tx.query_one(&existing, &[&row.id]).map_err(db)?;
                let (org, have): (String, i64) = (found.get(0), found.get(1));
                let (worker, have_hlc): (Option<String>, Option<String>) =
                    (found.get(2), found.get(3));
                // Only the worker who made a record may change it, from any of their devices.
                if org != device.org_id || worker.as_deref().is_some_and(|w| w != row.worker_id) {
                    results[i] = Some(RecordResult::rejected(
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
                    row.version,
                    have_hlc.as_deref(),
                    have,
                ) {
                    RecordStatus::AlreadyHad
                } else {
                    // Old items first, while the record still has its old day and area.
                    tx.execute(&clear_items, &[&row.id]).map_err(db)?;
                    tx.execute(&update, &row.params()).map_err(db)?;
                    RecordStatus::Accepted
                }
            };
            if status == RecordStatus::Accepted {
                changed.push(row.id.clone());
            }
            if status == RecordStatus::Accepted && !rec.deleted {
                for (item, q) in &f.items {
                    let area = f.area.as_deref().unwrap_or("");
                    items.push((f.day.as_str(), area, row.id.as_str(), item.as_str(), *q));
                }
            }
            results[i] = Some(RecordResult::plain(rec.id, rec.version, status));
        }
        items.sort_by(|a, b| (a.0, a.1, a.3, a.2).cmp(&(b.0, b.1, b.3, b.2)));
        for chunk in items.chunks(INSERT_CHUNK) {
            let params: Vec<&(dyn ToSql + Sync)> = chunk
                .iter()
                .flat_map(|(_, _, id, item, q)| {
                    [
                        id as &(dyn ToSql + Sync),
                        &device.org_id,
                        item as &(dyn ToSql + Sync),
                        q as &(dyn ToSql + Sync),
                    ]
                })
                .collect();
            tx.execute(&sql::insert_items(chunk.len(), ph), &params)
                .map_err(db)?;
        }
        // The same record twice in one push is numbered once.
        changed.sort();
        changed.dedup();
        if !changed.is_empty() {
            // Number the changes last, under the organization's lock held until commit, so
            // numbers commit in order across concurrent pushes and server instances.
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtext($1))",
                &[&device.org_id],
            )
            .map_err(db)?;
            tx.execute(
                "DELETE FROM record_changes WHERE record_id = ANY($1)",
                &[&changed],
            )
            .map_err(db)?;
            let worker = device.worker_id.to_string();
            tx.execute(
                "INSERT INTO record_changes (record_id, org_id, worker_id)
                 SELECT unnest($1::text[]), $2, $3",
                &[&changed, &device.org_id, &worker],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)?;
        results
            .into_iter()
            .map(|r| r.ok_or_else(|| StorageError::Corrupt("a record without an answer".into())))
            .collect()
    }

    fn pull_records(
        &self,
        org_id: &str,
        worker_id: Uuid,
        exclude_device: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<shiftlog_wire::PullResponse, StorageError> {
        let sql = shiftlog_server_db::PULL_SQL
            .replace("{1}", "$1")
            .replace("{2}", "$2")
            .replace("{3}", "$3")
            .replace("{4}", "$4")
            .replace("{5}", "$5");
        let mut c = self.conn()?;
        let worker = worker_id.to_string();
        let device = exclude_device.to_string();
        let after_i = after as i64;
        let lim = i64::from(limit) + 1;
        let rows = c
            .query(&sql, &[&org_id, &worker, &device, &after_i, &lim])
            .map_err(db)?;
        let mut records = Vec::new();
        let mut next = after;
        let mut more = false;
        for r in rows {
            if records.len() == limit as usize {
                more = true;
                break;
            }
            let seq: i64 = r.get(0);
            let id: String = r.get(1);
            let occurred_at: String = r.get(5);
            let recorded_at: String = r.get(6);
            let body: String = r.get(9);
            let unknown: Option<String> = r.get(10);
            records.push(shiftlog_server_db::pulled_envelope(
                &id,
                r.get(2),
                r.get(3),
                r.get(4),
                &occurred_at,
                &recorded_at,
                r.get(7),
                r.get(8),
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
        use postgres::fallible_iterator::FallibleIterator;
        let (sql, params) = sql::export(filter, org_id, ph);
        let mut c = self.conn()?;
        // A portal inside a transaction streams rows; `query` would buffer them all.
        let mut tx = c.transaction().map_err(db)?;
        let stmt = tx.prepare(&sql).map_err(db)?;
        let mut rows = tx.query_raw(&stmt, refs(&params)).map_err(db)?;
        while let Some(r) = rows.next().map_err(db)? {
            each(ExportRow {
                id: r.get(0),
                record_type: r.get(1),
                kind: r.get(2),
                occurred_at: r.get(3),
                recorded_at: r.get(4),
                received_at: r.get(5),
                version: r.get(6),
                device_id: r.get(7),
                pseudonym: r.get(8),
                area: r.get(9),
                role: r.get(10),
                body: r.get(11),
            })?;
        }
        drop(rows);
        tx.commit().map_err(db)
    }

    fn count_records(&self, org_id: &str) -> Result<u64, StorageError> {
        let n: i64 = self
            .conn()?
            .query_one(
                "SELECT COUNT(*) FROM records WHERE org_id = $1 AND NOT deleted",
                &[&org_id],
            )
            .map_err(db)?
            .get(0);
        Ok(n as u64)
    }

    fn aggregate(
        &self,
        org_id: &str,
        query: &AggregateQuery,
    ) -> Result<Vec<AggregateRow>, StorageError> {
        let (sql, params) = sql::aggregate(query, org_id, ph);
        Ok(self
            .conn()?
            .query(&sql, &refs(&params))
            .map_err(db)?
            .iter()
            .map(|r| AggregateRow {
                period: r.get(0),
                key: r.get(1),
                records: r.get(2),
                people_reached: r.get(3),
                naloxone_doses: r.get(4),
                minutes: r.get(5),
                shift_minutes: r.get(6),
                quantity: r.get(7),
            })
            .collect())
    }

    fn create_staff(&self, a: &StaffAccount) -> Result<(), StorageError> {
        self.conn()?
            .execute(
                "INSERT INTO staff (id, org_id, username, password_hash, role, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &a.id.to_string(),
                    &a.org_id,
                    &a.username,
                    &a.password_hash,
                    &a.role.as_str(),
                    &Utc::now().to_rfc3339(),
                ],
            )
            .map_err(db)?;
        Ok(())
    }

    fn staff_by_username(&self, username: &str) -> Result<Option<StaffAccount>, StorageError> {
        self.conn()?
            .query_opt(
                "SELECT id, org_id, username, password_hash, role FROM staff WHERE username = $1",
                &[&username],
            )
            .map_err(db)?
            .map(|r| staff_account(&r, 0))
            .transpose()
    }

    fn list_staff(&self, org_id: &str) -> Result<Vec<StaffAccount>, StorageError> {
        self.conn()?
            .query(
                "SELECT id, org_id, username, password_hash, role FROM staff
                 WHERE org_id = $1 ORDER BY username",
                &[&org_id],
            )
            .map_err(db)?
            .iter()
            .map(|r| staff_account(r, 0))
            .collect()
    }

    fn set_staff_role(&self, org_id: &str, staff_id: Uuid, role: Role) -> Result<(), StorageError> {
        let n = self
            .conn()?
            .execute(
                "UPDATE staff SET role = $3 WHERE id = $1 AND org_id = $2",
                &[&staff_id.to_string(), &org_id, &role.as_str()],
            )
            .map_err(db)?;
        if n == 0 {
            return Err(StorageError::NotFound(format!("staff member {staff_id}")));
        }
        Ok(())
    }

    fn create_session(&self, s: &Session) -> Result<(), StorageError> {
        self.conn()?
            .execute(
                "INSERT INTO sessions (token_hash, csrf_hash, staff_id, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &s.token_hash,
                    &s.csrf_hash,
                    &s.staff_id.to_string(),
                    &Utc::now().to_rfc3339(),
                    &s.expires_at.to_rfc3339(),
                ],
            )
            .map_err(db)?;
        Ok(())
    }

    fn session(&self, token_hash: &str) -> Result<Option<(Session, StaffAccount)>, StorageError> {
        let Some(r) = self
            .conn()?
            .query_opt(
                "SELECT s.csrf_hash, s.expires_at, st.id, st.org_id, st.username, st.password_hash, st.role
                 FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE s.token_hash = $1",
                &[&token_hash],
            )
            .map_err(db)?
        else {
            return Ok(None);
        };
        let account = staff_account(&r, 2)?;
        let expires_at = chrono::DateTime::parse_from_rfc3339(r.get(1))
            .map_err(|e| StorageError::Corrupt(e.to_string()))?
            .with_timezone(&Utc);
        Ok(Some((
            Session {
                token_hash: token_hash.to_string(),
                csrf_hash: r.get(0),
                staff_id: account.id,
                expires_at,
            },
            account,
        )))
    }

    fn delete_session(&self, token_hash: &str) -> Result<(), StorageError> {
        self.conn()?
            .execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])
            .map_err(db)?;
        Ok(())
    }

    fn audit(&self, org_id: &str, e: &AuditEntry) -> Result<(), StorageError> {
        self.conn()?
            .execute(
                "INSERT INTO audit_log (org_id, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5)",
                &[&org_id, &e.at, &e.actor, &e.action, &e.detail.to_string()],
            )
            .map_err(db)?;
        Ok(())
    }

    fn audit_log(&self, org_id: &str, limit: u32) -> Result<Vec<AuditEntry>, StorageError> {
        self.conn()?
            .query(
                "SELECT at, actor, action, detail FROM audit_log WHERE org_id = $1
                 ORDER BY seq DESC LIMIT $2",
                &[&org_id, &(limit as i64)],
            )
            .map_err(db)?
            .iter()
            .map(|r| {
                Ok(AuditEntry {
                    at: r.get(0),
                    actor: r.get(1),
                    action: r.get(2),
                    detail: serde_json::from_str(r.get(3))
                        .map_err(|e| StorageError::Corrupt(e.to_string()))?,
                })
            })
            .collect()
    }

    fn catalogue_section(
        &self,
        org_id: &str,
        section: &str,
    ) -> Result<Vec<CatalogueEntry>, StorageError> {
        Ok(self
            .conn()?
            .query(
                "SELECT id, label, description FROM catalogue WHERE org_id = $1 AND section = $2
                 ORDER BY position",
                &[&org_id, &section],
            )
            .map_err(db)?
            .iter()
            .map(|r| CatalogueEntry {
                id: r.get(0),
                label: r.get(1),
                description: r.get(2),
            })
            .collect())
    }

    fn replace_catalogue_section(
        &self,
        org_id: &str,
        section: &str,
        entries: &[CatalogueEntry],
    ) -> Result<(), StorageError> {
        let mut c = self.conn()?;
        let mut tx = c.transaction().map_err(db)?;
        tx.execute(
            "DELETE FROM catalogue WHERE org_id = $1 AND section = $2",
            &[&org_id, &section],
        )
        .map_err(db)?;
        for (i, e) in entries.iter().enumerate() {
            tx.execute(
                "INSERT INTO catalogue (org_id, section, id, label, description, position)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &org_id,
                    &section,
                    &e.id,
                    &e.label,
                    &e.description,
                    &(i as i64),
                ],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)
    }

    fn retention_days(&self, org_id: &str) -> Result<u32, StorageError> {
        let d: i32 = self
            .conn()?
            .query_opt(
                "SELECT retention_days FROM organizations WHERE id = $1",
                &[&org_id],
            )
            .map_err(db)?
            .ok_or_else(|| StorageError::NotFound(format!("organization {org_id}")))?
            .get(0);
        Ok(d.max(0) as u32)
    }

    fn set_retention_days(&self, org_id: &str, days: u32) -> Result<(), StorageError> {
        let d =
            i32::try_from(days).map_err(|_| StorageError::Backend("retention too long".into()))?;
        let n = self
            .conn()?
            .execute(
                "UPDATE organizations SET retention_days = $2 WHERE id = $1",
                &[&org_id, &d],
            )
            .map_err(db)?;
        if n == 0 {
            return Err(StorageError::NotFound(format!("organization {org_id}")));
        }
        Ok(())
    }
}
