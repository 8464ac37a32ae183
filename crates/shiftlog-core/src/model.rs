//! The records a worker keeps and the rules they obey. No field here may hold a client's
//! identity: people served are counts, places are coarse areas. The JSON bodies are the ones
//! in docs/records.md; this module is their typed form.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::catalogue::Catalogue;
use crate::error::ValidationError;

/// Largest quantity on one supply line; more than this in one hand-out is a typo.
pub const MAX_QUANTITY: i64 = 10_000;
/// Most minutes in one activity or trip: a day.
pub const MAX_MINUTES: i64 = 1440;
/// Most people reached in one activity.
pub const MAX_PEOPLE: i64 = 10_000;
/// Most naloxone doses in one response.
pub const MAX_DOSES: i64 = 20;
/// Longest free-text note.
pub const MAX_NOTE_CHARS: usize = 280;
/// How far in the future a time may be (clock drift between devices).
pub const FUTURE_TOLERANCE_MINUTES: i64 = 10;
/// Longest shift accepted.
pub const MAX_SHIFT_HOURS: i64 = 36;

/// The kinds of record that travel to an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordType {
    /// Frontline or navigation work.
    Activity,
    /// A shift.
    Shift,
    /// The shared fact that the worker asked for a debrief.
    DebriefRequest,
    /// Training received or wanted.
    Training,
}

impl RecordType {
    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Activity => "activity",
            RecordType::Shift => "shift",
            RecordType::DebriefRequest => "debrief_request",
            RecordType::Training => "training",
        }
    }

    /// Parses the stable id.
    pub fn parse(s: &str) -> Option<RecordType> {
        Some(match s {
            "activity" => RecordType::Activity,
            "shift" => RecordType::Shift,
            "debrief_request" => RecordType::DebriefRequest,
            "training" => RecordType::Training,
            _ => return None,
        })
    }
}

/// Built-in activity kinds.
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
}

fn default_true() -> bool {
    true
}

/// Yes, no, or not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YesNoUnknown {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Not known.
    Unknown,
}

/// How naloxone was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NaloxoneRoute {
    /// Nasal spray.
    Intranasal,
    /// Injection.
    Intramuscular,
}

/// Naloxone given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Naloxone {
    /// Doses, 0 to 20.
    pub doses: i64,
    /// Route.
    pub route: NaloxoneRoute,
}

/// How an overdose response ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverdoseOutcome {
    /// Survived.
    Survived,
    /// Taken to hospital.
    Transported,
    /// Died.
    Died,
    /// Not known.
    Unknown,
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

/// One line of a supplies hand-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplyLine {
    /// Item id from the organization's catalogue, e.g. `naloxone_kit`.
    pub item: String,
    /// How many were given.
    pub quantity: i64,
}

/// Navigation task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NavTask {
    /// ID replacement.
    Id,
    /// Income assistance.
    IncomeAssistance,
    /// Disability assistance.
    DisabilityAssistance,
    /// Housing.
    Housing,
    /// Bank account.
    BankAccount,
    /// Health appointment.
    HealthAppointment,
    /// Pharmacy.
    Pharmacy,
    /// Legal.
    Legal,
    /// Other.
    Other,
}

/// How the navigation contact happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactType {
    /// Phone.
    Phone,
    /// In person.
    InPerson,
    /// Went with the person.
    Accompaniment,
}

/// Kind of referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralType {
    /// Information given.
    Passive,
    /// Contacted the service for the person.
    Active,
    /// Introduced in person.
    WarmHandoff,
}

/// A referral.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    /// Where to (a service, not a person).
    pub destination: String,
    /// Kind.
    #[serde(rename = "type")]
    pub kind: ReferralType,
}

/// How a navigation task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NavOutcome {
    /// Done.
    Completed,
    /// Still open.
    Pending,
    /// Declined.
    Declined,
}

impl NavOutcome {
    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            NavOutcome::Completed => "completed",
            NavOutcome::Pending => "pending",
            NavOutcome::Declined => "declined",
        }
    }
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

/// Kind-specific details of an activity.
#[derive(Debug, Clone, PartialEq)]
pub enum KindDetails {
    /// Overdose response.
    OverdoseResponse(Overdose),
    /// Supplies distributed.
    SuppliesDistributed(Vec<SupplyLine>),
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

/// A parsed activity body: common fields and kind-specific details.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityBody {
    /// Common fields.
    pub common: Common,
    /// Kind-specific details.
    pub details: KindDetails,
}

