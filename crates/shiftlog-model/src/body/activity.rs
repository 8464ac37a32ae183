//! Activities: the fields every activity has, and the details of each built-in kind.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::aggregate::{Period, Source};
use super::choices::{
    ContactType, NaloxoneRoute, NavOutcome, NavTask, OverdoseOutcome, ReferralType, YesNoUnknown,
};
use super::supplies::{Supplies, SUPPLIES_FIELDS};
use super::{extra_fields, note, object, range, with_extra};
use crate::catalogue::Catalogue;
use crate::check::plain_text;
use crate::error::ValidationError;
use crate::limits::*;

/// Built-in activity kinds, in the order the app shows them.
pub const BUILTIN_KINDS: &[&str] = &[
    "overdose_response",
    "supplies_distributed",
    "outreach_contact",
    "peer_education",
    "emotional_support",
    "meal_service",
    "systems_navigation",
];

/// Fields every activity has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Common {
    /// The shift it was done in.
    #[serde(default)]
    pub shift_id: Option<Uuid>,
    /// False for work done off shift.
    #[serde(default = "default_true")]
    pub on_shift: bool,
    /// Area id from the organization's list.
    #[serde(default)]
    pub area: Option<String>,
    /// Role title id in force.
    #[serde(default)]
    pub role: Option<String>,
    /// Time spent.
    #[serde(default)]
    pub minutes: Option<i64>,
    /// How many people were reached (a count, never who).
    #[serde(default)]
    pub people_reached: Option<i64>,
    /// A short note, no names.
    #[serde(default)]
    pub note: Option<String>,
    /// For an aggregate entry: the past days it stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// Set when the record came from the shift's tally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

const COMMON_FIELDS: &[&str] = &[
    "shift_id",
    "on_shift",
    "area",
    "role",
    "minutes",
    "people_reached",
    "note",
    "period",
    "source",
];

fn default_true() -> bool {
    true
}

/// Naloxone given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Naloxone {
    /// Doses, 0 to 20.
    pub doses: i64,
    /// Route.
    pub route: NaloxoneRoute,
}

/// Details of an overdose response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overdose {
    /// 911 called.
    pub called_911: YesNoUnknown,
    /// EMS arrived.
    #[serde(default)]
    pub ems_arrived: bool,
    /// Naloxone given, if any.
    #[serde(default)]
    pub naloxone: Option<Naloxone>,
    /// Rescue breathing.
    #[serde(default)]
    pub rescue_breathing: bool,
    /// Oxygen.
    #[serde(default)]
    pub oxygen: bool,
    /// Recovery position.
    #[serde(default)]
    pub recovery_position: bool,
    /// Stayed until recovery or EMS.
    #[serde(default)]
    pub stayed_until_recovery_or_ems: bool,
    /// Kit replaced.
    #[serde(default)]
    pub kit_replaced: bool,
    /// Outcome.
    pub outcome: OverdoseOutcome,
}

const OVERDOSE_FIELDS: &[&str] = &[
    "called_911",
    "ems_arrived",
    "naloxone",
    "rescue_breathing",
    "oxygen",
    "recovery_position",
    "stayed_until_recovery_or_ems",
    "kit_replaced",
    "outcome",
];

/// A referral.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// Where to (a service, not a person).
    pub destination: String,
    /// Kind.
    #[serde(rename = "type")]
    pub kind: ReferralType,
}

/// Details of systems navigation work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Navigation {
    /// Task.
    pub task: NavTask,
    /// Contact type.
    pub contact_type: ContactType,
    /// Travel minutes.
    #[serde(default)]
    pub travel_minutes: Option<i64>,
    /// Barriers addressed.
    #[serde(default)]
    pub barriers: Vec<String>,
    /// Referral, if any.
    #[serde(default)]
    pub referral: Option<Referral>,
    /// Outcome.
    pub outcome: NavOutcome,
    /// Follow-up date.
    #[serde(default)]
    pub follow_up_date: Option<NaiveDate>,
    /// Out-of-pocket cost in cents.
    #[serde(default)]
    pub out_of_pocket_cents: Option<i64>,
}

const NAVIGATION_FIELDS: &[&str] = &[
    "task",
    "contact_type",
    "travel_minutes",
    "barriers",
    "referral",
    "outcome",
    "follow_up_date",
    "out_of_pocket_cents",
];

/// Kind-specific details of an activity.
#[derive(Debug, Clone, PartialEq)]
pub enum KindDetails {
    /// Overdose response.
    OverdoseResponse(Overdose),
    /// Supplies handed out, kits that replace one, and supplies brought back.
    SuppliesDistributed(Supplies),
    /// Outreach contact, peer education, emotional support or meal service: common fields only.
    Simple(&'static str),
    /// Systems navigation and accompaniment.
    SystemsNavigation(Navigation),
    /// An organization-defined kind with its typed fields.
    Custom {
        /// Kind id from the catalogue.
        kind: String,
        /// Field values.
        fields: Map<String, Value>,
    },
}

impl KindDetails {
    /// The kind id.
    pub fn kind(&self) -> &str {
        match self {
            KindDetails::OverdoseResponse(_) => "overdose_response",
            KindDetails::SuppliesDistributed(_) => "supplies_distributed",
            KindDetails::Simple(k) => k,
            KindDetails::SystemsNavigation(_) => "systems_navigation",
            KindDetails::Custom { kind, .. } => kind,
        }
    }
}

/// The top-level body fields `kind` defines (common fields included).
pub fn activity_fields(kind: &str) -> Vec<&'static str> {
    let specific: &[&str] = match kind {
        "overdose_response" => OVERDOSE_FIELDS,
        "supplies_distributed" => SUPPLIES_FIELDS,
        "systems_navigation" => NAVIGATION_FIELDS,
        k if BUILTIN_KINDS.contains(&k) => &[],
        _ => &["fields"],
    };
    COMMON_FIELDS.iter().chain(specific).copied().collect()
}

