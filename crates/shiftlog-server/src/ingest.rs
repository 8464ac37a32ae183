//! Ingest: a device's push, answered per record, in request order. Each record is checked by
//! the gate ([`crate::intake`]) with the same rules as the device; the refused ones are
//! answered with their reason and never reach storage, so one bad record cannot block the
//! others of its batch; which version wins is decided by the gate inside storage's
//! transaction.

use shiftlog_model::decode::DecodedPush;
use shiftlog_wire::RecordResult;

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
        let records = &push.records;
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
        let mut intake = Intake::new(&catalogue, now, push.lang.as_deref(), push.protocol);
        let (mut ok, mut answers) = check_all(&intake, push);
        if cached && answers.iter().any(Option::is_some) {
            // Refused against a remembered catalogue: never because it was stale.
            let catalogue = self.fresh_catalogue(&device.org_id)?;
            intake = Intake::new(&catalogue, now, push.lang.as_deref(), push.protocol);
            (ok, answers) = check_all(&intake, push);
        }
        let decide = |rec: &shiftlog_server_db::IngestRecord,
                      head: Option<&shiftlog_server_db::StoredHead>| {
            intake.decide(device, rec, head)
        };
        let mut stored = self.store.ingest(device, &ok, &decide)?.into_iter();
        // Answer in request order: stored results fill the gaps between refusals.
        let answers: Vec<_> = answers
            .into_iter()
            .filter_map(|a| a.or_else(|| stored.next()))
            .collect();
        self.metrics.push(&answers, started.elapsed());
        Ok(answers)
    }
}

/// Checks every record of `push`: the ones to store, and an answer in request order for each
/// refused one (`None` where a stored record's answer goes).
fn check_all(
    intake: &Intake,
    push: &DecodedPush,
) -> (
    Vec<shiftlog_server_db::IngestRecord>,
    Vec<Option<RecordResult>>,
) {
    let mut ok = Vec::with_capacity(push.records.len());
    let mut answers = Vec::with_capacity(push.records.len());
    for r in &push.records {
        match r
            .as_ref()
            .map_err(|u| intake.undecodable(u))
            .and_then(|r| intake.check(r))
        {
            Ok(rec) => {
                ok.push(rec);
                answers.push(None);
            }
            Err(refused) => answers.push(Some(refused)),
        }
    }
    (ok, answers)
}