fn malformed(e: serde_json::Error) -> ValidationError {
    ValidationError::Malformed(e.to_string())
}

impl ActivityBody {
    /// Parses a body of `kind` (the JSON in docs/records.md).
    pub fn parse(kind: &str, body: &Value) -> Result<ActivityBody, ValidationError> {
        if !body.is_object() {
            return Err(ValidationError::Malformed(
                "the details must be an object".into(),
            ));
        }
        let common: Common = serde_json::from_value(body.clone()).map_err(malformed)?;
        let details = match kind {
            "overdose_response" => KindDetails::OverdoseResponse(
                serde_json::from_value(body.clone()).map_err(malformed)?,
            ),
            "supplies_distributed" => {
                #[derive(Deserialize)]
                struct S {
                    items: Vec<SupplyLine>,
                }
                let s: S = serde_json::from_value(body.clone()).map_err(malformed)?;
                KindDetails::SuppliesDistributed(s.items)
            }
            "outreach_contact" => KindDetails::Simple("outreach_contact"),
            "peer_education" => KindDetails::Simple("peer_education"),
            "emotional_support" => KindDetails::Simple("emotional_support"),
            "meal_service" => KindDetails::Simple("meal_service"),
            "systems_navigation" => KindDetails::SystemsNavigation(
                serde_json::from_value(body.clone()).map_err(malformed)?,
            ),
            other => KindDetails::Custom {
                kind: other.to_string(),
                fields: body
                    .get("fields")
                    .and_then(|f| f.as_object())
                    .cloned()
                    .unwrap_or_default(),
            },
        };
        Ok(ActivityBody { common, details })
    }

    /// The body as JSON, normalized: common fields then kind-specific ones.
    pub fn to_json(&self) -> Value {
        let mut out = match serde_json::to_value(&self.common) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let specific = match &self.details {
            KindDetails::OverdoseResponse(o) => serde_json::to_value(o).ok(),
            KindDetails::SuppliesDistributed(items) => Some(serde_json::json!({ "items": items })),
            KindDetails::Simple(_) => None,
            KindDetails::SystemsNavigation(n) => serde_json::to_value(n).ok(),
            KindDetails::Custom { fields, .. } => Some(serde_json::json!({ "fields": fields })),
        };
        if let Some(Value::Object(m)) = specific {
            out.extend(m);
        }
        Value::Object(out)
    }

    /// Checks every field against the rules and the organization's catalogue.
    pub fn validate(&self, catalogue: &Catalogue) -> Result<(), ValidationError> {
        let c = &self.common;
        if !catalogue.kind_enabled(self.details.kind()) {
            return Err(ValidationError::UnknownKind(
                self.details.kind().to_string(),
            ));
        }
        range("minutes", c.minutes, 0, MAX_MINUTES)?;
        range("people_reached", c.people_reached, 0, MAX_PEOPLE)?;
        note(c.note.as_deref())?;
        if let Some(a) = &c.area {
            if !catalogue.has_area(a) {
                return Err(ValidationError::UnknownArea(a.clone()));
            }
        }
        if let Some(r) = &c.role {
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
            KindDetails::SuppliesDistributed(items) => {
                if items.is_empty() {
                    return Err(ValidationError::NoItems);
                }
                for line in items {
                    if !catalogue.has_item(&line.item) {
                        return Err(ValidationError::UnknownItem(line.item.clone()));
                    }
                    range("quantity", Some(line.quantity), 1, MAX_QUANTITY)?;
                }
            }
            KindDetails::Simple(_) => {}
            KindDetails::SystemsNavigation(n) => {
                range("travel_minutes", n.travel_minutes, 0, MAX_MINUTES)?;
                range("out_of_pocket_cents", n.out_of_pocket_cents, 0, 10_000_000)?;
                if n.barriers.len() > 20 || n.barriers.iter().any(|b| b.chars().count() > 80) {
                    return Err(ValidationError::TooLong("barriers".into()));
                }
                if let Some(r) = &n.referral {
                    if r.destination.trim().is_empty() || r.destination.chars().count() > 120 {
                        return Err(ValidationError::TooLong("referral".into()));
                    }
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
}

/// Checks an optional number against an inclusive range.
pub fn range(field: &str, v: Option<i64>, min: i64, max: i64) -> Result<(), ValidationError> {
    match v {
        Some(x) if !(min..=max).contains(&x) => Err(ValidationError::OutOfRange {
            field: field.into(),
            got: x,
            min,
            max,
        }),
        _ => Ok(()),
    }
}

/// Checks a free-text note's length.
pub fn note(n: Option<&str>) -> Result<(), ValidationError> {
    match n {
        Some(s) if s.chars().count() > MAX_NOTE_CHARS => Err(ValidationError::NoteTooLong),
        _ => Ok(()),
    }
}

/// How a shift is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayType {
    /// Paid.
    Paid,
    /// Unpaid.
    Unpaid,
    /// Volunteer.
    Volunteer,
    /// On call.
    OnCall,
    /// Honorarium.
    Honorarium,
}

impl PayType {
    /// All pay types, in display order.
    pub const ALL: [PayType; 5] = [
        PayType::Paid,
        PayType::Unpaid,
        PayType::Volunteer,
        PayType::OnCall,
        PayType::Honorarium,
    ];

    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            PayType::Paid => "paid",
            PayType::Unpaid => "unpaid",
            PayType::Volunteer => "volunteer",
            PayType::OnCall => "on_call",
            PayType::Honorarium => "honorarium",
        }
    }

    /// True for the pay types counted as unpaid work in summaries.
    pub fn is_unpaid(self) -> bool {
        matches!(self, PayType::Unpaid | PayType::Volunteer)
    }
}

/// A shift's body (docs/records.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftBody {
    /// Start.
    pub started_at: DateTime<FixedOffset>,
    /// End; none while open.
    #[serde(default)]
    pub ended_at: Option<DateTime<FixedOffset>>,
    /// Role title id.
    #[serde(default)]
    pub role: Option<String>,
    /// Pay type.
    pub pay_type: PayType,
    /// Area id.
    #[serde(default)]
    pub area: Option<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
}

