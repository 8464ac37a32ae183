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
        let intake = Intake::new(
            &self.catalogue(&device.org_id)?,
            chrono::Utc::now(),
            push.lang.as_deref(),
            push.protocol,
        );
        let mut ok = Vec::with_capacity(records.len());
        let mut answers: Vec<Option<RecordResult>> = Vec::with_capacity(records.len());
        for r in records {
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
        let decide = |rec: &shiftlog_server_db::IngestRecord,
                      head: Option<&shiftlog_server_db::StoredHead>| {
            intake.decide(device, rec, head)
        };
        let mut stored = self.store.ingest(device, &ok, &decide)?.into_iter();
        // Answer in request order: stored results fill the gaps between refusals.
        Ok(answers
            .into_iter()
            .filter_map(|a| a.or_else(|| stored.next()))
            .collect())
    }
}
