//! Wire types of the shiftlog sync protocol, shared by the sync client (in `shiftlog-core`)
//! and the organization server. Nothing here does I/O.
//!
//! Every message that carries records keeps the fields it does not know in `unknown`, so a
//! newer peer's data passes through an older one unharmed.

pub mod packed;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The protocol versions this build speaks. The client picks the highest one both sides know.
///
/// - 1: the first protocol.
/// - 2: adds the `superseded` and `conflict` answers (with the server's winning version in
///   [`RecordResult::current`]), [`RecordResult::reason_code`], and [`PushRequest::lang`]. A
///   protocol-1 client is never sent those statuses: it gets `rejected` with a reason instead,
///   so an edit that lost is never answered as if it had been stored.
/// - 3: as 2, and a push body may be packed ([`packed`], `Content-Type` [`packed::CONTENT_TYPE`]).
pub const PROTOCOL_VERSIONS: &[u32] = &[1, 2, 3];

/// Paths of the HTTP API, in one place so client and server cannot drift apart.
pub mod paths {
    /// `GET ?after=<cursor>&limit=<n>` → [`crate::PullResponse`], device bearer token: the
    /// worker's own records written from their other devices, in server order.
    pub const PULL: &str = "/api/v1/records";
    /// `GET`: [`crate::ServerInfo`].
    pub const INFO: &str = "/api/v1/info";
    /// `POST` [`crate::EnrollRequest`] → [`crate::EnrollResponse`].
    pub const ENROLL: &str = "/api/v1/enroll";
    /// `POST` [`crate::PushRequest`] → [`crate::PushResponse`], device bearer token.
    pub const PUSH: &str = "/api/v1/push";
    /// `GET` record-level CSV export of the caller's organization, staff bearer token.
    pub const EXPORT_CSV: &str = "/api/v1/export/activities.csv";
    /// `GET` [`crate::CatalogueResponse`], device bearer token.
    pub const CATALOGUE: &str = "/api/v1/catalogue";
    /// `GET` the OpenAPI document of the server's HTTP API.
    pub const OPENAPI: &str = "/api/v1/openapi.json";
    /// `GET` [`crate::MessagesResponse`], device bearer token: the organization's messages
    /// for this device that are neither expired nor withdrawn.
    pub const MESSAGES: &str = "/api/v1/messages";
    /// `POST` [`crate::MessagesReceived`], device bearer token: the ids of messages the device
    /// has stored, which is how deliveries are counted. Answers 204.
    pub const MESSAGES_RECEIVED: &str = "/api/v1/messages/received";
}

/// What a server tells a client before it syncs: versions it speaks and the limits it enforces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServerInfo {
    /// Protocol versions the server accepts.
    pub protocol_versions: Vec<u32>,
    /// Most records accepted in one push.
    pub max_batch_records: usize,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The server's clock when it answered, to warn about a wrong device clock.
    pub server_time: chrono::DateTime<chrono::Utc>,
    /// Content encodings the server accepts on request bodies (`gzip`); an older server that
    /// sends none gets uncompressed bodies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_encodings: Vec<String>,
    /// The server database's data epoch: a random id it keeps until it is restored from a
    /// backup, when it gets a new one. A device that sees it change sends again every record
    /// it holds for the organization (the server answers `already_had` for those it kept) and
    /// pulls from the start, so records confirmed after the backup are not lost. An older
    /// server sends none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_epoch: Option<String>,
    /// Fields from a newer server.
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

/// The highest protocol version both peers speak, if any.
pub fn negotiate(ours: &[u32], theirs: &[u32]) -> Option<u32> {
    ours.iter().filter(|v| theirs.contains(v)).max().copied()
}

/// A device asks to join an organization with a one-time code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollRequest {
    /// The one-time code a coordinator gave the worker.
    pub code: String,
    /// A name the worker recognises ("Sam's phone"); never a person's legal name.
    pub device_name: String,
}