/// Training status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingStatus {
    /// Received.
    Received,
    /// Wanted.
    Wanted,
}

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
}

/// What the worker asks to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewActivity {
    /// Organization; defaults to the worker's first organization.
    #[serde(default)]
    pub org_id: Option<String>,
    /// When it happened; defaults to now with the device's offset.
    #[serde(default)]
    pub occurred_at: Option<DateTime<FixedOffset>>,
    /// Activity kind id.
    pub kind: String,
    /// Body as in docs/records.md.
    pub body: Value,
}

/// Where a record stands with its organization's server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RecordSync {
    /// On this device only, waiting to be sent.
    Waiting,
    /// The server confirmed it.
    Sent {
        /// When the confirmation came.
        at: DateTime<FixedOffset>,
    },
    /// The server refused it; it stays here until the worker fixes it.
    NeedsAttention {
        /// The server's reason.
        reason: String,
    },
    /// Kept on this device only (an organization without a server).
    Local,
}

/// A stored record of any type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// UUIDv7 made on this device.
    pub id: Uuid,
    /// Organization it belongs to.
    pub org_id: String,
    /// Record type.
    pub record_type: RecordType,
    /// Kind (activity kind; the record type for others).
    pub kind: String,
    /// When it happened (a shift's start).
    pub occurred_at: DateTime<FixedOffset>,
    /// When this device saved it.
    pub recorded_at: DateTime<FixedOffset>,
    /// Goes up with each edit.
    pub version: u32,
    /// Body as in docs/records.md.
    pub body: Value,
    /// Sync state.
    pub sync: RecordSync,
    /// Hybrid logical clock of this version (orders edits made on several devices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hlc: Option<String>,
    /// Envelope fields from a newer app version, passed on unchanged.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub unknown: Map<String, Value>,
}

/// An activity is a record of type `activity`.
pub type Activity = Record;

impl Record {
    /// The record as it travels to the server.
    pub fn to_envelope(&self, deleted: bool) -> shiftlog_wire::RecordEnvelope {
        shiftlog_wire::RecordEnvelope {
            id: self.id,
            version: self.version,
            record_type: self.record_type.as_str().into(),
            kind: self.kind.clone(),
            occurred_at: self.occurred_at,
            recorded_at: self.recorded_at,
            deleted,
            hlc: self.hlc.clone(),
            body: if deleted {
                Value::Object(Map::new())
            } else {
                self.body.clone()
            },
            unknown: self.unknown.clone(),
        }
    }
}

