//! What a statement says: the organization, the worker as the server knows them, the period,
//! and counts of their work. Nothing about the people served is in here, by construction:
//! there is no field that could hold it (no people reached, no outcomes, no areas).
//!
//! Every struct refuses fields it does not define (`deny_unknown_fields`), so a field added
//! to a signed file makes it malformed instead of being shown unsigned. Minutes are integers
//! (a statement never holds a float, so its canonical bytes are unambiguous).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The `format` every statement of this version carries.
pub const STATEMENT_FORMAT: &str = "shiftlog.statement.v1";

/// A statement of one worker's work for one organization over one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Always [`STATEMENT_FORMAT`].
    #[cfg_attr(feature = "openapi", schema(example = json!(STATEMENT_FORMAT)))]
    pub format: String,
    /// Who signs.
    pub organization: Organization,
    /// Whose work it is, as the server knows them.
    pub worker: Worker,
    /// The days it covers.
    pub period: Period,
    /// When the server signed it (whole seconds, UTC).
    #[serde(with = "utc_seconds")]
    pub issued_at: DateTime<Utc>,
    /// Shift time by pay type.
    pub hours: Vec<PayHours>,
    /// Activities by kind.
    pub activities: Vec<ActivityCount>,
    /// Training the worker took, by topic.
    pub training: Vec<TrainingCount>,
    /// Roles the worker held, with what the organization expects of each.
    pub roles: Vec<RoleHeld>,
}

/// A word in both languages the app speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Words {
    /// English.
    pub en: String,
    /// French.
    pub fr: String,
}

impl Words {
    /// The same words in both languages.
    pub fn same(s: &str) -> Words {
        Words {
            en: s.to_string(),
            fr: s.to_string(),
        }
    }

    /// The words in `lang`.
    pub fn get(&self, lang: shiftlog_model::error::Lang) -> &str {
        match lang {
            shiftlog_model::error::Lang::En => &self.en,
            shiftlog_model::error::Lang::Fr => &self.fr,
        }
    }
}

/// The organization that signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// The server's id for it.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// The worker, as the organization's server knows them: a pseudonym, never a legal name
/// (the worker's own name goes on the printed page, outside what is signed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Worker {
    /// The server's worker id.
    pub id: String,
    /// The pseudonym the organization knows them by.
    pub pseudonym: String,
}

/// Days from `from` to `to`, both included (the organization's calendar days, as the
/// summaries count them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

/// Time on shifts of one pay type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PayHours {
    /// The pay type's id (`paid`, `unpaid`, `volunteer`, `on_call`, `honorarium`).
    pub pay_type: String,
    /// Its words.
    pub label: Words,
    /// Number of shifts.
    pub shifts: u64,
    /// Minutes on those shifts.
    pub minutes: u64,
}

/// Activities of one kind: how many and how long, never whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityCount {
    /// The kind's id.
    pub kind: String,
    /// Its words.
    pub label: Words,
    /// How many.
    pub count: u64,
    /// How many of them were off shift (work the studies say goes unseen).
    pub off_shift: u64,
    /// Minutes recorded on them.
    pub minutes: u64,
}

/// Training received on one topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TrainingCount {
    /// The topic, as recorded.
    pub topic: String,
    /// Sessions recorded as taken.
    pub count: u64,
    /// Minutes recorded on them.
    pub minutes: u64,
}

/// A role the worker held, in the organization's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoleHeld {
    /// The role's id in the catalogue.
    pub id: String,
    /// Its title.
    pub title: Words,
    /// What someone in this role is expected to do.
    pub description: Words,
    /// Shifts worked in it.
    pub shifts: u64,
    /// Minutes on those shifts.
    pub minutes: u64,
}

impl Statement {
    /// Total shift minutes over every pay type.
    pub fn total_minutes(&self) -> u64 {
        self.hours.iter().map(|h| h.minutes).sum()
    }
}

/// `issued_at` as `YYYY-MM-DDTHH:MM:SSZ`: one spelling, so it reads the same everywhere.
pub mod utc_seconds {
    use chrono::{DateTime, NaiveDateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// The one spelling.
    pub const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

    /// Writes the time in [`FORMAT`].
    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format(FORMAT).to_string())
    }

    /// Reads a time in [`FORMAT`] only.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        NaiveDateTime::parse_from_str(&s, FORMAT)
            .map(|t| t.and_utc())
            .map_err(|_| serde::de::Error::custom("issued_at is not YYYY-MM-DDTHH:MM:SSZ"))
    }
}