/// The server accepts a device and hands it a bearer token, shown only this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollResponse {
    /// The server's id for this device.
    pub device_id: Uuid,
    /// Bearer token for later requests; the server keeps only its hash.
    pub token: String,
    /// The organization the device joined.
    pub organization: OrganizationInfo,
}

/// An organization as a device sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationInfo {
    /// Stable id (a short slug).
    pub id: String,
    /// Display name.
    pub name: String,
}

/// One record as it travels. `body` holds the kind-specific details as JSON so the server can
/// store kinds it does not know yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordEnvelope {
    /// Client-generated UUIDv7.
    pub id: Uuid,
    /// Starts at 1 and goes up with each edit.
    pub version: u32,
    /// Record type, e.g. `activity`.
    pub record_type: String,
    /// Activity kind, e.g. `supplies_distributed`.
    pub kind: String,
    /// When it happened, with the device's UTC offset.
    pub occurred_at: chrono::DateTime<chrono::FixedOffset>,
    /// When the device saved it.
    pub recorded_at: chrono::DateTime<chrono::FixedOffset>,
    /// True for a tombstone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// Hybrid logical clock of this version (`shiftlog_model::hlc`): when two devices of one worker edit
    /// the same record, the higher one wins everywhere. Absent from older clients, whose
    /// versions are ordered by `version` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hlc: Option<String>,
    /// Kind-specific details.
    pub body: Value,
    /// Fields from a newer peer, kept and passed on.
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

/// A batch of records from one device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    /// The protocol version the client chose.
    pub protocol: u32,
    /// The records, at most `max_batch_records`.
    pub records: Vec<RecordEnvelope>,
    /// The language the worker reads (`en` or `fr`): the language of every `reason` in the
    /// answer. English when absent or unknown (protocol 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// What the server did with each record of a push, in request order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// One result per record sent.
    pub results: Vec<RecordResult>,
}

/// The server's answer for one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordResult {
    /// The record's id.
    pub id: Uuid,
    /// The version the answer is about.
    pub version: u32,
    /// What happened.
    pub status: RecordStatus,
    /// Why, when rejected, superseded or in conflict: a sentence a worker can act on, in the
    /// language the push asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A stable code for `reason` (e.g. `unknown_kind`, `clock_ahead`), for programs (protocol 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// The version the server keeps, when this one lost (`superseded` or `conflict`): the
    /// device takes it so both sides agree (protocol 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Box<RecordEnvelope>>,
}

impl RecordResult {
    /// An answer with no reason (accepted, already had).
    pub fn plain(id: Uuid, version: u32, status: RecordStatus) -> RecordResult {
        RecordResult {
            id,
            version,
            status,
            reason: None,
            reason_code: None,
            current: None,
        }
    }

    /// A refusal with a stable code and a sentence a worker can act on.
    pub fn rejected(id: Uuid, version: u32, code: &str, reason: String) -> RecordResult {
        RecordResult {
            id,
            version,
            status: RecordStatus::Rejected,
            reason: Some(reason),
            reason_code: Some(code.to_string()),
            current: None,
        }
    }
}

/// Outcome for one pushed record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Stored now.
    Accepted,
    /// The server already had this version or a newer one; nothing changed.
    AlreadyHad,
    /// Refused; see `reason`. The client keeps the record and shows it to the worker.
    Rejected,
    /// A newer version (by clock) is already stored; this one lost and was not stored. The
    /// answer carries the winner in `current` (protocol 2).
    Superseded,
    /// The server holds the same id and version with a different body: not stored. The
    /// answer carries the server's version in `current` (protocol 2).
    Conflict,
}

impl RecordStatus {
    /// True when the client may consider this version safely on the server, as it sent it.
    pub fn is_confirmed(self) -> bool {
        matches!(self, RecordStatus::Accepted | RecordStatus::AlreadyHad)
    }
}

/// The worker's own records from their other devices, after a cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// Records (tombstones included), oldest change first.
    pub records: Vec<RecordEnvelope>,
    /// Pass as `after` next time.
    pub next: u64,
    /// True when more are waiting after `next`.
    pub more: bool,
}