/// A parsed activity body: common fields, kind-specific details, and fields it does not define.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityBody {
    /// Common fields.
    pub common: Common,
    /// Kind-specific details.
    pub details: KindDetails,
    /// Top-level fields this version does not define (from a newer peer), kept verbatim.
    pub extra: Map<String, Value>,
}

impl ActivityBody {
    /// Parses a body of `kind` (the JSON in docs/records.md).
    pub fn parse(kind: &str, body: &Value) -> Result<ActivityBody, ValidationError> {
        let map = object(body)?;
        let common: Common = super::read(body)?;
        let details = match kind {
            "overdose_response" => KindDetails::OverdoseResponse(super::read(body)?),
            "supplies_distributed" => KindDetails::SuppliesDistributed(super::read(body)?),
            "systems_navigation" => KindDetails::SystemsNavigation(super::read(body)?),
            other => match BUILTIN_KINDS.iter().find(|k| **k == other) {
                Some(k) => KindDetails::Simple(k),
                None => KindDetails::Custom {
                    kind: other.to_string(),
                    fields: match map.get("fields") {
                        None | Some(Value::Null) => Map::new(),
                        Some(Value::Object(f)) => f.clone(),
                        Some(_) => {
                            return Err(ValidationError::Malformed(
                                "fields must be an object".into(),
                            ))
                        }
                    },
                },
            },
        };
        Ok(ActivityBody {
            common,
            details,
            extra: extra_fields(map, &activity_fields(kind)),
        })
    }

    /// The body as JSON, normalized: common fields, kind-specific ones, then the fields kept
    /// from a newer peer.
    pub fn to_json(&self) -> Value {
        let mut out = match serde_json::to_value(&self.common) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let specific = match &self.details {
            KindDetails::OverdoseResponse(o) => serde_json::to_value(o).ok(),
            KindDetails::SuppliesDistributed(s) => serde_json::to_value(s).ok(),
            KindDetails::Simple(_) => None,
            KindDetails::SystemsNavigation(n) => serde_json::to_value(n).ok(),
            KindDetails::Custom { fields, .. } => Some(serde_json::json!({ "fields": fields })),
        };
        if let Some(Value::Object(m)) = specific {
            out.extend(m);
        }
        with_extra(Value::Object(out), &self.extra)
    }

    /// Checks every field against the rules and the organization's catalogue. Fields kept in
    /// `extra` are not checked here: the device keeps them, the server refuses them
    /// ([`crate::check`]).
    pub fn validate(&self, catalogue: &Catalogue) -> Result<(), ValidationError> {
        let c = &self.common;
        let kind = self.details.kind();
        plain_text("kind", kind, false)?;
        if !catalogue.kind_enabled(kind) {
            return Err(ValidationError::UnknownKind(kind.to_string()));
        }
        range("minutes", c.minutes, 0, MAX_MINUTES)?;
        range("people_reached", c.people_reached, 0, MAX_PEOPLE)?;
        note(c.note.as_deref())?;
        if let Some(a) = &c.area {
            plain_text("area", a, false)?;
            if !catalogue.has_area(a) {
                return Err(ValidationError::UnknownArea(a.clone()));
            }
        }
        if let Some(r) = &c.role {
            plain_text("role", r, false)?;
            if !catalogue.has_role(r) {
                return Err(ValidationError::UnknownRole(r.clone()));
            }
        }
        match &self.details {
            KindDetails::OverdoseResponse(o) => {
                if let Some(n) = &o.naloxone {
                    range("naloxone_doses", Some(n.doses), 0, MAX_DOSES)?;
                }
            }
            KindDetails::SuppliesDistributed(s) => s.validate(catalogue)?,
            KindDetails::Simple(_) => {}
            KindDetails::SystemsNavigation(n) => {
                range("travel_minutes", n.travel_minutes, 0, MAX_MINUTES)?;
                range(
                    "out_of_pocket_cents",
                    n.out_of_pocket_cents,
                    0,
                    MAX_OUT_OF_POCKET_CENTS,
                )?;
                if n.barriers.len() > MAX_BARRIERS
                    || n.barriers
                        .iter()
                        .any(|b| b.chars().count() > MAX_BARRIER_CHARS)
                {
                    return Err(ValidationError::TooLong("barriers".into()));
                }
                for b in &n.barriers {
                    plain_text("barriers", b, false)?;
                }
                if let Some(r) = &n.referral {
                    if r.destination.trim().is_empty() {
                        return Err(ValidationError::Required("referral".into()));
                    }
                    if r.destination.chars().count() > MAX_REFERRAL_CHARS {
                        return Err(ValidationError::TooLong("referral".into()));
                    }
                    plain_text("referral", &r.destination, false)?;
                }
            }
            KindDetails::Custom { kind, fields } => catalogue.validate_custom(kind, fields)?,
        }
        Ok(())
    }

    /// Naloxone doses given (0 when none or not an overdose response).
    pub fn naloxone_doses(&self) -> i64 {
        match &self.details {
            KindDetails::OverdoseResponse(Overdose {
                naloxone: Some(n), ..
            }) => n.doses,
            _ => 0,
        }
    }

    /// Minutes of work it stands for: its own, plus travel for navigation.
    pub fn total_minutes(&self) -> i64 {
        let own = self.common.minutes.unwrap_or(0);
        match &self.details {
            KindDetails::SystemsNavigation(n) => own + n.travel_minutes.unwrap_or(0),
            _ => own,
        }
    }
}

#[cfg(test)]
#[path = "activity_tests.rs"]
mod tests;
