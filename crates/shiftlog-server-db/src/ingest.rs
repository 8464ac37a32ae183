//! Ingest as storage sees it: storage reads what it holds for a record id and writes what the
//! service decided, in one transaction; the decision (who may change a record, which version
//! wins) is the service's, passed in as a function.

use shiftlog_wire::{RecordEnvelope, RecordResult};
use uuid::Uuid;

use crate::{pulled_envelope, IngestRecord, StorageError};

/// What the server holds for a record id, as the service needs it to decide.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredHead {
    /// Organization of the stored record.
    pub org_id: String,
    /// The worker who made it (none for rows from before workers existed).
    pub worker_id: Option<Uuid>,
    /// Stored version number.
    pub version: u32,
    /// Stored clock stamp.
    pub hlc: Option<String>,
    /// `activity`, `shift`, ….
    pub record_type: String,
    /// Kind.
    pub kind: String,
    /// RFC 3339, as stored.
    pub occurred_at: String,
    /// True for a deletion.
    pub deleted: bool,
    /// JSON text, as stored.
    pub body: String,
    /// Body fields this server did not know, JSON text, as stored.
    pub unknown: Option<String>,
}

/// What to do with one incoming record.
#[derive(Debug, Clone, PartialEq)]
pub enum IngestDecision {
    /// Store it: there is no stored row.
    Insert,
    /// Overwrite the stored row: a new change-log entry, supplies lines replaced.
    Replace,
    /// Store nothing; answer this.
    Answer(RecordResult),
    /// Store nothing; answer this, with `current` filled with the stored version (as the
    /// pull builds it).
    AnswerWithCurrent(RecordResult),
}

/// The service's decision for a record, given what storage holds for its id (`None`: nothing).
/// Storage calls it inside its transaction, possibly on another push's thread (SQLite's group
/// commit), so it must be quick and must not call storage.
pub type Decide<'a> = &'a (dyn Fn(&IngestRecord, Option<&StoredHead>) -> IngestDecision + Sync);

/// A stored head as a backend reads it: [`StoredHead`] plus what the pull's envelope needs.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadRow {
    /// Record id, as stored.
    pub id: String,
    /// Recorded at on the device, as stored.
    pub recorded_at: String,
    /// The rest.
    pub head: StoredHead,
}

impl HeadRow {
    /// The stored version as an envelope, built as the pull builds it.
    pub fn envelope(&self) -> Result<RecordEnvelope, StorageError> {
        let h = &self.head;
        pulled_envelope(
            &self.id,
            i64::from(h.version),
            h.record_type.clone(),
            h.kind.clone(),
            &h.occurred_at,
            &self.recorded_at,
            h.deleted,
            h.hlc.clone(),
            &h.body,
            h.unknown.as_deref(),
        )
    }

    /// `answer` with the stored version as `current`.
    pub fn answer_with_current(
        &self,
        mut answer: RecordResult,
    ) -> Result<RecordResult, StorageError> {
        answer.current = Some(Box::new(self.envelope()?));
        Ok(answer)
    }
}

/// What a backend does for one record once the service has decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Insert the row (no stored row).
    Insert,
    /// Replace the stored row.
    Replace,
    /// Write nothing; answer this.
    Answer(RecordResult),
}

/// Turns a decision into a write, given the stored head (if any). Deciding `Insert` for an id
/// that is stored is refused (it would silently overwrite); `Replace` without a stored row is
/// an insert.
pub fn write_for(decision: IngestDecision, head: Option<&HeadRow>) -> Result<Write, StorageError> {
    Ok(match (decision, head) {
        (IngestDecision::Insert | IngestDecision::Replace, None) => Write::Insert,
        (IngestDecision::Replace, Some(_)) => Write::Replace,
        (IngestDecision::Insert, Some(h)) => {
            return Err(StorageError::Backend(format!(
                "ingest decided to insert record {}, which is stored",
                h.id
            )))
        }
        (IngestDecision::Answer(a), _) | (IngestDecision::AnswerWithCurrent(a), None) => {
            Write::Answer(a)
        }
        (IngestDecision::AnswerWithCurrent(a), Some(h)) => Write::Answer(h.answer_with_current(a)?),
    })
}

/// Reads a head from the columns of [`crate::sql::RECORD_HEAD`] (`id` to `worker_id`), taken
/// by a backend with its own row type.
#[allow(clippy::too_many_arguments)]
pub fn head_row(
    id: String,
    version: i64,
    record_type: String,
    kind: String,
    occurred_at: String,
    recorded_at: String,
    deleted: bool,
    hlc: Option<String>,
    body: String,
    unknown: Option<String>,
    org_id: String,
    worker_id: Option<String>,
) -> Result<HeadRow, StorageError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| StorageError::Corrupt(format!("{what}: {e}"));
    Ok(HeadRow {
        head: StoredHead {
            org_id,
            worker_id: worker_id
                .map(|w| Uuid::parse_str(&w).map_err(|e| bad("worker_id", &e)))
                .transpose()?,
            version: u32::try_from(version).map_err(|e| bad("version", &e))?,
            hlc,
            record_type,
            kind,
            occurred_at,
            deleted,
            body,
            unknown,
        },
        id,
        recorded_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shiftlog_wire::RecordStatus;

    fn head() -> HeadRow {
        head_row(
            "01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c99".into(),
            3,
            "activity".into(),
            "outreach_contact".into(),
            "2026-11-20T23:42:00-08:00".into(),
            "2026-11-20T23:42:05-08:00".into(),
            false,
            Some("h".into()),
            "{\"area\":\"downtown\"}".into(),
            Some("{\"later\":1}".into()),
            "demo".into(),
            None,
        )
        .expect("head")
    }

    #[test]
    fn decisions_become_writes() {
        let h = head();
        let id = Uuid::parse_str(&h.id).expect("id");
        let a = RecordResult::plain(id, 2, RecordStatus::Superseded);
        assert_eq!(
            write_for(IngestDecision::Insert, None).ok(),
            Some(Write::Insert)
        );
        assert_eq!(
            write_for(IngestDecision::Replace, Some(&h)).ok(),
            Some(Write::Replace)
        );
        assert!(
            write_for(IngestDecision::Insert, Some(&h)).is_err(),
            "never overwrite silently"
        );
        let Ok(Write::Answer(with)) =
            write_for(IngestDecision::AnswerWithCurrent(a.clone()), Some(&h))
        else {
            panic!("an answer");
        };
        let current = with.current.expect("current filled");
        assert_eq!((current.version, current.hlc.as_deref()), (3, Some("h")));
        assert_eq!(current.unknown.get("later"), Some(&serde_json::json!(1)));
        assert_eq!(
            write_for(IngestDecision::Answer(a.clone()), Some(&h)).ok(),
            Some(Write::Answer(a))
        );
    }

    #[test]
    fn a_corrupt_head_is_an_error_not_a_guess() {
        let bad = head_row(
            "x".into(),
            -1,
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            false,
            None,
            String::new(),
            None,
            "demo".into(),
            None,
        );
        assert!(matches!(bad, Err(StorageError::Corrupt(_))));
    }
}
