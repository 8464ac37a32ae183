//! Ingest: a device's push, answered per record.

use shiftlog_wire::{RecordEnvelope, RecordResult};

use crate::{facts, CatalogueEntry, DeviceAuth, OrgService, ServiceError};

impl OrgService {
    /// Stores a push, answering per record. Records that break the envelope rules are
    /// rejected with a reason; the rest are stored.
    pub fn ingest(
        &self,
        device: &DeviceAuth,
        records: &[RecordEnvelope],
    ) -> Result<Vec<RecordResult>, ServiceError> {
        if records.len() > self.limits.max_batch_records {
            return Err(ServiceError::BadRequest(format!(
                "records: at most {} per request, got {}",
                self.limits.max_batch_records,
                records.len()
            )));
        }
        // Areas are the organization's list: a device that has not pulled a change yet may
        // still offer an area the coordinator removed; such a record is refused with a reason
        // the worker can act on (pick another area), and the rest go through.
        let areas = self.store.catalogue_section(&device.org_id, "areas")?;
        let mut ok = Vec::with_capacity(records.len());
        let mut answers: Vec<Option<RecordResult>> = Vec::with_capacity(records.len());
        for r in records {
            match facts::check_envelope(r).and_then(|()| check_area(r, &areas)) {
                Ok(()) => {
                    let mut envelope = r.clone();
                    if envelope.record_type == "debrief_request" {
                        // Only the fact and its time leave the device; never any content,
                        // even if a device sends some.
                        envelope.body = serde_json::json!({});
                        envelope.unknown.clear();
                    }
                    ok.push(shiftlog_server_db::IngestRecord {
                        facts: facts::facts(&envelope),
                        envelope,
                    });
                    answers.push(None);
                }
                Err(reason) => answers.push(Some(RecordResult::rejected(
                    r.id, r.version, "invalid", reason,
                ))),
            }
        }
        let mut stored = self.store.ingest(device, &ok)?.into_iter();
        // Answer in request order: stored results fill the gaps between rejections.
        Ok(answers
            .into_iter()
            .filter_map(|a| a.or_else(|| stored.next()))
            .collect())
    }
}

/// Refuses a live record whose area is not on the organization's list, when it keeps one.
fn check_area(r: &RecordEnvelope, areas: &[CatalogueEntry]) -> Result<(), String> {
    if r.deleted || areas.is_empty() {
        return Ok(());
    }
    match r.body.get("area").and_then(|a| a.as_str()) {
        Some(a) if !areas.iter().any(|e| e.id == a) => Err(format!(
            "The area \u{201c}{a}\u{201d} is no longer on your organization's list. Pick another area and send it again."
        )),
        _ => Ok(()),
    }
}
