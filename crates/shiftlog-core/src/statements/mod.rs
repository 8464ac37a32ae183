//! Signed work statements on the device (issue 14, part 3): the worker asks each
//! organization's server to sign a statement of their work for a period, the device checks it
//! with the organization's published keys before keeping it (a statement that fails is not
//! kept), and keeps the signed document as the server sent it in the encrypted database with
//! the key list it was checked against, so a saved file or the printed page can be checked
//! again offline. The network half is `sync/statements.rs`; the printable page is [`page`].
//!
//! The format, the signature and the checks are `shiftlog-statement`'s, re-exported here so
//! the shells need only the core.

pub mod page;

use chrono::{NaiveDate, Utc};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

pub use shiftlog_statement::api::MAX_PERIOD_DAYS;
pub use shiftlog_statement::{
    check_integrity, parse_file, verify, verify_file, KeySet, PublishedKey, SignedStatement,
    Statement, StatementFile, Verified, VerifyError,
};

use crate::{Core, CoreError, Result};

/// A statement kept on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredStatement {
    /// This device's id for it.
    pub id: String,
    /// The organization that signed it (this device's id for it).
    pub org_id: String,
    /// That organization's name, as this device knows it.
    pub org_name: String,
    /// The short code printed with it.
    pub short_code: String,
    /// First day covered.
    pub from: NaiveDate,
    /// Last day covered.
    pub to: NaiveDate,
    /// When the server signed it (as the statement says).
    pub issued_at: String,
    /// When this device received it (RFC 3339).
    pub received_at: String,
    /// The organization's verify page for this statement (its code in the query).
    pub verify_url: String,
    /// The signed document, as the server sent it.
    pub signed: SignedStatement,
    /// The organization's published keys it was checked against.
    pub keys: KeySet,
}

/// What asking one organization for a statement did.
#[derive(Debug)]
pub struct RequestOutcome {
    /// The organization (this device's id).
    pub org_id: String,
    /// Its name.
    pub org_name: String,
    /// The statement kept, or why there is none.
    pub result: Result<StoredStatement>,
}