/// An organization the worker belongs to, as the device knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Server base URL, if enrolled.
    pub server_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(kind: &str, body: Value) -> Result<(), ValidationError> {
        let cat = Catalogue::default_catalogue();
        ActivityBody::parse(kind, &body)?.validate(&cat)
    }

    #[test]
    fn validation_table() {
        let od = |naloxone: Value| json!({"called_911": "yes", "naloxone": naloxone, "outcome": "survived"});
        let cases: Vec<(&str, Value, Result<(), ValidationError>)> = vec![
            (
                "supplies_distributed",
                json!({"items": [{"item": "naloxone_kit", "quantity": 2}]}),
                Ok(()),
            ),
            (
                "supplies_distributed",
                json!({"items": []}),
                Err(ValidationError::NoItems),
            ),
            (
                "supplies_distributed",
                json!({"items": [{"item": "naloxone_kit", "quantity": 0}]}),
                Err(ValidationError::OutOfRange {
                    field: "quantity".into(),
                    got: 0,
                    min: 1,
                    max: MAX_QUANTITY,
                }),
            ),
            (
                "supplies_distributed",
                json!({"items": [{"item": "naloxone_kit", "quantity": 10001}]}),
                Err(ValidationError::OutOfRange {
                    field: "quantity".into(),
                    got: 10001,
                    min: 1,
                    max: MAX_QUANTITY,
                }),
            ),
            (
                "supplies_distributed",
                json!({"items": [{"item": "bananas", "quantity": 1}]}),
                Err(ValidationError::UnknownItem("bananas".into())),
            ),
            (
                "overdose_response",
                od(json!({"doses": 2, "route": "intranasal"})),
                Ok(()),
            ),
            (
                "overdose_response",
                od(json!({"doses": 20, "route": "intramuscular"})),
                Ok(()),
            ),
            (
                "overdose_response",
                od(json!({"doses": 21, "route": "intranasal"})),
                Err(ValidationError::OutOfRange {
                    field: "naloxone_doses".into(),
                    got: 21,
                    min: 0,
                    max: 20,
                }),
            ),
            ("overdose_response", od(Value::Null), Ok(())),
            (
                "outreach_contact",
                json!({"people_reached": 4, "minutes": 30}),
                Ok(()),
            ),
            (
                "meal_service",
                json!({"minutes": 1441}),
                Err(ValidationError::OutOfRange {
                    field: "minutes".into(),
                    got: 1441,
                    min: 0,
                    max: MAX_MINUTES,
                }),
            ),
            (
                "emotional_support",
                json!({"people_reached": -1}),
                Err(ValidationError::OutOfRange {
                    field: "people_reached".into(),
                    got: -1,
                    min: 0,
                    max: MAX_PEOPLE,
                }),
            ),
            (
                "peer_education",
                json!({"note": "x".repeat(281)}),
                Err(ValidationError::NoteTooLong),
            ),
            (
                "peer_education",
                json!({"area": "moon"}),
                Err(ValidationError::UnknownArea("moon".into())),
            ),
            ("peer_education", json!({"area": "downtown"}), Ok(())),
            (
                "made_up_kind",
                json!({}),
                Err(ValidationError::UnknownKind("made_up_kind".into())),
            ),
            (
                "systems_navigation",
                json!({"task": "housing", "contact_type": "accompaniment", "travel_minutes": 40,
                       "barriers": ["no ID"], "referral": {"destination": "Housing office", "type": "warm_handoff"},
                       "outcome": "pending", "follow_up_date": "2026-12-01", "out_of_pocket_cents": 350}),
                Ok(()),
            ),
        ];
        for (kind, body, want) in cases {
            assert_eq!(check(kind, body.clone()), want, "{kind} {body}");
        }
    }

    #[test]
    fn malformed_bodies_say_what_is_wrong() {
        for (kind, body) in [
            (
                "overdose_response",
                json!({"called_911": "maybe", "outcome": "survived"}),
            ),
            ("overdose_response", json!({"called_911": "yes"})),
            ("systems_navigation", json!({"task": "housing"})),
            ("supplies_distributed", json!({"items": "lots"})),
            ("outreach_contact", json!([])),
        ] {
            assert!(matches!(
                check(kind, body),
                Err(ValidationError::Malformed(_))
            ));
        }
    }

    #[test]
    fn body_round_trips_normalized() {
        let body = json!({"called_911": "yes", "naloxone": {"doses": 2, "route": "intranasal"}, "outcome": "survived"});
        let parsed = ActivityBody::parse("overdose_response", &body).expect("parse");
        assert_eq!(parsed.naloxone_doses(), 2);
        let again = ActivityBody::parse("overdose_response", &parsed.to_json()).expect("reparse");
        assert_eq!(again, parsed);
        assert_eq!(parsed.to_json()["on_shift"], json!(true));
    }
}
