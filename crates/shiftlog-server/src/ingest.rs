//! Ingest: a device's push, answered per record, in request order. Each record is checked by
//! the gate ([`crate::intake`]) with the same rules as the device; the refused ones are
//! answered with their reason and never reach storage, so one bad record cannot block the
//! others of its batch; which version wins is decided by the gate inside storage's
//! transaction.

use shiftlog_model::decode::{DecodedPush, Undecodable};
use shiftlog_wire::{RecordEnvelope, RecordResult};

use crate::intake::Intake;
use crate::{DeviceAuth, OrgService, ServiceError};

impl OrgService {
    /// Stores a push, answering per record: stored, already had, refused with a reason, or
    /// superseded / in conflict with the server's version.
    pub fn ingest(
        &self,
        device: &DeviceAuth,
        push: &DecodedPush,
    ) -> Result<Vec<RecordResult>, ServiceError> {
        self.ingest_push(device, push.clone())
    }

    /// [`OrgService::ingest`], taking the push: its records are moved into storage's rows,
    /// not copied.
    pub fn ingest_push(
        &self,
        device: &DeviceAuth,
        push: DecodedPush,
    ) -> Result<Vec<RecordResult>, ServiceError> {
        let DecodedPush {
            protocol,
            lang,
            records,
        } = push;
        if records.len() > self.limits.max_batch_records {
            return Err(ServiceError::BadRequest(format!(
                "records: at most {} per request, got {}",
                self.limits.max_batch_records,
                records.len()
            )));
        }
        let started = std::time::Instant::now();
        let now = chrono::Utc::now();
        let (catalogue, cached) = self.ingest_catalogue(&device.org_id)?;
        let mut intake = Intake::new(&catalogue, now, lang.as_deref(), protocol);
        let mut checked = check_all(&intake, records);
        if cached && checked.refused.iter().any(Option::is_some) {
            // Refused against a remembered catalogue: never because it was stale.
            let catalogue = self.fresh_catalogue(&device.org_id)?;
            intake = Intake::new(&catalogue, now, lang.as_deref(), protocol);
            checked = check_all(&intake, checked.into_records());
        }
        let Checked { ok, refused } = checked;
        let decide = |rec: &shiftlog_server_db::IngestRecord,
                      head: Option<&shiftlog_server_db::StoredHead>| {
            intake.decide(device, rec, head)
        };
        let mut stored = self.store.ingest(device, &ok, &decide)?.into_iter();
        // Answer in request order: stored results fill the gaps between refusals.
        let answers: Vec<_> = refused
            .into_iter()
            .filter_map(|a| match a {
                Some((_, answer)) => Some(answer),
                None => stored.next(),
            })
            .collect();
        self.metrics.push(&answers, started.elapsed());
        Ok(answers)
    }
}

/// A push's records once checked.
struct Checked {
    /// The ones to store, in request order.
    ok: Vec<shiftlog_server_db::IngestRecord>,
    /// In request order, each refused record with its answer; `None` where a stored record's
    /// answer goes.
    refused: Vec<Option<(Result<RecordEnvelope, Undecodable>, RecordResult)>>,
}

impl Checked {
    /// The records back, in request order, to be checked again.
    fn into_records(self) -> Vec<Result<RecordEnvelope, Undecodable>> {
        let mut ok = self.ok.into_iter();
        self.refused
            .into_iter()
            .filter_map(|r| match r {
                Some((record, _)) => Some(record),
                None => ok.next().map(|rec| Ok(rec.envelope)),
            })
            .collect()
    }
}

/// Checks every record of a push, taking them.
fn check_all(intake: &Intake, records: Vec<Result<RecordEnvelope, Undecodable>>) -> Checked {
    let mut ok = Vec::with_capacity(records.len());
    let mut refused = Vec::with_capacity(records.len());
    for r in records {
        match r {
            Ok(r) => match intake.check(r) {
                Ok(rec) => {
                    ok.push(rec);
                    refused.push(None);
                }
                Err(refusal) => {
                    let (r, answer) = *refusal;
                    refused.push(Some((Ok(r), answer)));
                }
            },
            Err(u) => {
                let answer = intake.undecodable(&u);
                refused.push(Some((Err(u), answer)));
            }
        }
    }
    Checked { ok, refused }
}