/// Checks a period a worker asks for: first day on or before the last, at most
/// [`MAX_PERIOD_DAYS`] days, not ending in the future.
pub fn check_period(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<()> {
    let days = (to - from).num_days() + 1;
    if from > to || days > MAX_PERIOD_DAYS || to > today {
        return Err(CoreError::StatementPeriod {
            max_days: MAX_PERIOD_DAYS,
        });
    }
    Ok(())
}

/// The keys a verifier passes by hand (`--key`): one public key (64 hex digits) trusted for
/// whichever organization `doc` names. Whoever passes it vouches for it.
pub fn trust_public_key(public_key_hex: &str, doc: &SignedStatement) -> Result<KeySet, String> {
    let hex_key = public_key_hex.trim().to_ascii_lowercase();
    let bytes: [u8; 32] = hex::decode(&hex_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or("a public key is 64 hex digits")?;
    Ok(KeySet::new(vec![PublishedKey {
        key_id: shiftlog_statement::key_id(&bytes),
        organization_id: doc.statement.organization.id.clone(),
        public_key: hex_key,
        created_at: doc.statement.issued_at,
        retired_at: None,
        revoked_at: None,
    }]))
}

/// Reads a key list file: one published list, or a JSON array of them (merged).
pub fn parse_keys(text: &str) -> Result<KeySet, String> {
    if let Ok(one) = serde_json::from_str::<KeySet>(text) {
        return Ok(one);
    }
    let many: Vec<KeySet> =
        serde_json::from_str(text).map_err(|e| format!("not a list of statement keys ({e})"))?;
    let mut all = KeySet::new(Vec::new());
    for set in many {
        all.merge(set);
    }
    Ok(all)
}

const COLUMNS: &str = "s.id, s.org_id, o.name, s.short_code, s.period_from, s.period_to,
     s.issued_at, s.received_at, s.document, s.keys, s.verify_url";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredStatement> {
    let json_err = |i: usize, e: serde_json::Error| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    };
    let date = |i: usize| -> rusqlite::Result<NaiveDate> {
        let s: String = r.get(i)?;
        s.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    let document: String = r.get(8)?;
    let keys: String = r.get(9)?;
    Ok(StoredStatement {
        id: r.get(0)?,
        org_id: r.get(1)?,
        org_name: r.get(2)?,
        short_code: r.get(3)?,
        from: date(4)?,
        to: date(5)?,
        issued_at: r.get(6)?,
        received_at: r.get(7)?,
        signed: serde_json::from_str(&document).map_err(|e| json_err(8, e))?,
        keys: serde_json::from_str(&keys).map_err(|e| json_err(9, e))?,
        verify_url: r.get(10)?,
    })
}

impl Core {
    /// Keeps a statement that passed its check; the same statement twice is kept once.
    pub(crate) fn keep_statement(
        &self,
        org_id: &str,
        verified: &Verified,
        signed: &SignedStatement,
        keys: &KeySet,
        verify_url: &str,
    ) -> Result<StoredStatement> {
        let db = self.db();
        db.execute(
            "INSERT INTO statements (id, org_id, short_code, period_from, period_to, issued_at,
                                     document, keys, received_at, verify_url)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (org_id, short_code) DO NOTHING",
            params![
                uuid::Uuid::now_v7().to_string(),
                org_id,
                verified.short_code,
                verified.statement.period.from.to_string(),
                verified.statement.period.to.to_string(),
                verified
                    .statement
                    .issued_at
                    .format(shiftlog_statement::content::utc_seconds::FORMAT)
                    .to_string(),
                json(signed),
                json(keys),
                Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                verify_url,
            ],
        )?;
        let sql = format!(
            "SELECT {COLUMNS} FROM statements s JOIN organizations o ON o.id = s.org_id
             WHERE s.org_id = ?1 AND s.short_code = ?2"
        );
        Ok(db.query_row(&sql, params![org_id, verified.short_code], row)?)
    }

    /// Every statement kept on this device, newest first.
    pub fn statements(&self) -> Result<Vec<StoredStatement>> {
        let db = self.db();
        let sql = format!(
            "SELECT {COLUMNS} FROM statements s JOIN organizations o ON o.id = s.org_id
             ORDER BY s.received_at DESC, s.id DESC"
        );
        let mut stmt = db.prepare(&sql)?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One kept statement.
    pub fn statement(&self, id: &str) -> Result<StoredStatement> {
        let sql = format!(
            "SELECT {COLUMNS} FROM statements s JOIN organizations o ON o.id = s.org_id
             WHERE s.id = ?1"
        );
        self.db()
            .query_row(&sql, [id], row)
            .optional()?
            .ok_or_else(|| CoreError::StatementNotFound(id.to_string()))
    }

    /// The kept statements `ids` in that order (every kept one, newest first, when empty).
    pub fn statements_by_id(&self, ids: &[String]) -> Result<Vec<StoredStatement>> {
        if ids.is_empty() {
            return self.statements();
        }
        ids.iter().map(|id| self.statement(id)).collect()
    }

    /// The file to hand to someone who checks it (`shiftlog verify FILE`): one signed
    /// statement as JSON, or a file of several (every kept one when `ids` is empty).
    pub fn statement_file(&self, ids: &[String]) -> Result<String> {
        let mut kept = self.statements_by_id(ids)?;
        if kept.len() == 1 {
            return Ok(kept.remove(0).signed.to_json());
        }
        if kept.is_empty() {
            return Err(CoreError::StatementNotFound(String::new()));
        }
        let file = StatementFile::new(kept.into_iter().map(|s| s.signed).collect());
        serde_json::to_string_pretty(&file).map_err(|e| CoreError::BadResponse(e.to_string()))
    }

    /// The published keys the statements `ids` were checked against, merged (a file for
    /// `shiftlog verify --keys`).
    pub fn statement_keys_file(&self, ids: &[String]) -> Result<String> {
        let mut all = KeySet::new(Vec::new());
        for s in self.statements_by_id(ids)? {
            all.merge(s.keys);
        }
        serde_json::to_string_pretty(&all).map_err(|e| CoreError::BadResponse(e.to_string()))
    }
}

/// JSON text of what the device stores (a value serde cannot write is a bug, not data).
fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_period_is_in_order_short_enough_and_not_in_the_future() {
        let today = d("2026-12-02");
        assert!(check_period(d("2026-11-01"), d("2026-11-30"), today).is_ok());
        assert!(check_period(d("2026-12-02"), d("2026-12-02"), today).is_ok());
        assert!(check_period(d("2025-12-02"), d("2026-12-02"), today).is_ok());
        for (from, to) in [
            ("2026-11-30", "2026-11-01"),
            ("2025-12-01", "2026-12-02"),
            ("2026-12-01", "2026-12-03"),
        ] {
            let e = check_period(d(from), d(to), today).expect_err(from);
            assert_eq!(e.code(), "statement_period");
        }
    }

    #[test]
    fn a_key_list_file_is_one_list_or_several_and_nothing_else() {
        let one = r#"{"format":"shiftlog.statement-keys.v1","keys":[]}"#;
        assert!(parse_keys(one).is_ok());
        assert!(parse_keys(&format!("[{one},{one}]")).is_ok());
        assert!(parse_keys("{}").is_err());
        assert!(parse_keys("hello").is_err());
    }
}
