//! Messages to devices: a coordinator posts an alert or a notice to every device of the
//! organization or to one role, until it expires; devices fetch the live ones at each sync
//! and say which they stored, which is how the dashboard counts deliveries (counts of devices,
//! never which ones).
//!
//! A message to a role goes to the devices whose worker has a live shift record in that role
//! in this organization: the server knows roles only from shifts. A worker who has not yet
//! logged a shift in the role gets only messages to everyone. Revoked devices are refused by
//! the `Device` extractor before any of this, and their receipts stop counting.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use shiftlog_server_db::{Message, MessageCount};
use shiftlog_wire::{DeviceMessage, MessagesResponse, Urgency};
use uuid::Uuid;

use crate::{DeviceAuth, OrgService, Role, ServiceError, Staff};

/// Longest message, in characters.
pub const MESSAGE_TEXT_MAX: usize = shiftlog_model::limits::MAX_MESSAGE_CHARS;
/// The furthest expiry a message may have.
pub const MESSAGE_DAYS_MAX: i64 = 30;
/// Most messages a device is sent at once (newest first): about 250 KB at most.
pub const DEVICE_MESSAGES_MAX: u32 = 100;
/// Most messages staff see listed.
const STAFF_MESSAGES_MAX: u32 = 200;
/// Most ids one receipt may name.
pub const RECEIPT_IDS_MAX: usize = 500;

/// What a coordinator posts.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// Plain text, 1 to 500 characters, no control characters (line breaks included).
    pub text: String,
    /// Alert or notice.
    pub urgency: Urgency,
    /// A role of the catalogue, or none for every device.
    #[serde(default)]
    pub role: Option<String>,
    /// RFC 3339; in the future, at most 30 days away.
    pub expires_at: String,
}

/// A message as staff see it, with its delivery count.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StaffMessage {
    /// Id.
    pub id: Uuid,
    /// Alert or notice.
    pub urgency: String,
    /// Text.
    pub text: String,
    /// Role, or none for every device.
    pub role: Option<String>,
    /// Posted at (RFC 3339 UTC).
    pub posted_at: String,
    /// Expires at (RFC 3339 UTC).
    pub expires_at: String,
    /// Who posted it.
    pub posted_by: String,
    /// Withdrawn at, if it was.
    pub withdrawn_at: Option<String>,
    /// `live`, `expired` or `withdrawn`.
    pub state: &'static str,
    /// Devices (not revoked) that have stored it; `None` when a viewer asks and it is 1 to 4
    /// (small numbers are protected for viewers, as in every summary; coordinators and admins,
    /// who see the device list anyway, get the number).
    pub delivered: Option<u64>,
    /// True when `delivered` is held back: 1 to 4 devices.
    pub delivered_fewer_than_5: bool,
}

/// A role a message may go to.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RoleChoice {
    /// Catalogue id.
    pub id: String,
    /// Its title in English.
    pub label: String,
    /// Its title in French.
    pub label_fr: String,
}

/// The staff listing: messages, newest first, and the roles one may be sent to.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StaffMessages {
    /// Messages.
    pub messages: Vec<StaffMessage>,
    /// Roles of the catalogue.
    pub roles: Vec<RoleChoice>,
}

fn time(t: DateTime<Utc>) -> String {
    shiftlog_server_db::messages::message_time(t)
}

fn to_staff(c: MessageCount, now: DateTime<Utc>, protect: bool) -> StaffMessage {
    let held = protect && (1..5).contains(&c.delivered);
    let m = c.message;
    let state = match (m.withdrawn_at, m.expires_at <= now) {
        (Some(_), _) => "withdrawn",
        (None, true) => "expired",
        (None, false) => "live",
    };
    StaffMessage {
        id: m.id,
        urgency: m.urgency,
        text: m.text,
        role: m.role,
        posted_at: time(m.posted_at),
        expires_at: time(m.expires_at),
        posted_by: m.posted_by,
        withdrawn_at: m.withdrawn_at.map(time),
        state,
        delivered: (!held).then_some(c.delivered),
        delivered_fewer_than_5: held,
    }
}

/// Refuses text that is empty, too long or not plain.
fn check_text(text: &str) -> Result<String, ServiceError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ServiceError::Invalid(
            "message_text_empty",
            "text: write the message (1 to 500 characters).".into(),
        ));
    }
    if text.chars().count() > MESSAGE_TEXT_MAX {
        return Err(ServiceError::Invalid(
            "message_text_too_long",
            format!("text: at most {MESSAGE_TEXT_MAX} characters; shorten the message."),
        ));
    }
    if shiftlog_model::check::plain_text("text", text, false).is_err() {
        return Err(ServiceError::Invalid(
            "message_text_not_plain",
            "text: plain text only, on one line, without control or direction characters.".into(),
        ));
    }
    Ok(text.to_string())
}