/// Every error the server returns has this JSON body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `bad_request`, `unauthorized`, `device_revoked`.
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
}

/// Stable error codes used in [`ErrorBody::code`].
pub mod codes {
    /// The request body or parameters are invalid.
    pub const BAD_REQUEST: &str = "bad_request";
    /// No valid token.
    pub const UNAUTHORIZED: &str = "unauthorized";
    /// The device was removed by its organization.
    pub const DEVICE_REVOKED: &str = "device_revoked";
    /// The enrollment code is unknown, used or expired.
    pub const INVALID_CODE: &str = "invalid_code";
    /// The client speaks no protocol version the server knows.
    pub const UNSUPPORTED_PROTOCOL: &str = "unsupported_protocol";
    /// Too large.
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    /// Unknown path.
    pub const NOT_FOUND: &str = "not_found";
    /// Something broke on the server; retry later.
    pub const INTERNAL: &str = "internal";
    /// Signed in, but the role does not allow this.
    pub const FORBIDDEN: &str = "forbidden";
    /// A dashboard request that changes something came without its CSRF token.
    pub const CSRF: &str = "csrf_token_missing";
    /// Too many requests; wait and retry.
    pub const RATE_LIMITED: &str = "rate_limited";
    /// A name is taken.
    pub const CONFLICT: &str = "conflict";
    /// The path exists but not with that method.
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
}

/// An organization's catalogue as a device pulls it (`GET /api/v1/catalogue`). An empty list
/// means the organization has not defined that section: the device keeps its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogueResponse {
    /// Whose catalogue.
    pub organization: OrganizationInfo,
    /// Activity kinds the organization uses.
    pub activity_kinds: Vec<CatalogueEntryWire>,
    /// Supply items.
    pub supply_items: Vec<CatalogueEntryWire>,
    /// Areas to pick from (coarse: never GPS).
    pub areas: Vec<CatalogueEntryWire>,
    /// Role titles; `description` says what the role is expected to do.
    pub roles: Vec<CatalogueEntryWire>,
    /// Days a synced record stays on the device before it is purged.
    pub retention_days: u32,
    /// Fields from a newer server.
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

/// One catalogue entry on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogueEntryWire {
    /// Stable id, e.g. `naloxone_kit`.
    pub id: String,
    /// What workers see.
    pub label: String,
    /// For roles: what the role is expected to do, in plain words.
    #[serde(default)]
    pub description: String,
    /// Fields from a newer server.
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

/// How pressing a message is: an `alert` (a toxic-drug alert, a closure) stays on the
/// device's Home until read; a `notice` is a shift note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    /// Stays on Home until read.
    Alert,
    /// A note.
    Notice,
}

impl Urgency {
    /// The word used on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Alert => "alert",
            Urgency::Notice => "notice",
        }
    }

    /// The urgency a wire word names, if any.
    pub fn parse(s: &str) -> Option<Urgency> {
        match s {
            "alert" => Some(Urgency::Alert),
            "notice" => Some(Urgency::Notice),
            _ => None,
        }
    }
}

/// A message from the organization to its devices, as a device fetches it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceMessage {
    /// The server's id for the message (a UUID).
    pub id: String,
    /// Alert or notice.
    pub urgency: Urgency,
    /// Plain text, 1 to 500 characters.
    pub text: String,
    /// When a coordinator posted it (RFC 3339, UTC).
    pub posted_at: String,
    /// After this the device drops it (RFC 3339, UTC).
    pub expires_at: String,
    /// The catalogue role it was sent to; `None` means every device of the organization.
    #[serde(default)]
    pub role: Option<String>,
    /// Fields from a newer server.
    #[serde(flatten)]
    pub unknown: Map<String, Value>,
}

/// `GET /api/v1/messages`: every current message for this device, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessagesResponse {
    /// Messages neither expired nor withdrawn.
    pub messages: Vec<DeviceMessage>,
}

