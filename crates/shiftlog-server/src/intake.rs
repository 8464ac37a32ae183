//! The server's gate for pushed records: every record is checked with the same rules the
//! device applies (`shiftlog_model::check`), against the organization's catalogue as its
//! devices pull it and the server's own clock; and which version wins is decided once, here,
//! with `shiftlog_model::lww`. Storage only reads the stored version and writes what it is
//! told.
//!
//! Nothing is silent: each record is stored, refused with a reason (in the worker's language),
//! or answered `superseded` / `conflict` with the server's version, so the device can take it.
//! A protocol-1 device cannot read those two answers; it gets `rejected` with the same reason,
//! which keeps its version in Needs attention instead of letting it believe it was stored.

use chrono::{DateTime, Utc};
use shiftlog_model::lww::{self, Outcome, Version};
use shiftlog_model::{check_record, Catalogue, Context, Lang, Side};
use shiftlog_server_db::{DeviceAuth, IngestDecision, IngestRecord, StoredHead};
use shiftlog_wire::{CatalogueResponse, RecordEnvelope, RecordResult, RecordStatus};

/// What the gate knows while it checks one push.
pub(crate) struct Intake {
    catalogue: Catalogue,
    now: DateTime<Utc>,
    lang: Lang,
    protocol: u32,
}

impl Intake {
    /// A gate for one push of the organization whose catalogue is `wire`.
    pub(crate) fn new(
        wire: &CatalogueResponse,
        now: DateTime<Utc>,
        lang: Option<&str>,
        protocol: u32,
    ) -> Intake {
        Intake {
            // The very catalogue a device builds from what it pulls, so both sides check
            // against the same lists.
            catalogue: shiftlog_model::catalogue::from_wire(wire, Catalogue::default_catalogue()),
            now,
            lang: lang.map(Lang::parse).unwrap_or_default(),
            protocol,
        }
    }

    /// The record ready to store (taken, not copied), or its refusal (with the record back).
    pub(crate) fn check(
        &self,
        r: RecordEnvelope,
    ) -> Result<IngestRecord, Box<(RecordEnvelope, RecordResult)>> {
        let ctx = Context {
            catalogue: &self.catalogue,
            now: self.now,
            side: Side::Server,
        };
        match check_record(&r, &ctx) {
            Ok(checked) => Ok(IngestRecord {
                facts: shiftlog_model::facts::facts(&r, &checked),
                envelope: r,
            }),
            Err(e) => {
                let refused = RecordResult::rejected(
                    r.id,
                    r.version,
                    e.code(),
                    self.reason(&e.message(Lang::En), &e.message(Lang::Fr)),
                );
                Err(Box::new((r, refused)))
            }
        }
    }

    /// The refusal of a record that could not be read at all.
    pub(crate) fn undecodable(&self, u: &shiftlog_model::decode::Undecodable) -> RecordResult {
        RecordResult::rejected(
            u.id,
            u.version,
            u.error.code(),
            self.reason(&u.error.message(Lang::En), &u.error.message(Lang::Fr)),
        )
    }

    fn reason(&self, en: &str, fr: &str) -> String {
        match self.lang {
            Lang::En => en.to_string(),
            Lang::Fr => fr.to_string(),
        }
    }

    /// What storage does with a checked record, given what it holds for that id.
    pub(crate) fn decide(
        &self,
        device: &DeviceAuth,
        rec: &IngestRecord,
        head: Option<&StoredHead>,
    ) -> IngestDecision {
        let r = &rec.envelope;
        let Some(head) = head else {
            return IngestDecision::Insert;
        };
        // Only the worker who made a record may change it, from any of their devices.
        let owner =
            head.org_id == device.org_id && head.worker_id.is_none_or(|w| w == device.worker_id);
        if !owner {
            return IngestDecision::Answer(RecordResult::rejected(
                r.id,
                r.version,
                "id_taken",
                self.reason(
                    "This record id is already used. Edit the record and send it again.",
                    "Cet identifiant est déjà utilisé. Modifiez l'enregistrement et renvoyez-le.",
                ),
            ));
        }
        let same = lww::same_content_as_stored(
            r,
            &head.record_type,
            &head.kind,
            &head.occurred_at,
            head.deleted,
            &head.body,
            head.unknown.as_deref(),
        );
        let outcome = lww::decide(
            Version {
                version: r.version,
                hlc: r.hlc.as_deref(),
            },
            Version {
                version: head.version,
                hlc: head.hlc.as_deref(),
            },
            same,
            self.now.timestamp_millis(),
        );
        match outcome {
            Outcome::Store => IngestDecision::Replace,
            Outcome::AlreadyHad => IngestDecision::Answer(RecordResult::plain(
                r.id,
                r.version,
                RecordStatus::AlreadyHad,
            )),
            Outcome::Superseded => self.lost(
                r,
                RecordStatus::Superseded,
                "superseded",
                "A newer change to this record, made on another of your devices, is kept. Your version is kept on this device for you to look at.",
                "Une modification plus récente de cet enregistrement, faite sur un autre de vos appareils, est conservée. Votre version reste sur cet appareil pour que vous la regardiez.",
            ),
            Outcome::Conflict => self.lost(
                r,
                RecordStatus::Conflict,
                "conflict",
                "This record was changed in two ways at once, on two of your devices. The server kept the other change; yours is kept on this device. Check it and save the one you want.",
                "Cet enregistrement a été modifié de deux façons en même temps, sur deux de vos appareils. Le serveur a gardé l'autre modification ; la vôtre reste sur cet appareil. Vérifiez et enregistrez celle que vous voulez.",
            ),
        }
    }

    fn lost(
        &self,
        r: &RecordEnvelope,
        status: RecordStatus,
        code: &str,
        en: &str,
        fr: &str,
    ) -> IngestDecision {
        let reason = self.reason(en, fr);
        if self.protocol < 2 {
            return IngestDecision::Answer(RecordResult::rejected(r.id, r.version, code, reason));
        }
        IngestDecision::AnswerWithCurrent(RecordResult {
            id: r.id,
            version: r.version,
            status,
            reason: Some(reason),
            reason_code: Some(code.to_string()),
            current: None,
        })
    }
}