/// Refuses an expiry that is not a time, is past, or is more than 30 days away.
fn check_expiry(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, ServiceError> {
    let bad = |m: &str| ServiceError::Invalid("message_expiry", format!("expires_at: {m}"));
    let t = DateTime::parse_from_rfc3339(s)
        .map_err(|_| bad("give a time such as 2026-12-03T18:00:00Z."))?
        .with_timezone(&Utc);
    if t <= now {
        return Err(bad("the expiry must be in the future."));
    }
    if t > now + Duration::days(MESSAGE_DAYS_MAX) {
        return Err(bad("a message lasts at most 30 days."));
    }
    Ok(t)
}

impl OrgService {
    fn role_choices(&self, org_id: &str) -> Result<Vec<RoleChoice>, ServiceError> {
        let wire = self.catalogue(org_id)?;
        let catalogue = shiftlog_model::catalogue::from_wire(
            &wire,
            shiftlog_model::catalogue::Catalogue::default_catalogue(),
        );
        Ok(catalogue
            .roles
            .iter()
            .map(|r| RoleChoice {
                id: r.id.clone(),
                label: r.title.get(shiftlog_model::Lang::En).to_string(),
                label_fr: r.title.get(shiftlog_model::Lang::Fr).to_string(),
            })
            .collect())
    }

    /// A coordinator or admin posts a message to the organization's devices. Audit-logged.
    pub fn post_message(
        &self,
        staff: &Staff,
        new: &NewMessage,
    ) -> Result<StaffMessage, ServiceError> {
        staff.require(Role::Coordinator)?;
        let now = Utc::now();
        let text = check_text(&new.text)?;
        let expires_at = check_expiry(&new.expires_at, now)?;
        if let Some(role) = &new.role {
            if !self
                .role_choices(&staff.org_id)?
                .iter()
                .any(|r| &r.id == role)
            {
                return Err(ServiceError::Invalid(
                    "message_role",
                    "role: choose one of the organization's roles, or everyone.".into(),
                ));
            }
        }
        let m = Message {
            id: Uuid::now_v7(),
            org_id: staff.org_id.clone(),
            urgency: new.urgency.as_str().into(),
            text,
            role: new.role.clone(),
            posted_at: now,
            expires_at,
            posted_by: staff.actor.clone(),
            withdrawn_at: None,
        };
        self.store.add_message(&m)?;
        self.audit(
            &staff.org_id,
            &staff.actor,
            "post_message",
            serde_json::json!({"message": m.id, "urgency": m.urgency, "role": m.role,
                               "expires_at": time(expires_at)}),
        )?;
        Ok(to_staff(
            MessageCount {
                message: m,
                delivered: 0,
            },
            now,
            false,
        ))
    }

    /// The organization's messages with delivery counts, and the roles (any staff role:
    /// counts only, never which devices).
    pub fn list_messages(&self, staff: &Staff) -> Result<StaffMessages, ServiceError> {
        staff.require(Role::Viewer)?;
        let now = Utc::now();
        Ok(StaffMessages {
            messages: self
                .store
                .messages(&staff.org_id, STAFF_MESSAGES_MAX)?
                .into_iter()
                .map(|c| to_staff(c, now, staff.role == Role::Viewer))
                .collect(),
            roles: self.role_choices(&staff.org_id)?,
        })
    }

    /// A coordinator or admin withdraws a message: devices are no longer sent it (the app
    /// drops what it no longer gets). Audit-logged.
    pub fn withdraw_message(&self, staff: &Staff, id: Uuid) -> Result<(), ServiceError> {
        staff.require(Role::Coordinator)?;
        self.store.withdraw_message(&staff.org_id, id, Utc::now())?;
        self.audit(
            &staff.org_id,
            &staff.actor,
            "withdraw_message",
            serde_json::json!({"message": id}),
        )
    }

    /// The messages this device is offered now, newest first.
    pub fn messages_for_device(
        &self,
        device: &DeviceAuth,
    ) -> Result<MessagesResponse, ServiceError> {
        let messages = self
            .store
            .messages_for_device(device, Utc::now(), DEVICE_MESSAGES_MAX)?
            .into_iter()
            .map(|m| DeviceMessage {
                id: m.id.to_string(),
                urgency: Urgency::parse(&m.urgency).unwrap_or(Urgency::Notice),
                text: m.text,
                posted_at: time(m.posted_at),
                expires_at: time(m.expires_at),
                role: m.role,
                unknown: Default::default(),
            })
            .collect();
        Ok(MessagesResponse { messages })
    }

    /// The device says it stored `ids`. Only messages it is offered now count; other ids
    /// (unknown, another organization's or role's, withdrawn, expired) are ignored, and a
    /// repeat counts once, so a retry is harmless.
    pub fn record_received(&self, device: &DeviceAuth, ids: &[String]) -> Result<(), ServiceError> {
        if ids.len() > RECEIPT_IDS_MAX {
            return Err(ServiceError::BadRequest(format!(
                "ids: at most {RECEIPT_IDS_MAX} at a time"
            )));
        }
        let offered = self
            .store
            .messages_for_device(device, Utc::now(), DEVICE_MESSAGES_MAX)?;
        let mut take: Vec<Uuid> = offered
            .iter()
            .map(|m| m.id)
            .filter(|id| {
                ids.iter()
                    .any(|s| Uuid::parse_str(s).is_ok_and(|u| u == *id))
            })
            .collect();
        take.dedup();
        if take.is_empty() {
            return Ok(());
        }
        Ok(self
            .store
            .add_message_receipts(device.device_id, &take, Utc::now())?)
    }
}
