//! Training received or wanted.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use super::rows::Derived;
use super::{json_of, not_future, now};
use crate::model::{Record, RecordSync, RecordType, TrainingBody, TrainingStatus};
use crate::{Core, Result};

/// Training received or wanted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewTraining {
    /// Organization (the first when `None`).
    #[serde(default)]
    pub org_id: Option<String>,
    /// Topic.
    pub topic: String,
    /// Received or wanted.
    pub status: TrainingStatus,
    /// Minutes, if received.
    #[serde(default)]
    pub minutes: Option<i64>,
    /// When (now when `None`).
    #[serde(default)]
    pub occurred_at: Option<DateTime<FixedOffset>>,
}

impl Core {
    /// Records training received or wanted.
    pub fn log_training(&self, t: NewTraining) -> Result<Record> {
        let org_id = self.resolve_org(t.org_id.as_deref())?;
        let occurred_at = t.occurred_at.unwrap_or_else(now);
        not_future(occurred_at)?;
        let body = validate_training(json!({
            "topic": t.topic, "status": t.status, "minutes": t.minutes
        }))?;
        let rec = Record {
            id: Uuid::now_v7(),
            org_id,
            record_type: RecordType::Training,
            kind: "training".into(),
            occurred_at,
            recorded_at: now(),
            version: 1,
            body: json_of(&body),
            sync: RecordSync::Waiting,
            hlc: Some(self.stamp()),
            unknown: Default::default(),
        };
        self.insert(&rec, &Derived::default())?;
        self.get_record(rec.id)
    }
}

pub(super) fn validate_training(body: Value) -> Result<TrainingBody> {
    let t = TrainingBody::parse(&body)?;
    t.validate()?;
    Ok(t)
}
