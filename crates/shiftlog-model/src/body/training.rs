//! A training record's body.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::choices::TrainingStatus;
use super::{extra_fields, object, range, with_extra};
use crate::check::plain_text;
use crate::error::ValidationError;
use crate::limits::{MAX_MINUTES, MAX_TOPIC_CHARS};

/// A training record's body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingBody {
    /// Topic.
    pub topic: String,
    /// Received or wanted.
    pub status: TrainingStatus,
    /// Minutes, if received.
    #[serde(default)]
    pub minutes: Option<i64>,
    /// Fields this version does not define (from a newer peer), kept verbatim.
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

/// The body fields a training record defines.
pub const TRAINING_FIELDS: &[&str] = &["topic", "status", "minutes"];

/// The key a topic is counted under: words joined by one space, lower case, so "Naloxone
/// training", " naloxone  TRAINING " and "naloxone training" are one topic in a summary.
pub fn topic_key(topic: &str) -> String {
    topic
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl TrainingBody {
    /// Parses a training body; the topic is trimmed.
    pub fn parse(body: &Value) -> Result<TrainingBody, ValidationError> {
        let map = object(body)?;
        let mut t: TrainingBody = super::read(body)?;
        t.topic = t.topic.trim().to_string();
        t.extra = extra_fields(map, TRAINING_FIELDS);
        Ok(t)
    }

    /// The body as JSON, with the fields kept from a newer peer.
    pub fn to_json(&self) -> Value {
        with_extra(
            serde_json::to_value(self).unwrap_or(Value::Null),
            &self.extra,
        )
    }

    /// Checks the fields against the rules.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let topic = self.topic.trim();
        if topic.is_empty() {
            return Err(ValidationError::Required("topic".into()));
        }
        if topic.chars().count() > MAX_TOPIC_CHARS {
            return Err(ValidationError::TooLong("topic".into()));
        }
        plain_text("topic", topic, false)?;
        range("minutes", self.minutes, 0, MAX_MINUTES)
    }
}

#[cfg(test)]
mod tests {
    use super::topic_key;

    #[test]
    fn topics_group_by_words_not_case_or_spacing() {
        assert_eq!(topic_key("  Naloxone\t TRAINING \n"), "naloxone training");
        assert_eq!(topic_key("Réduction des méfaits"), "réduction des méfaits");
        assert_eq!(topic_key("RÉDUCTION  des méfaits"), "réduction des méfaits");
        assert_ne!(topic_key("naloxone"), topic_key("naloxone training"));
    }
}
