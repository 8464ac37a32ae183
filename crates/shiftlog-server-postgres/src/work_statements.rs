//! Signed work statements: statement keys, the register of issued statements, and the rows
//! of one worker's records a statement is counted from.

use chrono::{DateTime, Utc};
use shiftlog_server_db::work_statements::{
    self as ws, issued_from_row, key_from_row, key_time, IssuedStatement, StoredStatementKey,
    WorkRow, WorkStatementStore,
};
use shiftlog_server_db::StorageError;
use uuid::Uuid;

use crate::devices::still_enrolled;
use crate::{db, q, PostgresStorage};

impl WorkStatementStore for PostgresStorage {
    fn statement_keys(&self, org_id: &str) -> Result<Vec<StoredStatementKey>, StorageError> {
        self.reader()?
            .query(q(&ws::STATEMENT_KEYS), &[&org_id])
            .map_err(db)?
            .iter()
            .map(|r| {
                key_from_row((
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    r.get(3),
                    r.get(4),
                    r.get(5),
                    r.get(6),
                ))
            })
            .collect()
    }

    fn add_statement_key(
        &self,
        key: &StoredStatementKey,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(db)?;
        tx.query(q(&ws::LOCK_ORGANIZATION), &[&key.org_id])
            .map_err(db)?;
        tx.execute(q(&ws::RETIRE_STATEMENT_KEYS), &[&key.org_id, &key_time(at)])
            .map_err(db)?;
        tx.execute(
            q(&ws::INSERT_STATEMENT_KEY),
            &[
                &key.key_id,
                &key.org_id,
                &key.public_key,
                &key.secret,
                &key_time(key.created_at),
                &key.retired_at.map(key_time),
                &key.revoked_at.map(key_time),
            ],
        )
        .map_err(db)?;
        tx.commit().map_err(db)
    }

    fn revoke_statement_key(
        &self,
        org_id: &str,
        key_id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let n = self
            .conn()?
            .execute(
                q(&ws::REVOKE_STATEMENT_KEY),
                &[&org_id, &key_id, &key_time(at)],
            )
            .map_err(db)?;
        if n == 0 {
            return Err(StorageError::NotFound(format!("statement key {key_id}")));
        }
        Ok(())
    }

    fn add_issued_statement(
        &self,
        device_id: Uuid,
        s: &IssuedStatement,
    ) -> Result<(), StorageError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction().map_err(db)?;
        still_enrolled(&mut tx, device_id)?;
        tx.execute(
            q(&ws::INSERT_ISSUED_STATEMENT),
            &[
                &s.code,
                &s.org_id,
                &s.worker_id.to_string(),
                &s.key_id,
                &key_time(s.issued_at),
                &s.document,
            ],
        )
        .map_err(db)?;
        tx.commit().map_err(db)
    }

    fn issued_statement(&self, code: &str) -> Result<Option<IssuedStatement>, StorageError> {
        self.reader()?
            .query_opt(q(&ws::ISSUED_STATEMENT), &[&code])
            .map_err(db)?
            .map(|r| issued_from_row((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5))))
            .transpose()
    }

    fn worker_work(
        &self,
        org_id: &str,
        worker_id: Uuid,
        from: &str,
        to: &str,
    ) -> Result<Vec<WorkRow>, StorageError> {
        Ok(self
            .reader()?
            .query(
                q(&ws::WORKER_WORK),
                &[&org_id, &worker_id.to_string(), &from, &to],
            )
            .map_err(db)?
            .iter()
            .map(|r| WorkRow {
                record_type: r.get(0),
                kind: r.get(1),
                role: r.get(2),
                pay_type: r.get(3),
                on_shift: r.get(4),
                minutes: r.get(5),
                shift_minutes: r.get(6),
                body: r.get(7),
            })
            .collect())
    }
}