/// `POST /api/v1/messages/received`: the ids of messages the device has stored. Repeats and
/// ids the device was never offered are ignored, so a retry is harmless.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessagesReceived {
    /// Message ids, as [`DeviceMessage::id`].
    pub ids: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let from_newer_peer = json!({
            "id": "01936d5e-8f7a-7cc0-8a5e-4b1f0f9b2c11",
            "version": 2,
            "record_type": "activity",
            "kind": "supplies_distributed",
            "occurred_at": "2026-11-20T10:42:00-08:00",
            "recorded_at": "2026-11-20T10:42:05-08:00",
            "body": {"items": [{"item": "naloxone_kit", "quantity": 2}]},
            "future_field": {"nested": [1, 2, 3]}
        });
        let rec: RecordEnvelope = serde_json::from_value(from_newer_peer.clone()).expect("parse");
        assert_eq!(
            rec.unknown.get("future_field"),
            Some(&json!({"nested": [1, 2, 3]}))
        );
        assert!(!rec.deleted);
        let back = serde_json::to_value(&rec).expect("serialize");
        assert_eq!(back, from_newer_peer);
    }

    #[test]
    fn statuses_serialize_as_snake_case() {
        let r = RecordResult::plain(Uuid::nil(), 1, RecordStatus::AlreadyHad);
        let v = serde_json::to_value(&r).expect("serialize");
        assert_eq!(v["status"], "already_had");
        assert!(v.get("reason").is_none());
        assert!(RecordStatus::AlreadyHad.is_confirmed());
        assert!(!RecordStatus::Rejected.is_confirmed());
        assert!(!RecordStatus::Superseded.is_confirmed());
        assert!(!RecordStatus::Conflict.is_confirmed());
        let s = serde_json::to_value(RecordStatus::Superseded).expect("serialize");
        assert_eq!(s, "superseded");
    }

    #[test]
    fn catalogue_round_trip_keeps_unknown_fields() {
        let v = json!({
            "organization": {"id": "demo", "name": "Demo"},
            "activity_kinds": [{"id": "outreach_contact", "label": "Outreach"}],
            "supply_items": [],
            "areas": [{"id": "v6a", "label": "Downtown", "description": "", "map": 1}],
            "roles": [{"id": "peer", "label": "Outreach worker", "description": "Street outreach"}],
            "retention_days": 90,
            "new_section": []
        });
        let c: CatalogueResponse = serde_json::from_value(v.clone()).expect("parse");
        assert_eq!(c.activity_kinds[0].description, "");
        assert_eq!(c.areas[0].unknown.get("map"), Some(&json!(1)));
        let back = serde_json::to_value(&c).expect("serialize");
        assert_eq!(back["new_section"], json!([]));
        assert_eq!(back["roles"], v["roles"]);
    }

    #[test]
    fn messages_round_trip_keeps_unknown_fields() {
        let v = json!({"messages": [{
            "id": "0193a000-0000-7000-8000-000000000001",
            "urgency": "alert",
            "text": "Strong batch going around downtown",
            "posted_at": "2026-12-02T17:00:00Z",
            "expires_at": "2026-12-03T17:00:00Z",
            "role": null,
            "colour": "red"
        }]});
        let r: MessagesResponse = serde_json::from_value(v.clone()).expect("parse");
        assert_eq!(r.messages[0].urgency, Urgency::Alert);
        assert_eq!(r.messages[0].unknown.get("colour"), Some(&json!("red")));
        assert_eq!(serde_json::to_value(&r).expect("serialize"), v);
        let notice: Urgency = serde_json::from_value(json!("notice")).expect("parse");
        assert_eq!(notice.as_str(), "notice");
        assert_eq!(Urgency::parse("alert"), Some(Urgency::Alert));
        assert!(serde_json::from_value::<Urgency>(json!("Alert")).is_err());
        let got: MessagesReceived = serde_json::from_value(json!({"ids": ["a"]})).expect("parse");
        assert_eq!(got.ids, vec!["a".to_string()]);
    }

    #[test]
    fn negotiation_picks_highest_common_version() {
        assert_eq!(negotiate(&[1, 2], &[2, 3]), Some(2));
        assert_eq!(negotiate(&[1], &[2, 3]), None);
    }
}
